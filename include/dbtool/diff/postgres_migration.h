#pragma once

#include "dbtool/diff/migration.h"

namespace dbtool::diff {

// Renders OPERATIONS (from compare_schemas(FROM, TO, Postgres)) as PostgreSQL SQL.
// PostgreSQL alters every table in place (ALTER TABLE ... ALTER COLUMN TYPE ... USING,
// SET/DROP NOT NULL, SET/DROP DEFAULT, identity and its sequence's options, ADD/DROP
// CONSTRAINT, SET/RESET storage parameters, ALTER TYPE ... ADD VALUE, COMMENT ON), so
// nothing is rebuilt. The SQL runs in phases: triggers and views (dependents first)
// dropped, then foreign keys (before the keys and unique indexes they use), dropped
// tables, indexes, constraints and columns (generated ones first); extensions, types,
// domains, sequences and functions made; enum types whose values go remade with their
// columns; tables created and altered (generated columns added last); constraints,
// indexes, foreign keys, views (dependencies first) and triggers made; functions,
// sequences, domains, types, then extensions dropped. Views are dropped and made again
// around a column type change or drop (PostgreSQL refuses those while a view reads the
// table), and so are the triggers of that table, the foreign keys around a change of
// the key they use, and the checks, indexes and generated columns that read a column
// whose type changes where PostgreSQL would refuse or rebuild them differently.
MigrationScript render_postgres_migration(const schema::Schema& from, const schema::Schema& to,
                                          const std::vector<Operation>& operations);

} // namespace dbtool::diff
