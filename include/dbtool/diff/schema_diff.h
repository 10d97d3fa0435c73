#pragma once

#include "dbtool/schema/schema.h"

#include <string>
#include <vector>

namespace dbtool::diff {

enum class OperationKind {
  DropView,
  DropTrigger,
  DropIndex,
  CreateTable,
  AddColumn,
  DropColumn,
  RebuildTable, // every change SQLite's ALTER TABLE cannot express, for one table
  DropTable,
  CreateIndex,
  CreateView,
  CreateTrigger,
  // PostgreSQL's schema objects beside tables (plan_postgres_migration only).
  CreateType,
  AlterType,
  DropType,
  CreateSequence,
  DropSequence,
  CreateRoutine,
  ReplaceRoutine,
  DropRoutine,
  CreateExtension,
  DropExtension,
  Comment, // COMMENT ON a view, type, domain, sequence or routine (TABLE: "view v")
};

// One step from one schema to another. CHANGES says in words what a RebuildTable
// (on PostgreSQL: an ALTER TABLE) or AlterType changes; NOTE carries advice (a likely
// rename). TABLE names the table, or the view, trigger, type, sequence or routine.
struct Operation {
  OperationKind kind;
  std::string table;  // the table, or the view or trigger itself
  std::string object; // the column or index, when there is one
  std::vector<std::string> changes;
  bool destructive = false; // drops data: a table, a column, a narrowing type change
  std::string note;

  // "+ table reports", "~ table configs: column kind: type TEXT -> VARCHAR(20)", ...
  std::string describe() const;
  const char* kind_name() const;
};

// The operations that turn FROM into TO, in an order in which they can run: views
// and triggers dropped first, parents created before children, children dropped
// before parents, indexes, views and triggers created last. Comparisons ignore what
// does not change the schema: case and spacing of types and expressions, the order of
// constraints and indexes.
std::vector<Operation> compare_schemas(const schema::Schema& from, const schema::Schema& to);

// Whether two SQL texts (types, expressions) say the same: keywords and names compare
// without regard to case or quoting, literals exactly, white space not at all.
bool same_sql(const std::string& a, const std::string& b);

} // namespace dbtool::diff
