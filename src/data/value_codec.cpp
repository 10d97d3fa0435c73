#include "dbtool/data/value_codec.h"

#include "dbtool/error.h"
#include "dbtool/util/strings.h"
#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <vector>

namespace dbtool::data {

bool is_plain_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t i = 0;
  while (i < size) {
    const unsigned char c = bytes[i];
    if (c == 0)
      return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    std::uint32_t code;
    if ((c & 0xE0) == 0xC0) {
      length = 2;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > size)
      return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80)
        return false;
      code = (code << 6) | (bytes[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    if ((length == 2 && code < 0x80) || (length == 3 && code < 0x800) ||
        (length == 4 && code < 0x10000) || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return false;
    i += length;
  }
  return true;
}

std::string real_literal(double value) {
  if (std::isinf(value))
    return value > 0 ? "1e999" : "-1e999";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, result.ptr);
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  return text;
}

std::string postgres_real_text(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  // Integral values below 2^63 in full: "1e+16" is no input for a bigint column.
  const bool integral = value == std::trunc(value) && std::fabs(value) < 9.2e18;
  const auto result =
      integral ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed)
               : std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr); // "-0" too: a float column keeps the sign
}

namespace {

bool digits(std::string_view text, std::size_t from, std::size_t count) {
  if (from + count > text.size())
    return false;
  for (std::size_t i = from; i < from + count; ++i)
    if (text[i] < '0' || text[i] > '9')
      return false;
  return true;
}

} // namespace

std::optional<std::string> sqlite_timestamp_as_utc(std::string_view text) {
  // YYYY-MM-DD
  if (!digits(text, 0, 4) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2) ||
      text[7] != '-' || !digits(text, 8, 2))
    return std::nullopt;
  if (text.size() == 10)
    return std::string(text) + " 00:00:00+00";
  // [ T]HH:MM, then :SS, then .fff...
  if ((text[10] != ' ' && text[10] != 'T') || !digits(text, 11, 2) || text.size() < 16 ||
      text[13] != ':' || !digits(text, 14, 2))
    return std::nullopt;
  std::size_t end = 16;
  if (end < text.size() && text[end] == ':') {
    if (!digits(text, end + 1, 2))
      return std::nullopt;
    end += 3;
    if (end < text.size() && text[end] == '.') {
      ++end;
      const std::size_t first = end;
      while (end < text.size() && text[end] >= '0' && text[end] <= '9')
        ++end;
      if (end == first)
        return std::nullopt;
    }
  }
  if (end != text.size())
    return std::nullopt;
  return std::string(text) + "+00";
}

std::optional<std::string> unix_time_text(std::int64_t seconds) {
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  if (gmtime_r(&time, &parts) == nullptr)
    return std::nullopt;
  char buffer[64];
  const auto length = std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &parts);
  if (length == 0)
    return std::nullopt;
  return std::string(buffer, length);
}

void append_sql_text(std::string& out, std::string_view text) {
  if (!is_plain_utf8(text)) {
    out += "CAST(X'";
    util::append_hex(out, text);
    out += "' AS TEXT)";
    return;
  }
  out += '\'';
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\'') {
      out.append(text.data() + start, i - start + 1);
      out += '\'';
      start = i + 1;
    }
  out.append(text.data() + start, text.size() - start);
  out += '\'';
}

void append_sql_blob(std::string& out, std::string_view blob) {
  out += "X'";
  util::append_hex(out, blob);
  out += '\'';
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(bytes.data()),
                                      static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string base64_decode(std::string_view text, const std::string& where) {
  if (text.size() % 4 != 0)
    throw Error(ErrorKind::Project, where + ": invalid base64");
  std::string out(3 * (text.size() / 4), '\0');
  const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  if (written < 0)
    throw Error(ErrorKind::Project, where + ": invalid base64");
  // EVP_DecodeBlock keeps the padding's zero bytes: drop one per '='.
  std::size_t size = static_cast<std::size_t>(written);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i)
    --size;
  out.resize(size);
  return out;
}

} // namespace dbtool::data
