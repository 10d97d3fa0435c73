#include "dbtool/schema/sqlite_introspector.h"

#include "dbtool/schema/create_statement.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <cctype>
#include <map>

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

// Uppercases an action or collation keyword so that spellings compare equal.
// Every PRAGMA the introspection needs, read for all tables at once through the
// table-valued pragma functions: a constant number of queries, not four per table.
struct PragmaRows {
  std::map<std::string, Rows> columns;      // table -> table_xinfo rows
  std::map<std::string, Rows> foreign_keys; // table -> foreign_key_list rows
  std::map<std::string, Rows> indexes;      // table -> index_list rows
  std::map<std::string, Rows> index_keys;   // index -> index_xinfo rows

  explicit PragmaRows(db::Connection& connection) {
    const std::string tables =
        "FROM sqlite_schema m, %s WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' AND m.sql NOT LIKE 'CREATE VIRTUAL%'";
    auto read = [&](std::map<std::string, Rows>& into, const std::string& select,
                    const std::string& from, const std::string& order) {
      std::string sql = select + " " + tables + " ORDER BY " + order;
      sql.replace(sql.find("%s"), 2, from);
      for (auto& row : connection.query(sql)) {
        const std::string owner = row.at(0).value_or("");
        row.erase(row.begin());
        into[owner].push_back(std::move(row));
      }
    };
    read(columns, "SELECT m.name, p.*", "pragma_table_xinfo(m.name) p", "m.name, p.cid");
    read(foreign_keys, "SELECT m.name, p.*", "pragma_foreign_key_list(m.name) p",
         "m.name, p.id, p.seq");
    read(indexes, "SELECT m.name, p.*", "pragma_index_list(m.name) p", "m.name, p.seq");
    read(index_keys, "SELECT l.name, x.*",
         "pragma_index_list(m.name) l, pragma_index_xinfo(l.name) x", "l.name, x.seqno");
  }
};

void read_columns(const PragmaRows& pragmas, Table& table, const ParsedCreateTable& parsed) {
  std::vector<std::pair<int, std::string>> key_columns;
  const auto found = pragmas.columns.find(table.name);
  for (const auto& row : found == pragmas.columns.end() ? Rows{} : found->second) {
    // cid, name, type, notnull, dflt_value, pk, hidden
    const int hidden = std::stoi(text_of(row.at(6)));
    if (hidden == 1)
      continue; // a virtual table's hidden column
    Column column;
    column.name = text_of(row.at(1));
    column.type = text_of(row.at(2));
    column.not_null = text_of(row.at(3)) == "1";
    column.default_sql = row.at(4);
    for (const auto& parsed_column : parsed.columns)
      if (same_name(parsed_column.name, column.name)) {
        column.collation = util::to_upper(parsed_column.collation);
        if (column.collation == "BINARY")
          column.collation.clear();
        column.generated = parsed_column.generated;
        column.generated_stored = parsed_column.generated_stored;
        column.not_null_conflict = parsed_column.not_null_conflict;
      }
    if (hidden == 2 || hidden == 3)
      column.generated_stored = hidden == 3;
    const int pk = std::stoi(text_of(row.at(5)));
    if (pk > 0)
      key_columns.emplace_back(pk, column.name);
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
}

void read_foreign_keys(const PragmaRows& pragmas, Table& table, const ParsedCreateTable& parsed) {
  // id, seq, table, from, to, on_update, on_delete, match
  std::map<int, ForeignKey> by_id;
  const auto found = pragmas.foreign_keys.find(table.name);
  for (const auto& row : found == pragmas.foreign_keys.end() ? Rows{} : found->second) {
    auto& key = by_id[std::stoi(text_of(row.at(0)))];
    key.ref_table = text_of(row.at(2));
    key.columns.push_back(column_spelling(table, text_of(row.at(3))));
    if (row.at(4))
      key.ref_columns.push_back(*row.at(4));
    key.on_update = util::to_upper(text_of(row.at(5)));
    key.on_delete = util::to_upper(text_of(row.at(6)));
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

void read_indexes(const PragmaRows& pragmas, Table& table,
                  const std::map<std::string, std::string>& index_sql) {
  // seq, name, unique, origin, partial
  const auto listed = pragmas.indexes.find(table.name);
  for (const auto& row : listed == pragmas.indexes.end() ? Rows{} : listed->second) {
    if (text_of(row.at(3)) != "c")
      continue; // UNIQUE and PRIMARY KEY constraints are part of the table
    Index index;
    index.name = text_of(row.at(1));
    index.unique = text_of(row.at(2)) == "1";
    const auto sql = index_sql.find(index.name);
    const ParsedCreateIndex parsed =
        sql == index_sql.end() ? ParsedCreateIndex{} : parse_create_index(sql->second);
    index.where = parsed.where;
    std::size_t position = 0;
    // seqno, cid, name, desc, coll, key
    const auto keys = pragmas.index_keys.find(index.name);
    for (const auto& key_row : keys == pragmas.index_keys.end() ? Rows{} : keys->second) {
      if (text_of(key_row.at(5)) != "1")
        continue; // the rowid or primary key appended to every index
      IndexKey key;
      const int cid = std::stoi(text_of(key_row.at(1)));
      key.descending = text_of(key_row.at(3)) == "1";
      std::string default_collation;
      if (cid >= 0) {
        key.column = text_of(key_row.at(2));
        if (const Column* column = table.find_column(key.column))
          default_collation = column->collation;
      }
      key.collation = util::to_upper(text_of(key_row.at(4)));
      if (cid < 0 && position < parsed.keys.size()) {
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
}

} // namespace

Schema introspect_sqlite(db::Connection& connection, const std::set<std::string>& exclude) {
  Schema schema;
  // One read transaction: a consistent view, and no lock taken per query.
  const bool own_transaction = !connection.in_transaction();
  if (own_transaction)
    connection.execute("BEGIN");
  struct EndRead {
    db::Connection& connection;
    bool active;
    ~EndRead() {
      if (active)
        connection.rollback();
    }
  } end_read{connection, own_transaction};
  const PragmaRows pragmas(connection);
  const Rows objects = connection.query(
      "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' "
      "ESCAPE '\\' ORDER BY type, name");
  std::map<std::string, std::string> index_sql;
  for (const auto& row : objects)
    if (text_of(row.at(0)) == "index" && row.at(3))
      index_sql[text_of(row.at(1))] = *row.at(3);
  // table_list knows STRICT and WITHOUT ROWID for certain, whatever the CREATE text says.
  std::map<std::string, std::pair<bool, bool>> options;
  std::set<std::string> shadow; // a virtual table's own storage (FTS5's f_data, ...)
  for (const auto& row : connection.query("PRAGMA main.table_list")) {
    // schema, name, type, ncol, wr, strict
    options[text_of(row.at(1))] = {text_of(row.at(4)) == "1", text_of(row.at(5)) == "1"};
    if (text_of(row.at(2)) == "shadow")
      shadow.insert(text_of(row.at(1)));
  }

  for (const auto& row : objects) {
    const std::string type = text_of(row.at(0));
    const std::string name = text_of(row.at(1));
    const std::string table_name = text_of(row.at(2));
    const std::string sql = text_of(row.at(3));
    if (exclude.count(name) != 0 || exclude.count(table_name) != 0 || shadow.count(table_name) != 0)
      continue;
    if (type == "table") {
      if (util::starts_with(util::trim(sql).substr(0, 20), "CREATE VIRTUAL"))
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
    } else if (type == "view") {
      schema.views.emplace(name, View{name, parse_view_select(sql), parse_view_columns(sql)});
    } else if (type == "trigger") {
      schema.triggers.emplace(name, Trigger{name, table_name, canonical_sql(sql)});
    }
  }
  for (auto& [name, table] : schema.tables)
    read_indexes(pragmas, table, index_sql);
  return schema;
}

} // namespace dbtool::schema
