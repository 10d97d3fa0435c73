#include "test_helpers.h"

#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"

#include <doctest/doctest.h>

#include <fstream>
#include <sqlite3.h>

using dbtool::db::SqliteConnection;

TEST_CASE("a script runs statement by statement and a failure names its line") {
  SqliteConnection connection{dbtool::config::SqliteOptions{}};
  connection.execute_script("CREATE TABLE a (x);\n-- comment\nINSERT INTO a VALUES (1);", 10);
  CHECK(connection.query("SELECT x FROM a").at(0).at(0) == "1");
  try {
    connection.execute_script(
        "INSERT INTO a VALUES (2);\n\n/* note */\n  INSERT INTO b VALUES (3);", 20);
    FAIL("no error");
  } catch (const dbtool::Error& error) {
    CHECK(error.kind() == dbtool::ErrorKind::Database);
    CHECK(error.line() == 23);
    CHECK(error.message() == "no such table: b");
  }
}

TEST_CASE("statements that would end the runner's transaction are refused inside one") {
  SqliteConnection connection{dbtool::config::SqliteOptions{}};
  connection.begin_write();
  try {
    connection.execute_script("CREATE TABLE a (x);\nCOMMIT;", 1);
    FAIL("no error");
  } catch (const dbtool::Error& error) {
    CHECK(error.line() == 2);
    CHECK(error.message() == "transaction control statement in a transactional revision (set "
                             "'-- transactional: false' in its header to manage transactions "
                             "yourself)");
  }
  CHECK(connection.in_transaction());
  connection.execute_script("SAVEPOINT s; ROLLBACK TO s; RELEASE s;", 1);
  connection.rollback();
  CHECK_FALSE(connection.in_transaction());
  CHECK_FALSE(connection.has_table("a"));
}

TEST_CASE("NULL, text with NUL bytes and numbers come back as written") {
  SqliteConnection connection{dbtool::config::SqliteOptions{}};
  const auto rows = connection.query("SELECT NULL, 'a' || char(0) || 'b', 42, 'NULL'");
  REQUIRE(rows.size() == 1);
  CHECK_FALSE(rows[0][0].has_value());
  CHECK(*rows[0][1] == std::string("a\0b", 3));
  CHECK(*rows[0][2] == "42");
  CHECK(*rows[0][3] == "NULL");
}

TEST_CASE("a file that is not a database is a database error, left untouched") {
  dbtool::test::TempDir dir;
  const auto path = dir.path() / "junk.db";
  std::ofstream(path) << "this is not a database file, just text that is long enough......\n";
  const auto size = std::filesystem::file_size(path);
  CHECK_THROWS_WITH(SqliteConnection(path, dbtool::config::SqliteOptions{}),
                    (path.string() + ": cannot open database: file is not a database").c_str());
  CHECK(std::filesystem::file_size(path) == size);
  CHECK_FALSE(std::filesystem::exists(path.string() + "-wal"));
}

TEST_CASE("SQLite keeps no allocation counts (they would serialize threads on one mutex)") {
  SqliteConnection connection{dbtool::config::SqliteOptions{}};
  connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); "
                     "INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
  CHECK(connection.query("SELECT count(*) FROM t").at(0).at(0) == "3");
  // With the counts on, the connection's memory would show here.
  CHECK(sqlite3_memory_used() == 0);
}
