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

namespace {

// A revision that records its runs in the table "ran" (one row per upgrade).
dbtool::revision::Revision counting_revision(const std::string& id, const std::string& parent,
                                             const std::string& depends_on = "") {
  auto revision = dbtool::test::make_revision(id, parent, depends_on);
  revision.upgrade_sql =
      "CREATE TABLE IF NOT EXISTS ran (id TEXT); INSERT INTO ran VALUES ('" + id + "');\n";
  revision.downgrade_sql = "DELETE FROM ran WHERE id = '" + id + "';\n";
  return revision;
}

} // namespace

TEST_CASE("downgrades revert what Alembic reverts, and keep the rows Alembic keeps") {
  dbtool::test::TempDir dir;
  dbtool::config::Settings settings;
  dbtool::db::SqliteConnection connection{dir.path() / "t.db", settings.sqlite};
  dbtool::migrate::ConnectionSource source = [&]() -> dbtool::db::Connection& {
    return connection;
  };
  connection.execute("CREATE TABLE ran (id TEXT)");
  auto runs_of = [&](const std::string& id) {
    return *connection.query("SELECT count(*) FROM ran WHERE id = '" + id + "'").at(0).at(0);
  };

  SUBCASE("a, b roots, c <- b depends_on a: stamp c, downgrade b leaves a and b") {
    const RevisionGraph graph(
        {counting_revision("a", ""), counting_revision("b", ""), counting_revision("c", "b", "a")});
    const Migrator migrator(graph, settings);
    migrator.stamp(source, {"c"}, false);
    connection.execute("INSERT INTO ran VALUES ('a'), ('b'), ('c')");
    const auto result = migrator.downgrade(source, "b", {});
    CHECK(result.steps.size() == 1);
    CHECK(result.after == Strings{"a", "b"});
    migrator.upgrade(source, "heads", {});
    CHECK(runs_of("a") == "1"); // not run a second time
    CHECK(runs_of("c") == "1");
    CHECK(migrator.current(connection) == Strings{"c"});
  }

  SUBCASE("b root depends_on a: downgrade -1 reverts b only; downgrade a is refused") {
    const RevisionGraph graph({counting_revision("a", ""), counting_revision("b", "", "a")});
    const Migrator migrator(graph, settings);
    migrator.stamp(source, {"b"}, false);
    auto result = migrator.downgrade(source, "-1", {});
    REQUIRE(result.steps.size() == 1);
    CHECK(result.steps[0].revision == "b");
    CHECK(result.after == Strings{"a"});
    migrator.stamp(source, {"b"}, false);
    CHECK_THROWS_WITH(migrator.downgrade(source, "a", {}),
                      "cannot downgrade to a (a): no applied revision descends from it through "
                      "down_revision; it is applied because b depends on it (downgrade that "
                      "revision, or stamp)");
    CHECK(migrator.current(connection) == Strings{"b"});
  }

  SUBCASE("relative targets against the command's direction are usage errors") {
    const RevisionGraph graph({counting_revision("a", ""), counting_revision("b", "a")});
    const Migrator migrator(graph, settings);
    bool opened = false;
    dbtool::migrate::ConnectionSource watched = [&]() -> dbtool::db::Connection& {
      opened = true;
      return connection;
    };
    try {
      migrator.upgrade(watched, "-4", {});
      FAIL("upgrade -4 ran");
    } catch (const dbtool::Error& error) {
      CHECK(error.kind() == dbtool::ErrorKind::Usage);
      CHECK(error.message() ==
            "upgrade -4: a relative upgrade counts up (+N); to go down, downgrade -4");
    }
    CHECK_THROWS_WITH(migrator.downgrade(watched, "+1", {}),
                      "downgrade +1: a relative downgrade counts down (-N); to go up, upgrade +1");
    CHECK_THROWS_AS(migrator.upgrade_script("-1"), dbtool::Error);
    CHECK_FALSE(opened);
  }
}

TEST_CASE("status: each revision's state in graph order, applied_at from the history table") {
  Fixture f;
  const Migrator migrator(f.graph, f.settings);
  using State = dbtool::migrate::RevisionStatus::State;
  auto states = [&] {
    std::vector<std::pair<std::string, State>> out;
    for (const auto& entry : migrator.status(f.connection).revisions)
      out.emplace_back(entry.revision, entry.state);
    return out;
  };
  using States = std::vector<std::pair<std::string, State>>;
  CHECK(states() == States{{"a1", State::Pending}, {"a2", State::Pending}, {"a3", State::Pending}});
  migrator.upgrade(f.source, "a1", {});
  migrator.stamp(f.source, {"a2"}, false);
  auto status = migrator.status(f.connection);
  CHECK(status.current == Strings{"a2"});
  CHECK(status.revisions[0].applied_at ==
        *f.connection.query("SELECT applied_at FROM dbtool_history WHERE revision = 'a1'")
             .at(0)
             .at(0));
  CHECK(status.revisions[2].applied_at.empty());
  CHECK(states() == States{{"a1", State::Applied}, {"a2", State::Stamped}, {"a3", State::Pending}});
  f.connection.execute("UPDATE dbtool_history SET checksum = 'x' WHERE revision = 'a1'");
  f.connection.execute("INSERT INTO dbtool_version VALUES ('zz99')");
  CHECK(states() == States{{"a1", State::Edited},
                           {"a2", State::Stamped},
                           {"a3", State::Pending},
                           {"zz99", State::Missing}});
  CHECK(std::string(dbtool::migrate::state_name(State::Edited)) == "edited");
}

TEST_CASE("a failed run is RunFailed with the steps it committed and the rows it left") {
  Fixture f;
  auto graph_revisions = std::vector<dbtool::revision::Revision>{
      table_revision("a1", ""), table_revision("a2", "a1"), table_revision("a3", "a2")};
  graph_revisions[2].upgrade_sql =
      "CREATE TABLE a3 (x INTEGER);\nINSERT INTO nowhere VALUES (1);\n";
  const RevisionGraph graph(std::move(graph_revisions));
  const Migrator migrator(graph, f.settings);
  try {
    migrator.upgrade(f.source, "head", {});
    FAIL("the upgrade succeeded");
  } catch (const dbtool::migrate::RunFailed& failure) {
    CHECK(failure.kind() == dbtool::ErrorKind::Database);
    CHECK(failure.line() == 8); // the INSERT, below the upgrade marker on line 6
    CHECK(failure.message() == "revision a3 (upgrade) failed: no such table: nowhere; rolled back; "
                               "the database is at a2 (this run committed 2 revisions before it)");
    CHECK(failure.partial().before.empty());
    CHECK(failure.partial().after == Strings{"a2"});
    REQUIRE(failure.partial().steps.size() == 2);
    CHECK(failure.partial().steps[1].revision == "a2");
  }
  dbtool::migrate::RunOptions one;
  one.single_transaction = true;
  try {
    migrator.upgrade(f.source, "head", one);
    FAIL("the upgrade succeeded");
  } catch (const dbtool::migrate::RunFailed& failure) {
    CHECK(failure.partial().steps.empty());
    CHECK(failure.partial().after == Strings{"a2"});
    CHECK(failure.message().find("nothing of this run was committed (--single-transaction): the "
                                 "database is still at a2") != std::string::npos);
  }
  // A refusal before any revision began is a plain error.
  CHECK_THROWS_AS(migrator.downgrade(f.source, "a3", {}), dbtool::Error);
  try {
    migrator.downgrade(f.source, "a3", {});
  } catch (const dbtool::migrate::RunFailed&) {
    FAIL("a refusal carried a partial run");
  } catch (const dbtool::Error&) {
  }
}
