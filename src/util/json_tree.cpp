#include "dbtool/util/json_tree.h"

#include <nlohmann/json.hpp>

#include <set>

namespace dbtool::util {

namespace {
const std::string no_text;
} // namespace

// nlohmann's SAX events, appended to the tree's nodes; each container keeps the index
// of its last child so that the next one is linked after it.
class Builder {
 public:
  using json = nlohmann::json;
  explicit Builder(std::vector<JsonTree::Node>& nodes) : m_nodes(nodes) {}

  bool null() { return add(JsonTree::Kind::Null), true; }
  bool boolean(bool value) { return m_nodes[add(JsonTree::Kind::Boolean)].boolean = value, true; }
  bool number_integer(json::number_integer_t) { return add(JsonTree::Kind::Number), true; }
  bool number_unsigned(json::number_unsigned_t) { return add(JsonTree::Kind::Number), true; }
  bool number_float(json::number_float_t, const std::string&) {
    return add(JsonTree::Kind::Number), true;
  }
  bool string(std::string& value) {
    m_nodes[add(JsonTree::Kind::String)].text = std::move(value);
    return true;
  }
  bool binary(json::binary_t&) { return add(JsonTree::Kind::Null), true; }
  bool start_object(std::size_t) { return open(JsonTree::Kind::Object); }
  bool key(std::string& value) {
    m_key = std::move(value);
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

  std::uint32_t add(JsonTree::Kind kind) {
    const auto index = static_cast<std::uint32_t>(m_nodes.size());
    m_nodes.emplace_back();
    JsonTree::Node& node = m_nodes.back();
    node.kind = kind;
    if (!m_open.empty()) {
      Open& parent = m_open.back();
      JsonTree::Node& container = m_nodes[parent.index];
      if (container.kind == JsonTree::Kind::Object)
        node.key = std::move(m_key);
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
  std::vector<Open> m_open;
  std::string m_key;
};

JsonTree::JsonTree(const std::string& text) {
  m_nodes.reserve(text.size() / 16);
  Builder builder(m_nodes);
  nlohmann::json::sax_parse(text, &builder);
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

const std::string& JsonTree::Value::text() const {
  return is_string() ? node().text : no_text;
}

const std::string& JsonTree::Value::key() const {
  return exists() ? node().key : no_text;
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
    for (std::uint32_t k = node().first; k != none; k = m_tree->m_nodes[k].next)
      if (m_tree->m_nodes[k].key == key)
        found = k;
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
