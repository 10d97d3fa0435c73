// libFuzzer target: dbtool.toml, read the way every command reads it (through a file:
// the loader takes a path).
#include "dbtool/config/settings.h"
#include "dbtool/error.h"

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path dir = [] {
    char pattern[] = "/tmp/dbtool-fuzz-config.XXXXXX";
    return std::filesystem::path(mkdtemp(pattern));
  }();
  const auto file = dir / "dbtool.toml";
  if (std::FILE* out = std::fopen(file.c_str(), "wb")) {
    std::fwrite(data, 1, size, out);
    std::fclose(out);
  }
  dbtool::config::GlobalOptions options;
  options.project_dir = dir.string();
  try {
    (void)dbtool::config::load_settings(options, [](const char*) { return std::nullopt; });
  } catch (const dbtool::Error&) {
  }
  return 0;
}
