#pragma once

#include "dbtool/diff/migration.h"

namespace dbtool::diff {

// Renders OPERATIONS (from compare_schemas(FROM, TO)) as SQLite SQL: ALTER TABLE ADD or
// DROP COLUMN where SQLite can, otherwise the table rebuild of SQLite's documentation
// (create the new table, copy the surviving columns and rowids, drop the old, rename,
// recreate its indexes), one per table whatever changes in it. Around a rebuild or a
// drop every view and trigger is dropped first and made again last (SQLite checks them
// when a table is renamed). Each step is preceded by its description; destructive steps
// get a "-- WARNING: destructive" line, likely renames a "-- NOTE" line.
MigrationScript render_sqlite_migration(const schema::Schema& from, const schema::Schema& to,
                                        const std::vector<Operation>& operations);

} // namespace dbtool::diff
