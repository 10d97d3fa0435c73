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
  for (Index head : heads)
    if (!m_is_row[head]) {
      m_is_row[head] = true;
      ++m_row_count;
    }
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

void VersionState::set_row(Index index, bool row, Change& change) {
  if (m_is_row[index] == row)
    return;
  m_is_row[index] = row;
  if (row) {
    ++m_row_count;
    change.added.push_back(m_graph.id(index));
  } else {
    --m_row_count;
    change.removed.push_back(m_graph.id(index));
  }
}

bool VersionState::below_other_row(Index from, const IndexList& excluded) const {
  if (m_visited.size() != m_graph.size())
    m_visited.assign(m_graph.size(), 0);
  if (++m_generation == 0) { // wrapped: forget every old mark
    std::fill(m_visited.begin(), m_visited.end(), 0);
    m_generation = 1;
  }
  IndexList stack = {from};
  m_visited[from] = m_generation;
  while (!stack.empty()) {
    const Index current = stack.back();
    stack.pop_back();
    if (m_is_row[current] && std::find(excluded.begin(), excluded.end(), current) == excluded.end())
      return true;
    for (const auto* edges : {&m_graph.children(current), &m_graph.dependents(current)})
      for (Index above : *edges)
        if (m_applied[above] && m_visited[above] != m_generation) {
          m_visited[above] = m_generation;
          stack.push_back(above);
        }
  }
  return false;
}

// HeadMaintainer.update_to_step for an upgrade: with none of the revision's version
// parents a row, it is a new branch (a row added); with one, that row moves up to it;
// with several (a merge), they all go, except rows that still lie below another head.
VersionState::Change VersionState::upgrade(Index index) {
  Change change;
  const IndexList parents = m_graph.version_parents(index);
  IndexList present;
  for (Index parent : parents)
    if (m_is_row[parent])
      present.push_back(parent);
  IndexList replaced;
  for (Index parent : present)
    if (present.size() == 1 || !below_other_row(parent, parents))
      replaced.push_back(parent);
  for (Index parent : replaced)
    set_row(parent, false, change);
  m_applied[index] = true;
  set_row(index, true, change);
  return change;
}

// HeadMaintainer.update_to_step for a downgrade: the row moves down to the revision's
// version parents, except those still below another head (none left: the branch's row
// is deleted).
VersionState::Change VersionState::downgrade(Index index) {
  Change change;
  if (m_is_row[index]) {
    const bool others = m_row_count > 1;
    const IndexList self = {index};
    IndexList restored;
    for (Index parent : m_graph.version_parents(index))
      if (!m_is_row[parent] && (!others || !below_other_row(parent, self)))
        restored.push_back(parent);
    set_row(index, false, change);
    for (Index parent : restored)
      set_row(parent, true, change);
  }
  m_applied[index] = false;
  return change;
}

} // namespace dbtool::migrate
