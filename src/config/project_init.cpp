#include "dbtool/config/project_init.h"

#include "dbtool/config/settings.h"
#include "dbtool/error.h"

#include <fstream>

namespace dbtool::config {

namespace fs = std::filesystem;

std::vector<fs::path> init_project(const fs::path& dir) {
  const std::vector<fs::path> parts = {dir / "dbtool.toml", dir / "migrations", dir / "schema"};
  std::error_code ec;
  for (const auto& part : parts)
    if (fs::exists(part, ec))
      throw Error(ErrorKind::Project, "refusing to overwrite: it exists already", part.string());
  fs::create_directories(dir, ec);
  if (ec)
    throw Error(ErrorKind::Project, "cannot create folder: " + ec.message(), dir.string());
  for (size_t i = 1; i < parts.size(); ++i) {
    fs::create_directory(parts[i], ec);
    if (ec)
      throw Error(ErrorKind::Project, "cannot create folder: " + ec.message(), parts[i].string());
  }
  std::ofstream out(parts[0], std::ios::binary);
  out << default_config_text();
  if (!out.flush())
    throw Error(ErrorKind::Project, "cannot write file", parts[0].string());
  return parts;
}

} // namespace dbtool::config
