#pragma once

#include "dbtool/db/connection.h"
#include "dbtool/schema/schema.h"

#include <map>
#include <set>
#include <string>

namespace dbtool::schema {

// Reads the schema of a PostgreSQL database: the tables, views, triggers, enum types,
// domains, free sequences and routines of the first schema on the search path
// (current_schema(), which [postgres] schema sets), the database's extensions, and
// the comments on all of them, from pg_catalog in a constant number of queries (one
// reader per kind of object), inside one REPEATABLE READ snapshot. Column types are
// PostgreSQL's own spelling (format_type: "character varying(64)", "timestamp with
// time zone", "text[]"); constraint names are kept; expressions are as the server
// prints them (pg_get_expr, pg_get_constraintdef). Objects an extension brought are
// left out, and so are tables named in EXCLUDE. A table dbtool cannot migrate yet
// (partitioned, a partition, INHERITS, row-level security or policies) is refused:
// Error(Project) naming the table and what it is. With UNSUPPORTED, such a table is left
// out instead and the refusal kept there by table name: the commands that only read or
// write rows (dump --data-only, seed) refuse only when they come to such a table.
Schema introspect_postgres(db::Connection& connection, const std::set<std::string>& exclude = {},
                           std::map<std::string, std::string>* unsupported = nullptr);

} // namespace dbtool::schema
