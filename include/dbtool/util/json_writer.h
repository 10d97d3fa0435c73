#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dbtool::util {

// Appends TEXT as a JSON string literal: quotes, backslashes and control characters
// escaped as nlohmann::json escapes them, and each invalid UTF-8 sequence replaced by
// U+FFFD (as its dump() does with error_handler_t::replace), so the output always parses.
void append_json_string(std::string& out, std::string_view text);

// Writes indented JSON text straight into a string, laid out exactly as
// nlohmann::json::dump(2) lays out the same document. `scan` prints models of
// thousands of tables, and building a DOM only to print it would double the work.
// The caller pairs begin/end calls and writes a key before each value in an object.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : m_out(out) {}

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  void key(std::string_view name);
  void value(std::string_view text);
  void value(const char* text) { value(std::string_view(text)); }
  void value(const std::string& text) { value(std::string_view(text)); }
  void value(bool flag);
  // A whole array of strings, for the many lists of column names.
  void value(const std::vector<std::string>& texts);

  // key(NAME) then value(V): the common case in a model file.
  template <typename T> void field(std::string_view name, const T& v) {
    key(name);
    value(v);
  }

 private:
  void open(char bracket);
  void close(char bracket);
  void before_value();
  void newline();

  struct Level {
    bool empty = true;
  };
  std::string& m_out;
  std::vector<Level> m_levels;
  bool m_after_key = false;
};

} // namespace dbtool::util
