#pragma once

#include "dbtool/revision/revision.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace dbtool::revision {

using Index = std::size_t;
using IndexList = std::vector<Index>;
// A set of revisions as a bit per revision index: O(1) membership, O(n) to build.
using RevisionSet = std::vector<bool>;

// The graph of revisions: down_revision edges (parents), depends_on edges
// (dependencies), and everything derived from them. Built once in O(n); every query
// is linear in the number of revisions or better, never an ancestor-set recomputation
// per node.
class RevisionGraph {
 public:
  // Validates the graph: duplicate ids, missing parents or dependencies, cycles and
  // duplicate branch labels are Error(Project) naming the files involved.
  explicit RevisionGraph(std::vector<Revision> revisions);

  std::size_t size() const { return m_revisions.size(); }
  const Revision& at(Index index) const { return m_revisions[index]; }
  const std::string& id(Index index) const { return m_revisions[index].id; }
  std::optional<Index> find(const std::string& id) const;

  const IndexList& parents(Index index) const { return m_parents[index]; }
  const IndexList& dependencies(Index index) const { return m_dependencies[index]; }
  const IndexList& children(Index index) const { return m_children[index]; }
  const IndexList& dependents(Index index) const { return m_dependents[index]; }
  // The revisions a version row of INDEX stands for besides itself, as Alembic's
  // _normalized_down_revisions: its down_revisions, then its dependencies except those
  // that a revision below it (through down_revisions) already depends on. O(1) for a
  // revision without dependencies; a walk down its ancestors otherwise.
  IndexList version_parents(Index index) const;

  // The revision whose squash replaced ID (its "squashes" header names it), if any.
  std::optional<Index> squashed_into(std::string_view id) const;
  // Revisions that no other revision names as down_revision, in topological order.
  IndexList heads() const;
  IndexList bases() const;
  // Revisions with more than one child.
  IndexList branch_points() const;
  // Parents before children (and dependencies before dependents); deterministic.
  const IndexList& topological_order() const { return m_order; }
  // Position of each revision in topological_order().
  std::size_t position(Index index) const { return m_position[index]; }

  // A revision by full id, branch label, or unique prefix of at least 4 characters.
  // Error(Project) for unknown or ambiguous text.
  Index resolve_revision(std::string_view text) const;

  // Resolves a target (README.md "Targets") to the revisions it
  // names (empty: base). Relative forms (+N, -N) count from CURRENT (the heads the
  // database is at).
  IndexList resolve(std::string_view target, const IndexList& current) const;

  // FROM and every revision they reach through parents and dependencies.
  RevisionSet ancestors(const IndexList& from) const;
  // FROM and every revision that reaches them through parents and dependencies.
  RevisionSet descendants(const IndexList& from) const;
  // FROM and every revision they reach through down_revisions only: their lines of
  // descent, without the branches they merely depend on.
  RevisionSet lineage(const IndexList& from) const;
  // The heads (down_revision edges only) of a set closed under ancestors().
  IndexList heads_of(const RevisionSet& set) const;

 private:
  IndexList step(const IndexList& from, long steps, std::string_view target) const;
  RevisionSet reach(const IndexList& from, bool downward, bool with_dependencies) const;

  std::vector<Revision> m_revisions;
  std::unordered_map<std::string, Index> m_by_id;
  std::unordered_map<std::string, Index> m_by_label;
  std::vector<IndexList> m_parents, m_dependencies, m_children, m_dependents;
  IndexList m_order;
  std::vector<std::size_t> m_position;
};

} // namespace dbtool::revision
