#pragma once

// A seeded generator of random, valid SQLite schemas in the model of schema.h, for
// round-trip tests. The models it makes are already in the normal form that
// introspect_sqlite reports (sqlite_introspector.cpp): canonical SQL text for checks,
// generated columns, index expressions and predicates, views and triggers; collations
// upper case and empty for BINARY; index key collations empty where they equal the
// column's; default_sql as PRAGMA table_xinfo reports the text inside DEFAULT (...);
// primary key columns of WITHOUT ROWID tables NOT NULL. So executing
// render_sqlite_schema(generated) and introspecting gives the generated model back.
//
// Identifiers are mostly plain, sometimes awkward: spaces, quotes, keywords, unicode,
// an injection attempt.

#include "dbtool/schema/schema.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/schema/sqlite_renderer.h"

#include <algorithm>
#include <cctype>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace dbtool::schema {

namespace generator_detail {

inline std::string ascii_lower(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

class Random {
 public:
  explicit Random(std::mt19937& rng) : m_rng(rng) {}
  // A number in [low, high].
  int between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(m_rng); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(m_rng) < p; }
  template <class T> const T& pick(const std::vector<T>& items) {
    return items.at(static_cast<std::size_t>(between(0, static_cast<int>(items.size()) - 1)));
  }
  template <class T> std::vector<T> sample(std::vector<T> items, std::size_t count) {
    std::shuffle(items.begin(), items.end(), m_rng);
    items.resize(std::min(count, items.size()));
    return items;
  }

 private:
  std::mt19937& m_rng;
};

// Names unique in their namespace the way SQLite compares them (ASCII case folded).
class NameSpace {
 public:
  bool take(const std::string& name) {
    return !ascii_lower(name).starts_with("sqlite_") && m_used.insert(ascii_lower(name)).second;
  }

 private:
  std::set<std::string> m_used;
};

inline const std::vector<std::string>& awkward_names() {
  static const std::vector<std::string> names = {"my table",
                                                 "we\"ird",
                                                 "order",
                                                 "group",
                                                 "select",
                                                 "čaj",
                                                 "表",
                                                 "x\"; DROP TABLE y; --",
                                                 "Key",
                                                 "it's",
                                                 "a.b",
                                                 "(paren)",
                                                 "comma, name",
                                                 "[br]",
                                                 "1st",
                                                 "tab\tname",
                                                 "Ünïcödé",
                                                 "where",
                                                 "values",
                                                 "`tick`",
                                                 "CURRENT_TIMESTAMP",
                                                 "rowid_like",
                                                 "  spaced  ",
                                                 "true",
                                                 "rowid",
                                                 "a--b",
                                                 "x/*y",
                                                 "new\nline"};
  return names;
}

// A fresh name: PREFIX with a number, or now and then an awkward one.
inline std::string fresh_name(Random& random, NameSpace& space, const std::string& prefix,
                              double awkward = 0.15) {
  if (random.chance(awkward))
    for (int attempt = 0; attempt < 4; ++attempt) {
      std::string name = random.pick(awkward_names());
      if (random.chance(0.3))
        name = prefix + " " + name; // e.g. "t order"
      if (space.take(name))
        return name;
    }
  for (int n = 1;; ++n) {
    std::string name = prefix + std::to_string(n);
    if (random.chance(0.2))
      name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    if (space.take(name))
      return name;
  }
}

inline std::string q(const std::string& name) {
  return quote_name(name);
}

// Columns an expression may use: not generated.
inline std::vector<std::string> plain_columns(const Table& table) {
  std::vector<std::string> out;
  for (const auto& column : table.columns)
    if (!column.generated)
      out.push_back(column.name);
  return out;
}

inline std::vector<std::string> all_columns(const Table& table) {
  std::vector<std::string> out;
  for (const auto& column : table.columns)
    out.push_back(column.name);
  return out;
}

// A boolean SQL expression over COLUMN, as canonical text.
inline std::string predicate(Random& random, const std::string& column) {
  static const std::vector<std::string> shapes = {"length(@) > 0",
                                                  "@ BETWEEN 1 AND 10",
                                                  "@ IS NOT NULL",
                                                  "@ IS NULL OR @ >= 0",
                                                  "@ IN ('a', 'b', 'it''s')",
                                                  "typeof(@) <> 'blob'",
                                                  "@ <> '(,)'",
                                                  "(@ + 1) * 2 > -5",
                                                  "NOT (@ = 0) AND @ < 1000000",
                                                  "lower(@) = upper(@) OR @ LIKE 'x%'",
                                                  "coalesce(@, 0) <= 99",
                                                  "CASE WHEN @ > 0 THEN 1 ELSE 0 END = 1"};
  std::string out;
  for (char ch : random.pick(shapes)) {
    if (ch == '@')
      out += q(column);
    else
      out += ch;
  }
  return canonical_sql(out);
}

// A scalar SQL expression over COLUMN, as canonical text (for generated columns and
// index keys; deterministic functions only).
inline std::string scalar(Random& random, const std::string& column) {
  const std::string c = q(column);
  const std::vector<std::string> shapes = {c + " * 2",
                                           c + " + 1",
                                           "length(" + c + ")",
                                           "upper(" + c + ")",
                                           c + " || 'x'",
                                           "abs(" + c + ")",
                                           "substr(" + c + ", 1, 3)",
                                           "(" + c + " - 1) * 3",
                                           "lower(" + c + ")",
                                           "coalesce(" + c + ", '(,)')"};
  return canonical_sql(random.pick(shapes));
}

inline const std::vector<std::string>& plain_types() {
  static const std::vector<std::string> types = {"INTEGER",
                                                 "TEXT",
                                                 "VARCHAR(20)",
                                                 "VARCHAR(255)",
                                                 "NUMERIC(10,2)",
                                                 "NUMERIC(5, 1)",
                                                 "REAL",
                                                 "BLOB",
                                                 "BOOLEAN",
                                                 "DATETIME",
                                                 "DATE",
                                                 "BIGINT",
                                                 "SMALLINT",
                                                 "FLOAT",
                                                 "DOUBLE",
                                                 "JSON",
                                                 "UUID",
                                                 "UNSIGNED BIG INT",
                                                 "",
                                                 "TIMESTAMP",
                                                 "integer",
                                                 "int",
                                                 "DOUBLE PRECISION",
                                                 "TIME",
                                                 "TIMESTAMPTZ",
                                                 "NUMERIC",
                                                 "VARCHAR",
                                                 "CHARACTER(10)",
                                                 "text"};
  return types;
}

// SQLite spells the six types STRICT knows in upper case, however declared.
inline std::string reported_type(const std::string& type) {
  std::string upper = type;
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const char* known : {"INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"})
    if (upper == known)
      return upper;
  return type;
}

inline const std::vector<std::string>& strict_types() {
  static const std::vector<std::string> types = {"INT", "INTEGER", "REAL", "TEXT", "BLOB", "ANY"};
  return types;
}

inline const std::vector<std::string>& defaults() {
  static const std::vector<std::string> values = {"0",
                                                  "42",
                                                  "-1",
                                                  "-0.5",
                                                  "3.14",
                                                  "'text'",
                                                  "'it''s'",
                                                  "'a, (b)'",
                                                  "''",
                                                  "CURRENT_TIMESTAMP",
                                                  "CURRENT_DATE",
                                                  "NULL",
                                                  "(1 + 2)",
                                                  "1 + 2",
                                                  "x'00ff'",
                                                  "+7",
                                                  "'--not a comment'",
                                                  "TRUE",
                                                  "lower('ABC')",
                                                  "(-(3))",
                                                  "'line\nbreak'",
                                                  "0x1F",
                                                  "1.5e-3",
                                                  "-0x10",
                                                  "'表'"};
  return values;
}

inline const std::vector<std::string>& actions() {
  static const std::vector<std::string> values = {"NO ACTION", "CASCADE", "SET NULL", "SET DEFAULT",
                                                  "RESTRICT"};
  return values;
}

inline Table generate_table(Random& random, NameSpace& objects, const std::string& name,
                            const Schema& earlier) {
  Table table;
  table.name = name;
  table.strict = random.chance(0.2);
  NameSpace column_names;
  const int column_count = random.between(1, 7);
  for (int i = 0; i < column_count; ++i) {
    Column column;
    column.name = fresh_name(random, column_names, "c", 0.2);
    column.type = reported_type(random.pick(table.strict ? strict_types() : plain_types()));
    column.not_null = random.chance(0.3);
    if (random.chance(0.3))
      column.default_sql = random.pick(defaults());
    if (random.chance(0.2))
      column.collation = random.chance(0.6) ? "NOCASE" : "RTRIM";
    table.columns.push_back(std::move(column));
  }

  // The primary key: none, an INTEGER rowid alias, one column, or several.
  const int key_kind = random.between(0, 3);
  if (key_kind == 1) {
    auto& column = table.columns[0];
    column.type = "INTEGER";
    PrimaryKey key{"", {column.name}, random.chance(0.4), {}};
    table.primary_key = key;
  } else if (key_kind == 2 || (key_kind == 3 && table.columns.size() < 2)) {
    auto& column = table.columns[static_cast<std::size_t>(
        random.between(0, static_cast<int>(table.columns.size()) - 1))];
    table.primary_key = PrimaryKey{"", {column.name}, false, {}};
  } else if (key_kind == 3) {
    const auto count = static_cast<std::size_t>(
        random.between(2, std::min(3, static_cast<int>(table.columns.size()))));
    table.primary_key = PrimaryKey{"", random.sample(all_columns(table), count), false, {}};
  }
  if (table.primary_key && random.chance(0.3))
    table.primary_key->name = fresh_name(random, objects, "pk_", 0.2);
  if (table.primary_key && !table.primary_key->autoincrement && random.chance(0.25))
    table.without_rowid = true;
  // SQLite makes the key columns of WITHOUT ROWID and STRICT tables NOT NULL, all but
  // the rowid alias.
  if (table.primary_key && (table.without_rowid || table.strict))
    for (const auto& key_column : table.primary_key->columns)
      for (auto& column : table.columns)
        if (column.name == key_column && !table.is_rowid_alias(column.name))
          column.not_null = true;

  // Generated columns: appended, never in the key, computed from plain columns.
  const int generated_count = random.chance(0.3) ? random.between(1, 2) : 0;
  for (int i = 0; i < generated_count; ++i) {
    Column column;
    column.name = fresh_name(random, column_names, "g", 0.2);
    column.type =
        reported_type(table.strict ? random.pick(strict_types())
                                   : (random.chance(0.2) ? "" : random.pick(plain_types())));
    column.generated = scalar(random, random.pick(plain_columns(table)));
    column.generated_stored = random.chance(0.5);
    column.not_null = random.chance(0.2);
    if (random.chance(0.15))
      column.collation = "NOCASE";
    const auto position =
        static_cast<std::ptrdiff_t>(random.between(0, static_cast<int>(table.columns.size())));
    table.columns.insert(table.columns.begin() + position, std::move(column));
  }

  // Unique constraints over any columns; checks over plain ones.
  const int unique_count = random.chance(0.35) ? random.between(1, 2) : 0;
  for (int i = 0; i < unique_count; ++i) {
    UniqueConstraint unique;
    if (random.chance(0.4))
      unique.name = fresh_name(random, objects, "uq_", 0.2);
    unique.columns = random.sample(
        all_columns(table), static_cast<std::size_t>(random.between(
                                1, std::min<int>(2, static_cast<int>(table.columns.size())))));
    table.unique_constraints.push_back(std::move(unique));
  }
  const int check_count = random.chance(0.35) ? random.between(1, 2) : 0;
  for (int i = 0; i < check_count; ++i) {
    CheckConstraint check;
    if (random.chance(0.4))
      check.name = fresh_name(random, objects, "ck_", 0.2);
    check.expression = predicate(random, random.pick(plain_columns(table)));
    table.checks.push_back(std::move(check));
  }

  // Foreign keys to the primary key of an earlier table, or of this one.
  std::vector<const Table*> parents;
  for (const auto& [parent_name, parent] : earlier.tables)
    if (parent.primary_key)
      parents.push_back(&parent);
  if (table.primary_key)
    parents.push_back(&table);
  const int key_count = parents.empty() || !random.chance(0.45) ? 0 : random.between(1, 2);
  for (int i = 0; i < key_count; ++i) {
    const Table& parent = *random.pick(parents);
    const auto size = parent.primary_key->columns.size();
    const auto candidates = plain_columns(table);
    if (candidates.size() < size)
      continue;
    ForeignKey key;
    if (random.chance(0.4))
      key.name = fresh_name(random, objects, "fk_", 0.2);
    key.columns = random.sample(candidates, size);
    key.ref_table = parent.name;
    if (random.chance(0.6))
      key.ref_columns = parent.primary_key->columns;
    if (random.chance(0.6))
      key.on_delete = random.pick(actions());
    if (random.chance(0.4))
      key.on_update = random.pick(actions());
    key.deferrable = random.chance(0.3);
    table.foreign_keys.push_back(std::move(key));
  }

  // CREATE INDEX ones: columns or expressions, DESC, COLLATE, partial.
  const int index_count = random.chance(0.5) ? random.between(1, 2) : 0;
  for (int i = 0; i < index_count; ++i) {
    Index index;
    index.name = fresh_name(random, objects, "ix_", 0.2);
    index.unique = random.chance(0.3);
    const int keys = random.between(1, 3);
    NameSpace used;
    for (int k = 0; k < keys; ++k) {
      IndexKey key;
      std::string default_collation;
      if (random.chance(0.25)) {
        key.expression = scalar(random, random.pick(plain_columns(table)));
        if (!used.take(key.expression))
          continue;
      } else {
        const Column& column = random.pick(table.columns);
        if (!used.take(column.name))
          continue;
        key.column = column.name;
        default_collation = column.collation;
      }
      if (random.chance(0.3)) {
        key.collation = random.pick(std::vector<std::string>{"NOCASE", "RTRIM", "BINARY"});
        if (key.collation == (default_collation.empty() ? "BINARY" : default_collation))
          key.collation.clear(); // introspection reports the default as none
      }
      key.descending = random.chance(0.3);
      index.keys.push_back(std::move(key));
    }
    if (random.chance(0.3))
      index.where = predicate(random, random.pick(plain_columns(table)));
    table.indexes.emplace(index.name, std::move(index));
  }
  return table;
}

} // namespace generator_detail

// A random valid schema: 1 to 6 tables, and some views and triggers over them.
inline Schema generate_schema(std::mt19937& rng) {
  using namespace generator_detail;
  Random random(rng);
  NameSpace objects; // tables, indexes, views and constraint names
  NameSpace trigger_names;
  Schema schema;
  const int table_count = random.between(1, 6);
  for (int i = 0; i < table_count; ++i) {
    const std::string name = fresh_name(random, objects, "t");
    schema.tables.emplace(name, generate_table(random, objects, name, schema));
  }

  std::vector<const Table*> tables;
  for (const auto& [name, table] : schema.tables)
    tables.push_back(&table);

  const int view_count = random.chance(0.4) ? random.between(1, 2) : 0;
  for (int i = 0; i < view_count; ++i) {
    const Table& table = *random.pick(tables);
    const auto columns =
        random.sample(all_columns(table),
                      static_cast<std::size_t>(random.between(
                          1, static_cast<int>(std::min<std::size_t>(3, table.columns.size())))));
    std::string select = "SELECT ";
    for (std::size_t c = 0; c < columns.size(); ++c)
      select += (c ? ", " : "") + q(columns[c]) +
                (random.chance(0.3) ? " AS " + q("v " + columns[c]) : "");
    select += " FROM " + q(table.name);
    if (random.chance(0.6))
      select += " WHERE " + predicate(random, random.pick(plain_columns(table)));
    if (random.chance(0.3))
      select += " ORDER BY " + q(columns[0]) + " DESC";
    View view;
    view.name = fresh_name(random, objects, "v");
    view.sql = canonical_sql(select);
    if (random.chance(0.25)) { // CREATE VIEW v (x, y): names for the SELECT's columns
      NameSpace view_columns;
      for (std::size_t c = 0; c < columns.size(); ++c)
        view.columns.push_back(fresh_name(random, view_columns, "x", 0.3));
    }
    schema.views.emplace(view.name, std::move(view));
  }

  const int trigger_count = random.chance(0.4) ? random.between(1, 2) : 0;
  for (int i = 0; i < trigger_count; ++i) {
    const Table& table = *random.pick(tables);
    const std::string name = fresh_name(random, trigger_names, "trg");
    const std::string column = q(random.pick(plain_columns(table)));
    std::string sql;
    switch (random.between(0, 2)) {
    case 0:
      sql = "CREATE TRIGGER " + q(name) + " AFTER INSERT ON " + q(table.name) +
            " FOR EACH ROW BEGIN UPDATE " + q(table.name) + " SET " + column + " = NEW." + column +
            " WHERE " + column + " IS NULL; END";
      break;
    case 1:
      sql = "CREATE TRIGGER " + q(name) + " BEFORE DELETE ON " + q(table.name) + " WHEN OLD." +
            column + " IS NOT NULL BEGIN SELECT RAISE(ABORT, 'cannot delete; it''s (kept)'); END";
      break;
    default:
      sql = "CREATE TRIGGER " + q(name) + " AFTER UPDATE OF " + column + " ON " + q(table.name) +
            " BEGIN DELETE FROM " + q(table.name) + " WHERE " + column + " = OLD." + column +
            " AND 0; SELECT 1; END";
      break;
    }
    Trigger trigger;
    trigger.name = name;
    trigger.table = table.name;
    trigger.sql = canonical_sql(sql);
    schema.triggers.emplace(name, std::move(trigger));
  }
  return schema;
}

namespace generator_detail {

// Writes SQL as a list of pieces joined by random white space and comments.
class Spelling {
 public:
  explicit Spelling(Random& random) : m_random(random) {}

  // A keyword in random case ("primary key" / "PRIMARY KEY" / "Primary Key").
  std::string keyword(std::string words) {
    const int style = m_random.between(0, 2);
    bool start = true;
    for (auto& c : words) {
      const auto u = static_cast<unsigned char>(c);
      if (style == 0 || (style == 2 && !start))
        c = static_cast<char>(std::tolower(u));
      else
        c = static_cast<char>(std::toupper(u));
      start = c == ' ';
    }
    return words;
  }
  // NAME quoted in one of the styles SQLite accepts; COLUMN_DEFINITION allows 'name'.
  std::string name(const std::string& name, bool column_definition = false) {
    switch (m_random.between(0, column_definition ? 4 : 3)) {
    case 0:
      if (quote_name(name) == name)
        return name;
      [[fallthrough]];
    case 1:
      return doubled(name, '"', '"');
    case 2:
      if (name.find(']') == std::string::npos)
        return "[" + name + "]";
      return doubled(name, '"', '"');
    case 3:
      return doubled(name, '`', '`');
    default:
      return doubled(name, '\'', '\'');
    }
  }
  std::string names(const std::vector<std::string>& list) {
    std::string out;
    for (const auto& item : list)
      out += (out.empty() ? "" : ", ") + name(item);
    return out;
  }
  // Canonical SQL text re-spaced: same tokens, other white space and comments.
  std::string respaced(const std::string& sql) {
    std::string out;
    const auto tokens = tokenize_sql(sql);
    for (std::size_t i = 0; i < tokens.size(); ++i)
      out += (i ? separator() : std::string()) + std::string(tokens[i].text);
    return out;
  }
  std::string separator() {
    switch (m_random.between(0, 9)) {
    case 0:
      return "\n    ";
    case 1:
      return " /* a, (comment) */ ";
    case 2:
      return " -- to the end ( of the line\n  ";
    case 3:
      return "\t";
    default:
      return " ";
    }
  }

 private:
  static std::string doubled(const std::string& name, char open, char close) {
    std::string out(1, open);
    for (char c : name) {
      out += c;
      if (c == close)
        out += c;
    }
    return out + close;
  }
  Random& m_random;
};

// Items of one kind that may move into column definitions: a leading run whose
// columns do not go backwards, so that declaration order is kept.
template <class Item, class Position>
std::vector<int> inline_positions(Random& random, const std::vector<Item>& items,
                                  Position position) {
  std::vector<int> out(items.size(), -1);
  int last = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const int at = position(items[i], last);
    if (at < last || !random.chance(0.6))
      break;
    out[i] = last = at;
  }
  return out;
}

inline int column_index(const Table& table, const std::string& column) {
  for (std::size_t i = 0; i < table.columns.size(); ++i)
    if (table.columns[i].name == column)
      return static_cast<int>(i);
  return -1;
}

inline std::string alternative_table(Random& random, const Table& table) {
  Spelling spell(random);
  const auto& key = table.primary_key;
  const bool key_inline =
      key && key->columns.size() == 1 && (key->autoincrement || random.chance(0.5));
  const int key_column = key_inline ? column_index(table, key->columns[0]) : -1;
  const auto unique_at =
      inline_positions(random, table.unique_constraints, [&](const UniqueConstraint& unique, int) {
        return unique.columns.size() == 1 ? column_index(table, unique.columns[0]) : -1;
      });
  const auto check_at =
      inline_positions(random, table.checks, [&](const CheckConstraint&, int last) {
        return random.between(last, static_cast<int>(table.columns.size()) - 1);
      });
  const auto key_at =
      inline_positions(random, table.foreign_keys, [&](const ForeignKey& foreign, int) {
        return foreign.columns.size() == 1 ? column_index(table, foreign.columns[0]) : -1;
      });
  auto constraint_name = [&](const std::string& name) {
    return name.empty() ? std::string()
                        : spell.keyword("CONSTRAINT") + " " + spell.name(name) + " ";
  };
  auto on_conflict = [&]() {
    return random.chance(0.15) ? " " + spell.keyword("ON CONFLICT ABORT") : std::string();
  };
  auto references = [&](const ForeignKey& foreign) {
    std::string out = spell.keyword("REFERENCES") + " " + spell.name(foreign.ref_table);
    if (!foreign.ref_columns.empty())
      out += spell.separator() + "(" + spell.names(foreign.ref_columns) + ")";
    std::vector<std::string> clauses;
    if (foreign.on_delete != "NO ACTION" || random.chance(0.2))
      clauses.push_back(spell.keyword("ON DELETE " + foreign.on_delete));
    if (foreign.on_update != "NO ACTION" || random.chance(0.2))
      clauses.push_back(spell.keyword("ON UPDATE " + foreign.on_update));
    if (random.chance(0.1))
      clauses.push_back(spell.keyword("MATCH SIMPLE"));
    std::shuffle(clauses.begin(), clauses.end(),
                 std::mt19937(static_cast<unsigned>(random.between(0, 1 << 20))));
    for (const auto& clause : clauses)
      out += " " + clause;
    if (foreign.deferrable)
      out += " " + spell.keyword("DEFERRABLE INITIALLY DEFERRED");
    else if (random.chance(0.2))
      out += " " + spell.keyword(random.chance(0.5) ? "NOT DEFERRABLE"
                                                    : "DEFERRABLE INITIALLY IMMEDIATE");
    return out;
  };
  auto collate = [&](const std::string& collation) {
    return spell.keyword("COLLATE") + " " +
           (random.chance(0.5) ? collation : spell.keyword(collation));
  };

  std::vector<std::string> items;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const Column& column = table.columns[c];
    std::vector<std::string> parts; // column constraints, in any order
    if (column.not_null)
      parts.push_back((random.chance(0.2) ? constraint_name("nn") : "") +
                      spell.keyword("NOT NULL") + on_conflict());
    else if (random.chance(0.1) && static_cast<int>(c) != key_column)
      parts.push_back(spell.keyword("NULL"));
    if (column.default_sql) {
      const std::string& value = *column.default_sql;
      const bool bare = value.front() != '(' &&
                        (tokenize_sql(value).size() == 1 ||
                         ((value[0] == '-' || value[0] == '+') && tokenize_sql(value).size() == 2));
      parts.push_back(spell.keyword("DEFAULT") + " " +
                      (bare && random.chance(0.6) ? value : "(" + value + ")"));
    }
    if (!column.collation.empty())
      parts.push_back(collate(column.collation));
    if (column.generated) {
      std::string part = (random.chance(0.5) ? spell.keyword("GENERATED ALWAYS") + " " : "") +
                         spell.keyword("AS") + " (" + spell.respaced(*column.generated) + ")";
      if (column.generated_stored)
        part += " " + spell.keyword("STORED");
      else if (random.chance(0.5))
        part += " " + spell.keyword("VIRTUAL");
      parts.push_back(part);
    }
    std::vector<std::vector<std::string>> ordered; // kinds whose order matters
    if (static_cast<int>(c) == key_column)
      parts.push_back(constraint_name(key->name) + spell.keyword("PRIMARY KEY") +
                      (random.chance(0.2) ? " " + spell.keyword("ASC") : "") + on_conflict() +
                      (key->autoincrement ? " " + spell.keyword("AUTOINCREMENT") : ""));
    std::vector<std::string> uniques, checks, keys;
    for (std::size_t i = 0; i < unique_at.size(); ++i)
      if (unique_at[i] == static_cast<int>(c))
        uniques.push_back(constraint_name(table.unique_constraints[i].name) +
                          spell.keyword("UNIQUE") + on_conflict());
    for (std::size_t i = 0; i < check_at.size(); ++i)
      if (check_at[i] == static_cast<int>(c))
        checks.push_back(constraint_name(table.checks[i].name) + spell.keyword("CHECK") + " (" +
                         spell.respaced(table.checks[i].expression) + ")");
    for (std::size_t i = 0; i < key_at.size(); ++i)
      if (key_at[i] == static_cast<int>(c))
        keys.push_back(constraint_name(table.foreign_keys[i].name) +
                       references(table.foreign_keys[i]));
    // Shuffle the kinds together, keeping each kind's own order.
    std::vector<std::string> merged;
    std::size_t u = 0, k = 0, f = 0;
    while (u < uniques.size() || k < checks.size() || f < keys.size()) {
      const int which = random.between(0, 2);
      if (which == 0 && u < uniques.size())
        merged.push_back(uniques[u++]);
      else if (which == 1 && k < checks.size())
        merged.push_back(checks[k++]);
      else if (which == 2 && f < keys.size())
        merged.push_back(keys[f++]);
    }
    std::shuffle(parts.begin(), parts.end(),
                 std::mt19937(static_cast<unsigned>(random.between(0, 1 << 20))));
    int next = 0; // merged items go in at increasing places, keeping their order
    for (const auto& part : merged) {
      next = random.between(next, static_cast<int>(parts.size()));
      parts.insert(parts.begin() + next++, part);
    }
    std::string item = spell.name(column.name, true);
    if (!column.type.empty())
      item += " " + column.type;
    // Nothing between a type and GENERATED ALWAYS: SQLite reads those two words as part
    // of the type and strips them again, leaving any comment in the declared type.
    for (std::size_t i = 0; i < parts.size(); ++i)
      item += (i == 0 && !column.type.empty() ? " " : spell.separator()) + parts[i];
    items.push_back(item);
  }

  std::vector<std::string> uniques, checks, keys;
  for (std::size_t i = 0; i < unique_at.size(); ++i)
    if (unique_at[i] < 0)
      uniques.push_back(constraint_name(table.unique_constraints[i].name) +
                        spell.keyword("UNIQUE") + " (" +
                        spell.names(table.unique_constraints[i].columns) + ")");
  for (std::size_t i = 0; i < check_at.size(); ++i)
    if (check_at[i] < 0)
      checks.push_back(constraint_name(table.checks[i].name) + spell.keyword("CHECK") +
                       spell.separator() + "(" + spell.respaced(table.checks[i].expression) + ")");
  for (std::size_t i = 0; i < key_at.size(); ++i)
    if (key_at[i] < 0)
      keys.push_back(constraint_name(table.foreign_keys[i].name) + spell.keyword("FOREIGN KEY") +
                     " (" + spell.names(table.foreign_keys[i].columns) + ") " +
                     references(table.foreign_keys[i]));
  // Kinds interleaved, each in its own order; the primary key anywhere among them.
  std::vector<std::string> constraints;
  std::size_t u = 0, k = 0, f = 0;
  while (u < uniques.size() || k < checks.size() || f < keys.size()) {
    const int which = random.between(0, 2);
    if (which == 0 && u < uniques.size())
      constraints.push_back(uniques[u++]);
    else if (which == 1 && k < checks.size())
      constraints.push_back(checks[k++]);
    else if (which == 2 && f < keys.size())
      constraints.push_back(keys[f++]);
  }
  if (key && !key_inline) {
    std::string list;
    for (const auto& column : key->columns)
      list += (list.empty() ? "" : ", ") + spell.name(column);
    constraints.insert(constraints.begin() +
                           random.between(0, static_cast<int>(constraints.size())),
                       constraint_name(key->name) + spell.keyword("PRIMARY KEY") + " (" + list +
                           ")" + on_conflict());
  }
  std::string sql = spell.keyword("CREATE TABLE") + " " +
                    (random.chance(0.2) ? spell.keyword("IF NOT EXISTS") + " " : "") +
                    (random.chance(0.15) ? spell.keyword("main") + "." : "") +
                    spell.name(table.name) + spell.separator() + "(";
  items.insert(items.end(), constraints.begin(), constraints.end());
  for (std::size_t i = 0; i < items.size(); ++i)
    sql += (i ? "," : "") + spell.separator() + items[i];
  sql += spell.separator() + ")";
  std::vector<std::string> options;
  if (table.without_rowid)
    options.push_back(spell.keyword("WITHOUT ROWID"));
  if (table.strict)
    options.push_back(spell.keyword("STRICT"));
  if (options.size() == 2 && random.chance(0.5))
    std::swap(options[0], options[1]);
  for (std::size_t i = 0; i < options.size(); ++i)
    sql += (i ? "," : "") + spell.separator() + options[i];
  return sql + ";\n";
}

inline std::string alternative_index(Random& random, const Table& table, const Index& index) {
  Spelling spell(random);
  std::string keys;
  for (const auto& key : index.keys) {
    keys += keys.empty() ? "" : ",";
    keys += spell.separator();
    std::string default_collation = "BINARY";
    if (key.column.empty()) {
      // A collation after "a * 2" would bind to the 2 alone: parenthesize then.
      const bool one_term = key.expression.back() == ')' && key.expression.front() != '(';
      if (!key.collation.empty() && (!one_term || random.chance(0.5)))
        keys += "(" + spell.respaced(key.expression) + ")";
      else
        keys += spell.respaced(key.expression);
    } else {
      keys += spell.name(key.column);
      if (const Column* column = table.find_column(key.column);
          column && !column->collation.empty())
        default_collation = column->collation;
    }
    if (!key.collation.empty())
      keys += " " + spell.keyword("COLLATE") + " " + key.collation;
    else if (random.chance(0.2))
      keys += " " + spell.keyword("COLLATE") + " " + spell.keyword(default_collation);
    if (key.descending)
      keys += " " + spell.keyword("DESC");
    else if (random.chance(0.2))
      keys += " " + spell.keyword("ASC");
  }
  std::string sql = spell.keyword(index.unique ? "CREATE UNIQUE INDEX" : "CREATE INDEX") + " " +
                    (random.chance(0.2) ? spell.keyword("IF NOT EXISTS") + " " : "") +
                    spell.name(index.name) + spell.separator() + spell.keyword("ON") + " " +
                    spell.name(table.name) + spell.separator() + "(" + keys + spell.separator() +
                    ")";
  if (index.where)
    sql += spell.separator() + spell.keyword("WHERE") + spell.separator() +
           spell.respaced(*index.where);
  return sql + ";\n";
}

} // namespace generator_detail

// The same schema as render_sqlite_schema(SCHEMA) gives, spelled another way: column
// constraints where they can be, constraints in other orders, names quoted in other
// styles, keywords in other case, comments and line breaks between tokens, optional
// words (ASC, NULL, VIRTUAL, COLLATE BINARY, IF NOT EXISTS...). Introspecting it must
// give SCHEMA, if SCHEMA is normalised.
inline std::string render_alternative_sql(const Schema& schema, std::mt19937& rng) {
  using namespace generator_detail;
  Random random(rng);
  Spelling spell(random);
  std::string sql = random.chance(0.5) ? "PRAGMA foreign_keys = ON;\n" : "";
  // Any table order: SQLite does not check foreign keys when creating tables.
  std::vector<const Table*> tables;
  for (const auto& [name, table] : schema.tables)
    tables.push_back(&table);
  tables = random.sample(tables, tables.size());
  for (const Table* table : tables)
    sql += "-- table\n" + alternative_table(random, *table);
  for (const Table* table : tables)
    for (const auto& [name, index] : table->indexes)
      sql += alternative_index(random, *table, index);
  for (const auto& [name, view] : schema.views)
    sql += spell.keyword("CREATE VIEW") + " " +
           (random.chance(0.2) ? spell.keyword("IF NOT EXISTS") + " " : "") +
           spell.name(view.name) + spell.separator() +
           (view.columns.empty() ? "" : "(" + spell.names(view.columns) + ")" + spell.separator()) +
           spell.keyword("AS") + spell.separator() + spell.respaced(view.sql) + ";\n";
  for (const auto& [name, trigger] : schema.triggers)
    sql += spell.respaced(trigger.sql) + ";\n";
  return sql;
}

// The first difference between two models, as text ("" when equal), for test output.
inline std::string describe_difference(const Schema& a, const Schema& b) {
  std::ostringstream out;
  auto list = [](const std::vector<std::string>& names) {
    std::string text = "[";
    for (const auto& name : names)
      text += (text.size() > 1 ? ", " : "") + name;
    return text + "]";
  };
  auto optional = [](const std::optional<std::string>& value) {
    return value ? "'" + *value + "'" : std::string("(none)");
  };
  for (const auto& [name, table] : a.tables)
    if (!b.tables.count(name))
      return "table '" + name + "' only in the first";
  for (const auto& [name, table] : b.tables)
    if (!a.tables.count(name))
      return "table '" + name + "' only in the second";
  for (const auto& [name, x] : a.tables) {
    const Table& y = b.tables.at(name);
    if (x == y)
      continue;
    out << "table '" << name << "': ";
    if (x.columns.size() != y.columns.size())
      return out.str() + "column count " + std::to_string(x.columns.size()) + " vs " +
             std::to_string(y.columns.size());
    for (std::size_t i = 0; i < x.columns.size(); ++i) {
      const Column& c = x.columns[i];
      const Column& d = y.columns[i];
      if (c == d)
        continue;
      out << "column " << i << " '" << c.name << "'/'" << d.name << "': type '" << c.type << "'/'"
          << d.type << "' not_null " << c.not_null << "/" << d.not_null << " default "
          << optional(c.default_sql) << "/" << optional(d.default_sql) << " collation '"
          << c.collation << "'/'" << d.collation << "' generated " << optional(c.generated) << "/"
          << optional(d.generated) << " stored " << c.generated_stored << "/" << d.generated_stored;
      return out.str();
    }
    if (x.primary_key != y.primary_key) {
      auto key = [&](const std::optional<PrimaryKey>& k) {
        return k ? "'" + k->name + "' " + list(k->columns) +
                       (k->autoincrement ? " AUTOINCREMENT" : "")
                 : std::string("(none)");
      };
      return out.str() + "primary key " + key(x.primary_key) + " vs " + key(y.primary_key);
    }
    if (x.foreign_keys != y.foreign_keys) {
      auto keys = [&](const std::vector<ForeignKey>& all) {
        std::string text;
        for (const auto& k : all)
          text += "{'" + k.name + "' " + list(k.columns) + " -> " + k.ref_table +
                  list(k.ref_columns) + " DEL " + k.on_delete + " UPD " + k.on_update +
                  (k.deferrable ? " DEFERRED" : "") + "} ";
        return text;
      };
      return out.str() + "foreign keys " + keys(x.foreign_keys) + "vs " + keys(y.foreign_keys);
    }
    if (x.unique_constraints != y.unique_constraints) {
      auto uniques = [&](const std::vector<UniqueConstraint>& all) {
        std::string text;
        for (const auto& u : all)
          text += "{'" + u.name + "' " + list(u.columns) + "} ";
        return text;
      };
      return out.str() + "unique " + uniques(x.unique_constraints) + "vs " +
             uniques(y.unique_constraints);
    }
    if (x.checks != y.checks) {
      auto checks = [&](const std::vector<CheckConstraint>& all) {
        std::string text;
        for (const auto& c : all)
          text += "{'" + c.name + "' " + c.expression + "} ";
        return text;
      };
      return out.str() + "checks " + checks(x.checks) + "vs " + checks(y.checks);
    }
    if (x.indexes != y.indexes) {
      auto indexes = [&](const std::map<std::string, Index>& all) {
        std::string text;
        for (const auto& [index_name, index] : all) {
          text += "{'" + index_name + "'" + (index.unique ? " UNIQUE" : "") + " (";
          for (const auto& k : index.keys)
            text += "[col '" + k.column + "' expr '" + k.expression + "' coll '" + k.collation +
                    "'" + (k.descending ? " DESC" : "") + "]";
          text += ") where " + optional(index.where) + "} ";
        }
        return text;
      };
      return out.str() + "indexes " + indexes(x.indexes) + "vs " + indexes(y.indexes);
    }
    out << "without_rowid " << x.without_rowid << "/" << y.without_rowid << " strict " << x.strict
        << "/" << y.strict;
    return out.str();
  }
  for (const auto& [name, view] : a.views) {
    const auto found = b.views.find(name);
    if (found == b.views.end())
      return "view '" + name + "' only in the first";
    if (!(found->second == view))
      return "view '" + name + "': " + list(view.columns) + " '" + view.sql + "' vs " +
             list(found->second.columns) + " '" + found->second.sql + "'";
  }
  for (const auto& [name, view] : b.views)
    if (!a.views.count(name))
      return "view '" + name + "' only in the second";
  for (const auto& [name, trigger] : a.triggers) {
    const auto found = b.triggers.find(name);
    if (found == b.triggers.end())
      return "trigger '" + name + "' only in the first";
    if (!(found->second == trigger))
      return "trigger '" + name + "': on '" + trigger.table + "' '" + trigger.sql + "' vs on '" +
             found->second.table + "' '" + found->second.sql + "'";
  }
  for (const auto& [name, trigger] : b.triggers)
    if (!a.triggers.count(name))
      return "trigger '" + name + "' only in the second";
  return a == b ? "" : "(models differ in a way not described)";
}

} // namespace dbtool::schema
