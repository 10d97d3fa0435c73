// libFuzzer target: the JSON model format, read for SQLite and for PostgreSQL, and what
// reads back from it written again (scan's writer) and read once more. Any input gives a
// model or dbtool::Error, never another exception or a crash; and the read that parses
// each table in its half (schema_from_json_text) gives what the read of the whole tree
// gives, the same model or the same error.
#include "dbtool/error.h"
#include "dbtool/schema/json_model.h"

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace {

// The error TEXT gives as "file:line: message", or nullopt and the model in SCHEMA.
template <typename Read>
std::optional<std::string> error_of(Read read, const std::string& text,
                                    dbtool::config::Backend backend,
                                    dbtool::schema::Schema& schema) {
  try {
    schema = read(text, "fuzz.json", backend);
    return std::nullopt;
  } catch (const dbtool::Error& error) {
    return error.file() + ":" + std::to_string(error.line()) + ": " + error.message();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (auto backend : {dbtool::config::Backend::Sqlite, dbtool::config::Backend::Postgres}) {
    dbtool::schema::Schema split, whole;
    const auto split_error = error_of(dbtool::schema::schema_from_json_text, text, backend, split);
    const auto whole_error =
        error_of(dbtool::schema::schema_from_json_text_whole, text, backend, whole);
    if (split_error != whole_error || (!split_error && !(split == whole)))
      std::abort(); // the two reads disagree
    if (split_error)
      continue;
    try {
      const std::string written = dbtool::schema::schema_to_json(split, backend);
      (void)dbtool::schema::schema_from_json_text(written, "again.json", backend);
    } catch (const dbtool::Error&) {
    }
  }
  return 0;
}
