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

// The pieces, for the differ's ALTER statements.
std::string render_postgres_column(const Column& column, const Schema& schema);
std::string render_postgres_create_table(const Table& table, const Schema& schema); // no FKs
std::string render_postgres_foreign_key(const Table& table, const ForeignKey& key);
std::string render_postgres_index(const Table& table, const Index& index);
std::string render_postgres_view(const View& view);
// "CONSTRAINT name PRIMARY KEY (...)" and the like, for CREATE TABLE or ADD.
std::string render_postgres_primary_key(const PrimaryKey& key);
std::string render_postgres_unique(const UniqueConstraint& unique);
std::string render_postgres_check(const CheckConstraint& check);
std::string render_postgres_exclusion(const ExclusionConstraint& exclusion);

// Quotes NAME for PostgreSQL only when it needs it: anything but a lower-case plain
// identifier, and the reserved keywords.
std::string quote_postgres_name(const std::string& name);

} // namespace dbtool::schema
