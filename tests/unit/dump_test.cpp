#include "test_helpers.h"

#include "dbtool/data/dump.h"
#include "dbtool/data/seed.h"
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

namespace {

// A database with the project's version and history tables beside an application table.
std::unique_ptr<dbtool::db::SqliteConnection> project_database(const fs::path& file) {
  auto connection =
      std::make_unique<dbtool::db::SqliteConnection>(file, dbtool::config::SqliteOptions{});
  connection->execute("CREATE TABLE dbtool_version (version_num VARCHAR(64) NOT NULL PRIMARY KEY);"
                      "INSERT INTO dbtool_version VALUES ('a1');"
                      "CREATE TABLE dbtool_history (id INTEGER PRIMARY KEY, revision VARCHAR(64));"
                      "INSERT INTO dbtool_history (revision) VALUES ('a1');"
                      "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);"
                      "INSERT INTO settings VALUES ('k', 'v');");
  return connection;
}

// The dump of CONNECTION with OPTIONS, as text.
std::string dump_text(dbtool::db::Connection& connection, const dbtool::data::DumpOptions& options,
                      const fs::path& file) {
  dbtool::data::dump_database_to_file(connection, options, file);
  return read_file(file);
}

} // namespace

TEST_CASE("a jsonl dump leaves the project's version and history tables out unless named") {
  dbtool::test::TempDir dir;
  auto connection = project_database(dir.path() / "app.db");
  dbtool::data::DumpOptions options;
  options.format = dbtool::data::DumpFormat::Jsonl;
  options.version_table = "DBTOOL_VERSION"; // SQLite's names match without regard to case
  options.history_table = "dbtool_history";
  const auto out = dir.path() / "out.jsonl";
  CHECK(dump_text(*connection, options, out) ==
        "{\"table\":\"settings\",\"columns\":[{\"name\":\"rowid\",\"type\":\"INTEGER\"},{"
        "\"name\":\"key\",\"type\":\"TEXT\"},{\"name\":\"value\",\"type\":\"TEXT\"}]}\n"
        "[1,\"k\",\"v\"]\n");
  options.tables = {"dbtool_version"};
  CHECK(dump_text(*connection, options, out) ==
        "{\"table\":\"dbtool_version\",\"columns\":[{\"name\":\"rowid\",\"type\":\"INTEGER\"},{"
        "\"name\":\"version_num\",\"type\":\"VARCHAR(64)\"}]}\n[1,\"a1\"]\n");
  // sql copies the whole database.
  options.tables.clear();
  options.format = dbtool::data::DumpFormat::Sql;
  const std::string sql = dump_text(*connection, options, out);
  CHECK(sql.find("INSERT INTO dbtool_version (rowid, version_num) VALUES (1,'a1');") !=
        std::string::npos);
  CHECK(sql.find("INSERT INTO dbtool_history (id, revision) VALUES (1,'a1');") !=
        std::string::npos);
}

TEST_CASE("seed refuses the project's version and history tables before it writes anything") {
  dbtool::test::TempDir dir;
  auto connection = project_database(dir.path() / "app.db");
  const dbtool::data::SeedOptions options{"dbtool_version", "dbtool_history"};
  const auto settings = dir.path() / "1_settings.json";
  std::ofstream(settings) << R"({"table": "settings", "rows": [{"key": "new", "value": "1"}]})";
  const auto version = dir.path() / "2_version.jsonl";
  std::ofstream(version) << "{\"table\":\"settings\",\"columns\":[\"key\",\"value\"]}\n"
                            "[\"other\",\"2\"]\n"
                            "{\"table\": \"Dbtool_Version\", \"columns\": [\"version_num\"]}\n"
                            "[\"b2\"]\n";
  try {
    dbtool::data::seed_database(*connection, {settings, version}, options);
    FAIL("no error");
  } catch (const dbtool::Error& error) {
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(error.file() == version.string());
    CHECK(error.line() == 3);
    CHECK(error.message().rfind("table 'Dbtool_Version' is the project's version table", 0) == 0);
  }
  const auto history = dir.path() / "history.json";
  std::ofstream(history) << R"([{"table": "dbtool_history", "rows": [{"revision": "b2"}]}])";
  try {
    dbtool::data::seed_database(*connection, {history}, options);
    FAIL("no error");
  } catch (const dbtool::Error& error) {
    CHECK(error.file() == history.string());
    CHECK(error.message().rfind("table 'dbtool_history' is the project's history table", 0) == 0);
  }
  CHECK_FALSE(connection->in_transaction());
  CHECK(connection->query("SELECT group_concat(key) FROM settings").at(0).at(0) == "k");
  CHECK(connection->query("SELECT group_concat(version_num) FROM dbtool_version").at(0).at(0) ==
        "a1");
  // Without the project's names (another configuration), they are tables like any other.
  const auto result = dbtool::data::seed_database(*connection, {settings, version});
  CHECK(result.inserted == 3);
  CHECK(result.sequences_advanced == 0);
}
