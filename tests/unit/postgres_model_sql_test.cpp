// prepare_postgres_model: SQL models made to run in the scratch schema, line for line.
#include "dbtool/error.h"
#include "dbtool/schema/postgres_model_sql.h"

#include <doctest/doctest.h>

#include <algorithm>

using dbtool::schema::PostgresModelContext;
using dbtool::schema::prepare_postgres_model;

namespace {

PostgresModelContext context() {
  return {"public", "dbtool_models_1_2", "dbtool_models_1_2, \"$user\", public"};
}

std::string prepared(const std::string& sql) {
  return prepare_postgres_model(sql, "schema/models.sql", context());
}

// The error a model gets, "" if none.
std::string refusal(const std::string& sql) {
  try {
    prepared(sql);
  } catch (const dbtool::Error& error) {
    return std::string(error.what());
  }
  return "";
}

long lines(const std::string& text) {
  return std::count(text.begin(), text.end(), '\n');
}

} // namespace

TEST_CASE("postgres models: names qualified with the project's schema move to the scratch") {
  const std::string sql =
      "CREATE TABLE public.users (id int PRIMARY KEY, kind public.mood);\n"
      "CREATE TYPE \"public\".mood AS ENUM ('a');\n"
      "CREATE TABLE orders (user_id int REFERENCES public.users (id),\n"
      "  email public.citext, n int DEFAULT nextval('public.orders_n_seq'::regclass));\n"
      "COMMENT ON TABLE public.users IS 'public.users stays in a string';\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 FROM public.users $$;\n";
  const std::string out = prepared(sql);
  CHECK(out ==
        "CREATE TABLE dbtool_models_1_2.users (id int PRIMARY KEY, kind dbtool_models_1_2.mood);\n"
        "CREATE TYPE dbtool_models_1_2.mood AS ENUM ('a');\n"
        "CREATE TABLE orders (user_id int REFERENCES dbtool_models_1_2.users (id),\n"
        // citext is no model's: an extension's type, left where it is
        "  email public.citext, n int DEFAULT "
        "nextval('dbtool_models_1_2.orders_n_seq'::regclass));\n"
        "COMMENT ON TABLE dbtool_models_1_2.users IS 'public.users stays in a string';\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 FROM public.users $$;\n");
  CHECK(lines(out) == lines(sql));
}

TEST_CASE("postgres models: search_path, CREATE SCHEMA and CREATE EXTENSION") {
  // pg_dump's preamble
  CHECK(prepared(
            "SELECT pg_catalog.set_config('search_path', '', false);\nCREATE TABLE t (a int);") ==
        "SET LOCAL search_path = dbtool_models_1_2, \"$user\", public;\nCREATE TABLE t (a int);");
  CHECK(
      prepared("SET search_path TO public, extensions;") ==
      "SET LOCAL search_path = dbtool_models_1_2, \"$user\", public, \"public\", \"extensions\";");
  CHECK(prepared("set search_path = \"$user\",\n public;") ==
        "SET LOCAL search_path = dbtool_models_1_2, \"$user\", public, \"public\"\n;");
  CHECK(prepared("CREATE SCHEMA IF NOT EXISTS public;\nCREATE TABLE t (a int);") ==
        "\nCREATE TABLE t (a int);");
  CHECK(prepared("COMMENT ON SCHEMA public IS 'standard public schema';") ==
        "COMMENT ON SCHEMA dbtool_models_1_2 IS 'standard public schema';");
  CHECK(prepared("CREATE EXTENSION citext;") ==
        "CREATE EXTENSION IF NOT EXISTS citext SCHEMA public;");
  CHECK(prepared("create extension if not exists \"uuid-ossp\" with schema extensions;") ==
        "create extension if not exists \"uuid-ossp\" with schema extensions;");
}

TEST_CASE("postgres models: objects put in another schema are refused, naming file and line") {
  CHECK(refusal("CREATE TABLE a (id int);\n\nCREATE SCHEMA audit;") ==
        "schema/models.sql:3: CREATE SCHEMA audit: dbtool compares the objects of one schema, "
        "'public' (the [postgres] schema setting chooses it)");
  CHECK(refusal("CREATE TABLE a (id int);\nCREATE TABLE audit.log (id int);")
            .starts_with("schema/models.sql:2: table 'audit.log' is made in schema 'audit'"));
  CHECK(refusal("CREATE OR REPLACE VIEW\n  reporting.v AS SELECT 1;")
            .starts_with("schema/models.sql:2: view 'reporting.v' is made in schema 'reporting'"));
  CHECK(
      refusal("SET search_path = app, public;")
          .starts_with("schema/models.sql:1: SET search_path makes 'app' the schema models go to"));
  CHECK(refusal("SELECT set_config('search_path', 'app', false);")
            .starts_with("schema/models.sql:1: SET search_path makes 'app'"));
  // Names of other schemas that are only read are fine: a function, a type.
  CHECK(
      refusal("CREATE TABLE t (id uuid DEFAULT extensions.uuid_generate_v4(), at pg_catalog.date);")
          .empty());
  CHECK(refusal("CREATE INDEX ix ON t (a);").empty());
}
