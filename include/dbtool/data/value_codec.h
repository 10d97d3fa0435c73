#pragma once

#include <cstdint>
#include <optional>
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

// VALUE as text that PostgreSQL reads back as exactly VALUE in any numeric column: an
// integral value as an integer ("5", not "5.0", so integer and boolean columns take
// it), anything else in its shortest round-trip form ("0.1", "1e-300"), and
// Infinity, -Infinity and NaN as PostgreSQL spells them.
std::string postgres_real_text(double value);

// TEXT with "+00" appended when it is a timestamp as SQLite writes one (CURRENT_TIMESTAMP,
// datetime(): "YYYY-MM-DD HH:MM[:SS[.fff]]", or with a T), which is UTC but names no
// zone; a date alone gets " 00:00:00+00". Anything else: nullopt (it names its zone, or
// PostgreSQL will say what is wrong with it).
std::optional<std::string> sqlite_timestamp_as_utc(std::string_view text);

// SECONDS since 1970-01-01 UTC (SQLite's "unix time" form of a timestamp) as
// "YYYY-MM-DD HH:MM:SS"; nullopt past what gmtime can say.
std::optional<std::string> unix_time_text(std::int64_t seconds);

std::string base64_encode(std::string_view bytes);
// Error(Project) naming WHERE for text that is not base64.
std::string base64_decode(std::string_view text, const std::string& where);

} // namespace dbtool::data
