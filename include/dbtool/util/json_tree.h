#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbtool::util {

// A JSON document read once into one array of nodes, for reading only. nlohmann's SAX
// parser does the reading (its errors are thrown as json::parse would throw them);
// nlohmann::json's own tree makes a std::map and a heap node per object and member,
// which at 500 declared tables cost more than reading the models from it. Here a
// lookup by key scans the object's few members; the last of a key given twice is the
// one found, as nlohmann::json keeps it.
class JsonTree {
  struct Node;

 public:
  enum class Kind : std::uint8_t { Null, Boolean, Number, String, Array, Object };

  // A value of the tree, or nothing (what a missing key or index gives). Cheap to copy;
  // valid while its tree lives.
  class Value {
   public:
    class Iterator {
     public:
      Value operator*() const { return {m_tree, m_index}; }
      Iterator& operator++();
      bool operator!=(const Iterator& other) const { return m_index != other.m_index; }

     private:
      friend class Value;
      Iterator(const JsonTree* tree, std::uint32_t index) : m_tree(tree), m_index(index) {}
      const JsonTree* m_tree;
      std::uint32_t m_index;
    };

    static constexpr std::uint32_t none = UINT32_MAX; // the index of nothing

    bool exists() const { return m_index != none; }
    Kind kind() const;
    bool is_null() const { return !exists() || kind() == Kind::Null; }
    bool is_boolean() const { return exists() && kind() == Kind::Boolean; }
    bool is_string() const { return exists() && kind() == Kind::String; }
    bool is_array() const { return exists() && kind() == Kind::Array; }
    bool is_object() const { return exists() && kind() == Kind::Object; }

    bool boolean() const;          // false unless a boolean true
    std::string_view text() const; // a string's text; empty for anything else
    std::string_view key() const;  // the key of an object's member; empty otherwise
    std::size_t size() const;      // members (distinct keys) or elements; 0 for scalars
    bool empty() const { return size() == 0; }

    // An object's member KEY (its last, if given twice); nothing when absent.
    Value find(std::string_view key) const;
    bool contains(std::string_view key) const { return find(key).exists(); }
    Value operator[](std::string_view key) const { return find(key); }

    // An array's elements or an object's members (each with its key()), in document order.
    Iterator begin() const;
    Iterator end() const { return {m_tree, none}; }
    std::vector<Value> elements() const;

   private:
    friend class JsonTree;
    Value(const JsonTree* tree, std::uint32_t index) : m_tree(tree), m_index(index) {}
    const Node& node() const;
    const JsonTree* m_tree;
    std::uint32_t m_index;
  };

  // Parses TEXT, or the text of TEXT followed by MORE (two pieces of one document, read
  // without copying them together); throws nlohmann::json::parse_error (with the byte
  // where it failed) or nlohmann::json::out_of_range, as nlohmann::json::parse does, and
  // std::length_error for a text of 4 GB or more.
  explicit JsonTree(std::string_view text, std::string_view more = {});

  Value root() const { return {this, m_nodes.empty() ? Value::none : 0}; }

 private:
  friend class Builder;
  // 32 bytes: keys and strings live in one buffer (two std::string members made a node
  // 80 bytes, and a model of 500 tables a tree of 2 MB).
  struct Node {
    Kind kind = Kind::Null;
    bool boolean = false;
    std::uint32_t next = Value::none;  // the next element or member of its container
    std::uint32_t first = Value::none; // a container's first element or member
    std::uint32_t count = 0;           // a container's elements or members
    std::uint32_t key_at = 0;          // an object member's key in m_strings
    std::uint32_t key_size = 0;
    std::uint32_t text_at = 0; // a string's text in m_strings
    std::uint32_t text_size = 0;
  };
  std::vector<Node> m_nodes;
  std::string m_strings;
};

// A JSON text cut in two where a long array member of its top-level object can be split
// between two elements, so that two threads can read it (nlohmann's reading is serial):
// the document is the text with the array's second part left out, the second part an
// array of its own. Reading both gives the whole document's values; a caller still checks that
// both read and that REST is not empty, and reads the whole text when not (for its
// exact error).
struct JsonHalves {
  // Views into the text that was cut (valid while it lives): the document is HEAD
  // followed by TAIL, the second part is "[" followed by REST.
  std::string_view head; // up to the cut, after the first part's last element
  std::string_view tail; // from the array's closing bracket on
  std::string_view rest; // the second part's elements and the closing bracket
  std::string document() const { return std::string(head) + std::string(tail); }
  std::string rest_array() const { return "[" + std::string(rest); }
};

// TEXT cut in two at the element boundary of top-level member KEY (an array) nearest to
// the middle of the text; nothing when there is no such member with at least
// MIN_ELEMENTS elements, when KEY is given twice or a top-level key has an escape (which
// could spell KEY), or when the text is not well formed enough to tell.
std::optional<JsonHalves> split_array_member(const std::string& text, std::string_view key,
                                             std::size_t min_elements);
// The halves are views into TEXT: a temporary would leave them dangling.
std::optional<JsonHalves> split_array_member(std::string&& text, std::string_view key,
                                             std::size_t min_elements) = delete;

} // namespace dbtool::util
