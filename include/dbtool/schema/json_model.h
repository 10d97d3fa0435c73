#pragma once

#include "dbtool/config/database_url.h"
#include "dbtool/schema/generic_types.h"
#include "dbtool/schema/schema.h"

#include <string>

namespace dbtool::schema {

// The dialect-neutral model format of schema/*.json (README.md, "Declared models"):
// generic types, mixins, a naming convention. This reads TEXT into a model whose
// types are rendered for SQLite; FILE names it in errors (Error(Project)), and a
// syntax error also names the line and column.
// BACKEND Postgres reads the same format for PostgreSQL: generic types rendered as
// PostgreSQL's (postgres_type_for), "postgres_type" instead of "sqlite_type", SQL kept
// as written, and PostgreSQL's extras (identity, comments, index methods, exclusion
// constraints, enums, sequences, routines) read back as scan writes them.
Schema schema_from_json_text(const std::string& text, const std::string& file,
                             config::Backend backend = config::Backend::Sqlite);

// The same, reading the document as one nlohmann tree on one thread; the tests and the
// fuzz target check that schema_from_json_text (which parses each table inside the
// half of the tables that reads it) gives the same model or the same error.
Schema schema_from_json_text_whole(const std::string& text, const std::string& file,
                                   config::Backend backend = config::Backend::Sqlite);

// The same format, written from a model (what `scan --format json` prints): generic
// types where the declared type is one's canonical rendering, the declared type
// itself ("sqlite_type") where it is not, so that reading it back is exact.
// Keys keep a reading order (name, type, ...), for files people commit and review.
// The text is laid out as nlohmann's dump(2), without a final newline. For a
// PostgreSQL model, types map from PostgreSQL's spelling, "postgres_type" carries the
// others, and PostgreSQL's extras (identity, comments, index methods, exclusion
// constraints, enums, sequences, routines) have keys of their own, which
// schema_from_json_text reads back for PostgreSQL.
std::string schema_to_json(const Schema& schema, config::Backend backend = config::Backend::Sqlite);

} // namespace dbtool::schema
