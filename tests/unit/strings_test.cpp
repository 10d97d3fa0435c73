#include "dbtool/util/strings.h"

#include <doctest/doctest.h>

using dbtool::util::closest_word;
using dbtool::util::edit_distance;

TEST_CASE("edit_distance counts insertions, deletions, substitutions and swaps") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("upgrade", "upgrade") == 0);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("upgrade", "upgarde") == 1); // a swap of neighbours
  CHECK(edit_distance("stamp", "stomp") == 1);
  CHECK(edit_distance("seed", "sed") == 1);
  CHECK(edit_distance("sed", "seed") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("ca", "abc") == 3); // optimal string alignment, not full Damerau
}

TEST_CASE("closest_word suggests only what is close enough to be meant") {
  const std::vector<std::string> commands = {"upgrade", "downgrade", "history", "heads",
                                             "stamp",   "scan",      "seed"};
  CHECK(closest_word("upgarde", commands) == "upgrade");
  CHECK(closest_word("histroy", commands) == "history");
  CHECK(closest_word("dwongrade", commands) == "downgrade");
  CHECK(closest_word("frobnicate", commands).empty());
  CHECK(closest_word("x", commands).empty());
  CHECK(closest_word("--sqll", {"--sql", "--single-transaction"}) == "--sql");
  CHECK(closest_word("", commands).empty());
}

TEST_CASE("one_line, count_lines, hex") {
  using dbtool::util::one_line;
  CHECK(one_line("connection failed: refused\n\tIs the server running?") ==
            "connection failed: refused; Is the server running?");
  CHECK(one_line("ends.\nNext") == "ends. Next");
  CHECK(one_line("a:\r\nb") == "a: b");
  CHECK(one_line("\n  padded \n") == "padded");
  CHECK(one_line("plain") == "plain");
  CHECK(dbtool::util::count_lines("a\nb\n\nc") == 3);
  CHECK(dbtool::util::count_lines("") == 0);
  CHECK(dbtool::util::hex(std::string("\x00\x7f\xff\x10", 4)) == "007fff10");
  std::string out = "X'";
  dbtool::util::append_hex(out, "AZ");
  CHECK(out == "X'415a");
}
