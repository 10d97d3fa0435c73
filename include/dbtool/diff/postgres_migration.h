#pragma once

#include "dbtool/diff/schema_diff.h"
#include "dbtool/schema/schema.h"

#include <string>
#include <vector>

namespace dbtool::diff {

// The way from one PostgreSQL model (introspect_postgres) to another: the operations,
// as `check` lists them, and the SQL that performs them. PostgreSQL alters every
// table in place (ALTER TABLE ... ALTER COLUMN TYPE ... USING, SET/DROP NOT NULL,
// SET/DROP DEFAULT, identity, ADD/DROP CONSTRAINT, ALTER TYPE ... ADD VALUE), so
// nothing is rebuilt. The SQL runs in this order: triggers and views that change are
// dropped, then changed foreign keys (and those whose parent's key changes), dropped
// tables, changed indexes and constraints; types, sequences and functions are created;
// tables created and altered, constraints added; indexes, then foreign keys, views and
// triggers created; dropped functions, sequences and types go last.
struct PostgresMigration {
  std::vector<Operation> operations;
  std::string sql;
};
PostgresMigration plan_postgres_migration(const schema::Schema& from, const schema::Schema& to);

} // namespace dbtool::diff
