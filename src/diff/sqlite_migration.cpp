#include "dbtool/diff/sqlite_migration.h"

#include "dbtool/schema/sqlite_renderer.h"
#include "dbtool/util/strings.h"

#include <algorithm>

namespace dbtool::diff {

using schema::quote_name;
using schema::Schema;
using schema::Table;

namespace {

const schema::Column* find_column(const Table& table, const std::string& name) {
  for (const auto& column : table.columns)
    if (util::to_lower(column.name) == util::to_lower(name))
      return &column;
  return nullptr;
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
    if (const auto* old = find_column(before, column.name)) {
      target.push_back(quote_name(column.name));
      source.push_back(quote_name(old->name));
    }
  }
  const bool reserved_name = find_column(before, "rowid") || find_column(before, "oid") ||
                             find_column(before, "_rowid_") || find_column(after, "rowid") ||
                             find_column(after, "oid") || find_column(after, "_rowid_");
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

// Names may hold line breaks; a comment must stay on its line.
std::string one_line(std::string text) {
  for (auto& c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  return text;
}

} // namespace

MigrationScript render_sqlite_migration(const Schema& from, const Schema& to,
                                        const std::vector<Operation>& operations) {
  MigrationScript script;
  // Room for a typical statement each at once, not the doubling steps (fresh memory).
  script.sql.reserve(256 * operations.size());
  for (const auto& operation : operations) {
    std::string& sql = script.sql;
    sql += "-- " + one_line(operation.describe()) + "\n";
    if (operation.destructive)
      sql += "-- WARNING: destructive: this step can lose data\n";
    if (!operation.note.empty())
      sql += "-- NOTE: " + one_line(operation.note) +
             "; if so, replace the drop and create with ALTER TABLE ... RENAME to keep the data\n";
    switch (operation.kind) {
    case OperationKind::DropView:
      sql += "DROP VIEW " + quote_name(operation.table) + ";\n";
      break;
    case OperationKind::DropTrigger:
      sql += "DROP TRIGGER " + quote_name(operation.table) + ";\n";
      break;
    case OperationKind::DropIndex:
      sql += "DROP INDEX " + quote_name(operation.object) + ";\n";
      break;
    case OperationKind::CreateTable:
      sql += schema::render_create_table(to.tables.at(operation.table));
      break;
    case OperationKind::AddColumn: {
      const Table& table = to.tables.at(operation.table);
      sql += "ALTER TABLE " + quote_name(table.name) + " ADD COLUMN " +
             schema::render_column(*find_column(table, operation.object), false) + ";\n";
      break;
    }
    case OperationKind::DropColumn:
      sql += "ALTER TABLE " + quote_name(operation.table) + " DROP COLUMN " +
             quote_name(operation.object) + ";\n";
      script.foreign_keys_off = true;
      break;
    case OperationKind::RebuildTable:
      sql += rebuild(*from.find_table(operation.table), to.tables.at(operation.table));
      script.foreign_keys_off = true;
      break;
    case OperationKind::DropTable:
      sql += "DROP TABLE " + quote_name(operation.table) + ";\n";
      script.foreign_keys_off = true;
      break;
    case OperationKind::CreateIndex: {
      const Table& table = to.tables.at(operation.table);
      sql += schema::render_create_index(table, table.indexes.at(operation.object));
      break;
    }
    case OperationKind::CreateView:
      sql += schema::render_create_view(to.views.at(operation.table));
      break;
    case OperationKind::CreateTrigger:
      sql += to.triggers.at(operation.table).sql + ";\n";
      break;
    case OperationKind::CreateType:
    case OperationKind::AlterType:
    case OperationKind::DropType:
    case OperationKind::CreateSequence:
    case OperationKind::DropSequence:
    case OperationKind::CreateRoutine:
    case OperationKind::ReplaceRoutine:
    case OperationKind::DropRoutine:
    case OperationKind::CreateExtension:
    case OperationKind::DropExtension:
    case OperationKind::Comment:
      break; // PostgreSQL's; compare_schemas never makes them
    }
  }
  return script;
}

} // namespace dbtool::diff
