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

// The renderers append to one string: at 500 tables, building each clause as a string
// of its own cost as much as the rest of `revision --autogenerate` on the models' side.
void append_name_list(std::string& out, const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0)
      out += ", ";
    out += quote_name(names[i]);
  }
}

std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  append_name_list(out, names);
  return out;
}

void append_conflict_clause(std::string& out, const std::string& action) {
  if (!action.empty()) {
    out += " ON CONFLICT ";
    out += action;
  }
}

void append_constraint_prefix(std::string& out, const std::string& name) {
  if (!name.empty()) {
    out += "CONSTRAINT ";
    out += quote_name(name);
    out += ' ';
  }
}

// COLUMN's definition; with KEY, its column-level PRIMARY KEY ... AUTOINCREMENT
// (AUTOINCREMENT exists only as a column constraint) right after the type.
void append_column(std::string& out, const Column& column, bool parenthesized_default,
                   const PrimaryKey* key) {
  out += quote_name(column.name);
  if (!column.type.empty()) {
    out += ' ';
    out += column.type;
  }
  if (key != nullptr) {
    out += ' ';
    append_constraint_prefix(out, key->name);
    out += "PRIMARY KEY";
    append_conflict_clause(out, key->on_conflict);
    out += " AUTOINCREMENT";
  }
  if (column.not_null) {
    out += " NOT NULL";
    append_conflict_clause(out, column.not_null_conflict);
  }
  if (column.default_sql) {
    out += parenthesized_default ? " DEFAULT (" : " DEFAULT ";
    out += *column.default_sql;
    if (parenthesized_default)
      out += ')';
  }
  if (!column.collation.empty()) {
    out += " COLLATE ";
    out += quote_name(column.collation);
  }
  if (column.generated) {
    out += " GENERATED ALWAYS AS (";
    out += *column.generated;
    out += column.generated_stored ? ") STORED" : ") VIRTUAL";
  }
}

} // namespace

std::string render_column(const Column& column, bool parenthesized_default) {
  std::string item;
  append_column(item, column, parenthesized_default, nullptr);
  return item;
}

std::string render_create_table(const Table& table) {
  const bool column_level_key = table.primary_key && table.primary_key->autoincrement &&
                                table.primary_key->columns.size() == 1;
  std::string sql;
  sql.reserve(64 + 48 * table.columns.size());
  sql += "CREATE TABLE ";
  sql += quote_name(table.name);
  sql += " (\n";
  bool first = true;
  auto next_item = [&] {
    sql += first ? "  " : ",\n  ";
    first = false;
  };
  for (const auto& column : table.columns) {
    next_item();
    append_column(sql, column, true,
                  column_level_key && column.name == table.primary_key->columns[0]
                      ? &*table.primary_key
                      : nullptr);
  }
  // PRIMARY KEY (...) and UNIQUE (...): a name, the columns, a conflict clause.
  auto key_constraint = [&](const std::string& name, const char* kind,
                            const std::vector<std::string>& columns,
                            const std::string& on_conflict) {
    next_item();
    append_constraint_prefix(sql, name);
    sql += kind;
    sql += " (";
    append_name_list(sql, columns);
    sql += ')';
    append_conflict_clause(sql, on_conflict);
  };
  if (table.primary_key && !column_level_key)
    key_constraint(table.primary_key->name, "PRIMARY KEY", table.primary_key->columns,
                   table.primary_key->on_conflict);
  for (const auto& unique : table.unique_constraints)
    key_constraint(unique.name, "UNIQUE", unique.columns, unique.on_conflict);
  for (const auto& check : table.checks) {
    next_item();
    append_constraint_prefix(sql, check.name);
    sql += "CHECK (";
    sql += check.expression;
    sql += ')';
  }
  for (const auto& key : table.foreign_keys) {
    next_item();
    append_constraint_prefix(sql, key.name);
    sql += "FOREIGN KEY (";
    append_name_list(sql, key.columns);
    sql += ") REFERENCES ";
    sql += quote_name(key.ref_table);
    if (!key.ref_columns.empty()) {
      sql += " (";
      append_name_list(sql, key.ref_columns);
      sql += ')';
    }
    if (key.on_delete != "NO ACTION") {
      sql += " ON DELETE ";
      sql += key.on_delete;
    }
    if (key.on_update != "NO ACTION") {
      sql += " ON UPDATE ";
      sql += key.on_update;
    }
    if (key.deferrable)
      sql += " DEFERRABLE INITIALLY DEFERRED";
  }
  sql += first ? ")" : "\n)";
  if (table.without_rowid)
    sql += " WITHOUT ROWID";
  if (table.strict)
    sql += table.without_rowid ? ", STRICT" : " STRICT";
  sql += ";\n";
  return sql;
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
