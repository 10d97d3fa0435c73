// The backend-neutral comparison and its two renderers on cases whose order matters:
// views on views, foreign keys around the keys they use, identities around NOT NULL,
// domains on enum types, and what both backends call destructive or a likely rename.
// The PostgreSQL cases run on the server DBTOOL_TEST_PG_URL names (skipped without one,
// required under CI=true): each schema is made there from SQL, read back, and the
// migration between two of them applied both ways.
#include "dbtool/db/postgres/postgres_connection.h"
#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/diff/migration.h"
#include "dbtool/error.h"
#include "dbtool/schema/postgres_introspector.h"
#include "dbtool/schema/sqlite_introspector.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>
#include <unistd.h>

using namespace dbtool::schema;
using dbtool::config::Backend;
using dbtool::diff::compare_schemas;
using dbtool::diff::narrows;
using dbtool::diff::OperationKind;
using dbtool::diff::plan_migration;

namespace {

// A database of the test server for this test, dropped at the end; null without one.
class PostgresScratch {
 public:
  PostgresScratch() {
    const char* url = std::getenv("DBTOOL_TEST_PG_URL");
    if (url == nullptr || *url == '\0')
      return;
    m_admin = std::make_unique<dbtool::db::PostgresConnection>(
        dbtool::config::DatabaseUrl::parse(url), dbtool::config::PostgresOptions{});
    m_database = "dbtool_order_" + std::to_string(getpid());
    m_admin->execute("DROP DATABASE IF EXISTS " + m_database);
    m_admin->execute("CREATE DATABASE " + m_database);
    const std::string base = std::string(url).substr(0, std::string(url).rfind('/'));
    m_connection = std::make_unique<dbtool::db::PostgresConnection>(
        dbtool::config::DatabaseUrl::parse(base + "/" + m_database),
        dbtool::config::PostgresOptions{});
  }
  ~PostgresScratch() {
    m_connection.reset();
    if (m_admin)
      try {
        m_admin->execute("DROP DATABASE IF EXISTS " + m_database + " WITH (FORCE)");
      } catch (...) {
      }
  }
  dbtool::db::PostgresConnection* connection() { return m_connection.get(); }

  // The schema SQL makes, as the server reads it (in schema "s", emptied first).
  Schema schema_of(const std::string& sql) {
    reset();
    m_connection->execute_script(sql, 1);
    return introspect_postgres(*m_connection);
  }
  void reset() {
    m_connection->execute("DROP SCHEMA IF EXISTS s CASCADE; CREATE SCHEMA s; "
                          "SET search_path = s, public");
  }

 private:
  std::unique_ptr<dbtool::db::PostgresConnection> m_admin;
  std::unique_ptr<dbtool::db::PostgresConnection> m_connection;
  std::string m_database;
};

bool skip_without_server(PostgresScratch& server) {
  if (server.connection() != nullptr)
    return false;
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string(ci) == "true")
    FAIL("DBTOOL_TEST_PG_URL is not set: CI must run the PostgreSQL tests");
  MESSAGE("skipped: DBTOOL_TEST_PG_URL is not set");
  return true;
}

// Migrates a database made by FROM_SQL (with ROWS) to the schema TO_SQL makes, and back:
// each way must apply and give exactly the other schema.
void migrate_both_ways(PostgresScratch& server, const std::string& from_sql,
                       const std::string& to_sql, const std::string& rows = {}) {
  const Schema from = server.schema_of(from_sql);
  const Schema to = server.schema_of(to_sql);
  server.reset();
  auto& connection = *server.connection();
  connection.execute_script(from_sql + rows, 1);
  const auto up = plan_migration(from, to, Backend::Postgres);
  INFO("upgrade:\n", up.script.sql);
  REQUIRE_FALSE(up.operations.empty());
  connection.execute("BEGIN");
  CHECK_NOTHROW(connection.execute_script(up.script.sql, 1));
  connection.commit();
  CHECK(compare_schemas(introspect_postgres(connection), to, Backend::Postgres).empty());
  const auto down = plan_migration(to, from, Backend::Postgres);
  INFO("downgrade:\n", down.script.sql);
  connection.execute("BEGIN");
  CHECK_NOTHROW(connection.execute_script(down.script.sql, 1));
  connection.commit();
  CHECK(compare_schemas(introspect_postgres(connection), from, Backend::Postgres).empty());
}

bool has(const std::vector<dbtool::diff::Operation>& operations, OperationKind kind,
         const std::string& table, bool destructive) {
  for (const auto& operation : operations)
    if (operation.kind == kind && operation.table == table && operation.destructive == destructive)
      return true;
  return false;
}

} // namespace

TEST_CASE("narrows: sizes, number types, time zones and kinds") {
  CHECK(narrows("double precision", "real"));
  CHECK(narrows("numeric(12,6)", "numeric(10,2)"));
  CHECK(narrows("numeric(12,6)", "numeric(12,2)"));
  CHECK_FALSE(narrows("numeric(10,2)", "numeric(14,3)"));
  CHECK(narrows("character varying(255)", "character varying(100)"));
  CHECK_FALSE(narrows("character varying(100)", "character varying(255)"));
  CHECK_FALSE(narrows("character varying(20)", "text"));
  CHECK(narrows("text", "character varying(20)"));
  CHECK(narrows("bigint", "integer"));
  CHECK_FALSE(narrows("integer", "bigint"));
  CHECK(narrows("timestamp with time zone", "timestamp without time zone"));
  CHECK_FALSE(narrows("timestamp without time zone", "timestamp with time zone"));
  CHECK_FALSE(narrows("integer", "double precision"));
  CHECK_FALSE(narrows("date", "timestamp with time zone"));
  CHECK(narrows("text", "integer"));
  CHECK(narrows("VARCHAR(20)", "INTEGER"));
  CHECK_FALSE(narrows("INTEGER", "BLOB"));
  CHECK_FALSE(narrows("INTEGER", "REAL"));
  CHECK(narrows("VARCHAR(20)", "VARCHAR(10)"));
  CHECK_FALSE(narrows("json", "jsonb"));
  CHECK_FALSE(narrows("TEXT", "text"));
}

TEST_CASE("differ: PostgreSQL narrowing type changes are destructive, renames are noted") {
  PostgresScratch server;
  if (skip_without_server(server))
    return;
  const Schema from = server.schema_of(
      "CREATE TABLE m (id integer PRIMARY KEY, d double precision, n numeric(12,6), "
      "v varchar(255), b bigint, t timestamptz, x text);"
      "CREATE TABLE old_name (id integer PRIMARY KEY, label text);");
  const Schema to = server.schema_of(
      "CREATE TABLE m (id integer PRIMARY KEY, d real, n numeric(10,2), v varchar(100), "
      "b integer, t timestamp, x varchar(10));"
      "CREATE TABLE new_name (id integer PRIMARY KEY, label text);");
  const auto operations = compare_schemas(from, to, Backend::Postgres);
  CHECK(has(operations, OperationKind::AlterTable, "m", true));
  for (const char* change : {"d: type", "n: type", "v: type", "b: type", "t: type", "x: type"}) {
    bool found = false;
    for (const auto& operation : operations)
      for (const auto& text : operation.changes)
        found = found || text.find(change) != std::string::npos;
    CHECK_MESSAGE(found, change);
  }
  // Each narrowing alone is destructive too.
  for (const auto& narrowing :
       std::vector<std::pair<std::string, std::string>>{{"double precision", "real"},
                                                        {"numeric(12,6)", "numeric(10,2)"},
                                                        {"varchar(255)", "varchar(100)"},
                                                        {"bigint", "integer"},
                                                        {"timestamptz", "timestamp"},
                                                        {"text", "varchar(10)"}}) {
    // (Named copies: doctest's macros capture in lambdas, which C++17 forbids for bindings.)
    const std::string& before = narrowing.first;
    const std::string& after = narrowing.second;
    const Schema a = server.schema_of("CREATE TABLE w (c " + before + ");");
    const Schema b = server.schema_of("CREATE TABLE w (c " + after + ");");
    const auto step = plan_migration(a, b, Backend::Postgres);
    CHECK_MESSAGE(has(step.operations, OperationKind::AlterTable, "w", true), before, " -> ",
                  after);
    CHECK(step.script.sql.find("-- WARNING: destructive") != std::string::npos);
    // The way back widens, but for numeric(10,2) -> numeric(12,6), whose integer part
    // narrows from 8 digits to 6.
    if (before != "numeric(12,6)")
      CHECK_FALSE(
          has(compare_schemas(b, a, Backend::Postgres), OperationKind::AlterTable, "w", true));
  }
  bool noted = false;
  for (const auto& operation : operations)
    noted =
        noted || (operation.kind == OperationKind::CreateTable && operation.table == "new_name" &&
                  operation.note == "possible rename of table old_name");
  CHECK(noted);
  const auto columns = compare_schemas(
      server.schema_of("CREATE TABLE c (id integer, surname text);"),
      server.schema_of("CREATE TABLE c (id integer, family_name text);"), Backend::Postgres);
  bool column_noted = false;
  for (const auto& operation : columns)
    column_noted =
        column_noted || operation.note == "column family_name may be a rename of surname";
  CHECK(column_noted);
}

TEST_CASE("differ: PostgreSQL views on views are dropped and made in dependency order") {
  PostgresScratch server;
  if (skip_without_server(server))
    return;
  // b_top reads a_base; renaming the column under both forces both to be remade.
  const std::string tables = "CREATE TABLE t (id integer PRIMARY KEY, v text);";
  migrate_both_ways(server,
                    tables + "CREATE VIEW z_base AS SELECT id, v FROM t;"
                             "CREATE VIEW a_top AS SELECT id FROM z_base;",
                    "CREATE TABLE t (id integer PRIMARY KEY, v varchar(20));"
                    "CREATE VIEW z_base AS SELECT id, v, 1 AS one FROM t;"
                    "CREATE VIEW a_top AS SELECT id, one FROM z_base;",
                    "INSERT INTO t VALUES (1, 'x');");
}

TEST_CASE("differ: PostgreSQL foreign keys go before the keys they use and come back after") {
  PostgresScratch server;
  if (skip_without_server(server))
    return;
  // The referenced key changes (a unique constraint replaced by another on the same
  // column, the primary key widened); the child's foreign key itself does not.
  migrate_both_ways(server,
                    "CREATE TABLE parent (id integer PRIMARY KEY, code text CONSTRAINT code_key "
                    "UNIQUE);"
                    "CREATE TABLE child (id integer PRIMARY KEY, code text REFERENCES parent "
                    "(code), parent_id integer REFERENCES parent (id));",
                    "CREATE TABLE parent (id integer, code text CONSTRAINT code_unique UNIQUE, "
                    "CONSTRAINT parent_pkey PRIMARY KEY (id));"
                    "CREATE TABLE child (id integer PRIMARY KEY, code text, parent_id integer "
                    "REFERENCES parent (id));",
                    "INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 'a', 1);");
  migrate_both_ways(server,
                    "CREATE TABLE parent (id integer PRIMARY KEY, code text UNIQUE);"
                    "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES "
                    "parent (id));",
                    "CREATE TABLE parent (id integer, code text UNIQUE, CONSTRAINT parent_pkey "
                    "PRIMARY KEY (id, code));"
                    "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer);",
                    "INSERT INTO parent VALUES (1, 'a'); INSERT INTO child VALUES (1, 1);");
  // The child's foreign key does not change, but the key it uses is made again (its
  // name changes): the foreign key goes first and comes back after, unlisted.
  const std::string child = "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer "
                            "CONSTRAINT child_parent_fk REFERENCES parent (id));";
  migrate_both_ways(server,
                    "CREATE TABLE parent (id integer CONSTRAINT parent_pkey PRIMARY KEY);" + child,
                    "CREATE TABLE parent (id integer CONSTRAINT parent_key PRIMARY KEY);" + child,
                    "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1);");
}

TEST_CASE("differ: PostgreSQL identity columns around NOT NULL, domains on enum types") {
  PostgresScratch server;
  if (skip_without_server(server))
    return;
  // Up: a plain column becomes an identity (NOT NULL first); down: the identity goes
  // before NOT NULL does.
  migrate_both_ways(server, "CREATE TABLE t (id integer, v text);",
                    "CREATE TABLE t (id integer GENERATED BY DEFAULT AS IDENTITY, v text);",
                    "INSERT INTO t VALUES (1, 'x');");
  // A domain over a new enum type: the type first, the domain after; down, the other way.
  migrate_both_ways(server, "CREATE TABLE t (id integer);",
                    "CREATE TYPE mood AS ENUM ('ok', 'sad');"
                    "CREATE DOMAIN happy AS mood CHECK (VALUE <> 'sad');"
                    "CREATE TABLE t (id integer, m happy);");
}

TEST_CASE("differ: SQLite views on views are made again in dependency order") {
  dbtool::db::SqliteConnection a{dbtool::config::SqliteOptions{}};
  a.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, w TEXT);"
            "CREATE VIEW z_base AS SELECT id, v FROM t;"
            "CREATE VIEW a_top AS SELECT id FROM z_base;");
  dbtool::db::SqliteConnection b{dbtool::config::SqliteOptions{}};
  b.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);" // w dropped: a rebuild
            "CREATE VIEW z_base AS SELECT id, v FROM t;"
            "CREATE VIEW a_top AS SELECT id, v FROM z_base;");
  const Schema from = introspect_sqlite(a), to = introspect_sqlite(b);
  const auto up = plan_migration(from, to, Backend::Sqlite);
  // Only what differs is listed; the unchanged view is made again without a listing.
  int views_listed = 0;
  for (const auto& operation : up.operations)
    views_listed += operation.kind == OperationKind::CreateView ? 1 : 0;
  CHECK(views_listed == 1);
  const auto base = up.script.sql.find("CREATE VIEW z_base");
  const auto top = up.script.sql.find("CREATE VIEW a_top");
  REQUIRE(base != std::string::npos);
  REQUIRE(top != std::string::npos);
  CHECK(base < top);
  a.execute("BEGIN");
  CHECK_NOTHROW(a.execute(up.script.sql));
  a.execute("COMMIT");
  CHECK(compare_schemas(introspect_sqlite(a), to, Backend::Sqlite).empty());
}
