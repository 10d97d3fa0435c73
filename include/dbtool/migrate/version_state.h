#pragma once

#include "dbtool/revision/revision_graph.h"

#include <cstdint>
#include <string>
#include <vector>

namespace dbtool::migrate {

// Where a database stands: the applied revisions and the version rows (heads) that
// describe them, kept in step with each other exactly as Alembic's HeadMaintainer keeps
// alembic_version: a step replaces the rows of the revision's version_parents() (its
// down_revisions and the dependencies no revision below it already has), so that a
// table dbtool wrote is one Alembic reads the same way, and back. A step costs
// O(parents) plus, where Alembic asks which rows lie below other heads, a walk up from
// those rows through the applied revisions (usually one or two).
class VersionState {
 public:
  // From the rows of the version table; Error(Project) for a row that names no
  // known revision.
  VersionState(const revision::RevisionGraph& graph, const std::vector<std::string>& rows);

  const revision::RevisionSet& applied() const { return m_applied; }
  bool is_applied(revision::Index index) const { return m_applied[index]; }
  bool is_row(revision::Index index) const { return m_is_row[index]; }
  // The version rows as indices, in topological order.
  revision::IndexList rows() const;
  // The version rows as ids, sorted (the order the store reads them in).
  std::vector<std::string> row_ids() const;

  struct Change {
    std::vector<std::string> removed;
    std::vector<std::string> added;
  };
  // Marks INDEX applied (its parents and dependencies must be); returns the row change.
  Change upgrade(revision::Index index);
  // Marks INDEX unapplied (no applied revision may depend on it); returns the row change.
  Change downgrade(revision::Index index);

 private:
  void set_row(revision::Index index, bool row, Change& change);
  // Whether FROM, or an applied revision above it, is a version row outside EXCLUDED:
  // Alembic's "FROM is an ancestor of the other heads".
  bool below_other_row(revision::Index from, const revision::IndexList& excluded) const;

  const revision::RevisionGraph& m_graph;
  revision::RevisionSet m_applied;
  revision::RevisionSet m_is_row;
  std::size_t m_row_count = 0;
  // Marks of below_other_row's walk, by generation, so that a walk costs what it
  // visits rather than a fresh set of the whole graph.
  mutable std::vector<std::uint32_t> m_visited;
  mutable std::uint32_t m_generation = 0;
};

} // namespace dbtool::migrate
