#include "dbtool/schema/sqlite_introspector.h"

#include "dbtool/error.h"
#include "dbtool/schema/create_statement.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <type_traits>
#include <unordered_map>

namespace dbtool::schema {

namespace {

using db::Rows;

bool same_name(const std::string& a, const std::string& b) {
  return util::equals_ignoring_case(a, b);
}

std::string text_of(const db::Value& value) {
  return value.value_or("");
}

// The table's own spelling of COLUMN (SQLite names are case-insensitive).
std::string column_spelling(const Table& table, const std::string& column) {
  for (const auto& candidate : table.columns)
    if (same_name(candidate.name, column))
      return candidate.name;
  return column;
}

// The PRAGMA rows the model needs, typed, as SQLite reports them.
struct ColumnRow {
  std::string name;
  std::string type;
  bool not_null = false;
  std::optional<std::string> default_sql;
  int primary_key_position = 0;
  int hidden = 0;
};
struct ForeignKeyRow {
  int id = 0;
  std::string ref_table;
  std::string from;
  std::optional<std::string> to;
  std::string on_update;
  std::string on_delete;
};
struct IndexKeyRow {
  int cid = 0;
  std::string column;
  bool descending = false;
  std::string collation;
  bool key = false; // false for the rowid or primary key appended to every index
};

// Every PRAGMA the introspection needs, read for all tables at once through the
// table-valued pragma functions: a constant number of queries, not one per table.
// SQLite prepares one PRAGMA per table inside them, so the queries ask only what
// is needed: index_list is not read (the CREATE INDEX text in sqlite_schema says
// UNIQUE and WHERE), and foreign_key_list only for tables whose text says REFERENCES.
struct PragmaRows {
  std::unordered_map<std::string, std::vector<ColumnRow>> columns;          // by table
  std::unordered_map<std::string, std::vector<ForeignKeyRow>> foreign_keys; // by table
  std::unordered_map<std::string, std::vector<IndexKeyRow>> index_keys;     // by index

  explicit PragmaRows(db::Connection& connection) {
    const std::string tables = "m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                               "AND m.sql NOT LIKE 'CREATE VIRTUAL%'";
    auto text = [](const db::Statement& row, int column) { return std::string(row.bytes(column)); };
    auto optional_text = [&](const db::Statement& row, int column) -> std::optional<std::string> {
      if (row.type(column) == db::ValueType::Null)
        return std::nullopt;
      return text(row, column);
    };
    auto integer = [](const db::Statement& row, int column) {
      return static_cast<int>(row.integer(column));
    };
    // No ORDER BY, which would sort what already comes in order: the pragma function is
    // the inner loop of each join (it needs m.name), so an owner's rows arrive
    // together and in the pragma's own order (cid, id and seq, seqno); a lookup per
    // owner, not per row.
    auto read = [&](auto& into, const std::string& sql, auto&& make_row) {
      const auto statement = connection.prepare(sql);
      std::string owner;
      typename std::decay_t<decltype(into)>::mapped_type* rows = nullptr;
      while (statement->step()) {
        if (rows == nullptr || statement->bytes(0) != owner) {
          owner = std::string(statement->bytes(0));
          rows = &into[owner];
        }
        rows->push_back(make_row(*statement));
      }
    };
    read(columns,
         "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, p.hidden "
         "FROM sqlite_schema m, pragma_table_xinfo(m.name) p WHERE " +
             tables,
         [&](const db::Statement& row) {
           return ColumnRow{text(row, 1),          text(row, 2),    integer(row, 3) != 0,
                            optional_text(row, 4), integer(row, 5), integer(row, 6)};
         });
    read(foreign_keys,
         "SELECT m.name, p.id, p.\"table\", p.\"from\", p.\"to\", p.on_update, p.on_delete "
         "FROM sqlite_schema m, pragma_foreign_key_list(m.name) p WHERE " +
             tables + " AND m.sql LIKE '%REFERENCES%'",
         [&](const db::Statement& row) {
           return ForeignKeyRow{integer(row, 1),       text(row, 2), text(row, 3),
                                optional_text(row, 4), text(row, 5), text(row, 6)};
         });
    read(index_keys,
         "SELECT m.name, x.cid, x.name, x.\"desc\", x.coll, x.\"key\" "
         "FROM sqlite_schema m, pragma_index_xinfo(m.name) x "
         "WHERE m.type = 'index' AND m.sql IS NOT NULL",
         [&](const db::Statement& row) {
           return IndexKeyRow{integer(row, 1), text(row, 2), integer(row, 3) != 0, text(row, 4),
                              integer(row, 5) != 0};
         });
  }

  template <typename Row>
  static const std::vector<Row>& of(const std::unordered_map<std::string, std::vector<Row>>& rows,
                                    const std::string& owner) {
    static const std::vector<Row> none;
    const auto found = rows.find(owner);
    return found == rows.end() ? none : found->second;
  }
};

// Takes the table's PRAGMA rows (their strings move into the columns).
void read_columns(PragmaRows& pragmas, Table& table, const ParsedCreateTable& parsed) {
  std::vector<std::pair<int, std::string>> key_columns;
  const auto rows = pragmas.columns.find(table.name);
  if (rows == pragmas.columns.end())
    return;
  table.columns.reserve(rows->second.size());
  for (auto& row : rows->second) {
    if (row.hidden == 1)
      continue; // a virtual table's hidden column
    Column column;
    column.name = std::move(row.name);
    column.type = std::move(row.type);
    column.not_null = row.not_null;
    column.default_sql = std::move(row.default_sql);
    for (const auto& parsed_column : parsed.columns)
      if (same_name(parsed_column.name, column.name)) {
        column.collation = util::to_upper(parsed_column.collation);
        if (column.collation == "BINARY")
          column.collation.clear();
        column.generated = parsed_column.generated;
        column.generated_stored = parsed_column.generated_stored;
        column.not_null_conflict = parsed_column.not_null_conflict;
      }
    if (row.hidden == 2 || row.hidden == 3)
      column.generated_stored = row.hidden == 3;
    if (row.primary_key_position > 0)
      key_columns.emplace_back(row.primary_key_position, column.name);
    table.columns.push_back(std::move(column));
  }
  if (!key_columns.empty()) {
    std::sort(key_columns.begin(), key_columns.end());
    PrimaryKey key;
    key.name = parsed.primary_key_name;
    key.autoincrement = parsed.autoincrement;
    key.on_conflict = parsed.primary_key_conflict;
    for (auto& [position, name] : key_columns)
      key.columns.push_back(name);
    table.primary_key = std::move(key);
  }
  pragmas.columns.erase(rows);
}

void read_foreign_keys(const PragmaRows& pragmas, Table& table, const ParsedCreateTable& parsed) {
  std::map<int, ForeignKey> by_id;
  for (const auto& row : PragmaRows::of(pragmas.foreign_keys, table.name)) {
    auto& key = by_id[row.id];
    key.ref_table = row.ref_table;
    key.columns.push_back(column_spelling(table, row.from));
    if (row.to)
      key.ref_columns.push_back(*row.to);
    key.on_update = util::to_upper(row.on_update);
    key.on_delete = util::to_upper(row.on_delete);
  }
  // SQLite numbers foreign keys from the last declared; declaration order (and the
  // names) come from the CREATE text.
  std::vector<ForeignKey> keys;
  for (auto it = by_id.rbegin(); it != by_id.rend(); ++it)
    keys.push_back(std::move(it->second));
  std::vector<bool> used(parsed.foreign_keys.size(), false);
  for (auto& key : keys) {
    for (std::size_t p = 0; p < parsed.foreign_keys.size(); ++p) {
      const auto& candidate = parsed.foreign_keys[p];
      if (used[p] || !same_name(candidate.ref_table, key.ref_table) ||
          candidate.columns.size() != key.columns.size())
        continue;
      bool match = true;
      for (std::size_t c = 0; c < key.columns.size(); ++c)
        match = match && same_name(candidate.columns[c], key.columns[c]);
      if (match) {
        used[p] = true;
        key.name = candidate.name;
        key.deferrable = candidate.deferrable;
        break;
      }
    }
  }
  table.foreign_keys = std::move(keys);
}

// An index made by CREATE INDEX (UNIQUE and PRIMARY KEY constraints have automatic
// indexes without text; they are part of the table).
void read_index(const PragmaRows& pragmas, Table& table, const std::string& name,
                const ParsedCreateIndex& parsed) {
  Index index;
  index.name = name;
  index.unique = parsed.unique;
  index.where = parsed.where;
  std::size_t position = 0;
  for (const auto& row : PragmaRows::of(pragmas.index_keys, index.name)) {
    if (!row.key)
      continue; // the rowid or primary key appended to every index
    IndexKey key;
    key.descending = row.descending;
    std::string default_collation;
    if (row.cid >= 0) {
      key.column = row.column;
      if (const Column* column = table.find_column(key.column))
        default_collation = column->collation;
    }
    key.collation = util::to_upper(row.collation);
    if (row.cid < 0 && position < parsed.keys.size()) {
      const auto& parsed_key = parsed.keys[position];
      key.expression = parsed_key.expression;
      // The COLLATE at the end is the key's own when index_xinfo agrees; otherwise
      // it binds inside the expression and stays part of its text.
      if (!parsed_key.trailing_collation.empty() &&
          util::to_upper(parsed_key.trailing_collation) == key.collation)
        key.expression = parsed_key.without_collation;
    }
    if (key.collation == (default_collation.empty() ? "BINARY" : default_collation))
      key.collation.clear();
    index.keys.push_back(std::move(key));
    ++position;
  }
  table.indexes.emplace(index.name, std::move(index));
}

// A row of sqlite_schema.
struct SchemaObject {
  std::string type;
  std::string name;
  std::string table;
  std::optional<std::string> sql;
};

std::vector<SchemaObject> read_objects(db::Connection& connection) {
  std::vector<SchemaObject> objects;
  const auto statement = connection.prepare(
      "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' "
      "ESCAPE '\\'");
  while (statement->step()) {
    SchemaObject object;
    object.type = statement->bytes(0);
    object.name = statement->bytes(1);
    object.table = statement->bytes(2);
    if (statement->type(3) != db::ValueType::Null)
      object.sql = std::string(statement->bytes(3));
    objects.push_back(std::move(object));
  }
  return objects;
}

bool is_virtual_table(const SchemaObject& object) {
  return object.type == "table" && object.sql &&
         util::starts_with(util::trim(*object.sql).substr(0, 20), "CREATE VIRTUAL");
}

} // namespace

Schema introspect_sqlite(db::Connection& connection, const std::set<std::string>& exclude,
                         std::unordered_map<std::string, std::string>* create_sql) {
  if (connection.backend() != config::Backend::Sqlite)
    throw Error(ErrorKind::Database, "introspect_sqlite needs a SQLite database "
                                     "(schema::introspect reads either)");
  Schema schema;
  // One read transaction: a consistent view, and no lock taken per query.
  const db::ReadTransaction snapshot(connection, "BEGIN");
  std::vector<SchemaObject> objects = read_objects(connection);
  PragmaRows pragmas(connection);
  // table_list knows STRICT and WITHOUT ROWID for certain, whatever the CREATE text says.
  std::map<std::string, std::pair<bool, bool>> options;
  std::set<std::string> shadow; // a virtual table's own storage (FTS5's f_data, ...)
  for (const auto& row : connection.query("PRAGMA main.table_list")) {
    // schema, name, type, ncol, wr, strict
    options[text_of(row.at(1))] = {text_of(row.at(4)) == "1", text_of(row.at(5)) == "1"};
    if (text_of(row.at(2)) == "shadow")
      shadow.insert(text_of(row.at(1)));
  }

  for (auto& object : objects) {
    const std::string& name = object.name;
    if (exclude.count(name) != 0 || exclude.count(object.table) != 0 ||
        shadow.count(object.table) != 0)
      continue;
    static const std::string no_sql;
    const std::string& sql = object.sql ? *object.sql : no_sql;
    if (object.type == "table") {
      if (is_virtual_table(object))
        continue; // virtual tables belong to their module, not to the model
      const ParsedCreateTable parsed = parse_create_table(sql);
      Table table;
      table.name = name;
      read_columns(pragmas, table, parsed);
      read_foreign_keys(pragmas, table, parsed);
      for (auto unique : parsed.uniques) {
        for (auto& column : unique.columns)
          column = column_spelling(table, column);
        table.unique_constraints.push_back(std::move(unique));
      }
      table.checks = parsed.checks;
      const auto found = options.find(name);
      table.without_rowid = found != options.end() ? found->second.first : parsed.without_rowid;
      table.strict = found != options.end() ? found->second.second : parsed.strict;
      schema.tables.emplace(name, std::move(table));
    } else if (object.type == "view") {
      schema.views.emplace(name, View{name, parse_view_select(sql), parse_view_columns(sql)});
    } else if (object.type == "trigger") {
      schema.triggers.emplace(name, Trigger{name, object.table, canonical_sql(sql)});
    }
  }
  for (const auto& object : objects) {
    if (object.type != "index" || !object.sql)
      continue;
    if (const auto table = schema.tables.find(object.table); table != schema.tables.end())
      read_index(pragmas, table->second, object.name, parse_create_index(*object.sql));
  }
  if (create_sql != nullptr)
    for (auto& object : objects)
      if (object.sql && (object.type == "table" || object.type == "index"))
        create_sql->emplace(std::move(object.name), std::move(*object.sql));
  return schema;
}

} // namespace dbtool::schema
