#include "test_helpers.h"

#include "dbtool/data/dump.h"
#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <new>
#include <sstream>
#include <stdexcept>

namespace {

namespace fs = std::filesystem;

// The names in FOLDER, sorted, one string.
std::string listing(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  std::string out;
  for (const auto& name : names)
    out += name + " ";
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A database (outside FOLDER) with enough rows that progress is told mid-dump too.
std::unique_ptr<dbtool::db::SqliteConnection> database(const fs::path& file) {
  auto connection =
      std::make_unique<dbtool::db::SqliteConnection>(file, dbtool::config::SqliteOptions{});
  connection->execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                      "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < "
                      "70000) INSERT INTO t (v) SELECT 'row ' || x FROM n;");
  return connection;
}

} // namespace

TEST_CASE("dump -o leaves no partial file whatever the exception, and the old file as it was") {
  dbtool::test::TempDir dir;
  fs::create_directory(dir.path() / "out");
  auto connection = database(dir.path() / "app.db");
  const fs::path target = dir.path() / "out" / "dump.sql";
  std::ofstream(target) << "the previous dump\n";

  // Each kind of failure, thrown by the progress callback: the first call comes after
  // 65,536 rows, with part of the dump written to the temporary file.
  auto failing = [](auto exception) {
    dbtool::data::DumpOptions options;
    options.on_progress = [exception](std::uint64_t rows) {
      CHECK(rows == 65536);
      throw exception;
    };
    return options;
  };
  CHECK_THROWS_AS(dbtool::data::dump_database_to_file(
                      *connection, failing(std::runtime_error("from a callback")), target),
                  std::runtime_error);
  CHECK(listing(dir.path() / "out") == "dump.sql ");
  CHECK_THROWS_AS(
      dbtool::data::dump_database_to_file(*connection, failing(std::bad_alloc()), target),
      std::bad_alloc);
  CHECK(listing(dir.path() / "out") == "dump.sql ");
  CHECK_THROWS_AS(dbtool::data::dump_database_to_file(
                      *connection,
                      failing(fs::filesystem_error("disk gone", target,
                                                   std::make_error_code(std::errc::io_error))),
                      target),
                  fs::filesystem_error);
  CHECK(listing(dir.path() / "out") == "dump.sql ");
  // A dbtool::Error is located at the target.
  try {
    dbtool::data::dump_database_to_file(
        *connection, failing(dbtool::Error(dbtool::ErrorKind::Database, "stopped")), target);
    FAIL("no error");
  } catch (const dbtool::Error& error) {
    CHECK(error.file() == target.string());
    CHECK(error.message() == "stopped");
  }
  CHECK(listing(dir.path() / "out") == "dump.sql ");
  CHECK(read_file(target) == "the previous dump\n");
  // The database was only read: a failed dump left its transaction closed.
  CHECK_FALSE(connection->in_transaction());

  // And without a failure, the dump replaces the file.
  const auto result = dbtool::data::dump_database_to_file(*connection, {}, target);
  CHECK(result.rows == 70000);
  CHECK(listing(dir.path() / "out") == "dump.sql ");
  CHECK(read_file(target).find("INSERT INTO t (id, v) VALUES (70000,'row 70000');") !=
        std::string::npos);
}

TEST_CASE("dump -o into a folder that does not exist names the target and leaves nothing") {
  dbtool::test::TempDir dir;
  auto connection = database(dir.path() / "app.db");
  const fs::path target = dir.path() / "missing" / "dump.sql";
  try {
    dbtool::data::dump_database_to_file(*connection, {}, target);
    FAIL("no error");
  } catch (const dbtool::Error& error) {
    CHECK(error.kind() == dbtool::ErrorKind::Database);
    CHECK(error.file() == target.string());
  }
  CHECK_FALSE(fs::exists(dir.path() / "missing"));
}
