#include "dbtool/util/json_writer.h"

#include <cstdio>

namespace dbtool::util {

namespace {

// Length of the valid UTF-8 sequence at TEXT[I], or 0 where a sequence goes wrong,
// with BAD set to how many bytes the replacement swallows: nlohmann's decoder rejects
// at the first byte that cannot continue and reads that byte again as a new start.
std::size_t utf8_sequence(std::string_view text, std::size_t i, std::size_t& bad) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead < 0x80)
    return 1;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0)
      low = 0xA0; // overlong
    if (lead == 0xED)
      high = 0x9F; // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0)
      low = 0x90;
    if (lead == 0xF4)
      high = 0x8F;
  } else {
    bad = 1;
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k) {
    if (i + k >= text.size()) {
      bad = text.size() - i;
      return 0;
    }
    const unsigned char c = byte(i + k);
    const unsigned char min = k == 1 ? low : 0x80;
    const unsigned char max = k == 1 ? high : 0xBF;
    if (c < min || c > max) {
      bad = k;
      return 0;
    }
  }
  return length;
}

} // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  std::size_t start = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      std::size_t bad = 0;
      const std::size_t length = utf8_sequence(text, i, bad);
      if (length != 0) {
        i += length;
        continue;
      }
      out.append(text.data() + start, i - start);
      out += "\xEF\xBF\xBD";
      i += bad;
      start = i;
      continue;
    }
    out.append(text.data() + start, i - start);
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default: {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\u%04x", c);
      out += escape;
    }
    }
    start = ++i;
  }
  out.append(text.data() + start, text.size() - start);
  out += '"';
}

void JsonWriter::newline() {
  m_out += '\n';
  m_out.append(2 * m_levels.size(), ' ');
}

void JsonWriter::before_value() {
  if (m_after_key) {
    m_after_key = false;
    return;
  }
  if (m_levels.empty())
    return;
  if (!m_levels.back().empty)
    m_out += ',';
  m_levels.back().empty = false;
  newline();
}

void JsonWriter::open(char bracket) {
  before_value();
  m_out += bracket;
  m_levels.push_back({});
}

void JsonWriter::close(char bracket) {
  const bool empty = m_levels.back().empty;
  m_levels.pop_back();
  if (!empty)
    newline();
  m_out += bracket;
}

void JsonWriter::key(std::string_view name) {
  before_value();
  append_json_string(m_out, name);
  m_out += ": ";
  m_after_key = true;
}

void JsonWriter::value(std::string_view text) {
  before_value();
  append_json_string(m_out, text);
}

void JsonWriter::value(bool flag) {
  before_value();
  m_out += flag ? "true" : "false";
}

void JsonWriter::value(const std::vector<std::string>& texts) {
  begin_array();
  for (const auto& text : texts)
    value(text);
  end_array();
}

} // namespace dbtool::util
