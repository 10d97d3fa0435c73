#pragma once

#include <optional>
#include <string>

// The generic types of the JSON model format (docs/models.md): integer, bigint, smallint,
// string(n), text, boolean, float, double, numeric(p,s), date, time, datetime, timestamp,
// timestamp_tz, json, uuid, blob, array(T). Each has one rendering per backend; reading a
// live database, a declared type that is exactly one of those renderings is written back
// as the generic type, so a model scanned from a database reads back to the same types.
namespace dbtool::schema {

// The SQLite rendering of a generic type ("string(20)" -> "VARCHAR(20)"); throws
// Error(Project) for an unknown type or one SQLite cannot store.
std::string sqlite_type_for(const std::string& generic);
// The PostgreSQL rendering of a generic type ("json" -> "jsonb", "array(text)" ->
// "text[]", "timestamp_tz" -> "timestamptz"); Error(Project) for an unknown one.
std::string postgres_type_for(const std::string& generic);

// The generic type whose SQLite rendering is exactly DECLARED, if there is one.
std::optional<std::string> generic_for_sqlite(const std::string& declared);
// The generic type whose PostgreSQL rendering is DECLARED in format_type's spelling
// ("character varying(20)" -> "string(20)"), if there is one.
std::optional<std::string> generic_for_postgres(const std::string& declared);
// The generic type nearest to a declared type SQLite knows only by its affinity.
std::string generic_by_affinity(const std::string& declared);

} // namespace dbtool::schema
