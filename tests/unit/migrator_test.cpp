#include "test_helpers.h"

#include "dbtool/config/settings.h"
#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"
#include "dbtool/migrate/migrator.h"

#include <doctest/doctest.h>

using dbtool::migrate::Migrator;
using dbtool::revision::RevisionGraph;
using Strings = std::vector<std::string>;

namespace {

dbtool::revision::Revision table_revision(const std::string& id, const std::string& parent) {
  auto revision = dbtool::test::make_revision(id, parent);
  revision.upgrade_sql = "CREATE TABLE " + id + " (x INTEGER);\n";
  revision.downgrade_sql = "DROP TABLE " + id + ";\n";
  return revision;
}

struct Fixture {
  dbtool::test::TempDir dir;
  dbtool::config::Settings settings;
  RevisionGraph graph{
      {table_revision("a1", ""), table_revision("a2", "a1"), table_revision("a3", "a2")}};
  dbtool::db::SqliteConnection connection{dir.path() / "t.db", settings.sqlite};
  dbtool::migrate::ConnectionSource source = [this]() -> dbtool::db::Connection& {
    return connection;
  };
  long tables() {
    return std::stol(
        *connection.query("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'a_'").at(0).at(0));
  }
};

} // namespace

TEST_CASE("upgrade, downgrade and stamp move the version rows and the schema together") {
  Fixture f;
  const Migrator migrator(f.graph, f.settings);
  std::vector<size_t> progress;
  dbtool::migrate::RunOptions options;
  options.on_step = [&](const dbtool::migrate::StepRecord&, size_t done, size_t total) {
    progress.push_back(done * 10 + total);
  };
  auto result = migrator.upgrade(f.source, "a2", options);
  CHECK(result.before.empty());
  CHECK(result.after == Strings{"a2"});
  CHECK(result.steps.size() == 2);
  CHECK(progress == std::vector<size_t>{12, 22});
  CHECK(f.tables() == 2);
  CHECK(migrator.current(f.connection) == Strings{"a2"});

  result = migrator.upgrade(f.source, "head", {});
  CHECK(result.after == Strings{"a3"});
  result = migrator.downgrade(f.source, "-2", {});
  CHECK(result.after == Strings{"a1"});
  CHECK(f.tables() == 1);

  result = migrator.stamp(f.source, {"a3"}, false);
  CHECK(result.after == Strings{"a3"});
  CHECK(f.tables() == 1); // stamping runs no revision SQL
  result = migrator.stamp(f.source, {"base"}, false);
  CHECK(result.after.empty());
  CHECK(migrator.current(f.connection).empty());
}

TEST_CASE("a bad target fails before the database is opened") {
  Fixture f;
  const Migrator migrator(f.graph, f.settings);
  bool opened = false;
  dbtool::migrate::ConnectionSource source = [&]() -> dbtool::db::Connection& {
    opened = true;
    return f.connection;
  };
  CHECK_THROWS_WITH(migrator.upgrade(source, "zzzz", {}), "unknown revision 'zzzz'");
  CHECK_THROWS_WITH(migrator.downgrade(source, "nope1", {}), "unknown revision 'nope1'");
  CHECK_FALSE(opened);
}

TEST_CASE("the offline script of an upgrade and of a downgrade range") {
  Fixture f;
  const Migrator migrator(f.graph, f.settings);
  const auto up = migrator.upgrade_script("a1:head");
  CHECK(up.find("CREATE TABLE a1 ") == std::string::npos);
  CHECK(up.find("BEGIN;\nCREATE TABLE a2 (x INTEGER);\nDELETE FROM \"dbtool_version\" WHERE "
                "version_num = 'a1';\nINSERT INTO \"dbtool_version\" (version_num) VALUES "
                "('a2');\n") != std::string::npos);
  f.connection.execute(migrator.upgrade_script("head"));
  CHECK(migrator.current(f.connection) == Strings{"a3"});
  CHECK(f.tables() == 3);
  f.connection.execute(migrator.downgrade_script("a3:a1"));
  CHECK(migrator.current(f.connection) == Strings{"a1"});
  CHECK(f.tables() == 1);
  CHECK_THROWS_WITH(migrator.downgrade_script("base"),
                    "offline downgrade needs a range FROM:TO (e.g. head:base), as in Alembic");
}
