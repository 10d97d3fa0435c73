#pragma once

#include "dbtool/schema/schema.h"

#include <string>

namespace dbtool::schema {

// PostgreSQL DDL for a model read by introspect_postgres: enum types, free sequences,
// routines, tables (constraints inline, foreign keys added after every table exists),
// indexes, views, triggers and comments, each statement ending with ";\n". Executing
// it in an empty schema and introspecting gives the model back, up to the names
// PostgreSQL chooses itself (a serial column's sequence).
std::string render_postgres_schema(const Schema& schema);

// The same in two parts, for a dump: what rows need before they can load (types,
// sequences, routines, tables with their own constraints) and what comes after
// them (foreign keys, indexes, views, triggers, comments), as pg_dump splits it.
struct PostgresDdl {
  std::string before_data;
  std::string after_data;
};
PostgresDdl render_postgres_ddl(const Schema& schema);

// Quotes NAME for PostgreSQL only when it needs it: anything but a lower-case plain
// identifier, and the reserved keywords.
std::string quote_postgres_name(const std::string& name);

} // namespace dbtool::schema
