#pragma once

#include "dbtool/diff/schema_diff.h"

#include <string>

namespace dbtool::diff {

// The SQLite script of a migration, and whether it must run with foreign keys off
// (it rebuilds or drops a table: with them on, DROP TABLE would delete, or cascade
// to, the rows of child tables).
struct MigrationScript {
  std::string sql;
  bool foreign_keys_off = false;
};

// Renders OPERATIONS (from compare_schemas(FROM, TO)) as SQLite SQL: ALTER TABLE where
// SQLite can, otherwise the table rebuild of SQLite's documentation (create the new
// table, copy the surviving columns and rowids, drop the old, rename, recreate its
// indexes). Destructive steps get a "-- WARNING: destructive" line, likely renames a
// "-- NOTE" line.
MigrationScript render_sqlite_migration(const schema::Schema& from, const schema::Schema& to,
                                        const std::vector<Operation>& operations);

} // namespace dbtool::diff
