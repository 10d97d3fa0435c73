// schema_from_json_text: the JSON model format read into a Schema, one function per kind
// of object. Every error names the file and the object being read (Error(Project)).
#include "dbtool/error.h"
#include "dbtool/schema/generic_types.h"
#include "dbtool/schema/json_model.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/util/strings.h"
#include "dbtool/util/two_halves.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <exception>
#include <map>
#include <optional>
#include <set>

namespace dbtool::schema {

using nlohmann::json;

namespace {

// OBJECT's member KEY, or null when OBJECT is no object or has no such member. A
// model's objects are small (a column has a handful of keys) and are asked mostly for
// keys they lack: comparing lengths first settles most of those without comparing a
// byte, where the map's search compares strings at every step.
inline const json* member(const json& object, std::string_view key) {
  if (!object.is_object())
    return nullptr;
  const auto& members = object.get_ref<const json::object_t&>();
  if (members.size() > 8) {
    const auto found = members.find(key);
    return found == members.end() ? nullptr : &found->second;
  }
  for (const auto& [name, value] : members)
    if (name.size() == key.size() && name == key)
      return &value;
  return nullptr;
}

// Where the elements of the document's top-level "tables" list lie in its text: each
// part of the tables parses and reads its own (parsing the whole document first built
// a tree of every table on one thread, and freed it on one thread), and an error in a
// table names the line where it begins (nlohmann's tree keeps no positions).
struct TableSpans {
  std::size_t list_begin = 0, list_end = 0;                  // the list, '[' to ']' inclusive
  std::vector<std::pair<std::size_t, std::size_t>> elements; // [begin, end) each
  // Whether the text is plainly an object with one "tables" list of objects, which the
  // fast path may cut as the spans say. Not when nlohmann would read it otherwise than
  // the scan: a top-level key spelled with an escape (it may be "tables"), a second
  // "tables" key (nlohmann keeps the last, as the spans do), an element that does not
  // begin with '{' (nlohmann skips a byte order mark at the start of a piece, not inside
  // a document); nor when the text is not JSON at all (the scan stops there). The fast
  // path trusts nothing else it finds: a piece that does not parse sends it back to the
  // whole document too.
  bool plain = false;
};

TableSpans find_table_spans(std::string_view text) {
  TableSpans spans;
  bool plain = true;
  int depth = 0;
  bool expect_key = false;    // at depth 1, after '{' or ','
  bool key_is_tables = false; // the last key at depth 1 was "tables"
  bool in_list = false;       // depth 2 is the "tables" list
  bool found = false;         // a "tables" key was seen
  bool listed = false;        // and its list
  std::size_t element_begin = std::string_view::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r')
      continue;
    if (in_list && depth == 2 && element_begin == std::string_view::npos && c != ']') {
      plain = plain && c == '{';
      element_begin = i;
    }
    if (c == '"') {
      // The closing quote is the first one after an even number of backslashes (memchr
      // finds quotes faster than a loop over every byte of the strings).
      const std::size_t start = i + 1;
      for (i = start;; ++i) {
        const void* quote = std::memchr(text.data() + i, '"', text.size() - i);
        if (quote == nullptr)
          return spans;
        i = static_cast<std::size_t>(static_cast<const char*>(quote) - text.data());
        std::size_t backslashes = 0;
        while (i - backslashes > start && text[i - backslashes - 1] == '\\')
          ++backslashes;
        if (backslashes % 2 == 0)
          break;
      }
      if (depth == 1 && expect_key) {
        const std::string_view key = text.substr(start, i - start);
        plain = plain && key.find('\\') == std::string_view::npos && !(key == "tables" && found);
        key_is_tables = key == "tables";
        found = found || key_is_tables;
        expect_key = false;
      }
    } else if (c == '{' || c == '[') {
      if (depth == 0 && c != '{')
        return spans;
      ++depth;
      if (depth == 1)
        expect_key = true;
      if (depth == 2 && key_is_tables) {
        plain = plain && c == '[';
        if (c == '[') {
          in_list = listed = true;
          spans.list_begin = i;
          spans.elements.clear(); // of an earlier "tables" list: the last one counts
        }
      }
    } else if (c == '}' || c == ']') {
      if (depth == 2 && in_list) {
        if (c != ']' || (element_begin == std::string_view::npos && !spans.elements.empty()))
          return spans; // '}' closing the list, or a comma before ']'
        if (element_begin != std::string_view::npos)
          spans.elements.emplace_back(element_begin, i);
        element_begin = std::string_view::npos;
        in_list = false;
        spans.list_end = i + 1;
      }
      if (--depth < 0)
        return spans;
      if (depth == 1)
        key_is_tables = false;
    } else if (c == ',') {
      if (depth == 1) {
        expect_key = true;
        key_is_tables = false;
      } else if (depth == 2 && in_list) {
        if (element_begin == std::string_view::npos)
          return spans; // a comma with no element before it
        spans.elements.emplace_back(element_begin, i);
        element_begin = std::string_view::npos;
      }
    }
  }
  spans.plain = plain && listed && depth == 0;
  return spans;
}

// Reading one document: every error names the file and what is being read.
class Reader {
 public:
  // TEXT and its SPANS place the errors of tables on their lines.
  Reader(std::string file, bool postgres, std::string_view text, const TableSpans& spans)
      : m_file(std::move(file)), m_postgres(postgres), m_text(text), m_spans(&spans) {}

  // Whether the model is read for PostgreSQL: its types, its names (case kept), its
  // SQL as written (SQLite's canonical spacing would split PostgreSQL's :: casts).
  bool postgres() const { return m_postgres; }
  const std::string& file() const { return m_file; }
  // GENERIC rendered for the backend; Error(Project) for an unknown type. A model
  // repeats a few types many times, and reading string(64) builds strings.
  const std::string& column_type(const std::string& generic) const {
    auto found = m_types.find(generic);
    if (found == m_types.end())
      found =
          m_types
              .emplace(generic, m_postgres ? postgres_type_for(generic) : sqlite_type_for(generic))
              .first;
    return found->second;
  }
  std::string sql(const std::string& text) const {
    return m_postgres ? std::string(util::trim(text)) : canonical_sql(text);
  }

  [[noreturn]] void fail(const std::string& where, const std::string& message) const {
    throw Error(ErrorKind::Project, (where.empty() ? "" : where + ": ") + message, m_file);
  }

  // ERROR, when it has no line yet, placed on the line where table INDEX begins.
  Error placed(const Error& error, std::size_t index) const {
    if (error.line() > 0 || index >= m_spans->elements.size())
      return error;
    const std::size_t begin = m_spans->elements[index].first;
    return error.at(error.file(), 1 + util::count_lines(m_text.substr(0, begin)));
  }

  const json& object(const json& value, const std::string& where) const {
    if (!value.is_object())
      fail(where, "expected an object");
    return value;
  }

  // VALUE's member KEY, which must be a list when present; null when absent.
  const json* list(const json& value, std::string_view key, const std::string& where) const {
    const json* found = member(value, key);
    if (found != nullptr && !found->is_array())
      fail(where, "'" + std::string(key) + "' must be a list");
    return found;
  }

  // The members are a std::map: of several unknown keys, the first in alphabetical
  // order is named.
  void allow_keys(const json& value, const std::string& where,
                  std::initializer_list<std::string_view> keys) const {
    for (const auto& item : value.items())
      if (std::find(keys.begin(), keys.end(), item.key()) == keys.end())
        fail(where, "unknown key '" + item.key() + "'");
  }

  std::optional<std::string> optional_string(const json& value, std::string_view key,
                                             const std::string& where) const {
    const json* found = member(value, key);
    if (found == nullptr || found->is_null())
      return std::nullopt;
    if (!found->is_string())
      fail(where, "'" + std::string(key) + "' must be a string");
    return found->get<std::string>();
  }

  std::string string(const json& value, std::string_view key, const std::string& where,
                     bool required = false) const {
    std::optional<std::string> found = optional_string(value, key, where);
    if (!found && required)
      fail(where, "'" + std::string(key) + "' is required");
    return found ? std::move(*found) : std::string();
  }

  bool boolean(const json& value, std::string_view key, const std::string& where,
               bool fallback) const {
    const json* found = member(value, key);
    if (found == nullptr)
      return fallback;
    if (!found->is_boolean())
      fail(where, "'" + std::string(key) + "' must be true or false");
    return found->get<bool>();
  }

  std::vector<std::string> strings(const json& value, std::string_view key,
                                   const std::string& where) const {
    std::vector<std::string> out;
    const json* found = member(value, key);
    if (found == nullptr)
      return out;
    if (!found->is_array())
      fail(where, "'" + std::string(key) + "' must be a list of names");
    for (const auto& item : *found) {
      if (!item.is_string())
        fail(where, "'" + std::string(key) + "' must be a list of names");
      out.push_back(item.get<std::string>());
    }
    return out;
  }

 private:
  std::string m_file;
  bool m_postgres;
  std::string_view m_text; // the document's text, for the lines of errors
  const TableSpans* m_spans;
  mutable std::map<std::string, std::string, std::less<>> m_types;
};

// ON CONFLICT's action, upper case; ABORT (the default) and absence are empty.
std::string conflict_action(const Reader& reader, const json& value, std::string_view key,
                            const std::string& where) {
  std::string text = util::to_upper(reader.string(value, key, where));
  static const std::set<std::string> known = {"", "ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"};
  if (known.count(text) == 0)
    reader.fail(where,
                "'" + std::string(key) + "' must be one of ROLLBACK, ABORT, FAIL, IGNORE, REPLACE");
  return text == "ABORT" ? std::string() : text;
}

// A foreign key's ON DELETE / ON UPDATE action, upper case; absence is NO ACTION.
std::string action(const Reader& reader, const json& value, std::string_view key,
                   const std::string& where) {
  std::string text = util::to_upper(reader.string(value, key, where));
  if (text.empty())
    return "NO ACTION";
  static const std::set<std::string> known = {"NO ACTION", "CASCADE", "SET NULL", "SET DEFAULT",
                                              "RESTRICT"};
  if (known.count(text) == 0)
    reader.fail(where, "'" + std::string(key) +
                           "' must be one of NO ACTION, CASCADE, SET NULL, "
                           "SET DEFAULT, RESTRICT");
  return text;
}

// PostgreSQL's DEFERRABLE of a key: true (or "deferred") for INITIALLY DEFERRED,
// "immediate" for INITIALLY IMMEDIATE, false or absent for NOT DEFERRABLE.
void read_deferrable(const Reader& reader, const json& value, const std::string& where,
                     bool& deferred, bool& immediate) {
  const json* found = member(value, "deferrable");
  if (found == nullptr || found->is_null())
    return;
  if (found->is_boolean()) {
    deferred = found->get<bool>();
    return;
  }
  const std::string text = found->is_string() ? util::to_lower(found->get<std::string>()) : "";
  if (text == "deferred")
    deferred = true;
  else if (text == "immediate")
    immediate = true;
  else
    reader.fail(where, "'deferrable' is true, \"deferred\" or \"immediate\"");
}

// PostgreSQL's options of a key's or an index's index: INCLUDE, WITH (...), a comment.
struct IndexOptions {
  std::vector<std::string> include;
  std::vector<std::string> storage_parameters;
  std::string comment;
};
IndexOptions read_index_options(const Reader& reader, const json& value, const std::string& where) {
  if (!reader.postgres())
    return {};
  return {reader.strings(value, "include", where), reader.strings(value, "with", where),
          reader.string(value, "comment", where)};
}

// SQLAlchemy's naming_convention: "%(token)s" templates per kind of constraint (ix, uq,
// ck, fk, pk). A template names the constraints of its kind that have no name, and,
// when it uses %(constraint_name)s, those that have one (the name goes in the token).
class Conventions {
 public:
  // What a template is filled with for one constraint.
  struct Subject {
    std::string table;
    std::vector<std::string> columns;
    std::string referred_table;
    std::vector<std::string> referred_columns;
    std::string constraint_name;
  };

  void read(const Reader& reader, const json& templates) {
    reader.object(templates, "naming_convention");
    reader.allow_keys(templates, "naming_convention", {"ix", "uq", "ck", "fk", "pk"});
    for (const auto& item : templates.items()) {
      if (!item.value().is_string())
        reader.fail("naming_convention", "'" + item.key() + "' must be a string");
      const std::string pattern = item.value().get<std::string>();
      for (const auto& token : tokens_of(pattern))
        if (!known_token(token))
          reader.fail("naming_convention", "'" + item.key() + "': unknown token '%(" + token +
                                               ")s' (table_name, column_0_name, column_0_label, "
                                               "column_0N_name, column_0_N_name, "
                                               "referred_table_name, referred_column_0_name, "
                                               "constraint_name, ...)");
      m_templates[item.key()] = pattern;
    }
  }

  // The name of a constraint of KIND whose own name is SUBJECT.constraint_name (empty:
  // none): the template applied, or the constraint's own name when no template applies.
  std::string name(const char* kind, const Subject& subject) const {
    const auto found = m_templates.find(kind);
    if (found == m_templates.end())
      return subject.constraint_name;
    const bool wants_name = found->second.find("%(constraint_name)s") != std::string::npos;
    if (wants_name == subject.constraint_name.empty())
      return subject.constraint_name; // named without the token, or unnamed with it
    return apply(found->second, subject);
  }

  bool uses_referred_columns(const char* kind) const {
    const auto found = m_templates.find(kind);
    return found != m_templates.end() &&
           found->second.find("%(referred_column_0") != std::string::npos;
  }

 private:
  static std::vector<std::string> tokens_of(const std::string& pattern) {
    std::vector<std::string> tokens;
    for (std::size_t at = pattern.find("%("); at != std::string::npos;
         at = pattern.find("%(", at + 2)) {
      const auto close = pattern.find(")s", at);
      if (close == std::string::npos)
        break;
      tokens.push_back(pattern.substr(at + 2, close - at - 2));
    }
    return tokens;
  }

  static bool known_token(const std::string& token) {
    if (token == "table_name" || token == "referred_table_name" || token == "constraint_name")
      return true;
    for (const char* prefix : {"column_0", "referred_column_0"})
      for (const char* shape : {"_", "N_", "_N_"})
        for (const char* what : {"name", "label", "key"})
          if (token == std::string(prefix) + shape + what)
            return true;
    return false;
  }

  // column_0_name, column_0N_name (joined with nothing), column_0_N_name (joined with
  // "_"); _label is the column's name prefixed by its table's, _key its name.
  static std::string column_token(const std::string& token, const std::string& prefix,
                                  const std::string& table,
                                  const std::vector<std::string>& columns) {
    const std::string rest = token.substr(prefix.size());
    const bool label = rest.size() > 5 && rest.compare(rest.size() - 5, 5, "label") == 0;
    auto spell = [&](const std::string& column) { return label ? table + "_" + column : column; };
    if (util::starts_with(rest, "_N_") || util::starts_with(rest, "N_")) {
      std::vector<std::string> spelled;
      for (const auto& column : columns)
        spelled.push_back(spell(column));
      return util::join(spelled, util::starts_with(rest, "_N_") ? "_" : "");
    }
    return columns.empty() ? std::string() : spell(columns.front());
  }

  static std::string apply(const std::string& pattern, const Subject& subject) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size();) {
      const auto close =
          pattern.compare(i, 2, "%(") == 0 ? pattern.find(")s", i) : std::string::npos;
      if (close == std::string::npos) {
        out += pattern[i++];
        continue;
      }
      const std::string token = pattern.substr(i + 2, close - i - 2);
      if (token == "table_name")
        out += subject.table;
      else if (token == "referred_table_name")
        out += subject.referred_table;
      else if (token == "constraint_name")
        out += subject.constraint_name;
      else if (util::starts_with(token, "referred_column_0"))
        out += column_token(token, "referred_column_0", subject.referred_table,
                            subject.referred_columns);
      else
        out += column_token(token, "column_0", subject.table, subject.columns);
      i = close + 2;
    }
    return out;
  }

  std::map<std::string, std::string> m_templates;
};

// What a document's tables share: its mixins and its naming convention.
struct DocumentContext {
  std::map<std::string, const json*> mixins;
  Conventions conventions;
};

// What a table's columns declare about the table: a column-level primary key, unique
// constraints and foreign keys.
struct ColumnLevel {
  // PostgreSQL: columns whose "identity" the model gives ("none" included), which an
  // integer primary key then does not get by default.
  std::set<std::string> identity_given;
  std::vector<std::string> key_columns;
  bool autoincrement = false;
  std::vector<UniqueConstraint> uniques;
  std::vector<ForeignKey> foreign_keys;
};

// A column's "default": an SQL expression as written, or a JSON number or true/false.
// For a boolean column, true/false and 1/0 in any of those forms mean the same on both
// backends: SQLite takes either spelling (TRUE is 1 there), and is given a JSON true or
// false as 1 or 0; PostgreSQL is given true or false (it refuses an integer default for
// a boolean).
std::optional<std::string> read_default(const Reader& reader, const json& value,
                                        const std::string& at, const std::string& generic,
                                        bool exact_type) {
  const json* found = member(value, "default");
  if (found == nullptr || found->is_null())
    return std::nullopt;
  std::string text;
  if (found->is_string())
    text = found->get<std::string>();
  else if (found->is_boolean())
    text = found->get<bool>() ? "1" : "0";
  else if (found->is_number())
    text = found->dump();
  else
    reader.fail(at, "'default' must be an SQL expression (a string), a number or true/false");
  if (!reader.postgres() || exact_type ||
      util::to_lower(std::string(util::trim(generic))) != "boolean")
    return text;
  const std::string word = util::to_lower(std::string(util::trim(text)));
  if (word == "true" || word == "1")
    return std::string("true");
  if (word == "false" || word == "0")
    return std::string("false");
  return text;
}

Column read_column(const Reader& reader, const json& value, const std::string& where,
                   ColumnLevel& level) {
  reader.object(value, where);
  reader.allow_keys(value, where,
                    {"name", "type", "sqlite_type", "postgres_type", "nullable", "primary_key",
                     "autoincrement", "identity", "default", "unique", "references", "on_delete",
                     "on_update", "collation", "generated", "not_null_on_conflict", "comment",
                     "sequence_options"});
  Column column;
  column.name = reader.string(value, "name", where, true);
  const std::string at = where + " column '" + column.name + "'";
  const std::string generic = reader.string(value, "type", at, true);
  const auto exact =
      reader.optional_string(value, reader.postgres() ? "postgres_type" : "sqlite_type", at);
  try {
    column.type = exact ? *exact : reader.column_type(generic);
  } catch (const Error& error) {
    reader.fail(at, error.message());
  }
  const bool primary = reader.boolean(value, "primary_key", at, false);
  column.not_null = !reader.boolean(value, "nullable", at, true);
  column.not_null_conflict = conflict_action(reader, value, "not_null_on_conflict", at);
  column.default_sql = read_default(reader, value, at, generic, exact.has_value());
  column.collation = reader.string(value, "collation", at);
  if (!reader.postgres())
    column.collation = util::to_upper(column.collation);
  if (column.collation == "BINARY")
    column.collation.clear();
  if (reader.postgres()) {
    column.comment = reader.string(value, "comment", at);
    const std::string identity = util::to_upper(reader.string(value, "identity", at));
    if (!identity.empty() && identity != "ALWAYS" && identity != "BY DEFAULT" && identity != "NONE")
      reader.fail(at, "'identity' is \"always\", \"by default\" or \"none\"");
    if (member(value, "identity") != nullptr)
      level.identity_given.insert(column.name);
    column.identity = identity == "NONE" ? std::string() : identity;
    column.sequence_options = reader.string(value, "sequence_options", at);
  }
  if (const json* generated = member(value, "generated")) {
    reader.object(*generated, at + " generated");
    reader.allow_keys(*generated, at + " generated", {"expression", "stored"});
    column.generated = reader.sql(reader.string(*generated, "expression", at, true));
    column.generated_stored = reader.boolean(*generated, "stored", at, false);
  }
  if (primary)
    level.key_columns.push_back(column.name);
  level.autoincrement = level.autoincrement || reader.boolean(value, "autoincrement", at, false);
  if (reader.boolean(value, "unique", at, false))
    level.uniques.push_back({"", {column.name}, {}});
  if (const auto references = reader.optional_string(value, "references", at)) {
    const auto dot = references->rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == references->size())
      reader.fail(at, "'references' must be table.column");
    ForeignKey key;
    key.columns = {column.name};
    key.ref_table = references->substr(0, dot);
    key.ref_columns = {references->substr(dot + 1)};
    key.on_delete = action(reader, value, "on_delete", at);
    key.on_update = action(reader, value, "on_update", at);
    level.foreign_keys.push_back(std::move(key));
  } else if (member(value, "on_delete") != nullptr || member(value, "on_update") != nullptr) {
    reader.fail(at, "'on_delete' and 'on_update' go with 'references'");
  }
  return column;
}

// The columns, those of mixins included, in declaration order.
void read_columns(const Reader& reader, const json& value, const std::string& at,
                  const DocumentContext& context, Table& table, ColumnLevel& level) {
  std::set<std::string> seen;
  auto add_column = [&](const json& column_value) {
    Column column = read_column(reader, column_value, at, level);
    if (!seen.insert(util::to_lower(column.name)).second)
      reader.fail(at, "column '" + column.name + "' is declared twice");
    table.columns.push_back(std::move(column));
  };
  auto add_mixin = [&](const std::string& name) {
    const auto found = context.mixins.find(name);
    if (found == context.mixins.end())
      reader.fail(at, "unknown mixin '" + name + "'");
    for (const auto& column : *found->second)
      add_column(column);
  };
  if (const json* columns = reader.list(value, "columns", at))
    for (const auto& column : *columns) {
      if (const json* mixin = member(column, "mixin"); mixin != nullptr && column.size() == 1) {
        if (!mixin->is_string())
          reader.fail(at, "'mixin' must name a mixin");
        add_mixin(mixin->get<std::string>());
      } else {
        add_column(column);
      }
    }
  for (const auto& name : reader.strings(value, "mixins", at))
    add_mixin(name);
  if (table.columns.empty())
    reader.fail(at, "a table needs at least one column");
}

void read_primary_key(const Reader& reader, const json& value, const std::string& at,
                      const DocumentContext& context, Table& table, ColumnLevel& level) {
  if (const json* key = member(value, "primary_key")) {
    const std::string key_at = at + " primary_key";
    reader.object(*key, key_at);
    reader.allow_keys(*key, key_at,
                      {"name", "columns", "autoincrement", "on_conflict", "deferrable", "include",
                       "with", "comment"});
    if (!level.key_columns.empty())
      reader.fail(at, "primary key declared both on columns and on the table");
    const bool autoincrement =
        level.autoincrement || reader.boolean(*key, "autoincrement", at, false);
    table.primary_key =
        PrimaryKey{reader.string(*key, "name", at), reader.strings(*key, "columns", key_at),
                   autoincrement, conflict_action(reader, *key, "on_conflict", at)};
    if (reader.postgres()) {
      read_deferrable(reader, *key, key_at, table.primary_key->deferrable,
                      table.primary_key->deferrable_immediate);
      auto options = read_index_options(reader, *key, key_at);
      table.primary_key->include = std::move(options.include);
      table.primary_key->storage_parameters = std::move(options.storage_parameters);
      table.primary_key->comment = std::move(options.comment);
    }
  } else if (!level.key_columns.empty()) {
    table.primary_key = PrimaryKey{"", level.key_columns, level.autoincrement, {}};
  }
  if (table.primary_key)
    table.primary_key->name = context.conventions.name(
        "pk", {table.name, table.primary_key->columns, {}, {}, table.primary_key->name});
}

void read_unique_constraints(const Reader& reader, const json& value, const std::string& at,
                             const DocumentContext& context, Table& table, ColumnLevel& level) {
  table.unique_constraints = std::move(level.uniques);
  if (const json* uniques = reader.list(value, "unique_constraints", at))
    for (const auto& item : *uniques) {
      reader.object(item, at + " unique constraint");
      reader.allow_keys(item, at + " unique constraint",
                        {"name", "columns", "on_conflict", "deferrable", "nulls_not_distinct",
                         "include", "with", "comment"});
      UniqueConstraint unique{reader.string(item, "name", at), reader.strings(item, "columns", at),
                              conflict_action(reader, item, "on_conflict", at)};
      if (reader.postgres()) {
        read_deferrable(reader, item, at, unique.deferrable, unique.deferrable_immediate);
        unique.nulls_not_distinct = reader.boolean(item, "nulls_not_distinct", at, false);
        auto options = read_index_options(reader, item, at);
        unique.include = std::move(options.include);
        unique.storage_parameters = std::move(options.storage_parameters);
        unique.comment = std::move(options.comment);
      }
      table.unique_constraints.push_back(std::move(unique));
    }
  for (auto& unique : table.unique_constraints)
    unique.name = context.conventions.name("uq", {table.name, unique.columns, {}, {}, unique.name});
}

void read_check_constraints(const Reader& reader, const json& value, const std::string& at,
                            const DocumentContext& context, Table& table) {
  if (const json* checks = reader.list(value, "check_constraints", at))
    for (const auto& item : *checks) {
      reader.object(item, at + " check constraint");
      reader.allow_keys(item, at + " check constraint",
                        {"name", "expression", "no_inherit", "comment"});
      CheckConstraint check{reader.string(item, "name", at),
                            reader.sql(reader.string(item, "expression", at, true))};
      if (reader.postgres()) {
        check.no_inherit = reader.boolean(item, "no_inherit", at, false);
        check.comment = reader.string(item, "comment", at);
      }
      check.name = context.conventions.name("ck", {table.name, {}, {}, {}, check.name});
      table.checks.push_back(std::move(check));
    }
}

// Foreign keys are named once every table is read (read_document): a template may
// name the referenced table's key columns.
void read_foreign_keys(const Reader& reader, const json& value, const std::string& at, Table& table,
                       ColumnLevel& level) {
  table.foreign_keys = std::move(level.foreign_keys);
  if (const json* keys = reader.list(value, "foreign_keys", at))
    for (const auto& item : *keys) {
      const std::string fk_at = at + " foreign key";
      reader.object(item, fk_at);
      reader.allow_keys(item, fk_at,
                        {"name", "columns", "references", "on_delete", "on_update", "deferrable",
                         "match", "comment"});
      ForeignKey key;
      key.name = reader.string(item, "name", fk_at);
      key.columns = reader.strings(item, "columns", fk_at);
      const json* references = member(item, "references");
      if (references == nullptr)
        reader.fail(fk_at, "'references' is required");
      reader.object(*references, fk_at);
      reader.allow_keys(*references, fk_at, {"table", "columns"});
      key.ref_table = reader.string(*references, "table", fk_at, true);
      key.ref_columns = reader.strings(*references, "columns", fk_at);
      key.on_delete = action(reader, item, "on_delete", fk_at);
      key.on_update = action(reader, item, "on_update", fk_at);
      read_deferrable(reader, item, fk_at, key.deferrable, key.deferrable_immediate);
      if (reader.postgres()) {
        key.match = util::to_upper(reader.string(item, "match", fk_at));
        if (key.match == "SIMPLE")
          key.match.clear();
        if (!key.match.empty() && key.match != "FULL")
          reader.fail(fk_at, "'match' is \"full\" or \"simple\"");
        key.comment = reader.string(item, "comment", fk_at);
      }
      table.foreign_keys.push_back(std::move(key));
    }
}

IndexKey read_index_key(const Reader& reader, const json& value, const std::string& where) {
  IndexKey key;
  if (value.is_string()) {
    key.column = value.get<std::string>();
    return key;
  }
  reader.object(value, where);
  reader.allow_keys(value, where,
                    {"column", "expression", "collation", "desc", "nulls", "opclass"});
  key.column = reader.string(value, "column", where);
  const std::string expression = reader.string(value, "expression", where);
  if (key.column.empty() == expression.empty())
    reader.fail(where, "an index key has either 'column' or 'expression'");
  if (!expression.empty())
    key.expression = reader.sql(expression);
  key.collation = reader.string(value, "collation", where);
  if (!reader.postgres())
    key.collation = util::to_upper(key.collation);
  key.descending = reader.boolean(value, "desc", where, false);
  key.nulls = util::to_upper(reader.string(value, "nulls", where));
  key.opclass = reader.string(value, "opclass", where);
  return key;
}

void read_indexes(const Reader& reader, const json& value, const std::string& at,
                  const DocumentContext& context, Table& table) {
  const json* indexes = reader.list(value, "indexes", at);
  if (indexes == nullptr)
    return;
  for (const auto& item : *indexes) {
    const std::string index_at = at + " index";
    reader.object(item, index_at);
    reader.allow_keys(item, index_at,
                      {"name", "columns", "unique", "where", "method", "nulls_not_distinct",
                       "include", "with", "comment"});
    Index index;
    index.name = reader.string(item, "name", index_at);
    index.unique = reader.boolean(item, "unique", index_at, false);
    const json* columns = member(item, "columns");
    if (columns == nullptr || !columns->is_array() || columns->empty())
      reader.fail(index_at, "'columns' must be a non-empty list");
    std::vector<std::string> names;
    for (const auto& key : *columns) {
      index.keys.push_back(read_index_key(reader, key, index_at));
      names.push_back(index.keys.back().column.empty() ? "expr" : index.keys.back().column);
    }
    if (const auto predicate = reader.optional_string(item, "where", index_at))
      index.where = reader.sql(*predicate);
    index.method = reader.string(item, "method", index_at);
    if (reader.postgres()) {
      index.nulls_not_distinct = reader.boolean(item, "nulls_not_distinct", index_at, false);
      auto options = read_index_options(reader, item, index_at);
      index.include = std::move(options.include);
      index.storage_parameters = std::move(options.storage_parameters);
      index.comment = std::move(options.comment);
    }
    index.name = context.conventions.name(index.unique ? "uq" : "ix",
                                          {table.name, names, {}, {}, index.name});
    if (index.name.empty())
      index.name = "ix_" + table.name + "_" + util::join(names, "_");
    if (table.indexes.count(index.name) != 0)
      reader.fail(at, "index '" + index.name + "' is declared twice");
    table.indexes.emplace(index.name, std::move(index));
  }
}

void read_exclusion_constraints(const Reader& reader, const json& value, const std::string& at,
                                Table& table) {
  if (const json* exclusions = reader.list(value, "exclusion_constraints", at))
    for (const auto& item : *exclusions) {
      reader.object(item, at + " exclusion constraint");
      reader.allow_keys(item, at + " exclusion constraint", {"name", "definition", "comment"});
      table.exclusions.push_back({reader.string(item, "name", at),
                                  reader.string(item, "definition", at, true),
                                  reader.string(item, "comment", at)});
    }
}

Table read_table(const Reader& reader, const json& value, const DocumentContext& context) {
  reader.object(value, "table");
  reader.allow_keys(value, "table",
                    {"name", "columns", "mixins", "primary_key", "unique_constraints",
                     "check_constraints", "foreign_keys", "indexes", "without_rowid", "strict",
                     "comment", "exclusion_constraints", "with"});
  Table table;
  table.name = reader.string(value, "name", "table", true);
  const std::string at = "table '" + table.name + "'";
  ColumnLevel level;
  read_columns(reader, value, at, context, table, level);
  read_primary_key(reader, value, at, context, table, level);
  read_unique_constraints(reader, value, at, context, table, level);
  read_check_constraints(reader, value, at, context, table);
  read_foreign_keys(reader, value, at, table, level);
  read_indexes(reader, value, at, context, table);
  table.without_rowid = reader.boolean(value, "without_rowid", at, false);
  table.strict = reader.boolean(value, "strict", at, false);
  if (reader.postgres()) {
    table.comment = reader.string(value, "comment", at);
    table.storage_parameters = reader.strings(value, "with", at);
    read_exclusion_constraints(reader, value, at, table);
    // An integer primary key numbers its rows itself on SQLite (it is the rowid), and
    // AUTOINCREMENT is SQLite's: PostgreSQL's counterpart of both is an identity column,
    // unless the model says otherwise ("identity": "none").
    if (table.primary_key) {
      const bool autoincrement = table.primary_key->autoincrement;
      table.primary_key->autoincrement = false;
      for (auto& column : table.columns)
        if (table.primary_key->columns.size() == 1 &&
            column.name == table.primary_key->columns.front() &&
            level.identity_given.count(column.name) == 0 &&
            (autoincrement ||
             (column.type == "integer" && !column.default_sql && !column.generated)))
          column.identity = "BY DEFAULT";
    }
  }
  return table;
}

// Every foreign key named by the convention, now that every table of the document is
// known (a template may use the referenced table's key columns).
void name_foreign_keys(const DocumentContext& context, Schema& schema) {
  const bool referred = context.conventions.uses_referred_columns("fk");
  for (auto& [name, table] : schema.tables)
    for (auto& key : table.foreign_keys) {
      std::vector<std::string> referred_columns = key.ref_columns;
      if (referred && referred_columns.empty())
        if (const Table* parent = schema.find_table(key.ref_table); parent && parent->primary_key)
          referred_columns = parent->primary_key->columns;
      key.name = context.conventions.name(
          "fk", {table.name, key.columns, key.ref_table, referred_columns, key.name});
    }
}

// Raised inside the fast path when a piece of the text does not parse on its own: the
// whole document is then parsed, for the error nlohmann gives with its position.
struct PieceDoesNotParse {};

// The tables, many of them as two halves on two threads (each with its own Reader: its
// cache of types is its own); the first error in document order is still the one
// reported, a table declared twice included. With SPANS, each table is parsed from its
// span of the text inside its half; without, they are the document's own.
void read_tables(const Reader& reader, const json& document, const TableSpans* spans,
                 std::string_view text, const DocumentContext& context, Schema& schema) {
  const json* tables = spans != nullptr ? nullptr : reader.list(document, "tables", "");
  if (spans == nullptr && tables == nullptr) {
    name_foreign_keys(context, schema);
    return;
  }
  const std::size_t count = spans != nullptr ? spans->elements.size() : tables->size();
  std::vector<Table> read[2];
  std::exception_ptr errors[2];
  bool unparsed[2] = {false, false};
  util::run_in_two_halves(count, 100, [&](int part, std::size_t from, std::size_t to) {
    const Reader local = reader;
    try {
      for (std::size_t k = from; k < to; ++k) {
        try {
          if (spans == nullptr) {
            read[part].push_back(read_table(local, (*tables)[k], context));
            continue;
          }
          const auto [begin, end] = spans->elements[k];
          json value;
          try {
            value = json::parse(text.substr(begin, end - begin));
          } catch (const json::exception&) {
            unparsed[part] = true;
            return;
          }
          read[part].push_back(read_table(local, value, context));
        } catch (const Error& error) {
          throw local.placed(error, k);
        }
      }
    } catch (...) {
      errors[part] = std::current_exception();
    }
  });
  if (unparsed[0] || unparsed[1])
    throw PieceDoesNotParse{};
  // SQLite's names are one in any case ("t" and "T" are one table); PostgreSQL's
  // JSON names are quoted, so there they are two.
  std::set<std::string> folded;
  std::size_t index = 0; // in document order, as long as no half has failed
  for (int part = 0; part < 2; ++part) {
    for (auto& table : read[part]) {
      const std::string name = table.name;
      const std::string where = "table '" + name + "'";
      if (!reader.postgres() && !folded.insert(util::to_lower(name)).second)
        throw reader.placed(Error(ErrorKind::Project,
                                  where + ": declared twice (names are one in any case)",
                                  reader.file()),
                            index);
      if (!schema.tables.emplace(name, std::move(table)).second)
        throw reader.placed(Error(ErrorKind::Project, where + ": declared twice", reader.file()),
                            index);
      ++index;
    }
    if (errors[part])
      std::rethrow_exception(errors[part]);
  }
  name_foreign_keys(context, schema);
}

void read_views(const Reader& reader, const json& document, Schema& schema) {
  if (const json* views = reader.list(document, "views", ""))
    for (const auto& value : *views) {
      reader.object(value, "view");
      reader.allow_keys(value, "view", {"name", "sql", "columns", "comment", "materialized"});
      View view{reader.string(value, "name", "view", true),
                reader.sql(reader.string(value, "sql", "view", true)),
                reader.strings(value, "columns", "view"),
                reader.boolean(value, "materialized", "view", false),
                reader.postgres() ? reader.string(value, "comment", "view") : std::string()};
      const std::string name = view.name;
      if (!schema.views.emplace(name, std::move(view)).second)
        reader.fail("view '" + name + "'", "declared twice");
    }
}

void read_triggers(const Reader& reader, const json& document, Schema& schema) {
  if (const json* triggers = reader.list(document, "triggers", ""))
    for (const auto& value : *triggers) {
      reader.object(value, "trigger");
      reader.allow_keys(value, "trigger", {"name", "table", "sql", "comment"});
      Trigger trigger{reader.string(value, "name", "trigger", true),
                      reader.string(value, "table", "trigger", true),
                      reader.sql(reader.string(value, "sql", "trigger", true))};
      const std::string name = trigger.name;
      if (!schema.triggers.emplace(name, std::move(trigger)).second)
        reader.fail("trigger '" + name + "'", "declared twice");
    }
}

// A list of PostgreSQL's schema objects beside tables; null when absent.
const json* postgres_list(const Reader& reader, const json& document, std::string_view key) {
  const json* found = reader.list(document, key, "");
  if (found != nullptr && !reader.postgres())
    reader.fail("", "'" + std::string(key) + "' is PostgreSQL's (this project is SQLite)");
  return found;
}

void read_enums(const Reader& reader, const json& document, Schema& schema) {
  if (const json* enums = postgres_list(reader, document, "enums"))
    for (const auto& value : *enums) {
      reader.object(value, "enum");
      reader.allow_keys(value, "enum", {"name", "values", "comment"});
      EnumType type{reader.string(value, "name", "enum", true),
                    reader.strings(value, "values", "enum"),
                    reader.string(value, "comment", "enum")};
      const std::string name = type.name;
      schema.enums.emplace(name, std::move(type));
    }
}

void read_domains(const Reader& reader, const json& document, Schema& schema) {
  if (const json* domains = postgres_list(reader, document, "domains"))
    for (const auto& value : *domains) {
      reader.object(value, "domain");
      reader.allow_keys(value, "domain", {"name", "definition", "comment"});
      Domain domain{reader.string(value, "name", "domain", true),
                    reader.string(value, "definition", "domain", true),
                    reader.string(value, "comment", "domain")};
      const std::string name = domain.name;
      schema.domains.emplace(name, std::move(domain));
    }
}

void read_sequences(const Reader& reader, const json& document, Schema& schema) {
  const json* sequences = postgres_list(reader, document, "sequences");
  if (sequences == nullptr)
    return;
  for (const auto& value : *sequences) {
    reader.object(value, "sequence");
    reader.allow_keys(value, "sequence",
                      {"name", "type", "start", "increment", "options", "comment"});
    Sequence sequence;
    sequence.name = reader.string(value, "name", "sequence", true);
    sequence.type = reader.string(value, "type", "sequence");
    if (sequence.type.empty())
      sequence.type = "bigint";
    try {
      const auto start = reader.string(value, "start", "sequence");
      const auto increment = reader.string(value, "increment", "sequence");
      sequence.start = start.empty() ? 1 : std::stoll(start);
      sequence.increment = increment.empty() ? 1 : std::stoll(increment);
    } catch (const std::logic_error&) { // std::stoll: not a number, or out of range
      reader.fail("sequence '" + sequence.name + "'", "'start' and 'increment' are integers");
    }
    sequence.options = reader.string(value, "options", "sequence");
    sequence.comment = reader.string(value, "comment", "sequence");
    const std::string name = sequence.name;
    schema.sequences.emplace(name, std::move(sequence));
  }
}

void read_routines(const Reader& reader, const json& document, Schema& schema) {
  if (const json* routines = postgres_list(reader, document, "routines"))
    for (const auto& value : *routines) {
      reader.object(value, "routine");
      reader.allow_keys(value, "routine", {"name", "definition", "comment"});
      Routine routine{reader.string(value, "name", "routine", true),
                      reader.string(value, "definition", "routine", true),
                      reader.string(value, "comment", "routine")};
      const std::string name = routine.name;
      schema.routines.emplace(name, std::move(routine));
    }
}

// DOCUMENT read; with SPANS, its tables are read from their spans of TEXT instead.
Schema read_document(const Reader& reader, const json& document, const TableSpans* spans = nullptr,
                     std::string_view text = {}) {
  reader.object(document, "");
  reader.allow_keys(document, "",
                    {"tables", "views", "triggers", "mixins", "naming_convention", "dialect",
                     "comment", "enums", "domains", "sequences", "routines", "extensions"});
  DocumentContext context;
  if (const json* templates = member(document, "naming_convention"))
    context.conventions.read(reader, *templates);
  if (const json* mixins = member(document, "mixins")) {
    reader.object(*mixins, "mixins");
    for (const auto& item : mixins->items()) {
      if (!item.value().is_array())
        reader.fail("mixin '" + item.key() + "'", "expected a list of columns");
      context.mixins[item.key()] = &item.value();
    }
  }
  Schema schema;
  read_tables(reader, document, spans, text, context, schema);
  read_views(reader, document, schema);
  read_triggers(reader, document, schema);
  read_enums(reader, document, schema);
  read_domains(reader, document, schema);
  read_sequences(reader, document, schema);
  read_routines(reader, document, schema);
  if (postgres_list(reader, document, "extensions") != nullptr)
    for (const auto& name : reader.strings(document, "extensions", ""))
      schema.extensions.emplace(name, Extension{name});
  return schema;
}

// The line and column of byte BYTE (1-based, as nlohmann counts) of TEXT.
std::pair<int, std::size_t> position_of(const std::string& text, std::size_t byte) {
  int line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// TEXT parsed whole by nlohmann; a syntax error names the line and column.
json parse_whole(const std::string& text, const std::string& file) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& error) {
    const auto [line, column] = position_of(text, error.byte);
    std::string detail = error.what();
    const auto colon = detail.rfind(": ");
    if (colon != std::string::npos)
      detail = detail.substr(colon + 2);
    throw Error(ErrorKind::Project,
                "invalid JSON at column " + std::to_string(column) + ": " + detail, file, line);
  } catch (const json::exception& error) { // a number out of range: no position to give
    throw Error(ErrorKind::Project, std::string("invalid JSON: ") + error.what(), file);
  }
}

// The fast path: the document without its tables parsed, and the tables parsed and
// read in two halves (TableSpans). Null when a piece does not parse, or when the text
// is not valid JSON and there is an error to report: the whole parse then reports
// what it always did (a syntax error comes before any error in the model).
std::optional<Schema> read_split(const Reader& reader, const std::string& text,
                                 const TableSpans& spans) {
  json outer;
  try {
    std::string rest;
    rest.reserve(text.size() - (spans.list_end - spans.list_begin) + 2);
    rest.append(text, 0, spans.list_begin).append("[]").append(text, spans.list_end);
    outer = json::parse(rest);
  } catch (const json::exception&) {
    return std::nullopt;
  }
  try {
    return read_document(reader, outer, &spans, text);
  } catch (const PieceDoesNotParse&) {
    return std::nullopt;
  } catch (const Error&) {
    if (!json::accept(text)) // a table failed to read before a later one failed to parse
      return std::nullopt;
    throw;
  }
}

} // namespace

Schema schema_from_json_text(const std::string& text, const std::string& file,
                             config::Backend backend) {
  const TableSpans spans = find_table_spans(text);
  const Reader reader(file, backend == config::Backend::Postgres, text, spans);
  if (spans.plain)
    if (auto schema = read_split(reader, text, spans))
      return std::move(*schema);
  return read_document(reader, parse_whole(text, file));
}

Schema schema_from_json_text_whole(const std::string& text, const std::string& file,
                                   config::Backend backend) {
  const TableSpans spans = find_table_spans(text);
  const Reader reader(file, backend == config::Backend::Postgres, text, spans);
  return read_document(reader, parse_whole(text, file));
}

} // namespace dbtool::schema
