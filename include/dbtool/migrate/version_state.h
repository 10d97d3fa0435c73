#pragma once

#include "dbtool/revision/revision_graph.h"

#include <string>
#include <vector>

namespace dbtool::migrate {

// Where a database stands: the applied revisions and the version rows (heads) that
// describe them, kept in step with each other as Alembic keeps alembic_version.
// Each step costs O(children of the revision), so a run of n steps stays O(n).
class VersionState {
 public:
  // From the rows of the version table; Error(Project) for a row that names no
  // known revision.
  VersionState(const revision::RevisionGraph& graph, const std::vector<std::string>& rows);

  const revision::RevisionSet& applied() const { return m_applied; }
  bool is_applied(revision::Index index) const { return m_applied[index]; }
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
  const revision::RevisionGraph& m_graph;
  revision::RevisionSet m_applied;
  revision::RevisionSet m_is_row;
};

} // namespace dbtool::migrate
