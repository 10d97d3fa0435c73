#include "dbtool/migrate/version_state.h"

#include "dbtool/error.h"

#include <algorithm>

namespace dbtool::migrate {

using revision::Index;
using revision::IndexList;

VersionState::VersionState(const revision::RevisionGraph& graph,
                           const std::vector<std::string>& rows)
    : m_graph(graph), m_is_row(graph.size(), false) {
  IndexList heads;
  for (const auto& row : rows) {
    const auto found = graph.find(row);
    if (!found && graph.squashed_into(row))
      throw Error(ErrorKind::Project,
                  "the database is at revision " + row + ", which `dbtool squash` folded into " +
                      graph.id(*graph.squashed_into(row)) +
                      ": bring it to that revision with the files as they were before the "
                      "squash (e.g. from version control), then run again");
    if (!found)
      throw Error(ErrorKind::Project, "the database is at revision " + row +
                                          ", which no revision file defines (stamp it, or "
                                          "restore the file)");
    heads.push_back(*found);
  }
  m_applied = graph.ancestors(heads);
  // Rows that are ancestors of other rows say nothing more; keep only true heads,
  // plus dependencies that Alembic would keep as rows of their own.
  for (Index head : heads)
    m_is_row[head] = true;
}

IndexList VersionState::rows() const {
  IndexList result;
  for (Index index : m_graph.topological_order())
    if (m_is_row[index])
      result.push_back(index);
  return result;
}

std::vector<std::string> VersionState::row_ids() const {
  std::vector<std::string> ids;
  for (Index index = 0; index < m_is_row.size(); ++index)
    if (m_is_row[index])
      ids.push_back(m_graph.id(index));
  std::sort(ids.begin(), ids.end());
  return ids;
}

VersionState::Change VersionState::upgrade(Index index) {
  Change change;
  for (Index parent : m_graph.parents(index))
    if (m_is_row[parent]) {
      m_is_row[parent] = false;
      change.removed.push_back(m_graph.id(parent));
    }
  m_applied[index] = true;
  m_is_row[index] = true;
  change.added.push_back(m_graph.id(index));
  return change;
}

VersionState::Change VersionState::downgrade(Index index) {
  Change change;
  m_applied[index] = false;
  if (m_is_row[index]) {
    m_is_row[index] = false;
    change.removed.push_back(m_graph.id(index));
  }
  for (Index parent : m_graph.parents(index)) {
    const auto& siblings = m_graph.children(parent);
    const bool still_covered = std::any_of(siblings.begin(), siblings.end(),
                                           [&](Index child) { return m_applied[child]; });
    if (!still_covered && !m_is_row[parent]) {
      m_is_row[parent] = true;
      change.added.push_back(m_graph.id(parent));
    }
  }
  return change;
}

} // namespace dbtool::migrate
