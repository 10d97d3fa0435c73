#pragma once

#include <string>
#include <string_view>

// How dump writes values so that loading them back gives the same storage class and
// the same bytes: SQL literals for the sql format, JSON for jsonl. Shared by dump and
// seed, so the two formats cannot drift apart.
namespace dbtool::data {

// Whether TEXT is valid UTF-8 without NUL bytes (such text is written as it is).
bool is_plain_utf8(std::string_view text);

// The shortest text that reads back as exactly VALUE and still reads as a real
// ("2.0", not "2"); infinities as 1e999 / -1e999 (what SQLite's own dump writes).
std::string real_literal(double value);

// 'text' with quotes doubled; text that is not plain UTF-8 as CAST(X'..' AS TEXT).
void append_sql_text(std::string& out, std::string_view text);
void append_sql_blob(std::string& out, std::string_view blob); // X'0a1b'

std::string base64_encode(std::string_view bytes);
// Error(Project) naming WHERE for text that is not base64.
std::string base64_decode(std::string_view text, const std::string& where);

} // namespace dbtool::data
