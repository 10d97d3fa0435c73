#include "dbtool/util/json_tree.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <random>
#include <string>

using dbtool::util::JsonTree;
using dbtool::util::split_array_member;
using json = nlohmann::json;

namespace {

// HALVES read back as one document (REST's elements appended to the document's KEY).
json joined(const dbtool::util::JsonHalves& halves, const std::string& key) {
  json document = json::parse(halves.document());
  const json rest = json::parse(halves.rest_array());
  REQUIRE(rest.is_array());
  REQUIRE_FALSE(rest.empty());
  REQUIRE(document[key].is_array());
  REQUIRE_FALSE(document[key].empty());
  for (const auto& element : rest)
    document[key].push_back(element);
  return document;
}

// A value with strings that look like structure: brackets, commas, quotes and
// backslashes, escaped or not.
json awkward_value(std::mt19937& rng, int depth) {
  static const std::string strings[] = {
      "plain", "a,b", "[x]", "{y}",    "quote \" inside", "ends with backslash \\",
      "\\\"",  "\\",  "",    "tables", "\"tables\": [",   "é 表"};
  switch (rng() % (depth > 2 ? 3 : 6)) {
  case 0:
    return strings[rng() % std::size(strings)];
  case 1:
    return static_cast<int>(rng() % 1000);
  case 2:
    return rng() % 2 == 0 ? json(nullptr) : json(true);
  case 3: {
    json array = json::array();
    for (auto k = rng() % 4; k > 0; --k)
      array.push_back(awkward_value(rng, depth + 1));
    return array;
  }
  default: {
    json object = json::object();
    for (auto k = rng() % 4; k > 0; --k)
      object[strings[rng() % std::size(strings)]] = awkward_value(rng, depth + 1);
    return object;
  }
  }
}

} // namespace

TEST_CASE("split_array_member cuts a long array between two elements") {
  json whole = {{"views", json::array({"[", "]"})}, {"tables", json::array()}, {"z", 1}};
  for (int k = 0; k < 10; ++k)
    whole["tables"].push_back({{"name", "t" + std::to_string(k)}, {"columns", {1, 2, 3}}});
  for (const int indent : {-1, 0, 2}) {
    const std::string text = whole.dump(indent);
    const auto halves = split_array_member(text, "tables", 10);
    REQUIRE(halves);
    CHECK(joined(*halves, "tables") == whole);
    // About half of the text each side.
    CHECK(halves->rest.size() > text.size() / 4);
    CHECK(halves->document().size() > text.size() / 4);
    const JsonTree document(halves->head, halves->tail);
    const JsonTree rest("[", halves->rest);
    CHECK(document.root()["tables"].size() + rest.root().size() == 10);
  }
}

TEST_CASE("split_array_member declines what it cannot cut safely") {
  // Whether TEXT is cut (the halves are views into it: TEXT lives through the call).
  auto cuts = [](const std::string& text, std::size_t least, const char* key = "tables") {
    return split_array_member(text, key, least).has_value();
  };
  const std::string three = R"({"tables": [1, 2, 3]})";
  CHECK(split_array_member(three, "tables", 3));
  CHECK_FALSE(split_array_member(three, "tables", 4)); // too few elements
  CHECK_FALSE(split_array_member(three, "views", 2));  // no such member
  CHECK_FALSE(cuts(R"({"tables": [1]})", 1));          // nowhere to cut
  CHECK_FALSE(cuts(R"({"tables": [1, 2], "tables": [3, 4]})", 2));
  // A key given twice counts once its value is the array: the last one is read.
  const std::string twice = R"({"tables": 5, "tables": [3, 4]})";
  REQUIRE(split_array_member(twice, "tables", 2));
  CHECK(joined(*split_array_member(twice, "tables", 2), "tables") == json::parse(twice));
  CHECK_FALSE(cuts(R"({"tabl\u0065s": [1, 2], "tables": [3, 4]})", 2));
  CHECK_FALSE(cuts(R"({"x": {"tables": [1, 2, 3]}})", 2)); // not top level
  CHECK_FALSE(cuts(R"([{"tables": [1, 2, 3]}])", 2));
  CHECK_FALSE(cuts(R"({"tables": [1, 2, 3])", 2));   // unclosed
  CHECK_FALSE(cuts(R"({"tables": [1, 2, 3}})", 2));  // mismatched
  CHECK_FALSE(cuts(R"({"tables": [1, 2, "3]})", 2)); // open string
  CHECK_FALSE(cuts(R"({"tables": [1, 2, "3\"]})", 2));
  // A trailing comma leaves an empty second half: the caller reads the whole (and fails).
  const std::string trailing_comma = R"({"tables": [1, 2, ]})";
  const auto trailing = split_array_member(trailing_comma, "tables", 2);
  if (trailing) {
    bool both_read = true;
    try {
      const JsonTree document(trailing->head, trailing->tail);
      const JsonTree rest("[", trailing->rest);
      both_read = !rest.root().empty() && !document.root()["tables"].empty();
    } catch (const std::exception&) {
      both_read = false;
    }
    CHECK_FALSE(both_read);
  }
}

TEST_CASE("split_array_member: random documents read the same cut or whole") {
  std::mt19937 rng(20261205);
  int cut = 0;
  for (int round = 0; round < 500; ++round) {
    json whole = json::object();
    for (auto k = rng() % 3; k > 0; --k)
      whole["before" + std::to_string(k)] = awkward_value(rng, 0);
    json tables = json::array();
    for (auto k = 2 + rng() % 12; k > 0; --k)
      tables.push_back(awkward_value(rng, 0));
    whole["tables"] = tables;
    for (auto k = rng() % 3; k > 0; --k)
      whole["after" + std::to_string(k)] = awkward_value(rng, 0);
    const std::string text = whole.dump(static_cast<int>(rng() % 3) - 1);
    const auto halves = split_array_member(text, "tables", 2);
    REQUIRE(halves);
    CHECK(joined(*halves, "tables") == whole);
    ++cut;
  }
  CHECK(cut == 500);
}
