// schema_from_json_text parses each table inside the half of the tables that reads it;
// schema_from_json_text_whole parses the document as one tree. Every text must give
// both the same model or the same error (message, file and line): the fast path only
// decides where the parsing happens, never what a text means.
#include "dbtool/error.h"
#include "dbtool/schema/json_model.h"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <variant>
#include <vector>

using dbtool::config::Backend;

namespace {

// What reading TEXT gives: the model, or the error's message, file and line.
using Outcome = std::variant<dbtool::schema::Schema, std::string>;

template <typename Read> Outcome outcome(Read read, const std::string& text, Backend backend) {
  try {
    return read(text, "m.json", backend);
  } catch (const dbtool::Error& error) {
    return error.file() + ":" + std::to_string(error.line()) + ": " + error.message();
  }
}

void check_same(const std::string& text, Backend backend = Backend::Sqlite) {
  const Outcome split = outcome(dbtool::schema::schema_from_json_text, text, backend);
  const Outcome whole = outcome(dbtool::schema::schema_from_json_text_whole, text, backend);
  INFO("text: " << text.substr(0, 400));
  if (const auto* message = std::get_if<std::string>(&whole)) {
    REQUIRE(std::holds_alternative<std::string>(split));
    CHECK(std::get<std::string>(split) == *message);
  } else {
    REQUIRE(std::holds_alternative<dbtool::schema::Schema>(split));
    CHECK(std::get<dbtool::schema::Schema>(split) == std::get<dbtool::schema::Schema>(whole));
  }
}

// The error reading TEXT gives (split read, SQLite), as "file:line: message"; empty when
// it reads.
std::string error_of(const std::string& text) {
  const Outcome read = outcome(dbtool::schema::schema_from_json_text, text, Backend::Sqlite);
  const auto* message = std::get_if<std::string>(&read);
  return message != nullptr ? *message : std::string();
}

// COUNT tables (more than 100 split the reading in two halves), one line each, with
// names, strings and nesting that a naive scan for brackets would misread.
std::string model_of(int count) {
  std::string text = "{\n  \"mixins\": {\"tables\": [{\"name\": \"created\", \"type\": "
                     "\"datetime\"}]},\n  \"tables\": [\n";
  for (int k = 0; k < count; ++k) {
    const std::string name = "t" + std::to_string(k);
    text += std::string(k == 0 ? "" : ",\n") + "    {\"name\": \"" + name +
            "\", \"columns\": [{\"name\": \"id\", \"type\": \"integer\", \"primary_key\": true}, "
            "{\"name\": \"note]\\\"},[\", \"type\": \"string(20)\", \"default\": \"'a,b]}'\"}, "
            "{\"mixin\": \"tables\"}], \"indexes\": [{\"columns\": [\"id\", \"created\"]}]}";
  }
  return text + "\n  ],\n  \"views\": [{\"name\": \"v\", \"sql\": \"SELECT 1 AS \\\"[\\\"\"}]\n}\n";
}

} // namespace

TEST_CASE("split JSON read: the same model as the whole read, few tables and many") {
  for (int count : {0, 1, 5, 150, 301}) {
    const std::string text = model_of(count);
    check_same(text);
    check_same(text, Backend::Postgres);
    const auto schema = dbtool::schema::schema_from_json_text(text, "m.json");
    CHECK(schema.tables.size() == static_cast<std::size_t>(count));
    if (count > 0)
      CHECK(schema.tables.at("t0").columns.at(1).name == "note]\"},[");
  }
}

TEST_CASE("split JSON read: shapes the scan of the text must not misread") {
  const std::string table = R"({"name": "a", "columns": [{"name": "id", "type": "integer"}]})";
  const std::string table2 = R"({"name": "b", "columns": [{"name": "id", "type": "integer"}]})";
  for (const std::string& text : std::vector<std::string>{
           "{\"tables\": []}",
           "{\"tables\": [" + table + "]}",
           "{\"tables\": [" + table + ",]}",              // a comma before ']'
           "{\"tables\": [," + table + "]}",              // a comma before the first table
           "{\"tables\": [" + table + " " + table + "]}", // no comma between tables
           "{\"tables\": [" + table + "], \"tables\": [" + table + "]}", // "tables" twice
           "{\"tables\": {}}",
           "{\"tables\": 5}",
           "{\"tables\": [5, \"x\", [1, 2], null]}",
           "{\"tables\": [" + table + "]",                   // not closed
           "{\"tables\": [" + table + "]}}",                 // closed twice
           "{\"tables\": [" + table + "]} {\"tables\": []}", // a second document
           "[{\"tables\": []}]",
           "{\"\\u0074ables\": [" + table + "]}", // "tables" spelled with an escape
           "{\"views\": [], \"tables\": [" + table + "], \"comment\": \"tables\"}",
           "{\"tables\": [" + table + "], \"unknown\": 1}",
           "{\"tables\": [{\"name\": \"a\", \"columns\": [{\"name\": \"id\", \"type\": "
           "\"integer\"}]}, {\"name\": \"A\", \"columns\": [{\"name\": \"id\", \"type\": "
           "\"integer\"}]}]}",                                        // declared twice, in any case
           "{\"tables\": [" + table + ", {\"name\": 1e999}]}",        // a number out of range
           "{\"tables\": [" + table + ", {\"name\": \"b\\q\"}]}",     // a bad escape
           "\xEF\xBB\xBF{\"tables\": [" + table + "]}",               // a byte order mark
           "{\"tables\": [\xEF\xBB\xBF" + table + "]}",               // one inside the list
           "{\"tables\": [" + table + ",\xEF\xBB\xBF" + table + "]}", // and after a comma
           "{\"tables\": [" + table + "], \"tables\": null}",         // "tables" again, not a list
           "{\"tables\": [" + table + "], \"tables\": 5}",
           "{\"tables\": null}",
           "{\"tables\": [" + table + "], \"tabl\\u0065s\": [" + table2 + "]}", // escaped
           "{\"tabl\\u0065s\": [" + table2 + "], \"tables\": [" + table + "]}",
           "{\"tables\": [" + table + "],\f\"views\": []}", // a form feed
           "",
       }) {
    check_same(text);
    check_same(text, Backend::Postgres);
  }
}

TEST_CASE("split JSON read: a syntax error after an error in an earlier table is the one "
          "reported, with its line") {
  std::string text = model_of(150);
  // Table t3 has an unknown key; table t140 (the second half) does not parse.
  text.replace(text.find("{\"name\": \"t3\""), 1, "{\"bad\": 1, ");
  text.replace(text.find("{\"name\": \"t140\""), 1, "{{");
  check_same(text);
  CHECK_THROWS_WITH_AS(dbtool::schema::schema_from_json_text(text, "m.json"),
                       doctest::Contains("invalid JSON at column"), dbtool::Error);
}

TEST_CASE("split JSON read: an error in the second half names its table's line") {
  std::string text = model_of(150);
  text.replace(text.find("\"name\": \"t120\""), 14, "\"name\": \"t120\", \"oops\": 1");
  check_same(text);
  // The header's three lines, then one line per table.
  CHECK(error_of(text) == "m.json:" + std::to_string(4 + 120) + ": table: unknown key 'oops'");
}

TEST_CASE("split JSON read: random damage to a model reads the same both ways") {
  const std::string model = model_of(120);
  std::mt19937 random(20261207);
  const std::string pieces[] = {
      "{", "}", "[", "]", ",", "\"", "\\", ":", " ", "\"tables\": [", "1", "null", "\"x\""};
  for (int trial = 0; trial < 300; ++trial) {
    std::string text = model;
    const int damages = 1 + static_cast<int>(random() % 3);
    for (int d = 0; d < damages; ++d) {
      const std::size_t at = random() % text.size();
      if (random() % 2 == 0)
        text.erase(at, 1 + random() % 3);
      else
        text.insert(at, pieces[random() % std::size(pieces)]);
    }
    check_same(text, trial % 2 == 0 ? Backend::Sqlite : Backend::Postgres);
  }
}

TEST_CASE("split JSON read: an element that is no table is named at its line, read whole") {
  const std::string text = "{\n  \"tables\": [\n    {\"name\": \"a\", \"columns\": [{\"name\": "
                           "\"id\", \"type\": \"integer\"}]},\n    5\n  ]\n}\n";
  check_same(text);
  CHECK(error_of(text) == "m.json:4: table: expected an object");
}
