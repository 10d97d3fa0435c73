#include "dbtool/schema/json_model.h"

#include "dbtool/error.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/util/json_tree.h"
#include "dbtool/util/json_writer.h"
#include "dbtool/util/strings.h"
#include "dbtool/util/two_halves.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>

namespace dbtool::schema {

using nlohmann::json;
using JsonValue = util::JsonTree::Value;

namespace {

// Reading one document: every error names the file and what is being read.
class Reader {
 public:
  Reader(std::string file, bool postgres) : m_file(std::move(file)), m_postgres(postgres) {}

  // Whether the model is read for PostgreSQL: its types, its names (case kept), its
  // SQL as written (SQLite's canonical spacing would split PostgreSQL's :: casts).
  bool postgres() const { return m_postgres; }
  std::string sql(const std::string& text) const {
    return m_postgres ? std::string(util::trim(text)) : canonical_sql(text);
  }

  [[noreturn]] void fail(const std::string& where, const std::string& message) const {
    throw Error(ErrorKind::Project, (where.empty() ? "" : where + ": ") + message, m_file);
  }

  JsonValue object(JsonValue value, const std::string& where) const {
    if (!value.is_object())
      fail(where, "expected an object");
    return value;
  }

  // Of several unknown keys, the first in alphabetical order is named.
  void allow_keys(JsonValue value, const std::string& where,
                  std::initializer_list<std::string_view> keys) const {
    std::optional<std::string_view> unknown;
    for (const JsonValue item : value) {
      const std::string_view key = item.key();
      if (std::none_of(keys.begin(), keys.end(),
                       [&](std::string_view known) { return key == known; }) &&
          (!unknown || key < *unknown))
        unknown = key;
    }
    if (unknown)
      fail(where, "unknown key '" + std::string(*unknown) + "'");
  }

  std::string string(JsonValue value, const char* key, const std::string& where,
                     bool required = false) const {
    const JsonValue found = value.find(key);
    if (found.is_null()) {
      if (required)
        fail(where, std::string("'") + key + "' is required");
      return {};
    }
    if (!found.is_string())
      fail(where, std::string("'") + key + "' must be a string");
    return std::string(found.text());
  }

  std::optional<std::string> optional_string(JsonValue value, const char* key,
                                             const std::string& where) const {
    const JsonValue found = value.find(key);
    if (found.is_null())
      return std::nullopt;
    if (!found.is_string())
      fail(where, std::string("'") + key + "' must be a string");
    return std::string(found.text());
  }

  bool boolean(JsonValue value, const char* key, const std::string& where, bool fallback) const {
    const JsonValue found = value.find(key);
    if (!found.exists())
      return fallback;
    if (!found.is_boolean())
      fail(where, std::string("'") + key + "' must be true or false");
    return found.boolean();
  }

  std::vector<std::string> strings(JsonValue value, const char* key,
                                   const std::string& where) const {
    std::vector<std::string> out;
    const JsonValue found = value.find(key);
    if (!found.exists())
      return out;
    if (!found.is_array())
      fail(where, std::string("'") + key + "' must be a list of names");
    for (const JsonValue item : found) {
      if (!item.is_string())
        fail(where, std::string("'") + key + "' must be a list of names");
      out.emplace_back(item.text());
    }
    return out;
  }

  const std::string& file() const { return m_file; }

 private:
  std::string m_file;
  bool m_postgres;
};

// ON CONFLICT's action, upper case; ABORT (the default) and absence are empty.
std::string conflict_action(const Reader& reader, JsonValue value, const char* key,
                            const std::string& where) {
  if (!value.contains(key))
    return {}; // most columns and constraints
  std::string text = util::to_upper(reader.string(value, key, where));
  static const std::set<std::string> known = {"", "ROLLBACK", "ABORT", "FAIL", "IGNORE", "REPLACE"};
  if (known.count(text) == 0)
    reader.fail(where,
                std::string("'") + key + "' must be one of ROLLBACK, ABORT, FAIL, IGNORE, REPLACE");
  return text == "ABORT" ? std::string() : text;
}

std::string action(const Reader& reader, JsonValue value, const char* key,
                   const std::string& where) {
  if (!value.contains(key))
    return "NO ACTION";
  std::string text = util::to_upper(reader.string(value, key, where));
  if (text.empty())
    return "NO ACTION";
  static const std::set<std::string> known = {"NO ACTION", "CASCADE", "SET NULL", "SET DEFAULT",
                                              "RESTRICT"};
  if (known.count(text) == 0)
    reader.fail(where, std::string("'") + key +
                           "' must be one of NO ACTION, CASCADE, SET NULL, "
                           "SET DEFAULT, RESTRICT");
  return text;
}

// "%(table_name)s" style templates, as SQLAlchemy's naming_convention.
std::string apply_convention(const std::string& pattern, const std::string& table,
                             const std::vector<std::string>& columns,
                             const std::string& referred_table,
                             const std::string& constraint_name) {
  std::map<std::string, std::string> values = {{"table_name", table},
                                               {"referred_table_name", referred_table},
                                               {"constraint_name", constraint_name}};
  values["column_0_name"] = columns.empty() ? "" : columns[0];
  values["column_0_N_name"] = util::join(columns, "_");
  values["column_0N_name"] = util::join(columns, "");
  std::string out;
  for (std::size_t i = 0; i < pattern.size();) {
    if (pattern.compare(i, 2, "%(") == 0) {
      const auto close = pattern.find(")s", i);
      if (close != std::string::npos) {
        const auto found = values.find(pattern.substr(i + 2, close - i - 2));
        if (found != values.end()) {
          out += found->second;
          i = close + 2;
          continue;
        }
      }
    }
    out += pattern[i++];
  }
  return out;
}

std::string sqlite_type_uncached(const std::string& generic) {
  // A generic name without arguments, as written (the common case, looked up before any
  // string is built) or trimmed and lower-cased.
  static const std::map<std::string, std::string> plain = {{"integer", "INTEGER"},
                                                           {"bigint", "BIGINT"},
                                                           {"smallint", "SMALLINT"},
                                                           {"text", "TEXT"},
                                                           {"boolean", "BOOLEAN"},
                                                           {"float", "FLOAT"},
                                                           {"double", "DOUBLE"},
                                                           {"date", "DATE"},
                                                           {"time", "TIME"},
                                                           {"datetime", "DATETIME"},
                                                           {"json", "JSON"},
                                                           {"uuid", "UUID"},
                                                           {"timestamp_tz", "TIMESTAMPTZ"},
                                                           {"blob", "BLOB"},
                                                           {"timestamp", "TIMESTAMP"},
                                                           {"string", "VARCHAR"},
                                                           {"numeric", "NUMERIC"}};
  if (const auto found = plain.find(generic); found != plain.end())
    return found->second;
  const std::string text = util::to_lower(std::string(util::trim(generic)));
  const auto open = text.find('(');
  const std::string base = std::string(util::trim(text.substr(0, open)));
  std::string arguments;
  if (open != std::string::npos) {
    const auto close = text.rfind(')');
    if (close == std::string::npos || close < open)
      throw Error(ErrorKind::Project, "unknown type '" + generic + "'");
    arguments = std::string(util::trim(text.substr(open + 1, close - open - 1)));
  }
  auto numbers_only = [&](std::size_t most) {
    const auto parts = util::split_list(arguments);
    if (parts.empty() || parts.size() > most)
      return false;
    for (const auto& part : parts)
      if (part.empty() || !std::all_of(part.begin(), part.end(), ::isdigit))
        return false;
    return true;
  };
  if (open == std::string::npos) {
    if (const auto found = plain.find(base); found != plain.end())
      return found->second;
  } else if (base == "string" && numbers_only(1)) {
    return "VARCHAR(" + arguments + ")";
  } else if (base == "numeric" && numbers_only(2)) {
    std::string list;
    for (const auto& part : util::split_list(arguments))
      list += (list.empty() ? "" : ",") + part;
    return "NUMERIC(" + list + ")";
  } else if (base == "array") {
    throw Error(ErrorKind::Project, "type '" + generic + "': SQLite cannot store arrays");
  }
  throw Error(ErrorKind::Project,
              "unknown type '" + generic +
                  "' (integer, bigint, smallint, string(n), text, boolean, float, double, "
                  "numeric(p,s), date, time, datetime, timestamp, timestamp_tz, json, uuid, blob, "
                  "array(T))");
}

} // namespace

std::string sqlite_type_for(const std::string& generic) {
  // A model repeats a few types many times, string(64) and numeric(10,2) among them,
  // whose reading builds strings.
  thread_local std::unordered_map<std::string, std::string> known;
  if (const auto found = known.find(generic); found != known.end())
    return found->second;
  std::string type = sqlite_type_uncached(generic);
  known.emplace(generic, type);
  return type;
}

std::string postgres_type_for(const std::string& generic) {
  const std::string text = util::to_lower(std::string(util::trim(generic)));
  // array(T): T's type with []; anything else is SQLite's spelling, lower-cased, with
  // PostgreSQL's names where they differ.
  if (util::starts_with(text, "array(") && text.back() == ')')
    return postgres_type_for(text.substr(6, text.size() - 7)) + "[]";
  static const std::map<std::string, std::string> renamed = {
      {"float", "real"},         {"double", "double precision"},
      {"datetime", "timestamp"}, {"timestamp_tz", "timestamptz"},
      {"json", "jsonb"},         {"blob", "bytea"},
      {"string", "varchar"}};
  const auto open = text.find('(');
  const std::string base = std::string(util::trim(text.substr(0, open)));
  std::string type = util::to_lower(sqlite_type_for(generic)); // validates the generic type
  if (const auto found = renamed.find(base); found != renamed.end())
    type = found->second + (open == std::string::npos ? "" : type.substr(type.find('(')));
  return type;
}

namespace {

// The generic name whose SQLite rendering is exactly DECLARED, if there is one.
std::optional<std::string> generic_for(const std::string& declared) {
  static const std::map<std::string, std::string> simple = {{"INTEGER", "integer"},
                                                            {"BIGINT", "bigint"},
                                                            {"SMALLINT", "smallint"},
                                                            {"TEXT", "text"},
                                                            {"BOOLEAN", "boolean"},
                                                            {"FLOAT", "float"},
                                                            {"DOUBLE", "double"},
                                                            {"DATE", "date"},
                                                            {"TIME", "time"},
                                                            {"DATETIME", "datetime"},
                                                            {"JSON", "json"},
                                                            {"UUID", "uuid"},
                                                            {"TIMESTAMPTZ", "timestamp_tz"},
                                                            {"BLOB", "blob"},
                                                            {"VARCHAR", "string"},
                                                            {"TIMESTAMP", "timestamp"},
                                                            {"NUMERIC", "numeric"}};
  if (const auto found = simple.find(declared); found != simple.end())
    return found->second;
  for (const char* prefix : {"VARCHAR(", "NUMERIC("}) {
    if (util::starts_with(declared, prefix) && declared.back() == ')') {
      const std::string arguments = declared.substr(
          std::string(prefix).size(), declared.size() - std::string(prefix).size() - 1);
      const std::string generic =
          std::string(prefix[0] == 'V' ? "string(" : "numeric(") + arguments + ")";
      try {
        if (sqlite_type_for(generic) == declared)
          return generic;
      } catch (const Error&) {
      }
    }
  }
  return std::nullopt;
}

// The generic type nearest to a declared type SQLite knows only by affinity.
// The generic type whose PostgreSQL rendering is DECLARED (format_type's spelling).
std::optional<std::string> generic_for_postgres(const std::string& declared) {
  static const std::map<std::string, std::string> simple = {
      {"integer", "integer"},
      {"bigint", "bigint"},
      {"smallint", "smallint"},
      {"text", "text"},
      {"boolean", "boolean"},
      {"double precision", "double"},
      {"real", "float"},
      {"date", "date"},
      {"time without time zone", "time"},
      {"timestamp without time zone", "timestamp"},
      {"timestamp with time zone", "timestamp_tz"},
      {"jsonb", "json"},
      {"uuid", "uuid"},
      {"bytea", "blob"},
      {"character varying", "string"},
      {"numeric", "numeric"}};
  if (const auto found = simple.find(declared); found != simple.end())
    return found->second;
  for (const auto& [prefix, generic] :
       {std::pair<std::string, std::string>{"character varying(", "string("},
        std::pair<std::string, std::string>{"numeric(", "numeric("}})
    if (util::starts_with(declared, prefix) && declared.back() == ')')
      return generic + declared.substr(prefix.size());
  return std::nullopt;
}

std::string generic_by_affinity(const std::string& declared) {
  switch (type_affinity(declared)) {
  case Affinity::Integer:
    return "integer";
  case Affinity::Text:
    return "text";
  case Affinity::Blob:
    return "blob";
  case Affinity::Real:
    return "double";
  case Affinity::Numeric:
    break;
  }
  return "numeric";
}

struct Conventions {
  std::map<std::string, std::string> templates; // ix, uq, ck, fk, pk
  std::string name(const char* kind, const std::string& table,
                   const std::vector<std::string>& columns, const std::string& referred = "",
                   const std::string& constraint = "") const {
    const auto found = templates.find(kind);
    if (found == templates.end())
      return {};
    if (found->second.find("%(constraint_name)s") != std::string::npos && constraint.empty())
      return {};
    return apply_convention(found->second, table, columns, referred, constraint);
  }
};

Column read_column(const Reader& reader, JsonValue value, const std::string& where, Table& table,
                   std::vector<std::string>& column_level_key, bool& autoincrement,
                   std::vector<UniqueConstraint>& uniques, std::vector<ForeignKey>& keys) {
  reader.object(value, where);
  reader.allow_keys(value, where,
                    {"name", "type", "sqlite_type", "postgres_type", "nullable", "primary_key",
                     "autoincrement", "identity", "default", "unique", "references", "on_delete",
                     "on_update", "collation", "generated", "not_null_on_conflict", "comment"});
  Column column;
  column.name = reader.string(value, "name", where, true);
  const std::string at = where + " column '" + column.name + "'";
  const std::string generic = reader.string(value, "type", at, true);
  const auto exact =
      reader.optional_string(value, reader.postgres() ? "postgres_type" : "sqlite_type", at);
  try {
    column.type = exact               ? *exact
                  : reader.postgres() ? postgres_type_for(generic)
                                      : sqlite_type_for(generic);
  } catch (const Error& error) {
    reader.fail(at, error.message());
  }
  const bool primary = reader.boolean(value, "primary_key", at, false);
  column.not_null = !reader.boolean(value, "nullable", at, !primary) && !primary;
  if (primary && value["nullable"].is_boolean() && !value["nullable"].boolean())
    column.not_null = true;
  column.not_null_conflict = conflict_action(reader, value, "not_null_on_conflict", at);
  column.default_sql = reader.optional_string(value, "default", at);
  column.collation = reader.string(value, "collation", at);
  if (!reader.postgres())
    column.collation = util::to_upper(column.collation);
  if (column.collation == "BINARY")
    column.collation.clear();
  if (reader.postgres()) {
    column.comment = reader.string(value, "comment", at);
    const std::string identity = util::to_upper(reader.string(value, "identity", at));
    if (!identity.empty() && identity != "ALWAYS" && identity != "BY DEFAULT")
      reader.fail(at, "'identity' is \"always\" or \"by default\"");
    column.identity = identity;
  }
  if (value.contains("generated")) {
    const JsonValue generated = reader.object(value["generated"], at + " generated");
    reader.allow_keys(generated, at + " generated", {"expression", "stored"});
    column.generated = reader.sql(reader.string(generated, "expression", at, true));
    column.generated_stored = reader.boolean(generated, "stored", at, false);
  }
  if (primary)
    column_level_key.push_back(column.name);
  autoincrement = autoincrement || reader.boolean(value, "autoincrement", at, false);
  if (reader.boolean(value, "unique", at, false))
    uniques.push_back({"", {column.name}, {}});
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
    keys.push_back(std::move(key));
  } else if (value.contains("on_delete") || value.contains("on_update")) {
    reader.fail(at, "'on_delete' and 'on_update' go with 'references'");
  }
  (void)table;
  return column;
}

IndexKey read_index_key(const Reader& reader, JsonValue value, const std::string& where) {
  IndexKey key;
  if (value.is_string()) {
    key.column = std::string(value.text());
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

Table read_table(const Reader& reader, JsonValue value, const std::string& where,
                 const std::map<std::string, JsonValue>& mixins, const Conventions& conventions) {
  reader.object(value, where);
  reader.allow_keys(value, where,
                    {"name", "columns", "mixins", "primary_key", "unique_constraints",
                     "check_constraints", "foreign_keys", "indexes", "without_rowid", "strict",
                     "comment", "exclusion_constraints"});
  Table table;
  table.name = reader.string(value, "name", where, true);
  const std::string at = "table '" + table.name + "'";
  std::vector<std::string> key_columns;
  bool autoincrement = false;
  std::vector<UniqueConstraint> uniques;
  std::vector<ForeignKey> keys;
  std::set<std::string> seen;
  auto add_column = [&](JsonValue column_value) {
    Column column =
        read_column(reader, column_value, at, table, key_columns, autoincrement, uniques, keys);
    if (!seen.insert(util::to_lower(column.name)).second)
      reader.fail(at, "column '" + column.name + "' is declared twice");
    table.columns.push_back(std::move(column));
  };
  auto add_mixin = [&](const std::string& name) {
    const auto found = mixins.find(name);
    if (found == mixins.end())
      reader.fail(at, "unknown mixin '" + name + "'");
    for (const auto& column : found->second)
      add_column(column);
  };
  if (value.contains("columns")) {
    if (!value["columns"].is_array())
      reader.fail(at, "'columns' must be a list");
    for (const auto& column : value["columns"]) {
      if (column.is_object() && column.contains("mixin") && column.size() == 1) {
        if (!column["mixin"].is_string())
          reader.fail(at, "'mixin' must name a mixin");
        add_mixin(std::string(column["mixin"].text()));
      } else {
        add_column(column);
      }
    }
  }
  for (const auto& name : reader.strings(value, "mixins", at))
    add_mixin(name);
  if (table.columns.empty())
    reader.fail(at, "a table needs at least one column");

  if (value.contains("primary_key")) {
    const JsonValue key = reader.object(value["primary_key"], at + " primary_key");
    reader.allow_keys(key, at + " primary_key",
                      {"name", "columns", "autoincrement", "on_conflict"});
    if (!key_columns.empty())
      reader.fail(at, "primary key declared both on columns and on the table");
    key_columns = reader.strings(key, "columns", at + " primary_key");
    autoincrement = autoincrement || reader.boolean(key, "autoincrement", at, false);
    table.primary_key = PrimaryKey{reader.string(key, "name", at), key_columns, autoincrement,
                                   conflict_action(reader, key, "on_conflict", at)};
  } else if (!key_columns.empty()) {
    table.primary_key = PrimaryKey{"", key_columns, autoincrement, {}};
  }
  if (table.primary_key && table.primary_key->name.empty())
    table.primary_key->name = conventions.name("pk", table.name, table.primary_key->columns);

  table.unique_constraints = std::move(uniques);
  if (value.contains("unique_constraints")) {
    if (!value["unique_constraints"].is_array())
      reader.fail(at, "'unique_constraints' must be a list");
    for (const auto& item : value["unique_constraints"]) {
      reader.object(item, at + " unique constraint");
      reader.allow_keys(item, at + " unique constraint", {"name", "columns", "on_conflict"});
      table.unique_constraints.push_back({reader.string(item, "name", at),
                                          reader.strings(item, "columns", at),
                                          conflict_action(reader, item, "on_conflict", at)});
    }
  }
  for (auto& unique : table.unique_constraints)
    if (unique.name.empty())
      unique.name = conventions.name("uq", table.name, unique.columns);

  if (value.contains("check_constraints")) {
    if (!value["check_constraints"].is_array())
      reader.fail(at, "'check_constraints' must be a list");
    for (const auto& item : value["check_constraints"]) {
      reader.object(item, at + " check constraint");
      reader.allow_keys(item, at + " check constraint", {"name", "expression"});
      CheckConstraint check{reader.string(item, "name", at),
                            reader.sql(reader.string(item, "expression", at, true))};
      if (check.name.empty())
        check.name = conventions.name("ck", table.name, {}, "", "");
      table.checks.push_back(std::move(check));
    }
  }

  table.foreign_keys = std::move(keys);
  if (value.contains("foreign_keys")) {
    if (!value["foreign_keys"].is_array())
      reader.fail(at, "'foreign_keys' must be a list");
    for (const auto& item : value["foreign_keys"]) {
      const std::string fk_at = at + " foreign key";
      reader.object(item, fk_at);
      reader.allow_keys(item, fk_at,
                        {"name", "columns", "references", "on_delete", "on_update", "deferrable"});
      ForeignKey key;
      key.name = reader.string(item, "name", fk_at);
      key.columns = reader.strings(item, "columns", fk_at);
      if (!item.contains("references"))
        reader.fail(fk_at, "'references' is required");
      const JsonValue references = reader.object(item["references"], fk_at);
      reader.allow_keys(references, fk_at, {"table", "columns"});
      key.ref_table = reader.string(references, "table", fk_at, true);
      key.ref_columns = reader.strings(references, "columns", fk_at);
      key.on_delete = action(reader, item, "on_delete", fk_at);
      key.on_update = action(reader, item, "on_update", fk_at);
      key.deferrable = reader.boolean(item, "deferrable", fk_at, false);
      table.foreign_keys.push_back(std::move(key));
    }
  }
  for (auto& key : table.foreign_keys)
    if (key.name.empty())
      key.name = conventions.name("fk", table.name, key.columns, key.ref_table);

  if (value.contains("indexes")) {
    if (!value["indexes"].is_array())
      reader.fail(at, "'indexes' must be a list");
    for (const auto& item : value["indexes"]) {
      const std::string index_at = at + " index";
      reader.object(item, index_at);
      reader.allow_keys(item, index_at, {"name", "columns", "unique", "where", "method"});
      Index index;
      index.name = reader.string(item, "name", index_at);
      index.unique = reader.boolean(item, "unique", index_at, false);
      if (!item.contains("columns") || !item["columns"].is_array() || item["columns"].empty())
        reader.fail(index_at, "'columns' must be a non-empty list");
      std::vector<std::string> names;
      for (const auto& key : item["columns"]) {
        index.keys.push_back(read_index_key(reader, key, index_at));
        names.push_back(index.keys.back().column.empty() ? "expr" : index.keys.back().column);
      }
      if (const auto predicate = reader.optional_string(item, "where", index_at))
        index.where = reader.sql(*predicate);
      index.method = reader.string(item, "method", index_at);
      if (index.name.empty())
        index.name = conventions.name(index.unique ? "uq" : "ix", table.name, names);
      if (index.name.empty())
        index.name = "ix_" + table.name + "_" + util::join(names, "_");
      if (table.indexes.count(index.name) != 0)
        reader.fail(at, "index '" + index.name + "' is declared twice");
      table.indexes.emplace(index.name, std::move(index));
    }
  }
  table.without_rowid = reader.boolean(value, "without_rowid", at, false);
  table.strict = reader.boolean(value, "strict", at, false);
  if (reader.postgres()) {
    table.comment = reader.string(value, "comment", at);
    if (value.contains("exclusion_constraints")) {
      if (!value["exclusion_constraints"].is_array())
        reader.fail(at, "'exclusion_constraints' must be a list");
      for (const auto& item : value["exclusion_constraints"]) {
        reader.object(item, at + " exclusion constraint");
        reader.allow_keys(item, at + " exclusion constraint", {"name", "definition"});
        table.exclusions.push_back(
            {reader.string(item, "name", at), reader.string(item, "definition", at, true)});
      }
    }
    // AUTOINCREMENT is SQLite's; PostgreSQL's counterpart is an identity column.
    if (table.primary_key && table.primary_key->autoincrement) {
      table.primary_key->autoincrement = false;
      for (auto& column : table.columns)
        if (column.name == table.primary_key->columns.front() && column.identity.empty())
          column.identity = "BY DEFAULT";
    }
  }
  return table;
}

} // namespace

namespace {

// Tables read in document order up to the first error, if any.
struct TablesRead {
  std::vector<Table> tables;
  std::exception_ptr error;
};

// DOCUMENT read into a schema; REST, when given, holds the elements of its "tables"
// that come after its own (the second half of a document split_array_member cut).
Schema schema_from_json(JsonValue document, const util::JsonTree* rest, const std::string& file,
                        bool postgres) {
  const Reader reader(file, postgres);
  Schema schema;
  reader.object(document, "");
  reader.allow_keys(document, "",
                    {"tables", "views", "triggers", "mixins", "naming_convention", "dialect",
                     "comment", "enums", "domains", "sequences", "routines"});
  Conventions conventions;
  if (document.contains("naming_convention")) {
    const JsonValue templates = reader.object(document["naming_convention"], "naming_convention");
    reader.allow_keys(templates, "naming_convention", {"ix", "uq", "ck", "fk", "pk"});
    for (const JsonValue pattern : templates) {
      if (!pattern.is_string())
        reader.fail("naming_convention", "'" + std::string(pattern.key()) + "' must be a string");
      conventions.templates[std::string(pattern.key())] = std::string(pattern.text());
    }
  }
  std::map<std::string, JsonValue> mixins;
  if (document.contains("mixins")) {
    const JsonValue all = reader.object(document["mixins"], "mixins");
    for (const JsonValue columns : all) {
      if (!columns.is_array())
        reader.fail("mixin '" + std::string(columns.key()) + "'", "expected a list of columns");
      mixins.insert_or_assign(std::string(columns.key()), columns);
    }
  }
  if (document.contains("tables")) {
    if (!document["tables"].is_array())
      reader.fail("", "'tables' must be a list");
    // Many tables are read as two halves on two threads; the first error in document
    // order is still the one reported, a table declared twice included.
    std::vector<JsonValue> tables = document["tables"].elements();
    if (rest != nullptr)
      for (const JsonValue table : rest->root())
        tables.push_back(table);
    auto read_range = [&](std::size_t from, std::size_t to) {
      TablesRead read;
      try {
        for (std::size_t k = from; k < to; ++k)
          read.tables.push_back(read_table(reader, tables[k], "table", mixins, conventions));
      } catch (...) {
        read.error = std::current_exception();
      }
      return read;
    };
    TablesRead halves[2];
    util::run_in_two_halves(tables.size(), 100, [&](int part, std::size_t from, std::size_t to) {
      halves[part] = read_range(from, to);
    });
    for (auto& read : halves) {
      for (auto& table : read.tables) {
        const std::string name = table.name;
        if (!schema.tables.emplace(name, std::move(table)).second)
          reader.fail("table '" + name + "'", "declared twice");
      }
      if (read.error)
        std::rethrow_exception(read.error);
    }
  }
  if (document.contains("views")) {
    if (!document["views"].is_array())
      reader.fail("", "'views' must be a list");
    for (const auto& value : document["views"]) {
      reader.object(value, "view");
      reader.allow_keys(value, "view", {"name", "sql", "columns", "comment", "materialized"});
      View view{reader.string(value, "name", "view", true),
                reader.sql(reader.string(value, "sql", "view", true)),
                reader.strings(value, "columns", "view"),
                reader.boolean(value, "materialized", "view", false)};
      const std::string name = view.name;
      if (!schema.views.emplace(name, std::move(view)).second)
        reader.fail("view '" + name + "'", "declared twice");
    }
  }
  if (document.contains("triggers")) {
    if (!document["triggers"].is_array())
      reader.fail("", "'triggers' must be a list");
    for (const auto& value : document["triggers"]) {
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
  // PostgreSQL's schema objects beside tables.
  auto list = [&](const char* key) {
    if (!document.contains(key))
      return document[key]; // nothing, which has no elements
    if (!document[key].is_array())
      reader.fail("", std::string("'") + key + "' must be a list");
    if (!reader.postgres())
      reader.fail("", std::string("'") + key + "' is PostgreSQL's (this project is SQLite)");
    return document[key];
  };
  for (const auto& value : list("enums")) {
    reader.object(value, "enum");
    reader.allow_keys(value, "enum", {"name", "values"});
    EnumType type{reader.string(value, "name", "enum", true),
                  reader.strings(value, "values", "enum")};
    const std::string name = type.name;
    schema.enums.emplace(name, std::move(type));
  }
  for (const auto& value : list("domains")) {
    reader.object(value, "domain");
    reader.allow_keys(value, "domain", {"name", "definition"});
    Domain domain{reader.string(value, "name", "domain", true),
                  reader.string(value, "definition", "domain", true)};
    const std::string name = domain.name;
    schema.domains.emplace(name, std::move(domain));
  }
  for (const auto& value : list("sequences")) {
    reader.object(value, "sequence");
    reader.allow_keys(value, "sequence", {"name", "type", "start", "increment"});
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
    } catch (const std::exception&) {
      reader.fail("sequence '" + sequence.name + "'", "'start' and 'increment' are integers");
    }
    const std::string name = sequence.name;
    schema.sequences.emplace(name, std::move(sequence));
  }
  for (const auto& value : list("routines")) {
    reader.object(value, "routine");
    reader.allow_keys(value, "routine", {"name", "definition"});
    Routine routine{reader.string(value, "name", "routine", true),
                    reader.string(value, "definition", "routine", true)};
    const std::string name = routine.name;
    schema.routines.emplace(name, std::move(routine));
  }
  return schema;
}

} // namespace

Schema schema_from_json_text(const std::string& text, const std::string& file,
                             config::Backend backend) {
  // JsonTree's limit, said the same way whether the text would be read whole or cut.
  if (text.size() >= std::numeric_limits<std::uint32_t>::max())
    throw Error(ErrorKind::Project, "a JSON model of 4 GB or more is not read", file);
  std::optional<util::JsonTree> document;
  std::optional<util::JsonTree> rest;
  // A long document is read as two halves on two threads (reading is a third of the
  // time of a large model); on any doubt, the whole is read again for the exact error.
  constexpr std::size_t split_from = 64 * 1024;
  if (text.size() >= split_from)
    if (const auto halves = util::split_array_member(text, "tables", 100)) {
      try {
        util::run_in_two_halves(2, 2, [&](int part, std::size_t, std::size_t) {
          if (part == 0)
            document.emplace(halves->head, halves->tail);
          else
            rest.emplace("[", halves->rest);
        });
      } catch (const std::exception&) {
        document.reset(); // read whole below, for the exact error
      }
      if (!document || !document->root().is_object() || !document->root()["tables"].is_array() ||
          document->root()["tables"].empty() || rest->root().empty()) {
        document.reset();
        rest.reset();
      }
    }
  try {
    if (!document)
      document.emplace(text);
  } catch (const json::parse_error& error) {
    int line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i + 1 < error.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string detail = error.what();
    const auto colon = detail.rfind(": ");
    if (colon != std::string::npos)
      detail = detail.substr(colon + 2);
    throw Error(ErrorKind::Project,
                "invalid JSON at column " + std::to_string(column) + ": " + detail, file, line);
  } catch (const json::exception& error) { // a number out of range: no position to give
    throw Error(ErrorKind::Project, std::string("invalid JSON: ") + error.what(), file);
  }
  return schema_from_json(document->root(), rest ? &*rest : nullptr, file,
                          backend == config::Backend::Postgres);
}

std::string schema_to_json(const Schema& schema, config::Backend backend) {
  const bool postgres = backend == config::Backend::Postgres;
  std::string text;
  text.reserve(2048 * schema.tables.size());
  util::JsonWriter out(text);
  // Most columns of a schema share a handful of types.
  std::map<std::string, std::optional<std::string>, std::less<>> generic_types;
  auto generic_type = [&](const std::string& declared) -> const std::optional<std::string>& {
    auto found = generic_types.find(declared);
    if (found == generic_types.end())
      found =
          generic_types
              .emplace(declared, postgres ? generic_for_postgres(declared) : generic_for(declared))
              .first;
    return found->second;
  };
  out.begin_object();
  out.key("tables");
  out.begin_array();
  for (const auto& [name, table] : schema.tables) {
    const bool column_key = table.primary_key && table.primary_key->columns.size() == 1 &&
                            table.primary_key->name.empty() &&
                            table.primary_key->on_conflict.empty();
    out.begin_object();
    out.field("name", table.name);
    out.key("columns");
    out.begin_array();
    for (const auto& column : table.columns) {
      out.begin_object();
      out.field("name", column.name);
      if (const auto& generic = generic_type(column.type)) {
        out.field("type", *generic);
      } else if (postgres) {
        out.field("type", "text"); // what other dialects get; PostgreSQL's own type follows
        out.field("postgres_type", column.type);
      } else {
        out.field("type", generic_by_affinity(column.type));
        out.field("sqlite_type", column.type);
      }
      if (!column.identity.empty())
        out.field("identity", util::to_lower(column.identity));
      const bool is_key = column_key && table.primary_key->columns[0] == column.name;
      if (is_key) {
        out.field("primary_key", true);
        if (table.primary_key->autoincrement)
          out.field("autoincrement", true);
        if (column.not_null)
          out.field("nullable", false);
      } else {
        out.field("nullable", !column.not_null);
      }
      if (column.default_sql)
        out.field("default", *column.default_sql);
      if (!column.collation.empty())
        out.field("collation", column.collation);
      if (!column.not_null_conflict.empty())
        out.field("not_null_on_conflict", column.not_null_conflict);
      if (!column.comment.empty())
        out.field("comment", column.comment);
      if (column.generated) {
        out.key("generated");
        out.begin_object();
        out.field("expression", *column.generated);
        out.field("stored", column.generated_stored);
        out.end_object();
      }
      out.end_object();
    }
    out.end_array();
    if (table.primary_key && !column_key) {
      out.key("primary_key");
      out.begin_object();
      out.field("columns", table.primary_key->columns);
      if (!table.primary_key->name.empty())
        out.field("name", table.primary_key->name);
      if (table.primary_key->autoincrement)
        out.field("autoincrement", true);
      if (!table.primary_key->on_conflict.empty())
        out.field("on_conflict", table.primary_key->on_conflict);
      out.end_object();
    }
    if (!table.unique_constraints.empty()) {
      out.key("unique_constraints");
      out.begin_array();
      for (const auto& unique : table.unique_constraints) {
        out.begin_object();
        out.field("name", unique.name);
        out.field("columns", unique.columns);
        if (!unique.on_conflict.empty())
          out.field("on_conflict", unique.on_conflict);
        out.end_object();
      }
      out.end_array();
    }
    if (!table.checks.empty()) {
      out.key("check_constraints");
      out.begin_array();
      for (const auto& check : table.checks) {
        out.begin_object();
        out.field("name", check.name);
        out.field("expression", check.expression);
        out.end_object();
      }
      out.end_array();
    }
    if (!table.foreign_keys.empty()) {
      out.key("foreign_keys");
      out.begin_array();
      for (const auto& key : table.foreign_keys) {
        out.begin_object();
        out.field("columns", key.columns);
        out.key("references");
        out.begin_object();
        out.field("table", key.ref_table);
        out.field("columns", key.ref_columns);
        out.end_object();
        out.field("on_delete", key.on_delete);
        out.field("on_update", key.on_update);
        if (!key.name.empty())
          out.field("name", key.name);
        if (key.deferrable)
          out.field("deferrable", true);
        out.end_object();
      }
      out.end_array();
    }
    if (!table.indexes.empty()) {
      out.key("indexes");
      out.begin_array();
      for (const auto& [index_name, index] : table.indexes) {
        out.begin_object();
        out.field("name", index.name);
        out.field("unique", index.unique);
        out.key("columns");
        out.begin_array();
        for (const auto& key : index.keys) {
          if (key.expression.empty() && key.collation.empty() && !key.descending &&
              key.nulls.empty() && key.opclass.empty()) {
            out.value(key.column);
            continue;
          }
          out.begin_object();
          if (key.expression.empty())
            out.field("column", key.column);
          else
            out.field("expression", key.expression);
          if (!key.collation.empty())
            out.field("collation", key.collation);
          if (key.descending)
            out.field("desc", true);
          if (!key.nulls.empty())
            out.field("nulls", util::to_lower(key.nulls));
          if (!key.opclass.empty())
            out.field("opclass", key.opclass);
          out.end_object();
        }
        out.end_array();
        if (index.where)
          out.field("where", *index.where);
        if (!index.method.empty())
          out.field("method", index.method);
        out.end_object();
      }
      out.end_array();
    }
    if (!table.exclusions.empty()) {
      out.key("exclusion_constraints");
      out.begin_array();
      for (const auto& exclusion : table.exclusions) {
        out.begin_object();
        out.field("name", exclusion.name);
        out.field("definition", exclusion.definition);
        out.end_object();
      }
      out.end_array();
    }
    if (table.without_rowid)
      out.field("without_rowid", true);
    if (table.strict)
      out.field("strict", true);
    if (!table.comment.empty())
      out.field("comment", table.comment);
    out.end_object();
  }
  out.end_array();
  if (!schema.views.empty()) {
    out.key("views");
    out.begin_array();
    for (const auto& [name, view] : schema.views) {
      out.begin_object();
      out.field("name", view.name);
      out.field("sql", view.sql);
      if (!view.columns.empty())
        out.field("columns", view.columns);
      if (view.materialized)
        out.field("materialized", true);
      out.end_object();
    }
    out.end_array();
  }
  if (!schema.triggers.empty()) {
    out.key("triggers");
    out.begin_array();
    for (const auto& [name, trigger] : schema.triggers) {
      out.begin_object();
      out.field("name", trigger.name);
      out.field("table", trigger.table);
      out.field("sql", trigger.sql);
      out.end_object();
    }
    out.end_array();
  }
  if (!schema.enums.empty()) {
    out.key("enums");
    out.begin_array();
    for (const auto& [name, type] : schema.enums) {
      out.begin_object();
      out.field("name", type.name);
      out.field("values", type.values);
      out.end_object();
    }
    out.end_array();
  }
  if (!schema.domains.empty()) {
    out.key("domains");
    out.begin_array();
    for (const auto& [name, domain] : schema.domains) {
      out.begin_object();
      out.field("name", domain.name);
      out.field("definition", domain.definition);
      out.end_object();
    }
    out.end_array();
  }
  if (!schema.sequences.empty()) {
    out.key("sequences");
    out.begin_array();
    for (const auto& [name, sequence] : schema.sequences) {
      out.begin_object();
      out.field("name", sequence.name);
      out.field("type", sequence.type);
      out.field("start", std::to_string(sequence.start));
      out.field("increment", std::to_string(sequence.increment));
      out.end_object();
    }
    out.end_array();
  }
  if (!schema.routines.empty()) {
    out.key("routines");
    out.begin_array();
    for (const auto& [name, routine] : schema.routines) {
      out.begin_object();
      out.field("name", routine.name);
      out.field("definition", routine.definition);
      out.end_object();
    }
    out.end_array();
  }
  out.end_object();
  return text;
}

} // namespace dbtool::schema
