#pragma once

#include <string>
#include <string_view>
#include <vector>

// Small string helpers shared by every module; nothing here knows about databases.
namespace dbtool::util {

std::string_view trim(std::string_view text);
// Splits on SEPARATOR, trims each piece and drops empty pieces.
std::vector<std::string> split_list(std::string_view text, char separator = ',');
std::string join(const std::vector<std::string>& items, std::string_view separator);
bool starts_with(std::string_view text, std::string_view prefix);
// ASCII case folding: SQL keywords and SQLite's names compare without regard to case.
// One character folded, ASCII only, as SQLite folds names and keywords (and without
// std::tolower's call per character; dbtool never sets a locale).
inline char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
inline char ascii_upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}
std::string to_lower(std::string text);
std::string to_upper(std::string text);
bool equals_ignoring_case(std::string_view a, std::string_view b);
// Quotes TEXT as an SQL string literal ('it''s').
std::string sql_quote(std::string_view text);
// Quotes NAME as an SQL identifier ("a""b").
std::string sql_identifier(std::string_view name);
// The current UTC time as ISO 8601 with milliseconds: 2026-11-21T22:13:02.123Z.
std::string utc_now_iso8601();
// The current UTC time as ISO 8601 to the second: 2026-11-21T22:13:02Z.
std::string utc_now_iso8601_seconds();
// TEXT on one line, for a message or a comment that must stay on its line: each run of
// line breaks and tabs becomes "; " (a space after ':' or '.'), and the ends are trimmed.
std::string one_line(std::string_view text);
// How many line breaks ('\n') TEXT holds.
int count_lines(std::string_view text);
// BYTES as lower-case hexadecimal digits, two per byte.
void append_hex(std::string& out, std::string_view bytes);
std::string hex(std::string_view bytes);
// Optimal string alignment distance (insertions, deletions, substitutions and swaps of
// two neighbours): how far a typed word is from a known one.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to WORD, when it is close enough to be what was meant (at most
// a third of its length, and at most 3, edits away); empty otherwise.
std::string closest_word(std::string_view word, const std::vector<std::string>& candidates);

} // namespace dbtool::util
