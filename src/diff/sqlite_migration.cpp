#include "dbtool/diff/sqlite_migration.h"

#include "dbtool/schema/sql_tokens.h"
#include "dbtool/schema/sqlite_renderer.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <set>

namespace dbtool::diff {

using schema::Column;
using schema::quote_name;
using schema::Schema;
using schema::Table;
using schema::Token;

namespace {

bool same_name(const std::string& a, const std::string& b) {
  return util::equals_ignoring_case(a, b);
}

bool column_in(const std::vector<std::string>& names, const std::string& column) {
  return std::any_of(names.begin(), names.end(),
                     [&](const std::string& name) { return same_name(name, column); });
}

// Whether DEFAULT text is a literal that ALTER TABLE ADD COLUMN accepts.
bool literal_default(const std::string& sql) {
  const auto tokens = schema::tokenize_sql(sql);
  std::size_t i = 0;
  if (i < tokens.size() && (tokens[i].is_punct('-') || tokens[i].is_punct('+')))
    ++i;
  if (i + 1 != tokens.size())
    return false;
  const Token& token = tokens[i];
  return token.kind == Token::Kind::Number || token.kind == Token::Kind::String ||
         token.kind == Token::Kind::Blob || token.is_word("NULL") || token.is_word("TRUE") ||
         token.is_word("FALSE");
}

// Whether ALTER TABLE ADD COLUMN can add COLUMN to TABLE as TO declares it: not a key,
// not UNIQUE, no foreign key, a literal default (or none, when it may be NULL), not a
// stored generated column.
bool can_add_column(const Table& to, const Column& column) {
  if (to.primary_key && column_in(to.primary_key->columns, column.name))
    return false;
  for (const auto& unique : to.unique_constraints)
    if (column_in(unique.columns, column.name))
      return false;
  for (const auto& key : to.foreign_keys)
    if (column_in(key.columns, column.name))
      return false;
  if (column.generated && column.generated_stored)
    return false;
  if (column.default_sql && !literal_default(*column.default_sql))
    return false;
  if (column.not_null && !column.generated &&
      (!column.default_sql || util::equals_ignoring_case(*column.default_sql, "NULL")))
    return false;
  return true;
}

// Whether ALTER TABLE DROP COLUMN can drop COLUMN from FROM. Conservative: anything
// that might mention the column (a constraint, an index, a view, a trigger, a
// generated column) sends the table to a rebuild instead.
bool can_drop_column(const Schema& schema, const Table& from, const std::string& column) {
  if (!schema.views.empty() || !schema.triggers.empty() || !from.checks.empty())
    return false;
  if (from.primary_key && column_in(from.primary_key->columns, column))
    return false;
  for (const auto& unique : from.unique_constraints)
    if (column_in(unique.columns, column))
      return false;
  for (const auto& key : from.foreign_keys)
    if (column_in(key.columns, column))
      return false;
  for (const auto& other : from.columns)
    if (other.generated)
      return false;
  for (const auto& [name, index] : from.indexes) {
    if (index.where)
      return false;
    for (const auto& key : index.keys)
      if (!key.expression.empty() || same_name(key.column, column))
        return false;
  }
  return true;
}

// The tables (lower-cased) that ALTER TABLE cannot take to their new form: those with an
// AlterTable (a type, key, constraint, option or column order changes), or a column it
// cannot add or drop. They are rebuilt.
std::set<std::string> tables_to_rebuild(const Schema& from, const Schema& to,
                                        const std::vector<Operation>& operations) {
  std::set<std::string> rebuilt;
  for (const auto& operation : operations) {
    const std::string table = util::to_lower(operation.table);
    if (operation.kind == OperationKind::AlterTable)
      rebuilt.insert(table);
    else if (operation.kind == OperationKind::AddColumn &&
             !can_add_column(
                 to.tables.at(operation.table),
                 *to.tables.at(operation.table).find_column_ignoring_case(operation.object)))
      rebuilt.insert(table);
    else if (operation.kind == OperationKind::DropColumn &&
             !can_drop_column(from, *from.find_table(operation.table), operation.object))
      rebuilt.insert(table);
  }
  return rebuilt;
}

bool has_rowid_alias(const Table& table) {
  if (table.without_rowid || !table.primary_key || table.primary_key->columns.size() != 1)
    return false;
  return table.is_rowid_alias(table.primary_key->columns[0]);
}

// SQLite's table rebuild: the new table under a temporary name, the surviving
// columns (and rowids) copied, the old table dropped, the new one renamed, its
// indexes created. Runs with foreign keys off, so dropping the old table neither
// deletes nor cascades to rows of child tables.
std::string rebuild(const Table& before, const Table& after) {
  Table staged = after;
  staged.name = "_dbtool_new_" + after.name;
  std::vector<std::string> target, source;
  for (const auto& column : after.columns) {
    if (column.generated)
      continue; // computed again from the copied columns
    if (const auto* old = before.find_column_ignoring_case(column.name)) {
      target.push_back(quote_name(column.name));
      source.push_back(quote_name(old->name));
    }
  }
  const bool reserved_name =
      before.find_column_ignoring_case("rowid") || before.find_column_ignoring_case("oid") ||
      before.find_column_ignoring_case("_rowid_") || after.find_column_ignoring_case("rowid") ||
      after.find_column_ignoring_case("oid") || after.find_column_ignoring_case("_rowid_");
  // Rowids of a table without an INTEGER PRIMARY KEY are kept too: nothing else
  // would keep them, and other rows may point at them.
  if (!before.without_rowid && !after.without_rowid && !has_rowid_alias(after) && !reserved_name) {
    target.insert(target.begin(), "rowid");
    source.insert(source.begin(), "rowid");
  }
  std::string sql = schema::render_create_table(staged);
  if (!target.empty())
    sql += "INSERT INTO " + quote_name(staged.name) + " (" + util::join(target, ", ") +
           ")\n  SELECT " + util::join(source, ", ") + " FROM " + quote_name(before.name) + ";\n";
  sql += "DROP TABLE " + quote_name(before.name) + ";\n";
  sql += "ALTER TABLE " + quote_name(staged.name) + " RENAME TO " + quote_name(after.name) + ";\n";
  for (const auto& [name, index] : after.indexes)
    sql += schema::render_create_index(after, index);
  return sql;
}

void comment(std::string& sql, const Operation& operation) {
  sql += operation.sql_comment(
      "; if so, replace the drop and create with ALTER TABLE ... RENAME to keep the data");
}

} // namespace

MigrationScript render_sqlite_migration(const Schema& from, const Schema& to,
                                        const std::vector<Operation>& operations) {
  MigrationScript script;
  std::string& sql = script.sql;
  const std::set<std::string> rebuilt = tables_to_rebuild(from, to, operations);
  // SQLite checks every view and trigger when a table is renamed or a column dropped:
  // around such a change all of them are dropped first and made again last.
  const bool structural =
      !rebuilt.empty() ||
      std::any_of(operations.begin(), operations.end(), [](const Operation& operation) {
        return operation.kind == OperationKind::DropTable ||
               operation.kind == OperationKind::DropColumn;
      });
  auto listed = [&](OperationKind kind, const std::string& name) -> const Operation* {
    for (const auto& operation : operations)
      if (operation.kind == kind && operation.table == name)
        return &operation;
    return nullptr;
  };
  if (structural) {
    auto views = views_in_dependency_order(from, config::Backend::Sqlite);
    std::reverse(views.begin(), views.end());
    for (const auto& name : views)
      if (listed(OperationKind::DropView, name) == nullptr)
        sql += "DROP VIEW " + quote_name(name) + ";\n";
    for (const auto& [name, trigger] : from.triggers)
      if (listed(OperationKind::DropTrigger, name) == nullptr)
        sql += "DROP TRIGGER " + quote_name(name) + ";\n";
  }

  for (std::size_t k = 0; k < operations.size(); ++k) {
    const Operation& operation = operations[k];
    if (operation.changes_table()) {
      // The operations of one table are next to each other: one ALTER each, or one
      // rebuild for all of them.
      std::size_t end = k;
      while (end < operations.size() && operations[end].changes_table() &&
             operations[end].table == operation.table)
        ++end;
      const Table& after = to.tables.at(operation.table);
      if (rebuilt.count(util::to_lower(operation.table)) != 0) {
        for (std::size_t j = k; j < end; ++j)
          comment(sql, operations[j]);
        sql += rebuild(*from.find_table(operation.table), after);
        script.foreign_keys_off = true;
      } else {
        for (std::size_t j = k; j < end; ++j) {
          comment(sql, operations[j]);
          if (operations[j].kind == OperationKind::AddColumn) {
            sql += "ALTER TABLE " + quote_name(after.name) + " ADD COLUMN " +
                   schema::render_column(*after.find_column_ignoring_case(operations[j].object),
                                         false) +
                   ";\n";
          } else {
            sql += "ALTER TABLE " + quote_name(after.name) + " DROP COLUMN " +
                   quote_name(operations[j].object) + ";\n";
            script.foreign_keys_off = true;
          }
        }
      }
      k = end - 1;
      continue;
    }
    switch (operation.kind) {
    case OperationKind::DropView:
      comment(sql, operation);
      sql += "DROP VIEW " + quote_name(operation.table) + ";\n";
      break;
    case OperationKind::DropTrigger:
      comment(sql, operation);
      sql += "DROP TRIGGER " + quote_name(operation.table) + ";\n";
      break;
    case OperationKind::DropIndex:
      comment(sql, operation);
      sql += "DROP INDEX " + quote_name(operation.object) + ";\n";
      break;
    case OperationKind::CreateTable:
      comment(sql, operation);
      sql += schema::render_create_table(to.tables.at(operation.table));
      break;
    case OperationKind::DropTable:
      comment(sql, operation);
      sql += "DROP TABLE " + quote_name(operation.table) + ";\n";
      script.foreign_keys_off = true;
      break;
    case OperationKind::CreateIndex: {
      comment(sql, operation);
      const Table& table = to.tables.at(operation.table);
      if (rebuilt.count(util::to_lower(operation.table)) == 0)
        sql += schema::render_create_index(table, table.indexes.at(operation.object));
      else
        sql += "-- (made by the rebuild of " + util::one_line(operation.table) + " above)\n";
      break;
    }
    case OperationKind::CreateView:
      if (!structural) {
        comment(sql, operation);
        sql += schema::render_create_view(to.views.at(operation.table));
      }
      break;
    case OperationKind::CreateTrigger:
      if (!structural) {
        comment(sql, operation);
        sql += to.triggers.at(operation.table).sql + ";\n";
      }
      break;
    default:
      break; // PostgreSQL's objects: a SQLite schema has none
    }
  }

  if (structural) {
    for (const auto& name : views_in_dependency_order(to, config::Backend::Sqlite)) {
      if (const Operation* operation = listed(OperationKind::CreateView, name))
        comment(sql, *operation);
      sql += schema::render_create_view(to.views.at(name));
    }
    for (const auto& [name, trigger] : to.triggers) {
      if (const Operation* operation = listed(OperationKind::CreateTrigger, name))
        comment(sql, *operation);
      sql += trigger.sql + ";\n";
    }
  }
  return script;
}

} // namespace dbtool::diff
