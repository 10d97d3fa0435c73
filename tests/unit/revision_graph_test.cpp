#include "test_helpers.h"

#include "dbtool/error.h"
#include "dbtool/revision/history_range.h"
#include "dbtool/revision/revision_graph.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>

using dbtool::revision::RevisionGraph;
using dbtool::test::ids;
using dbtool::test::make_revision;
using Strings = std::vector<std::string>;

namespace {

// base1 -> a1 -> a2 -> merge1 -> top1
//       \-> b1 ------/
// c1 (depends on a1, label "cee"), its own root.
RevisionGraph sample_graph() {
  return RevisionGraph({make_revision("top1", "merge1"), make_revision("merge1", "a2,b1"),
                        make_revision("a2", "a1"), make_revision("b1", "base1", "", "bee"),
                        make_revision("a1", "base1"), make_revision("base1"),
                        make_revision("c1", "", "a1", "cee")});
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const dbtool::Error& error) {
    return error.what();
  }
  return "(no error)";
}

} // namespace

TEST_CASE("heads, bases, branch points and a topological order") {
  const auto graph = sample_graph();
  CHECK(ids(graph, graph.heads()) == Strings{"c1", "top1"});
  CHECK(ids(graph, graph.bases()) == Strings{"base1", "c1"}); // c1 only depends on a1
  CHECK(ids(graph, graph.branch_points()) == Strings{"base1"});
  const auto& order = graph.topological_order();
  REQUIRE(order.size() == graph.size());
  for (auto index : order) {
    for (auto parent : graph.parents(index))
      CHECK(graph.position(parent) < graph.position(index));
    for (auto dependency : graph.dependencies(index))
      CHECK(graph.position(dependency) < graph.position(index));
  }
}

TEST_CASE("targets resolve by Alembic's grammar") {
  const auto graph = sample_graph();
  auto resolve = [&](const std::string& target, const Strings& current = {}) {
    dbtool::revision::IndexList list;
    for (const auto& id : current)
      list.push_back(*graph.find(id));
    return ids(graph, graph.resolve(target, list));
  };
  CHECK(resolve("base").empty());
  CHECK(resolve("heads") == Strings{"c1", "top1"});
  CHECK(resolve("merge1") == Strings{"merge1"});
  CHECK(resolve("merg") == Strings{"merge1"});
  CHECK(resolve("bee") == Strings{"b1"});
  CHECK(resolve("bee@head") == Strings{"top1"});
  CHECK(resolve("cee@head") == Strings{"c1"});
  CHECK(error_of([&] { resolve("+1"); }) ==
        "relative revision '+1' is ambiguous: the next step could be base1, c1; name a revision");
  CHECK(resolve("+1", {"a1"}) == Strings{"a2"});
  CHECK(resolve("+2", {"a1"}) == Strings{"merge1"});
  CHECK(resolve("-1", {"merge1"}) == Strings{"a2", "b1"});
  CHECK(resolve("-1", {"base1"}).empty());
  CHECK(resolve("a2-1") == Strings{"a1"});
  CHECK(resolve("merge1+1") == Strings{"top1"});
  CHECK(resolve("a1+2") == Strings{"merge1"});

  CHECK(error_of([&] { resolve("head"); }) ==
        "several heads (c1, top1): name one, use 'heads', or merge them (see `dbtool heads`)");
  CHECK(error_of([&] { resolve("nope"); }) == "unknown revision 'nope'");
  CHECK(error_of([&] { resolve("a1x"); }) ==
        "unknown revision 'a1x' (a prefix needs at least 4 characters)");
  CHECK(error_of([&] { resolve("+1", {"base1"}); }) ==
        "relative revision '+1' is ambiguous: the next step could be a1, b1; name a revision");
  CHECK(error_of([&] { resolve("-2", {"merge1"}); }) ==
        "relative revision '-2' is ambiguous from a2, b1; name a revision");
  CHECK(error_of([&] { resolve("-1"); }) == "relative revision '-1' goes below base");
  CHECK(error_of([&] { resolve("top1+1"); }) == "relative revision 'top1+1' goes past head top1");
  CHECK(error_of([&] {
          resolve("+1", {"a1", "b1"});
        }) == "relative revision '+1' is ambiguous from a1, b1; name a revision");
  CHECK(error_of([&] { resolve("bee@base"); }) ==
        "unknown revision target 'bee@base' (expected <label>@head)");
  CHECK(error_of([&] { resolve("a1+x"); }) == "unknown revision target 'a1+x'");
}

TEST_CASE("an ambiguous prefix names every match") {
  const RevisionGraph graph({make_revision("abcd1"), make_revision("abcd2", "abcd1")});
  CHECK(error_of([&] { graph.resolve_revision("abcd"); }) ==
        "ambiguous revision prefix 'abcd': matches abcd1, abcd2");
  CHECK(graph.id(graph.resolve_revision("abcd2")) == "abcd2");
}

TEST_CASE("unsound graphs are project errors naming the file") {
  CHECK(error_of([] {
          RevisionGraph({make_revision("a1"), make_revision("a1")});
        }) == "a1.sql: duplicate revision id a1 (also in a1.sql)");
  CHECK(error_of([] { RevisionGraph({make_revision("a1", "zz9")}); }) ==
        "a1.sql: revision a1 names down_revision zz9, which no revision file defines");
  CHECK(error_of([] { RevisionGraph({make_revision("a1", "", "zz9")}); }) ==
        "a1.sql: revision a1 depends on zz9, which no revision file defines");
  CHECK(error_of([] {
          RevisionGraph({make_revision("a1", "c1"), make_revision("b1", "a1"),
                         make_revision("c1", "b1"), make_revision("d1")});
        }).find("is part of a cycle") != std::string::npos);
  CHECK(error_of([] {
          RevisionGraph({make_revision("a1", "", "", "x"), make_revision("b1", "", "", "x")});
        }) == "b1.sql: branch label 'x' is already used by revision a1 (a1.sql)");
  CHECK(error_of([] { RevisionGraph({make_revision("a1", "", "", "a1")}); }) ==
        "a1.sql: branch label 'a1' is also a revision id");
}

TEST_CASE("ancestors and descendants follow parents and dependencies") {
  const auto graph = sample_graph();
  const auto below = graph.ancestors({*graph.find("c1")});
  CHECK(below[*graph.find("a1")]);
  CHECK(below[*graph.find("base1")]);
  CHECK_FALSE(below[*graph.find("a2")]);
  const auto above = graph.descendants({*graph.find("a1")});
  CHECK(above[*graph.find("c1")]);
  CHECK(above[*graph.find("top1")]);
  CHECK_FALSE(above[*graph.find("b1")]);
  auto heads = ids(graph, graph.heads_of(graph.ancestors({*graph.find("a2"), *graph.find("b1")})));
  std::sort(heads.begin(), heads.end());
  CHECK(heads == Strings{"a2", "b1"});
}

TEST_CASE("history ranges") {
  const auto graph = sample_graph();
  using dbtool::revision::select_history;
  CHECK(ids(graph, select_history(graph, "", {})).size() == graph.size());
  CHECK(ids(graph, select_history(graph, "a2:", {})) == Strings{"top1", "merge1", "a2"});
  CHECK(ids(graph, select_history(graph, ":a2", {})) == Strings{"a2", "a1", "base1"});
  CHECK(ids(graph, select_history(graph, "a1:merge1", {})) == Strings{"merge1", "a2", "a1"});
  CHECK(ids(graph, select_history(graph, "current:", {*graph.find("merge1")})) ==
        Strings{"top1", "merge1"});
  CHECK(error_of([&] { select_history(graph, "merge1:a1", {}); }) ==
        "history range 'merge1:a1': revision merge1 is not an ancestor of 'a1'");
  CHECK(error_of([&] { select_history(graph, "a1", {}); }) ==
        "history range must be FROM:TO (either side may be empty)");
}

TEST_CASE("a long linear graph builds and answers in linear time") {
  std::vector<dbtool::revision::Revision> revisions;
  const int count = 20000;
  for (int i = 0; i < count; ++i)
    revisions.push_back(
        make_revision("r" + std::to_string(i), i ? "r" + std::to_string(i - 1) : ""));
  const RevisionGraph graph(std::move(revisions));
  CHECK(ids(graph, graph.heads()) == Strings{"r19999"});
  CHECK(graph.id(graph.topological_order().front()) == "r0");
  CHECK(ids(graph, graph.resolve("r100+5", {})) == Strings{"r105"});
  CHECK(ids(graph, graph.resolve("+1", {})) == Strings{"r0"});
  CHECK(ids(graph, graph.resolve("head-2", {})) == Strings{"r19997"});
  CHECK(ids(graph, graph.resolve("base+2", {})) == Strings{"r1"});
  CHECK_THROWS_WITH(graph.resolve("+0", {}),
                    "relative revision '+0' must be +N or -N with N at least 1");
}

TEST_CASE("version_parents leaves out dependencies a revision below already has") {
  // r0; r1 <- r0 depends_on x; r2 <- r1 depends_on x, y; x and y roots.
  const RevisionGraph graph({make_revision("x"), make_revision("y"), make_revision("r0"),
                             make_revision("r1", "r0", "x"), make_revision("r2", "r1", "x,y")});
  CHECK(ids(graph, graph.version_parents(*graph.find("r0"))).empty());
  CHECK(ids(graph, graph.version_parents(*graph.find("r1"))) == Strings{"r0", "x"});
  CHECK(ids(graph, graph.version_parents(*graph.find("r2"))) == Strings{"r1", "y"});
}

TEST_CASE("lineage follows down_revisions only") {
  const auto graph = sample_graph();
  const auto line = graph.lineage({*graph.find("c1")});
  CHECK(line[*graph.find("c1")]);
  CHECK_FALSE(line[*graph.find("a1")]); // c1 only depends on a1
  CHECK(graph.ancestors({*graph.find("c1")})[*graph.find("a1")]);
  const auto top = graph.lineage({*graph.find("top1")});
  for (const char* id : {"top1", "merge1", "a2", "a1", "b1", "base1"})
    CHECK(top[*graph.find(id)]);
}
