#include "dbtool/schema/sqlite_renderer.h"

#include "dbtool/db/sql_text.h"
#include "dbtool/util/strings.h"

#include <functional>
#include <set>

namespace dbtool::schema {

std::string quote_name(const std::string& name) {
  bool plain =
      !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (char c : name)
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (plain && !db::is_sqlite_keyword(name))
    return name;
  return util::sql_identifier(name);
}

namespace {

std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names)
    out += (out.empty() ? "" : ", ") + quote_name(name);
  return out;
}

std::string conflict_clause(const std::string& action) {
  return action.empty() ? std::string() : " ON CONFLICT " + action;
}

std::string constraint_prefix(const std::string& name) {
  return name.empty() ? std::string() : "CONSTRAINT " + quote_name(name) + " ";
}

} // namespace

std::string render_column(const Column& column, bool parenthesized_default) {
  std::string item = quote_name(column.name);
  if (!column.type.empty())
    item += " " + column.type;
  if (column.not_null)
    item += " NOT NULL";
  if (column.not_null && !column.not_null_conflict.empty())
    item += " ON CONFLICT " + column.not_null_conflict;
  if (column.default_sql)
    item += parenthesized_default ? " DEFAULT (" + *column.default_sql + ")"
                                  : " DEFAULT " + *column.default_sql;
  if (!column.collation.empty())
    item += " COLLATE " + quote_name(column.collation);
  if (column.generated)
    item += " GENERATED ALWAYS AS (" + *column.generated + ")" +
            (column.generated_stored ? " STORED" : " VIRTUAL");
  return item;
}

std::string render_create_table(const Table& table) {
  std::vector<std::string> items;
  const bool column_level_key = table.primary_key && table.primary_key->autoincrement &&
                                table.primary_key->columns.size() == 1;
  for (const auto& column : table.columns) {
    std::string item = render_column(column);
    // AUTOINCREMENT exists only as a column constraint.
    if (column_level_key && column.name == table.primary_key->columns[0]) {
      const auto type_end =
          quote_name(column.name).size() + (column.type.empty() ? 0 : 1 + column.type.size());
      std::string key = " ";
      key += constraint_prefix(table.primary_key->name);
      key += "PRIMARY KEY";
      if (!table.primary_key->on_conflict.empty())
        key += " ON CONFLICT " + table.primary_key->on_conflict;
      key += " AUTOINCREMENT";
      item.insert(type_end, key);
    }
    items.push_back(std::move(item));
  }
  if (table.primary_key && !column_level_key)
    items.push_back(constraint_prefix(table.primary_key->name) + "PRIMARY KEY (" +
                    name_list(table.primary_key->columns) + ")" +
                    conflict_clause(table.primary_key->on_conflict));
  for (const auto& unique : table.unique_constraints)
    items.push_back(constraint_prefix(unique.name) + "UNIQUE (" + name_list(unique.columns) + ")" +
                    conflict_clause(unique.on_conflict));
  for (const auto& check : table.checks)
    items.push_back(constraint_prefix(check.name) + "CHECK (" + check.expression + ")");
  for (const auto& key : table.foreign_keys) {
    std::string item = constraint_prefix(key.name) + "FOREIGN KEY (" + name_list(key.columns) +
                       ") REFERENCES " + quote_name(key.ref_table);
    if (!key.ref_columns.empty())
      item += " (" + name_list(key.ref_columns) + ")";
    if (key.on_delete != "NO ACTION")
      item += " ON DELETE " + key.on_delete;
    if (key.on_update != "NO ACTION")
      item += " ON UPDATE " + key.on_update;
    if (key.deferrable)
      item += " DEFERRABLE INITIALLY DEFERRED";
    items.push_back(std::move(item));
  }
  std::string sql = "CREATE TABLE " + quote_name(table.name) + " (\n";
  for (std::size_t i = 0; i < items.size(); ++i)
    sql += "  " + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
  sql += ")";
  if (table.without_rowid)
    sql += " WITHOUT ROWID";
  if (table.strict)
    sql += table.without_rowid ? ", STRICT" : " STRICT";
  return sql + ";\n";
}

std::string render_create_index(const Table& table, const Index& index) {
  std::string keys;
  for (const auto& key : index.keys) {
    keys += keys.empty() ? "" : ", ";
    // An expression's collation applies to the whole of it only in parentheses.
    if (key.column.empty())
      keys += key.collation.empty() ? key.expression : "(" + key.expression + ")";
    else
      keys += quote_name(key.column);
    if (!key.collation.empty())
      keys += " COLLATE " + quote_name(key.collation);
    if (key.descending)
      keys += " DESC";
  }
  std::string sql = std::string("CREATE ") + (index.unique ? "UNIQUE " : "") + "INDEX " +
                    quote_name(index.name) + " ON " + quote_name(table.name) + " (" + keys + ")";
  if (index.where)
    sql += " WHERE " + *index.where;
  return sql + ";\n";
}

std::string render_create_view(const View& view) {
  std::string sql = "CREATE VIEW " + quote_name(view.name);
  if (!view.columns.empty())
    sql += " (" + name_list(view.columns) + ")";
  return sql + " AS " + view.sql + ";\n";
}

std::string render_sqlite_schema(const Schema& schema) {
  std::string sql;
  // Parents before children, so that the script reads top-down; SQLite itself would
  // accept any order.
  std::set<std::string> done;
  std::function<void(const Table&)> emit = [&](const Table& table) {
    if (!done.insert(table.name).second)
      return;
    for (const auto& key : table.foreign_keys) {
      const auto parent = schema.tables.find(key.ref_table);
      if (parent != schema.tables.end())
        emit(parent->second);
    }
    sql += render_create_table(table);
  };
  for (const auto& [name, table] : schema.tables)
    emit(table);
  for (const auto& [name, table] : schema.tables)
    for (const auto& [index_name, index] : table.indexes)
      sql += render_create_index(table, index);
  for (const auto& [name, view] : schema.views)
    sql += render_create_view(view);
  for (const auto& [name, trigger] : schema.triggers)
    sql += trigger.sql + ";\n";
  return sql;
}

} // namespace dbtool::schema
