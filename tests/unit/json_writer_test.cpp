#include "dbtool/util/json_writer.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using dbtool::util::append_json_string;
using dbtool::util::JsonWriter;

namespace {

std::string json_quoted(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

// What nlohmann writes for the same string (the layout the writer promises).
std::string nlohmann_quoted(const std::string& text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace

TEST_CASE("JSON strings are escaped as nlohmann escapes them") {
  const std::string samples[] = {
      "plain",
      "quote \" and backslash \\",
      std::string("controls \b\f\n\r\t \x01 \x1f \x7f end"),
      std::string("nul \0 inside", 12),
      "unicode: 表 é 🙂",
      "x\"; DROP TABLE y; --",
  };
  for (const auto& sample : samples) {
    CAPTURE(sample);
    CHECK(json_quoted(sample) == nlohmann_quoted(sample));
    CHECK(nlohmann::json::parse(json_quoted(sample)).get<std::string>() == sample);
  }
}

TEST_CASE("invalid UTF-8 is replaced by U+FFFD where nlohmann replaces it") {
  const std::string samples[] = {
      "\xff",             // never a lead byte
      "a\xc3",            // cut short at the end
      "a\xe2\x82",        // cut short after two of three
      "\xc3(",            // a lead byte followed by ASCII: the '(' survives
      "\xe0\x80\x80",     // overlong
      "\xed\xa0\x80",     // a surrogate
      "\xf4\x90\x80\x80", // above U+10FFFF
      "\xc0\xaf ok \xe2\x82\xac",
  };
  for (const auto& sample : samples) {
    CAPTURE(sample);
    CHECK(json_quoted(sample) == nlohmann_quoted(sample));
  }
}

TEST_CASE("the writer lays documents out as nlohmann's dump(2)") {
  std::string text;
  JsonWriter out(text);
  out.begin_object();
  out.field("name", "t");
  out.key("empty_list");
  out.begin_array();
  out.end_array();
  out.key("empty_object");
  out.begin_object();
  out.end_object();
  out.field("flags", std::vector<std::string>{"a", "b"});
  out.key("nested");
  out.begin_array();
  out.begin_object();
  out.field("yes", true);
  out.field("no", false);
  out.end_object();
  out.value("tail");
  out.end_array();
  out.end_object();
  const auto parsed = nlohmann::ordered_json::parse(text);
  CHECK(parsed["flags"][1] == "b");
  CHECK(parsed["nested"][0]["no"] == false);
  CHECK(parsed.dump(2) == text);
}
