// libFuzzer target: the JSON model format, read for SQLite and for PostgreSQL, and what
// reads back from it written again (scan's writer) and read once more. And the cut of a
// long model in two halves (split_array_member): when both halves read, the whole reads,
// and to the same values.
#include "dbtool/error.h"
#include "dbtool/schema/json_model.h"
#include "dbtool/util/json_tree.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (const auto halves = dbtool::util::split_array_member(text, "tables", 2)) {
    nlohmann::json document;
    nlohmann::json rest;
    bool both_read = false;
    try {
      document = nlohmann::json::parse(halves->document());
      rest = nlohmann::json::parse(halves->rest_array());
      both_read = document.is_object() && document["tables"].is_array() &&
                  !document["tables"].empty() && rest.is_array() && !rest.empty();
    } catch (const nlohmann::json::exception&) {
    }
    if (both_read) {
      for (const auto& element : rest)
        document["tables"].push_back(element);
      if (nlohmann::json::parse(text) != document) // throws (and fails) if the whole does not read
        std::abort();
    }
  }
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
