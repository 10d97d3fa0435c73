#pragma once

#include "dbtool/config/database_url.h"
#include "dbtool/diff/schema_diff.h"
#include "dbtool/schema/schema.h"

#include <string>
#include <vector>

namespace dbtool::diff {

// The SQL of a migration for one backend, and whether it must run with foreign keys
// off (SQLite: it rebuilds or drops a table; with them on, DROP TABLE would delete, or
// cascade to, the rows of child tables).
struct MigrationScript {
  std::string sql;
  bool foreign_keys_off = false;
};

// The operations from one schema to another and the SQL that performs them.
struct Migration {
  std::vector<Operation> operations;
  MigrationScript script;
};

// OPERATIONS (from FROM to TO) as BACKEND's SQL: render_sqlite_migration or
// render_postgres_migration.
MigrationScript render_migration(const schema::Schema& from, const schema::Schema& to,
                                 const std::vector<Operation>& operations, config::Backend backend);

// compare_schemas(FROM, TO, BACKEND), and the operations as BACKEND's SQL.
Migration plan_migration(const schema::Schema& from, const schema::Schema& to,
                         config::Backend backend);

} // namespace dbtool::diff
