// libFuzzer target: the JSON model format, read for SQLite and for PostgreSQL, and what
// reads back from it written again (scan's writer) and read once more. Any input gives a
// model or dbtool::Error, never another exception or a crash.
#include "dbtool/error.h"
#include "dbtool/schema/json_model.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (auto backend : {dbtool::config::Backend::Sqlite, dbtool::config::Backend::Postgres}) {
    try {
      const auto schema = dbtool::schema::schema_from_json_text(text, "fuzz.json", backend);
      const std::string written = dbtool::schema::schema_to_json(schema, backend);
      (void)dbtool::schema::schema_from_json_text(written, "again.json", backend);
    } catch (const dbtool::Error&) {
    }
  }
  return 0;
}
