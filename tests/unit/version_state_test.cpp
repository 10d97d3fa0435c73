#include "test_helpers.h"

#include "dbtool/error.h"
#include "dbtool/migrate/version_state.h"

#include <doctest/doctest.h>

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
