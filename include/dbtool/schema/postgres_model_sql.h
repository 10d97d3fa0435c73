#pragma once

#include <string>
#include <string_view>

namespace dbtool::schema {

// Where a PostgreSQL project's SQL models run: the project's schema (current_schema()
// of its connection: public, or [postgres] schema) stands for the scratch schema the
// models are loaded into, which is first on SEARCH_PATH.
struct PostgresModelContext {
  std::string project_schema;
  std::string scratch_schema;
  std::string search_path; // the scratch's, as SET LOCAL search_path takes it
};

// TEXT, a SQL model file (FILE, for errors), made to run in CONTEXT's scratch schema,
// line for line (errors keep their lines):
// - a name qualified with the project's schema (public.users, "public".mood, and a
//   'public.seq'::regclass literal, as pg_dump writes them) is qualified with the
//   scratch schema instead; so is the project's schema in COMMENT ON / ALTER / GRANT
//   ... SCHEMA;
// - SET [LOCAL] search_path (and pg_dump's set_config('search_path', ...)) whose first
//   schema is the project's, or none, keeps the scratch schema first;
// - CREATE SCHEMA of the project's schema is dropped (it exists), CREATE EXTENSION gets
//   IF NOT EXISTS (an extension belongs to the database, which may have it already).
// Models that would put objects in another schema are refused with Error(Project)
// naming the file, line and schema: CREATE SCHEMA of another schema, a SET
// search_path to one, CREATE TABLE/VIEW/TYPE/... other.name. dbtool compares one
// schema, and an object made elsewhere would be missed, never migrated.
std::string prepare_postgres_model(std::string_view text, const std::string& file,
                                   const PostgresModelContext& context);

} // namespace dbtool::schema
