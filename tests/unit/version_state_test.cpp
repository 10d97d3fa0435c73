#include "test_helpers.h"

#include "dbtool/error.h"
#include "dbtool/migrate/version_state.h"

#include <doctest/doctest.h>

#include <array>

using dbtool::migrate::VersionState;
using dbtool::revision::RevisionGraph;
using dbtool::test::ids;
using dbtool::test::make_revision;
using Strings = std::vector<std::string>;

namespace {

// base1 -> a1 -> merge1 <- b1 <- base1
RevisionGraph diamond() {
  return RevisionGraph({make_revision("base1"), make_revision("a1", "base1"),
                        make_revision("b1", "base1"), make_revision("merge1", "a1,b1")});
}

} // namespace

TEST_CASE("version rows follow upgrades through a branch and a merge as Alembic's do") {
  const auto graph = diamond();
  VersionState state(graph, {});
  auto step_up = [&](const char* id) { return state.upgrade(*graph.find(id)); };
  auto change = step_up("base1");
  CHECK(change.removed.empty());
  CHECK(change.added == Strings{"base1"});
  change = step_up("a1");
  CHECK(change.removed == Strings{"base1"});
  CHECK(state.row_ids() == Strings{"a1"});
  change = step_up("b1"); // base1 is no longer a row: the other branch simply adds one
  CHECK(change.removed.empty());
  CHECK(state.row_ids() == Strings{"a1", "b1"});
  change = step_up("merge1");
  CHECK(change.removed == Strings{"a1", "b1"});
  CHECK(state.row_ids() == Strings{"merge1"});
}

TEST_CASE("downgrades restore the parents as rows only when nothing else covers them") {
  const auto graph = diamond();
  VersionState state(graph, {"merge1"});
  CHECK(state.is_applied(*graph.find("base1")));
  auto change = state.downgrade(*graph.find("merge1"));
  CHECK(change.removed == Strings{"merge1"});
  CHECK(state.row_ids() == Strings{"a1", "b1"});
  change = state.downgrade(*graph.find("a1"));
  CHECK(change.added.empty()); // base1 is still below b1
  CHECK(state.row_ids() == Strings{"b1"});
  change = state.downgrade(*graph.find("b1"));
  CHECK(change.added == Strings{"base1"});
  change = state.downgrade(*graph.find("base1"));
  CHECK(state.row_ids().empty());
  CHECK(ids(graph, state.rows()).empty());
}

TEST_CASE("a version row that no revision defines is a project error") {
  const auto graph = diamond();
  CHECK_THROWS_WITH(VersionState(graph, {"zzz9"}),
                    "the database is at revision zzz9, which no revision file defines (stamp "
                    "it, or restore the file)");
}

namespace {

// The graphs of issue 17, as (id, down_revisions, depends_on).
RevisionGraph graph_of(const std::vector<std::array<const char*, 3>>& specs) {
  std::vector<dbtool::revision::Revision> revisions;
  for (const auto& [id, parents, depends_on] : specs)
    revisions.push_back(make_revision(id, parents, depends_on));
  return RevisionGraph(std::move(revisions));
}

} // namespace

TEST_CASE("a revision's row stands for its dependencies, as Alembic's HeadMaintainer keeps it") {
  // a root, b root depends_on a, c <- b: b's row replaces a's.
  const auto graph = graph_of({{"a", "", ""}, {"b", "", "a"}, {"c", "b", ""}});
  VersionState state(graph, {});
  auto step_up = [&](const char* id) { return state.upgrade(*graph.find(id)); };
  step_up("a");
  const auto change = step_up("b");
  CHECK(change.removed == Strings{"a"});
  CHECK(change.added == Strings{"b"});
  step_up("c");
  CHECK(state.row_ids() == Strings{"c"});
  state.downgrade(*graph.find("c"));
  CHECK(state.row_ids() == Strings{"b"});
  state.downgrade(*graph.find("b"));
  CHECK(state.row_ids() == Strings{"a"}); // the dependency comes back as a row
  CHECK(state.is_applied(*graph.find("a")));
}

TEST_CASE("reverting a revision whose dependency is a root of its own restores both rows") {
  // a root, b root, c <- b depends_on a: stamped at c, c reverted leaves [a, b].
  const auto graph = graph_of({{"a", "", ""}, {"b", "", ""}, {"c", "b", "a"}});
  CHECK(ids(graph, graph.version_parents(*graph.find("c"))) == Strings{"b", "a"});
  VersionState state(graph, {"c"});
  const auto change = state.downgrade(*graph.find("c"));
  CHECK(change.removed == Strings{"c"});
  CHECK(change.added == Strings{"b", "a"});
  CHECK(state.row_ids() == Strings{"a", "b"});
  // Upgrading c again merges both rows into one.
  const auto again = state.upgrade(*graph.find("c"));
  CHECK(again.removed == Strings{"b", "a"});
  CHECK(state.row_ids() == Strings{"c"});
}

TEST_CASE("a row that lies below another head stays when a branch is reverted") {
  // a root, b root depends_on a, c <- a, d <- b depends_on c.
  const auto graph = graph_of({{"a", "", ""}, {"b", "", "a"}, {"c", "a", ""}, {"d", "b", "c"}});
  VersionState state(graph, {});
  for (const char* id : {"a", "b", "c", "d"})
    state.upgrade(*graph.find(id));
  CHECK(state.row_ids() == Strings{"d"});
  state.downgrade(*graph.find("d"));
  CHECK(state.row_ids() == Strings{"b", "c"});
  // a is below b (a dependency): reverting c does not bring a back as a row.
  const auto change = state.downgrade(*graph.find("c"));
  CHECK(change.removed == Strings{"c"});
  CHECK(change.added.empty());
  CHECK(state.row_ids() == Strings{"b"});
  CHECK(state.is_applied(*graph.find("a")));
}
