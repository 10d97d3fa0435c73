#include "dbtool/util/json_tree.h"

#include <nlohmann/json.hpp>

#include <cstring>
#include <iterator>
#include <set>
#include <stdexcept>

namespace dbtool::util {

namespace {

// The characters of two pieces of text, one after the other, for nlohmann's reader
// (which takes any iterator over chars).
class TwoPieces {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TwoPieces(std::string_view first, std::string_view second, bool at_end)
      : m_first(first), m_second(second), m_in_second(at_end || first.empty()),
        m_at(at_end ? second.size() : 0) {}
  reference operator*() const { return (m_in_second ? m_second : m_first)[m_at]; }
  TwoPieces& operator++() {
    if (++m_at == m_first.size() && !m_in_second) {
      m_in_second = true;
      m_at = 0;
    }
    return *this;
  }
  TwoPieces operator++(int) {
    TwoPieces before = *this;
    ++*this;
    return before;
  }
  bool operator==(const TwoPieces& other) const {
    return m_in_second == other.m_in_second && m_at == other.m_at;
  }
  bool operator!=(const TwoPieces& other) const { return !(*this == other); }

 private:
  std::string_view m_first;
  std::string_view m_second;
  bool m_in_second;
  std::size_t m_at;
};

} // namespace

// nlohmann's SAX events, appended to the tree's nodes; each container keeps the index
// of its last child so that the next one is linked after it.
class Builder {
 public:
  using json = nlohmann::json;
  Builder(std::vector<JsonTree::Node>& nodes, std::string& strings)
      : m_nodes(nodes), m_strings(strings) {}

  bool null() { return add(JsonTree::Kind::Null), true; }
  bool boolean(bool value) { return m_nodes[add(JsonTree::Kind::Boolean)].boolean = value, true; }
  bool number_integer(json::number_integer_t) { return add(JsonTree::Kind::Number), true; }
  bool number_unsigned(json::number_unsigned_t) { return add(JsonTree::Kind::Number), true; }
  bool number_float(json::number_float_t, const std::string&) {
    return add(JsonTree::Kind::Number), true;
  }
  bool string(std::string& value) {
    const std::uint32_t at = keep(value);
    JsonTree::Node& node = m_nodes[add(JsonTree::Kind::String)];
    node.text_at = at;
    node.text_size = static_cast<std::uint32_t>(value.size());
    return true;
  }
  bool binary(json::binary_t&) { return add(JsonTree::Kind::Null), true; }
  bool start_object(std::size_t) { return open(JsonTree::Kind::Object); }
  bool key(std::string& value) {
    m_key_at = keep(value);
    m_key_size = static_cast<std::uint32_t>(value.size());
    return true;
  }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(JsonTree::Kind::Array); }
  bool end_array() { return close(); }
  // As json::parse throws it: a parse_error (with its byte) or an out_of_range.
  template <typename Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& error) {
    throw error;
  }

 private:
  struct Open {
    std::uint32_t index;
    std::uint32_t last;
  };

  // VALUE appended to the strings; where it starts. (No longer than the document's text,
  // which is under 4 GB: an escape is never shorter than what it stands for.)
  std::uint32_t keep(const std::string& value) {
    const auto at = static_cast<std::uint32_t>(m_strings.size());
    m_strings += value;
    return at;
  }

  std::uint32_t add(JsonTree::Kind kind) {
    const auto index = static_cast<std::uint32_t>(m_nodes.size());
    m_nodes.emplace_back();
    JsonTree::Node& node = m_nodes.back();
    node.kind = kind;
    if (!m_open.empty()) {
      Open& parent = m_open.back();
      JsonTree::Node& container = m_nodes[parent.index];
      if (container.kind == JsonTree::Kind::Object) {
        node.key_at = m_key_at;
        node.key_size = m_key_size;
      }
      if (container.first == JsonTree::Value::none)
        container.first = index;
      else
        m_nodes[parent.last].next = index;
      parent.last = index;
      ++container.count;
    }
    return index;
  }
  bool open(JsonTree::Kind kind) {
    m_open.push_back({add(kind), JsonTree::Value::none});
    return true;
  }
  bool close() {
    m_open.pop_back();
    return true;
  }

  std::vector<JsonTree::Node>& m_nodes;
  std::string& m_strings;
  std::vector<Open> m_open;
  std::uint32_t m_key_at = 0;
  std::uint32_t m_key_size = 0;
};

JsonTree::JsonTree(std::string_view text, std::string_view more) {
  if (text.size() + more.size() >= Value::none)
    throw std::length_error("a JSON document of 4 GB or more");
  // About one value per 16 bytes of text, and strings of a third of it.
  m_nodes.reserve((text.size() + more.size()) / 16);
  m_strings.reserve((text.size() + more.size()) / 3);
  Builder builder(m_nodes, m_strings);
  nlohmann::json::sax_parse(TwoPieces(text, more, false), TwoPieces(text, more, true), &builder);
}

const JsonTree::Node& JsonTree::Value::node() const {
  return m_tree->m_nodes[m_index];
}

JsonTree::Kind JsonTree::Value::kind() const {
  return exists() ? node().kind : Kind::Null;
}

bool JsonTree::Value::boolean() const {
  return is_boolean() && node().boolean;
}

std::string_view JsonTree::Value::text() const {
  if (!is_string())
    return {};
  return std::string_view(m_tree->m_strings).substr(node().text_at, node().text_size);
}

std::string_view JsonTree::Value::key() const {
  if (!exists())
    return {};
  return std::string_view(m_tree->m_strings).substr(node().key_at, node().key_size);
}

std::size_t JsonTree::Value::size() const {
  if (is_array())
    return node().count;
  if (!is_object())
    return 0;
  std::set<std::string_view> keys; // a key given twice counts once, as in nlohmann::json
  for (const Value member : *this)
    keys.insert(member.key());
  return keys.size();
}

JsonTree::Value JsonTree::Value::find(std::string_view key) const {
  std::uint32_t found = none;
  if (is_object())
    for (std::uint32_t k = node().first; k != none; k = m_tree->m_nodes[k].next) {
      const Node& member = m_tree->m_nodes[k];
      if (member.key_size == key.size() &&
          std::string_view(m_tree->m_strings).substr(member.key_at, member.key_size) == key)
        found = k;
    }
  return {m_tree, found};
}

JsonTree::Value::Iterator JsonTree::Value::begin() const {
  return {m_tree, is_array() || is_object() ? node().first : none};
}

JsonTree::Value::Iterator& JsonTree::Value::Iterator::operator++() {
  m_index = m_tree->m_nodes[m_index].next;
  return *this;
}

std::vector<JsonTree::Value> JsonTree::Value::elements() const {
  std::vector<Value> out;
  for (const Value element : *this)
    out.push_back(element);
  return out;
}

} // namespace dbtool::util

namespace dbtool::util {

std::optional<JsonHalves> split_array_member(const std::string& text, std::string_view key,
                                             std::size_t min_elements) {
  std::string open; // the containers entered, '{' or '['
  // Whether the containers entered are the top-level object alone, or it and the array.
  auto at_top = [&open] { return open.size() == 1 && open[0] == '{'; };
  auto in_array = [&open] { return open.size() == 2 && open[0] == '{' && open[1] == '['; };
  bool expect_key = false;
  std::string_view member; // the key of the top-level member being read
  std::size_t array = std::string_view::npos;
  std::size_t array_end = std::string_view::npos;
  std::vector<std::size_t> commas;       // between the array's elements
  const char* const data = text.c_str(); // NUL-terminated, for strcspn
  const std::string_view view(text);
  for (std::size_t i = 0; i < text.size(); ++i) {
    // Only these bytes matter outside strings; the rest (space, numbers, literals) is
    // skipped (strcspn: many bytes a step).
    i += std::strcspn(data + i, "\"{}[],");
    if (i >= text.size())
      break;
    const char c = data[i];
    if (c == '"') {
      // The closing quote: the next one not escaped by an odd run of backslashes.
      std::size_t end = i;
      for (;;) {
        const void* quote = std::memchr(data + end + 1, '"', text.size() - end - 1);
        if (quote == nullptr)
          return std::nullopt;
        end = static_cast<std::size_t>(static_cast<const char*>(quote) - data);
        std::size_t backslashes = 0;
        while (data[end - 1 - backslashes] == '\\')
          ++backslashes;
        if (backslashes % 2 == 0)
          break;
      }
      if (expect_key && at_top()) {
        member = view.substr(i + 1, end - i - 1);
        if (member.find('\\') != std::string_view::npos)
          return std::nullopt; // an escape could spell KEY
        if (member == key && array != std::string_view::npos)
          return std::nullopt; // given twice
      }
      expect_key = false;
      i = end;
    } else if (c == '{' || c == '[') {
      if (c == '[' && at_top() && member == key)
        array = i;
      open.push_back(c);
      expect_key = c == '{';
    } else if (c == '}' || c == ']') {
      if (open.empty() || open.back() != (c == '}' ? '{' : '['))
        return std::nullopt;
      open.pop_back();
      if (array != std::string_view::npos && i > array && at_top() &&
          array_end == std::string_view::npos)
        array_end = i;
      expect_key = false;
    } else if (c == ',') {
      expect_key = !open.empty() && open.back() == '{';
      if (array != std::string_view::npos && array_end == std::string_view::npos && in_array())
        commas.push_back(i);
    }
  }
  if (!open.empty() || array_end == std::string_view::npos || commas.size() + 1 < min_elements ||
      commas.empty())
    return std::nullopt;
  // The comma nearest the middle of the text: both halves take about as long to read.
  const std::size_t middle = text.size() / 2;
  std::size_t cut = commas.front();
  for (const std::size_t comma : commas)
    if ((comma > middle ? comma - middle : middle - comma) <
        (cut > middle ? cut - middle : middle - cut))
      cut = comma;
  return JsonHalves{view.substr(0, cut), view.substr(array_end),
                    view.substr(cut + 1, array_end - cut)};
}

} // namespace dbtool::util
