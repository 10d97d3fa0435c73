#pragma once

#include "dbtool/config/database_url.h"
#include "dbtool/schema/schema.h"

#include <string>
#include <string_view>
#include <vector>

namespace dbtool::diff {

enum class OperationKind {
  DropTrigger,
  DropView,
  DropIndex,
  CreateType, // an enum type or a domain (PostgreSQL)
  AlterType,
  CreateSequence,
  CreateRoutine,
  ReplaceRoutine,
  CreateTable,
  AlterTable, // a surviving table's columns, keys, constraints or options change
  DropColumn,
  AddColumn,
  DropTable,
  CreateIndex,
  CreateView,
  CreateTrigger,
  DropRoutine,
  DropSequence,
  DropType,
  CreateExtension, // PostgreSQL: an extension the models have and the database lacks
  DropExtension,
  Comment, // PostgreSQL: COMMENT ON a view, type, domain, sequence or routine alone
};

// One difference between two schemas, as `check` lists it and as both renderers
// (render_sqlite_migration, render_postgres_migration) read it. TABLE names the table,
// or the view, trigger, type, sequence or routine; OBJECT the column or index. CHANGES
// says in words what an AlterTable or AlterType changes; NOTE carries advice (a likely
// rename). A Comment's OBJECT is the kind of object TABLE names ("view", "type"...).
struct Operation {
  OperationKind kind;
  std::string table;
  std::string object;
  std::vector<std::string> changes;
  bool destructive = false; // can lose data: a dropped table or column, a narrowing type
  std::string note;

  // "+ table reports", "~ table configs: column kind: type TEXT -> VARCHAR(20)", ...
  std::string describe() const;
  const char* kind_name() const;
  // Whether it changes a surviving table in place (AlterTable, AddColumn, DropColumn):
  // a renderer takes a table's run of them together.
  bool changes_table() const;
  // The SQL comment a migration puts before the operation's statements: its description,
  // a WARNING when it is destructive, its note followed by NOTE_ADVICE; one line each,
  // whatever line breaks the names hold.
  std::string sql_comment(std::string_view note_advice = {}) const;
};

// The operations that turn FROM into TO, compared by BACKEND's rules (SQLite: names
// without regard to case, column order matters; PostgreSQL: names exactly, column order
// does not), in an order in which they can run: triggers, views (dependents first) and
// indexes dropped; types, sequences and functions created; tables created (parents
// first), altered, dropped (children first); indexes, views (dependencies first) and
// triggers created; functions, sequences and types dropped. The operations of one
// surviving table (AlterTable, DropColumn, AddColumn) are next to each other.
// Comparisons ignore what does not change the schema: case and spacing of types and
// expressions (SQLite), the order of constraints and indexes. A dropped and an added
// table (or column) of the same shape are noted as a likely rename.
std::vector<Operation> compare_schemas(const schema::Schema& from, const schema::Schema& to,
                                       config::Backend backend = config::Backend::Sqlite);

// Whether two SQL texts (types, expressions) say the same: keywords and names compare
// without regard to case or quoting, literals exactly, white space not at all.
bool same_sql(const std::string& a, const std::string& b);

// Whether changing a column's type from A to B can lose data: a narrower size or
// precision (varchar(255) -> varchar(100), numeric(12,6) -> numeric(10,2), text ->
// varchar(n)), a smaller number type (bigint -> integer, double -> real), a time zone
// dropped (timestamptz -> timestamp), or a type of another kind.
bool narrows(const std::string& a, const std::string& b);

// The views of SCHEMA in an order in which they can be created: a view after the views
// its SELECT names.
std::vector<std::string> views_in_dependency_order(const schema::Schema& schema,
                                                   config::Backend backend);

} // namespace dbtool::diff
