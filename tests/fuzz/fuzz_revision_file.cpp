// libFuzzer target: the revision-file parser (header comments, markers, sections).
// Any input either parses or is refused with dbtool::Error; nothing else may happen.
#include "dbtool/error.h"
#include "dbtool/revision/revision.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto revision = dbtool::revision::parse_revision(text, "fuzz.sql");
    (void)dbtool::revision::revision_checksum(revision);
  } catch (const dbtool::Error&) {
  }
  return 0;
}
