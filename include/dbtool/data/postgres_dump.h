#pragma once

#include "dbtool/data/dump.h"

namespace dbtool::data {

// dump_database for PostgreSQL, in one REPEATABLE READ snapshot, rows streamed
// through a cursor. sql: a script for `psql -v ON_ERROR_STOP=1` that rebuilds the
// schema and data in an empty database: types, sequences, functions and tables
// first, then the rows (every value as its text literal, which PostgreSQL reads back
// exactly), the sequences' positions, and only then foreign keys, indexes, views and
// triggers, so that no trigger fires on loaded rows. jsonl: the header line of each
// table, then one JSON array per row as PostgreSQL's json_build_array writes it.
// Rows come in primary-key order (else in the order of their text).
DumpResult dump_postgres(db::Connection& connection, const DumpOptions& options, std::FILE* file);

} // namespace dbtool::data
