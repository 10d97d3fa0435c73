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

#include "dbtool/config/database_url.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/schema/schema.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/schema/sqlite_renderer.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <cctype>
#include <map>
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

// A boolean SQL expression over COLUMN, as canonical text: the shape SHAPE (0 to 11).
inline std::string predicate(int shape, const std::string& column) {
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
  for (char ch : shapes.at(static_cast<std::size_t>(shape))) {
    if (ch == '@')
      out += q(column);
    else
      out += ch;
  }
  return canonical_sql(out);
}

inline std::string predicate(Random& random, const std::string& column) {
  return predicate(random.between(0, 11), column);
}

// A scalar SQL expression over COLUMN, as canonical text (for generated columns and
// index keys; deterministic functions only): the shape SHAPE (0 to 9).
inline std::string scalar(int shape, const std::string& column) {
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
  return canonical_sql(shapes.at(static_cast<std::size_t>(shape)));
}

inline std::string scalar(Random& random, const std::string& column) {
  return scalar(random.between(0, 9), column);
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

// What a schema is generated for. The decisions both backends make come from the
// caller's engine in the same order whatever the backend (for SQLite the schemas are
// exactly those of before PostgreSQL was a target); PostgreSQL's own decisions (its
// options, comments, identities...) come from EXTRA, an engine of their own derived
// from the caller's state without advancing it.
struct Target {
  config::Backend backend = config::Backend::Sqlite;
  std::mt19937 extra{1};
  bool postgres() const { return backend == config::Backend::Postgres; }
};

// PostgreSQL: a name quoted as PostgreSQL needs it (SQLite's rules differ: "Key").
inline std::string pq(const std::string& name) {
  return quote_postgres_name(name);
}

inline std::string quoted(const Target& target, const std::string& name) {
  return target.postgres() ? pq(name) : q(name);
}

// PostgreSQL's families of types: what an expression, a default or a check may do
// with a column depends on them.
enum class Kind {
  Integer,
  Decimal,
  Text,
  Boolean,
  Date,
  Time,
  Timestamp,
  TimestampTz,
  Json,
  Uuid,
  Bytes,
  Array,
  Enum
};

// The family of a PostgreSQL type, as the generator spells it or as format_type does.
inline Kind kind_of(const std::string& type) {
  const auto starts = [&](const char* prefix) { return type.rfind(prefix, 0) == 0; };
  if (type.size() > 2 && type.compare(type.size() - 2, 2, "[]") == 0)
    return Kind::Array;
  if (type == "integer" || type == "bigint" || type == "smallint")
    return Kind::Integer;
  if (starts("numeric") || type == "real" || type == "double precision")
    return Kind::Decimal;
  if (type == "text" || starts("character") || starts("varchar"))
    return Kind::Text;
  if (type == "boolean")
    return Kind::Boolean;
  if (type == "date")
    return Kind::Date;
  if (starts("time with") || type == "time")
    return Kind::Time;
  if (type == "timestamptz" || type == "timestamp with time zone")
    return Kind::TimestampTz;
  if (starts("timestamp"))
    return Kind::Timestamp;
  if (type == "jsonb")
    return Kind::Json;
  if (type == "uuid")
    return Kind::Uuid;
  if (type == "bytea")
    return Kind::Bytes;
  return Kind::Enum; // mood, the generator's enum type
}

// SQLite's generated types as PostgreSQL's, one for one (so the same draw gives the
// same column): an integer, a text, a timestamp..., and where SQLite has no
// counterpart, PostgreSQL's own (an array, the enum type mood).
inline std::string postgres_type(const std::string& type) {
  static const std::map<std::string, std::string> types = {{"INTEGER", "integer"},
                                                           {"TEXT", "text"},
                                                           {"VARCHAR(20)", "varchar(20)"},
                                                           {"VARCHAR(255)", "varchar(255)"},
                                                           {"NUMERIC(10,2)", "numeric(10,2)"},
                                                           {"NUMERIC(5, 1)", "numeric(5,1)"},
                                                           {"REAL", "real"},
                                                           {"BLOB", "bytea"},
                                                           {"BOOLEAN", "boolean"},
                                                           {"DATETIME", "timestamp"},
                                                           {"DATE", "date"},
                                                           {"BIGINT", "bigint"},
                                                           {"SMALLINT", "smallint"},
                                                           {"FLOAT", "double precision"},
                                                           {"DOUBLE", "double precision"},
                                                           {"JSON", "jsonb"},
                                                           {"UUID", "uuid"},
                                                           {"UNSIGNED BIG INT", "text[]"},
                                                           {"", "mood"},
                                                           {"TIMESTAMP", "timestamp"},
                                                           {"integer", "integer"},
                                                           {"int", "integer"},
                                                           {"DOUBLE PRECISION", "double precision"},
                                                           {"TIME", "time"},
                                                           {"TIMESTAMPTZ", "timestamptz"},
                                                           {"NUMERIC", "numeric"},
                                                           {"VARCHAR", "varchar"},
                                                           {"CHARACTER(10)", "character(10)"},
                                                           {"text", "text"},
                                                           {"INT", "integer"},
                                                           {"ANY", "text"}};
  const auto found = types.find(type);
  return found == types.end() ? "text" : found->second;
}

// Replaces every ` of SHAPE by COLUMN (not @: PostgreSQL's @> is an operator).
inline std::string shaped(const std::string& shape, const std::string& column) {
  std::string out;
  for (char ch : shape) {
    if (ch == '`')
      out += column;
    else
      out += ch;
  }
  return out;
}

// The item of ITEMS that the draw K (made for a list of another size) stands for.
inline const std::string& nth(const std::vector<std::string>& items, int k) {
  return items.at(static_cast<std::size_t>(k) % items.size());
}

// A default of KIND's family; K is the draw SQLite's list was picked with.
inline std::string postgres_default(Kind kind, int k) {
  if (defaults().at(static_cast<std::size_t>(k)) == "NULL")
    return "NULL";
  static const std::map<Kind, std::vector<std::string>> values = {
      {Kind::Integer, {"0", "42", "-1", "(1 + 2)", "7", "-(3)"}},
      {Kind::Decimal, {"0", "42", "-1", "-0.5", "3.14", "1.5e-3", "(1 + 2)"}},
      {Kind::Text,
       {"'text'", "'it''s'", "'a, (b)'", "''", "'--x'", "'line\nbr'", "'表'", "lower('ABC')",
        "'(,)'"}},
      {Kind::Boolean, {"true", "false", "TRUE", "(NOT false)"}},
      {Kind::Date, {"CURRENT_DATE", "'2020-01-01'", "'infinity'"}},
      {Kind::Time, {"'12:00'", "LOCALTIME", "'00:00:01'"}},
      {Kind::Timestamp, {"CURRENT_TIMESTAMP", "now()", "'2020-01-01 10:00'", "LOCALTIMESTAMP"}},
      {Kind::TimestampTz, {"CURRENT_TIMESTAMP", "now()", "'2020-01-01 10:00+02'"}},
      {Kind::Json, {"'{}'", "'[1, 2]'", "'{\"a\": \"it''s\"}'", "'null'"}},
      {Kind::Uuid, {"gen_random_uuid()", "'00000000-0000-0000-0000-000000000000'"}},
      {Kind::Bytes, {"'\\x00ff'", "''", "'\\x'"}},
      {Kind::Array, {"'{}'", "ARRAY['a', 'b']", "'{x,\"y z\"}'"}},
      {Kind::Enum, {"'ok'", "'sad'"}}};
  return nth(values.at(kind), k);
}

// A boolean expression over COLUMN (quoted) of KIND's family; K is SQLite's draw.
inline std::string postgres_predicate(Kind kind, int k, const std::string& column) {
  static const std::vector<std::string> numbers = {"` > 0",
                                                   "` BETWEEN 1 AND 10",
                                                   "` IS NOT NULL",
                                                   "` IS NULL OR ` >= 0",
                                                   "` IN (1, 2, 3)",
                                                   "` IS DISTINCT FROM 7",
                                                   "` <> 13",
                                                   "(` + 1) * 2 > -5",
                                                   "NOT (` = 0) AND ` < 1000000",
                                                   "abs(`) < 1000",
                                                   "coalesce(`, 0) <= 99",
                                                   "CASE WHEN ` > 0 THEN 1 ELSE 0 END = 1"};
  static const std::map<Kind, std::vector<std::string>> shapes = {
      {Kind::Integer, numbers},
      {Kind::Decimal, numbers},
      {Kind::Text,
       {"length(`) > 0", "` BETWEEN 'a' AND 'z'", "` IS NOT NULL", "` IS NULL OR ` >= ''",
        "` IN ('a', 'b', 'it''s')", "` ~ '^[a-z]*$'", "` <> '(,)'", "` NOT IN ('x', 'y')",
        "NOT (` = '') AND length(`) < 1000000", "lower(`) = upper(`) OR ` LIKE 'x%'",
        "coalesce(`, '') <> 'zz'", "CASE WHEN ` > 'm' THEN 1 ELSE 0 END = 1"}},
      {Kind::Boolean,
       {"` IS NOT NULL", "` OR NOT `", "` IS DISTINCT FROM false", "coalesce(`, true)",
        "NOT ` OR ` IS NULL", "` = true"}},
      {Kind::Date,
       {"` > '2000-01-01'", "` BETWEEN '2000-01-01' AND '2100-01-01'", "` IS NOT NULL",
        "` <> '2020-02-02'", "` IS DISTINCT FROM '1999-12-31'"}},
      {Kind::Time, {"` > '01:00'", "` IS NOT NULL", "` BETWEEN '00:00' AND '23:00'"}},
      {Kind::Timestamp,
       {"` > '2000-01-01'", "` BETWEEN '2000-01-01' AND '2100-01-01 10:00'", "` IS NOT NULL",
        "` <> '2020-02-02 12:00'"}},
      {Kind::TimestampTz, {"` > '2000-01-01 00:00+00'", "` IS NOT NULL"}},
      {Kind::Json,
       {"` ? 'k'", "` <> '{}'", "jsonb_typeof(`) <> 'null'", "` @> '{}'", "` IS NOT NULL"}},
      {Kind::Uuid,
       {"` <> '00000000-0000-0000-0000-000000000000'", "` IS NOT NULL",
        "` IN ('00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002')"}},
      {Kind::Bytes, {"length(`) < 100", "` <> '\\x00'", "` IS NOT NULL"}},
      {Kind::Array,
       {"cardinality(`) < 10", "` && ARRAY['a', 'b']", "'x' = ANY (`)", "` <> '{}'",
        "` IS NOT NULL"}},
      {Kind::Enum, {"` <> 'sad'", "` IN ('ok', 'sad')", "` IS NOT NULL"}}};
  return shaped(nth(shapes.at(kind), k), column);
}

// A scalar, immutable expression over COLUMN (quoted) of KIND's family, for a
// generated column or an index key, and the type it gives; K is SQLite's draw.
inline std::pair<std::string, std::string> postgres_scalar(Kind kind, const std::string& type,
                                                           int k, const std::string& column) {
  using Shapes = std::vector<std::pair<std::string, std::string>>;
  const std::string decimal =
      type == "real" || type == "double precision" ? "double precision" : "numeric";
  const std::map<Kind, Shapes> shapes = {
      {Kind::Integer,
       {{"` * 2", "bigint"},
        {"` + 1", "bigint"},
        {"abs(`)", "bigint"},
        {"(` - 1) * 3", "bigint"},
        {"` % 7", "bigint"},
        {"-`", "bigint"},
        {"` / 2", "bigint"},
        {"greatest(`, 0)", "bigint"},
        {"least(`, 100)", "bigint"},
        {"coalesce(`, 0)", "bigint"}}},
      {Kind::Decimal,
       {{"` * 2", decimal},
        {"` + 1", decimal},
        {"abs(`)", decimal},
        {"(` - 1) * 3", decimal},
        {"-`", decimal},
        {"` / 2", decimal},
        {"greatest(`, 0)", decimal},
        {"least(`, 100)", decimal},
        {"coalesce(`, 0)", decimal},
        {"floor(`)", decimal}}},
      {Kind::Text,
       {{"length(`)", "integer"},
        {"upper(`)", "text"},
        {"` || 'x'", "text"},
        {"md5(`)", "text"},
        {"substr(`, 1, 3)", "text"},
        {"lower(`)", "text"},
        {"coalesce(`, '(,)')", "text"},
        {"trim(`)", "text"},
        {"replace(`, 'a', 'b')", "text"},
        {"left(`, 2)", "text"}}},
      {Kind::Boolean, {{"NOT `", "boolean"}, {"` IS NULL", "boolean"}}},
      {Kind::Date, {{"` + 1", "date"}, {"` IS NULL", "boolean"}}},
      {Kind::Timestamp, {{"date_trunc('day', `)", "timestamp"}, {"` IS NULL", "boolean"}}},
      {Kind::Json, {{"` ->> 'k'", "text"}, {"` IS NULL", "boolean"}}},
      {Kind::Array, {{"cardinality(`)", "integer"}, {"` IS NULL", "boolean"}}},
      {Kind::Bytes, {{"length(`)", "integer"}, {"` IS NULL", "boolean"}}}};
  const auto found = shapes.find(kind);
  const Shapes fallback = {{"` IS NULL", "boolean"}, {"` IS NOT NULL", "boolean"}};
  const Shapes& list = found == shapes.end() ? fallback : found->second;
  const auto& shape = list.at(static_cast<std::size_t>(k) % list.size());
  return {shaped(shape.first, column), shape.second};
}

// SQLite's collation draws as PostgreSQL's, for a column or key of KIND's family only.
inline std::string postgres_collation(Kind kind, const std::string& sqlite_collation) {
  if (kind != Kind::Text)
    return "";
  if (sqlite_collation == "NOCASE")
    return "C";
  if (sqlite_collation == "RTRIM")
    return "POSIX";
  return "";
}

// What made a PostgreSQL table's type-dependent texts, so that a column whose type a
// foreign key changes can have them made again: per column, the draw of its default
// (-1: none) and of its collation; per check and generated column, its source column
// and shape draw.
struct TableMemo {
  std::map<std::string, int> default_draw;
  std::map<std::string, std::string> collation_draw;
  std::vector<std::pair<std::string, int>> check_draws;               // by check position
  std::map<std::string, std::pair<std::string, int>> generated_draws; // by generated column
};

// A PostgreSQL column's texts made (again) for its type.
inline void shape_for_type(Table& table, const std::string& column_name, const TableMemo& memo) {
  Column* column = nullptr;
  for (auto& item : table.columns)
    if (item.name == column_name)
      column = &item;
  if (column == nullptr)
    return;
  const Kind kind = kind_of(column->type);
  if (const auto found = memo.default_draw.find(column_name);
      found != memo.default_draw.end() && found->second >= 0 && !column->generated &&
      column->identity.empty())
    column->default_sql = postgres_default(kind, found->second);
  if (const auto found = memo.collation_draw.find(column_name);
      found != memo.collation_draw.end() && !column->generated)
    column->collation = postgres_collation(kind, found->second);
  for (std::size_t i = 0; i < memo.check_draws.size() && i < table.checks.size(); ++i)
    if (memo.check_draws[i].first == column_name)
      table.checks[i].expression =
          postgres_predicate(kind, memo.check_draws[i].second, pq(column_name));
  for (auto& other : table.columns)
    if (const auto found = memo.generated_draws.find(other.name);
        found != memo.generated_draws.end() && found->second.first == column_name) {
      const auto [expression, type] =
          postgres_scalar(kind, column->type, found->second.second, pq(column_name));
      other.generated = expression;
      other.type = type;
      const auto collation = memo.collation_draw.find(other.name);
      other.collation = postgres_collation(
          kind_of(type), collation == memo.collation_draw.end() ? "" : collation->second);
    }
}

inline Table generate_table(Random& random, NameSpace& objects, const std::string& name,
                            const Schema& earlier, Target& target) {
  const bool pg = target.postgres();
  Random extra(target.extra);
  TableMemo memo; // PostgreSQL: what made the texts that depend on a column's type
  auto column_kind = [&](const Table& table, const std::string& column) {
    const Column* found = table.find_column(column);
    return kind_of(found ? found->type : "text");
  };
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
    int default_draw = -1;
    if (random.chance(0.3)) {
      default_draw = random.between(0, static_cast<int>(defaults().size()) - 1);
      column.default_sql = defaults()[static_cast<std::size_t>(default_draw)];
    }
    if (random.chance(0.2))
      column.collation = random.chance(0.6) ? "NOCASE" : "RTRIM";
    if (pg) {
      column.type = postgres_type(column.type);
      memo.default_draw[column.name] = default_draw;
      memo.collation_draw[column.name] = column.collation;
      column.default_sql.reset();
      column.collation.clear();
    }
    table.columns.push_back(std::move(column));
  }

  // The primary key: none, an INTEGER rowid alias, one column, or several.
  const int key_kind = random.between(0, 3);
  if (key_kind == 1) {
    auto& column = table.columns[0];
    column.type = pg ? "integer" : "INTEGER";
    PrimaryKey key{"", {column.name}, random.chance(0.4), {}};
    table.primary_key = key;
    if (pg && key.autoincrement) { // AUTOINCREMENT: an identity column
      column.identity = extra.chance(0.3) ? "ALWAYS" : "BY DEFAULT";
      if (extra.chance(0.3))
        column.sequence_options = extra.pick(std::vector<std::string>{
            "INCREMENT BY 5", "START WITH 10", "INCREMENT BY 2 START WITH 100", "MAXVALUE 30000",
            "CACHE 10", "CYCLE", "START WITH 3 CACHE 2"});
      memo.default_draw[column.name] = -1;
    } else if (pg && extra.chance(0.3)) { // serial, its sequence named as PostgreSQL names it
      column.default_sql =
          "nextval(" + util::sql_quote(pq(name + "_" + column.name + "_seq")) + "::regclass)";
      if (extra.chance(0.3))
        column.sequence_options =
            extra.pick(std::vector<std::string>{"INCREMENT BY 5", "START WITH 10", "CACHE 3"});
      memo.default_draw[column.name] = -1;
    }
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
    const std::string source = random.pick(plain_columns(table));
    const int shape = random.between(0, 9);
    column.generated = scalar(shape, source);
    column.generated_stored = random.chance(0.5);
    column.not_null = random.chance(0.2);
    if (random.chance(0.15))
      column.collation = "NOCASE";
    if (pg) { // PostgreSQL's generated columns are STORED, typed as their expression
      memo.generated_draws[column.name] = {source, shape};
      memo.collation_draw[column.name] = column.collation;
      column.generated_stored = true;
    }
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
    if (pg) {
      unique.nulls_not_distinct = extra.chance(0.2);
      const int deferral = extra.between(0, 9);
      unique.deferrable = deferral == 0;
      unique.deferrable_immediate = deferral == 1;
      if (extra.chance(0.1))
        for (const auto& column : table.columns)
          if (std::find(unique.columns.begin(), unique.columns.end(), column.name) ==
              unique.columns.end()) {
            unique.include = {column.name};
            break;
          }
      if (extra.chance(0.1))
        unique.storage_parameters = {"fillfactor=" + std::to_string(extra.between(50, 100))};
    }
    table.unique_constraints.push_back(std::move(unique));
  }
  const int check_count = random.chance(0.35) ? random.between(1, 2) : 0;
  for (int i = 0; i < check_count; ++i) {
    CheckConstraint check;
    if (random.chance(0.4))
      check.name = fresh_name(random, objects, "ck_", 0.2);
    const std::string column = random.pick(plain_columns(table));
    const int shape = random.between(0, 11);
    check.expression = predicate(shape, column);
    if (pg) {
      memo.check_draws.push_back({column, shape});
      check.no_inherit = extra.chance(0.1);
    }
    table.checks.push_back(std::move(check));
  }
  if (pg) // the texts of every column, for its type
    for (const auto& column : all_columns(table))
      shape_for_type(table, column, memo);

  // Foreign keys to the primary key of an earlier table, or of this one.
  std::vector<const Table*> parents;
  for (const auto& [parent_name, parent] : earlier.tables)
    if (parent.primary_key)
      parents.push_back(&parent);
  if (table.primary_key)
    parents.push_back(&table);
  std::set<std::string> pinned; // PostgreSQL: columns of the keys made so far: their type stays
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
    if (pg) {
      // PostgreSQL compares a key with its parent's: each column takes the type of
      // the parent's (its default, collation, checks and generated columns follow);
      // a column of an earlier key of the table, one of the table's own key
      // (a key may reference it), an identity or a serial drops the key.
      bool usable = true;
      for (std::size_t c = 0; c < size; ++c) {
        const Column* child = table.find_column(key.columns[c]);
        const Column* referenced =
            (&parent == &table ? table : parent).find_column(parent.primary_key->columns[c]);
        const bool keyed =
            table.primary_key &&
            std::find(table.primary_key->columns.begin(), table.primary_key->columns.end(),
                      child->name) != table.primary_key->columns.end();
        if (child->type != referenced->type &&
            (pinned.count(child->name) != 0 || keyed || !child->identity.empty() ||
             !child->sequence_options.empty() ||
             (child->default_sql && child->default_sql->rfind("nextval(", 0) == 0)))
          usable = false;
      }
      if (!usable)
        continue;
      for (std::size_t c = 0; c < size; ++c) {
        const std::string referenced_type =
            (&parent == &table ? table : parent).find_column(parent.primary_key->columns[c])->type;
        for (auto& column : table.columns)
          if (column.name == key.columns[c])
            column.type = referenced_type;
        shape_for_type(table, key.columns[c], memo);
        pinned.insert(key.columns[c]);
      }
      key.match = extra.chance(0.15) ? "FULL" : "";
      key.deferrable_immediate = !key.deferrable && extra.chance(0.15);
    }
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
      Kind kind = Kind::Text; // PostgreSQL: the family of the key's values
      if (random.chance(0.25)) {
        const std::string source = random.pick(plain_columns(table));
        const int shape = random.between(0, 9);
        key.expression = scalar(shape, source);
        if (!used.take(key.expression)) // SQLite's text decides, for both backends
          continue;
        if (pg) {
          const auto [expression, type] = postgres_scalar(
              column_kind(table, source), table.find_column(source)->type, shape, pq(source));
          key.expression = expression;
          kind = kind_of(type);
        }
      } else {
        const Column& column = random.pick(table.columns);
        if (!used.take(column.name))
          continue;
        key.column = column.name;
        default_collation = column.collation;
        kind = kind_of(column.type);
      }
      if (random.chance(0.3)) {
        key.collation = random.pick(std::vector<std::string>{"NOCASE", "RTRIM", "BINARY"});
        if (pg)
          key.collation = postgres_collation(kind, key.collation);
        else if (key.collation == (default_collation.empty() ? "BINARY" : default_collation))
          key.collation.clear(); // introspection reports the default as none
      }
      key.descending = random.chance(0.3);
      if (pg && extra.chance(0.2))
        key.nulls = key.descending ? "LAST" : "FIRST";
      index.keys.push_back(std::move(key));
    }
    if (random.chance(0.3)) {
      const std::string column = random.pick(plain_columns(table));
      const int shape = random.between(0, 11);
      index.where = pg ? postgres_predicate(column_kind(table, column), shape, pq(column))
                       : predicate(shape, column);
    }
    if (pg) {
      // GIN for one array or jsonb column; else INCLUDE, WITH and NULLS NOT DISTINCT.
      const auto& first = index.keys.front();
      if (index.keys.size() == 1 && !first.column.empty() &&
          (column_kind(table, first.column) == Kind::Array ||
           column_kind(table, first.column) == Kind::Json) &&
          extra.chance(0.5)) {
        index.method = "gin";
        index.unique = false;
        index.keys.front() = IndexKey{first.column, "", "", false, "", ""};
      } else {
        if (extra.chance(0.1))
          for (const auto& column : table.columns)
            if (std::none_of(index.keys.begin(), index.keys.end(),
                             [&](const IndexKey& key) { return key.column == column.name; })) {
              index.include = {column.name};
              break;
            }
        if (extra.chance(0.1))
          index.storage_parameters = {"fillfactor=" + std::to_string(extra.between(50, 100))};
        index.nulls_not_distinct = index.unique && extra.chance(0.3);
      }
    }
    table.indexes.emplace(index.name, std::move(index));
  }

  if (pg) { // SQLite's own options go; comments and storage parameters come
    table.without_rowid = false;
    table.strict = false;
    if (table.primary_key)
      table.primary_key->autoincrement = false;
    if (extra.chance(0.2))
      table.comment = extra.pick(std::vector<std::string>{"a table", "it's a table", "表"});
    for (auto& column : table.columns)
      if (extra.chance(0.1))
        column.comment = "column " + column.name;
    if (table.primary_key && !table.primary_key->name.empty() && extra.chance(0.2))
      table.primary_key->comment = "the key";
    for (auto& check : table.checks)
      if (!check.name.empty() && extra.chance(0.2))
        check.comment = "checked";
    for (auto& key : table.foreign_keys)
      if (!key.name.empty() && extra.chance(0.2))
        key.comment = "the parent's";
    for (auto& [index_name, index] : table.indexes)
      if (extra.chance(0.2))
        index.comment = "indexed";
    if (extra.chance(0.1))
      table.storage_parameters = {"fillfactor=" + std::to_string(extra.between(50, 100))};
  }
  return table;
}

} // namespace generator_detail

// A random valid schema: 1 to 6 tables, and some views and triggers over them. For
// PostgreSQL (TARGET), the same schema in PostgreSQL's types and expressions, without
// what only SQLite has (WITHOUT ROWID, STRICT, ON CONFLICT, its collations) and with
// what PostgreSQL adds and dbtool migrates: identity and serial columns with sequence
// options, NULLS NOT DISTINCT, DEFERRABLE, INCLUDE, WITH, NO INHERIT, MATCH FULL, GIN
// indexes, NULLS FIRST/LAST, comments, an enum type, trigger functions, a free
// sequence. A PostgreSQL schema is a model, not yet in the normal form introspection
// gives: run it through the server to compare.
inline Schema generate_schema(std::mt19937& rng,
                              config::Backend backend = config::Backend::Sqlite) {
  using namespace generator_detail;
  Target target;
  target.backend = backend;
  {
    std::mt19937 copy = rng; // PostgreSQL's own stream, from the state, not a draw
    copy.discard(7919);
    target.extra.seed(copy());
  }
  const bool pg = target.postgres();
  Random random(rng);
  Random extra(target.extra);
  NameSpace objects; // tables, indexes, views and constraint names
  NameSpace trigger_names;
  Schema schema;
  const int table_count = random.between(1, 6);
  for (int i = 0; i < table_count; ++i) {
    const std::string name = fresh_name(random, objects, "t");
    schema.tables.emplace(name, generate_table(random, objects, name, schema, target));
  }

  std::vector<const Table*> tables;
  for (const auto& [name, table] : schema.tables)
    tables.push_back(&table);
  auto kind_in = [](const Table& table, const std::string& column) {
    return kind_of(table.find_column(column)->type);
  };

  const int view_count = random.chance(0.4) ? random.between(1, 2) : 0;
  for (int i = 0; i < view_count; ++i) {
    const Table& table = *random.pick(tables);
    const auto columns =
        random.sample(all_columns(table),
                      static_cast<std::size_t>(random.between(
                          1, static_cast<int>(std::min<std::size_t>(3, table.columns.size())))));
    std::vector<std::string> aliases;
    for (std::size_t c = 0; c < columns.size(); ++c)
      aliases.push_back(random.chance(0.3) ? "v " + columns[c] : "");
    std::string where;
    if (random.chance(0.6)) {
      const std::string column = random.pick(plain_columns(table));
      const int shape = random.between(0, 11);
      where = pg ? postgres_predicate(kind_in(table, column), shape, pq(column))
                 : predicate(shape, column);
    }
    const bool ordered = random.chance(0.3);
    View view;
    view.name = fresh_name(random, objects, "v");
    if (random.chance(0.25)) { // CREATE VIEW v (x, y): names for the SELECT's columns
      NameSpace view_columns;
      for (std::size_t c = 0; c < columns.size(); ++c)
        view.columns.push_back(fresh_name(random, view_columns, "x", 0.3));
    }
    if (pg && !view.columns.empty()) { // PostgreSQL's views name their columns in the SELECT
      aliases = view.columns;
      view.columns.clear();
    }
    std::string select = "SELECT ";
    for (std::size_t c = 0; c < columns.size(); ++c)
      select += (c ? ", " : "") + quoted(target, columns[c]) +
                (aliases[c].empty() ? "" : " AS " + quoted(target, aliases[c]));
    select += " FROM " + quoted(target, table.name);
    if (!where.empty())
      select += " WHERE " + where;
    if (ordered)
      select += " ORDER BY " + quoted(target, columns[0]) + " DESC";
    view.sql = pg ? select : canonical_sql(select);
    if (pg && extra.chance(0.2))
      view.comment = "a view";
    schema.views.emplace(view.name, std::move(view));
  }

  const int trigger_count = random.chance(0.4) ? random.between(1, 2) : 0;
  for (int i = 0; i < trigger_count; ++i) {
    const Table& table = *random.pick(tables);
    const std::string name = fresh_name(random, trigger_names, "trg");
    const std::string column_name = random.pick(plain_columns(table));
    const std::string column = q(column_name);
    std::string sql;
    const int shape = random.between(0, 2);
    if (pg) { // a trigger function each, which lets every row through
      const std::string function = name + "_fn";
      const std::string c = pq(column_name);
      const std::string head = "CREATE TRIGGER " + pq(name) + " ";
      const std::string on = " ON " + pq(table.name) + " FOR EACH ROW ";
      sql = head +
            (shape == 0   ? "AFTER INSERT" + on
             : shape == 1 ? "BEFORE DELETE" + on + "WHEN (OLD." + c + " IS NOT NULL) "
                          : "AFTER UPDATE OF " + c + on) +
            "EXECUTE FUNCTION " + pq(function) + "()";
      Routine routine;
      routine.name = function + "()";
      routine.definition = "CREATE FUNCTION " + pq(function) +
                           "() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  IF TG_OP = "
                           "'DELETE' THEN\n    RETURN OLD;\n  END IF;\n  RETURN NEW;\nEND;\n$$";
      if (extra.chance(0.2))
        routine.comment = "fires";
      schema.routines.emplace(routine.name, std::move(routine));
      schema.triggers.emplace(name, Trigger{name, table.name, sql});
      continue;
    }
    switch (shape) {
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

  if (pg) { // the enum type its columns need, and now and then a free sequence
    bool enum_used = false;
    for (const auto& [name, table] : schema.tables)
      for (const auto& column : table.columns)
        enum_used = enum_used || column.type == "mood";
    if (enum_used)
      schema.enums.emplace(
          "mood",
          EnumType{"mood", {"sad", "ok", "it's fine"}, extra.chance(0.2) ? "feelings" : ""});
    if (extra.chance(0.2)) {
      Sequence sequence;
      sequence.name = fresh_name(extra, objects, "seq", 0.1);
      sequence.type = extra.pick(std::vector<std::string>{"bigint", "integer", "smallint"});
      sequence.start = extra.between(1, 100);
      sequence.increment = extra.pick(std::vector<int>{1, 2, 5});
      sequence.options =
          extra.pick(std::vector<std::string>{"", "CACHE 5", "CYCLE", "MAXVALUE 10000"});
      if (extra.chance(0.3))
        sequence.comment = "numbers";
      schema.sequences.emplace(sequence.name, std::move(sequence));
    }
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
