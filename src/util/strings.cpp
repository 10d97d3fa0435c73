#include "dbtool/util/strings.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>

namespace dbtool::util {

std::string_view trim(std::string_view text) {
  const char* spaces = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(spaces);
  if (first == std::string_view::npos)
    return {};
  const auto last = text.find_last_not_of(spaces);
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split_list(std::string_view text, char separator) {
  std::vector<std::string> items;
  while (true) {
    const auto pos = text.find(separator);
    const auto piece = trim(text.substr(0, pos));
    if (!piece.empty())
      items.emplace_back(piece);
    if (pos == std::string_view::npos)
      break;
    text.remove_prefix(pos + 1);
  }
  return items;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0)
      joined += separator;
    joined += items[i];
  }
  return joined;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string to_lower(std::string text) {
  for (auto& c : text)
    c = ascii_lower(c);
  return text;
}

std::string to_upper(std::string text) {
  for (auto& c : text)
    c = ascii_upper(c);
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i]))
      return false;
  return true;
}

namespace {

std::string quoted(std::string_view text, char quote) {
  std::string out;
  out.reserve(text.size() + 2);
  out += quote;
  for (char c : text) {
    out += c;
    if (c == quote)
      out += quote;
  }
  out += quote;
  return out;
}

std::string format_utc(const char* format, bool with_millis) {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  const auto length = std::strftime(buffer, sizeof buffer, format, &tm);
  std::string out(buffer, length);
  if (with_millis) {
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    char fraction[8];
    std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(millis));
    out += fraction;
  }
  out += 'Z';
  return out;
}

} // namespace

std::string sql_quote(std::string_view text) {
  return quoted(text, '\'');
}

std::string sql_identifier(std::string_view name) {
  return quoted(name, '"');
}

std::string utc_now_iso8601() {
  return format_utc("%Y-%m-%dT%H:%M:%S", true);
}

std::string utc_now_iso8601_seconds() {
  return format_utc("%Y-%m-%dT%H:%M:%S", false);
}

} // namespace dbtool::util

namespace dbtool::util {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic programme: the swap of neighbours looks two rows back.
  std::vector<std::size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        current[j] = std::min(current[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool broken = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      broken = !out.empty();
      continue;
    }
    if (broken && c != ' ') {
      out += out.back() == ':' || out.back() == '.' ? " " : "; ";
      broken = false;
    }
    out += c;
  }
  return std::string(trim(out));
}

int count_lines(std::string_view text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

void append_hex(std::string& out, std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  for (const char byte : bytes) {
    const auto value = static_cast<unsigned char>(byte);
    out += digits[value >> 4];
    out += digits[value & 15];
  }
}

std::string hex(std::string_view bytes) {
  std::string out;
  out.reserve(2 * bytes.size());
  append_hex(out, bytes);
  return out;
}

std::string closest_word(std::string_view word, const std::vector<std::string>& candidates) {
  const std::size_t limit = std::min<std::size_t>(3, std::max<std::size_t>(1, word.size() / 3));
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const auto& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

} // namespace dbtool::util
