#pragma once

#include "dbtool/db/connection.h"
#include "dbtool/schema/schema.h"

#include <set>
#include <string>

namespace dbtool::schema {

// Reads the schema of a PostgreSQL database: the tables, views, triggers, enum types,
// free sequences and routines of the first schema on the search path
// (current_schema(), which [postgres] schema sets), from pg_catalog in a constant
// number of queries, inside one REPEATABLE READ snapshot. Column types are
// PostgreSQL's own spelling (format_type: "character varying(64)", "timestamp with
// time zone", "text[]"); constraint names are kept; expressions are as the server
// prints them (pg_get_expr, pg_get_constraintdef). Tables named in EXCLUDE are left out.
Schema introspect_postgres(db::Connection& connection, const std::set<std::string>& exclude = {});

} // namespace dbtool::schema
