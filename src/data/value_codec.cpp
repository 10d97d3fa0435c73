#include "dbtool/data/value_codec.h"

#include "dbtool/error.h"
#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <cstdio>
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

namespace {

const char* hex_digits = "0123456789abcdef";

void append_hex(std::string& out, std::string_view bytes) {
  for (unsigned char c : bytes) {
    out += hex_digits[c >> 4];
    out += hex_digits[c & 15];
  }
}

} // namespace

void append_sql_text(std::string& out, std::string_view text) {
  if (!is_plain_utf8(text)) {
    out += "CAST(X'";
    append_hex(out, text);
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
  append_hex(out, blob);
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
