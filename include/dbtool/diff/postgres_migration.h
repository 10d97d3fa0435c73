#pragma once

#include "dbtool/diff/migration.h"

namespace dbtool::diff {

// Renders OPERATIONS (from compare_schemas(FROM, TO, Postgres)) as PostgreSQL SQL.
// PostgreSQL alters every table in place (ALTER TABLE ... ALTER COLUMN TYPE ... USING,
// SET/DROP NOT NULL, SET/DROP DEFAULT, identity, ADD/DROP CONSTRAINT, ALTER TYPE ... ADD
// VALUE), so nothing is rebuilt. The SQL runs in phases: triggers, views (dependents
// first), indexes, foreign keys, then the constraints they may use are dropped; types,
// domains, sequences and functions made; tables created, altered, dropped; constraints
// and foreign keys added; indexes, views (dependencies first) and triggers made;
// functions, sequences, domains and types dropped. Views are dropped and made again
// around a column type change or drop (PostgreSQL refuses those while a view reads the
// table), and foreign keys around a change of the key they use.
MigrationScript render_postgres_migration(const schema::Schema& from, const schema::Schema& to,
                                          const std::vector<Operation>& operations);

} // namespace dbtool::diff
