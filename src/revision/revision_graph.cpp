#include "dbtool/revision/revision_graph.h"

#include "dbtool/error.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <charconv>
#include <deque>

namespace dbtool::revision {

namespace {

Error graph_error(const Revision& revision, const std::string& message) {
  return Error(ErrorKind::Project, message, revision.path.string());
}

std::string id_list(const RevisionGraph& graph, const IndexList& list) {
  std::vector<std::string> ids;
  ids.reserve(list.size());
  for (auto index : list)
    ids.push_back(graph.id(index));
  return util::join(ids, ", ");
}

// Parses the N of "+N"/"-N"; returns false when TEXT is not a positive number.
bool parse_count(std::string_view text, long& count) {
  if (text.empty())
    return false;
  const auto* end = text.data() + text.size();
  const auto result = std::from_chars(text.data(), end, count);
  return result.ec == std::errc() && result.ptr == end && count > 0;
}

} // namespace

RevisionGraph::RevisionGraph(std::vector<Revision> revisions) {
  // Sorted by id, so that indices and every derived order are the same whatever
  // order the directory listed the files in. Sorting positions and moving each
  // revision once is cheaper than swapping whole revisions around.
  std::vector<std::size_t> order(revisions.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return revisions[a].id < revisions[b].id; });
  m_revisions.reserve(revisions.size());
  for (std::size_t i : order)
    m_revisions.push_back(std::move(revisions[i]));
  const size_t n = m_revisions.size();
  m_by_id.reserve(n);
  for (Index i = 0; i < n; ++i) {
    const auto& revision = m_revisions[i];
    if (i > 0 && m_revisions[i - 1].id == revision.id)
      throw graph_error(revision, "duplicate revision id " + revision.id + " (also in " +
                                      m_revisions[i - 1].path.string() + ")");
    m_by_id.emplace(revision.id, i);
  }
  // Labels first: a depends_on may name a label defined by a later revision.
  for (Index i = 0; i < n; ++i) {
    const auto& revision = m_revisions[i];
    for (const auto& label : revision.branch_labels) {
      if (m_by_id.count(label) != 0)
        throw graph_error(revision, "branch label '" + label + "' is also a revision id");
      const auto [it, inserted] = m_by_label.emplace(label, i);
      if (!inserted)
        throw graph_error(revision, "branch label '" + label + "' is already used by revision " +
                                        m_revisions[it->second].id + " (" +
                                        m_revisions[it->second].path.string() + ")");
    }
  }
  m_parents.resize(n);
  m_dependencies.resize(n);
  m_children.resize(n);
  m_dependents.resize(n);
  for (Index i = 0; i < n; ++i) {
    const auto& revision = m_revisions[i];
    for (const auto& parent : revision.down_revisions) {
      const auto found = m_by_id.find(parent);
      if (found == m_by_id.end())
        throw graph_error(revision, "revision " + revision.id + " names down_revision " + parent +
                                        ", which no revision file defines");
      if (std::find(m_parents[i].begin(), m_parents[i].end(), found->second) != m_parents[i].end())
        throw graph_error(revision,
                          "revision " + revision.id + " names down_revision " + parent + " twice");
      m_parents[i].push_back(found->second);
      m_children[found->second].push_back(i);
    }
    for (const auto& dependency : revision.depends_on) {
      Index target = 0;
      try {
        target = resolve_revision(dependency);
      } catch (const Error&) {
        throw graph_error(revision, "revision " + revision.id + " depends on " + dependency +
                                        ", which no revision file defines");
      }
      if (target == i)
        throw graph_error(revision, "revision " + revision.id + " depends on itself");
      m_dependencies[i].push_back(target);
      m_dependents[target].push_back(i);
    }
  }

  // Kahn's algorithm: parents and dependencies before their children.
  std::vector<size_t> waiting(n);
  std::deque<Index> ready;
  for (Index i = 0; i < n; ++i) {
    waiting[i] = m_parents[i].size() + m_dependencies[i].size();
    if (waiting[i] == 0)
      ready.push_back(i);
  }
  m_order.reserve(n);
  while (!ready.empty()) {
    const Index next = ready.front();
    ready.pop_front();
    m_order.push_back(next);
    for (const auto* edges : {&m_children[next], &m_dependents[next]})
      for (Index child : *edges)
        if (--waiting[child] == 0)
          ready.push_back(child);
  }
  if (m_order.size() != n) {
    // Walk up unfinished parents from an unfinished revision until one repeats:
    // that one lies on a cycle.
    Index current = 0;
    while (waiting[current] == 0)
      ++current;
    std::vector<bool> seen(n, false);
    while (!seen[current]) {
      seen[current] = true;
      for (const auto* edges : {&m_parents[current], &m_dependencies[current]})
        for (Index parent : *edges)
          if (waiting[parent] != 0) {
            current = parent;
            goto next_step;
          }
    next_step:;
    }
    throw graph_error(m_revisions[current],
                      "revision " + m_revisions[current].id + " is part of a cycle");
  }
  m_position.resize(n);
  for (size_t p = 0; p < n; ++p)
    m_position[m_order[p]] = p;
}

std::optional<Index> RevisionGraph::find(const std::string& id) const {
  const auto found = m_by_id.find(id);
  if (found == m_by_id.end())
    return std::nullopt;
  return found->second;
}

IndexList RevisionGraph::version_parents(Index index) const {
  IndexList result = m_parents[index];
  const IndexList& own = m_dependencies[index];
  if (own.empty())
    return result;
  // Which of OWN a revision below INDEX depends on already; the walk stops once all do.
  std::vector<bool> redundant(own.size(), false);
  std::size_t left = own.size();
  RevisionSet seen(m_revisions.size(), false);
  IndexList stack = m_parents[index];
  for (Index parent : stack)
    seen[parent] = true;
  while (!stack.empty() && left > 0) {
    const Index below = stack.back();
    stack.pop_back();
    for (Index dependency : m_dependencies[below])
      for (std::size_t i = 0; i < own.size(); ++i)
        if (own[i] == dependency && !redundant[i]) {
          redundant[i] = true;
          --left;
        }
    for (Index parent : m_parents[below])
      if (!seen[parent]) {
        seen[parent] = true;
        stack.push_back(parent);
      }
  }
  for (std::size_t i = 0; i < own.size(); ++i)
    if (!redundant[i] && std::find(result.begin(), result.end(), own[i]) == result.end())
      result.push_back(own[i]);
  return result;
}

IndexList RevisionGraph::heads() const {
  IndexList result;
  for (Index index : m_order)
    if (m_children[index].empty())
      result.push_back(index);
  return result;
}

IndexList RevisionGraph::bases() const {
  IndexList result;
  for (Index index : m_order)
    if (m_parents[index].empty())
      result.push_back(index);
  return result;
}

IndexList RevisionGraph::branch_points() const {
  IndexList result;
  for (Index index : m_order)
    if (m_children[index].size() > 1)
      result.push_back(index);
  return result;
}

Index RevisionGraph::resolve_revision(std::string_view text) const {
  const std::string key(text);
  if (const auto found = m_by_id.find(key); found != m_by_id.end())
    return found->second;
  if (const auto found = m_by_label.find(key); found != m_by_label.end())
    return found->second;
  if (text.size() >= 4) {
    IndexList matches;
    for (Index i = 0; i < m_revisions.size(); ++i)
      if (util::starts_with(m_revisions[i].id, text))
        matches.push_back(i);
    if (matches.size() == 1)
      return matches[0];
    if (matches.size() > 1)
      throw Error(ErrorKind::Project,
                  "ambiguous revision prefix '" + key + "': matches " + id_list(*this, matches));
  }
  throw Error(
      ErrorKind::Project,
      "unknown revision '" + key + "'" +
          (text.size() < 4 && !text.empty() ? " (a prefix needs at least 4 characters)" : ""));
}

IndexList RevisionGraph::step(const IndexList& from, long steps, std::string_view target) const {
  IndexList position = from;
  const std::string name(target);
  for (long taken = 0; taken < std::abs(steps); ++taken) {
    if (steps > 0) {
      IndexList next;
      if (position.empty()) {
        next = bases();
      } else if (position.size() > 1) {
        throw Error(ErrorKind::Project, "relative revision '" + name + "' is ambiguous from " +
                                            id_list(*this, position) + "; name a revision");
      } else {
        next = m_children[position[0]];
        if (next.empty())
          throw Error(ErrorKind::Project,
                      "relative revision '" + name + "' goes past head " + id(position[0]));
      }
      if (next.empty())
        throw Error(ErrorKind::Project, "relative revision '" + name + "': there are no revisions");
      if (next.size() > 1)
        throw Error(ErrorKind::Project, "relative revision '" + name +
                                            "' is ambiguous: the next step could be " +
                                            id_list(*this, next) + "; name a revision");
      position = next;
    } else {
      if (position.empty())
        throw Error(ErrorKind::Project, "relative revision '" + name + "' goes below base");
      if (position.size() > 1)
        throw Error(ErrorKind::Project, "relative revision '" + name + "' is ambiguous from " +
                                            id_list(*this, position) + "; name a revision");
      position = m_parents[position[0]];
    }
  }
  return position;
}

IndexList RevisionGraph::resolve(std::string_view target, const IndexList& current) const {
  const std::string text(target);
  if (target.empty())
    throw Error(ErrorKind::Project, "empty revision target");
  if (target == "base")
    return {};
  if (target == "heads")
    return heads();
  if (target == "head") {
    IndexList all = heads();
    if (all.size() > 1)
      throw Error(ErrorKind::Project, "several heads (" + id_list(*this, all) +
                                          "): name one, use 'heads', or merge them "
                                          "(see `dbtool heads`)");
    return all;
  }
  long count = 0;
  if (target[0] == '+' || target[0] == '-') {
    if (!parse_count(target.substr(1), count))
      throw Error(ErrorKind::Project,
                  "relative revision '" + text + "' must be +N or -N with N at least 1");
    return step(current, target[0] == '+' ? count : -count, target);
  }
  if (const auto at = target.find('@'); at != std::string_view::npos) {
    const auto branch = target.substr(0, at);
    const auto where = target.substr(at + 1);
    if (where != "head")
      throw Error(ErrorKind::Project,
                  "unknown revision target '" + text + "' (expected <label>@head)");
    const Index root = resolve_revision(branch);
    // The branch is what descends through down_revision; depends_on links lead into
    // other branches.
    RevisionSet below(m_revisions.size(), false);
    IndexList stack = {root};
    below[root] = true;
    while (!stack.empty()) {
      const Index node = stack.back();
      stack.pop_back();
      for (Index child : m_children[node])
        if (!below[child]) {
          below[child] = true;
          stack.push_back(child);
        }
    }
    IndexList found;
    for (Index head : heads())
      if (below[head])
        found.push_back(head);
    if (found.size() > 1)
      throw Error(ErrorKind::Project, "branch '" + std::string(branch) + "' has several heads (" +
                                          id_list(*this, found) + "); name one");
    return found;
  }
  if (const auto sign = target.find_last_of("+-"); sign != std::string_view::npos && sign > 0) {
    if (!parse_count(target.substr(sign + 1), count))
      throw Error(ErrorKind::Project, "unknown revision target '" + text + "'");
    // head-1 and base+1 count from the graph's head and from base.
    const auto anchor = target.substr(0, sign);
    const IndexList start = anchor == "head" || anchor == "base"
                                ? resolve(anchor, current)
                                : IndexList{resolve_revision(anchor)};
    return step(start, target[sign] == '+' ? count : -count, target);
  }
  return {resolve_revision(target)};
}

RevisionSet RevisionGraph::reach(const IndexList& from, bool downward,
                                 bool with_dependencies) const {
  RevisionSet seen(m_revisions.size(), false);
  IndexList stack;
  for (Index index : from)
    if (!seen[index]) {
      seen[index] = true;
      stack.push_back(index);
    }
  const auto& first = downward ? m_children : m_parents;
  const auto& second = downward ? m_dependents : m_dependencies;
  const IndexList none;
  while (!stack.empty()) {
    const Index current = stack.back();
    stack.pop_back();
    for (const auto* edges : {&first[current], with_dependencies ? &second[current] : &none})
      for (Index next : *edges)
        if (!seen[next]) {
          seen[next] = true;
          stack.push_back(next);
        }
  }
  return seen;
}

RevisionSet RevisionGraph::ancestors(const IndexList& from) const {
  return reach(from, false, true);
}

RevisionSet RevisionGraph::descendants(const IndexList& from) const {
  return reach(from, true, true);
}

RevisionSet RevisionGraph::lineage(const IndexList& from) const {
  return reach(from, false, false);
}

IndexList RevisionGraph::heads_of(const RevisionSet& set) const {
  IndexList result;
  for (Index index : m_order) {
    if (!set[index])
      continue;
    const auto& kids = m_children[index];
    if (std::none_of(kids.begin(), kids.end(), [&](Index child) { return set[child]; }))
      result.push_back(index);
  }
  return result;
}

std::optional<Index> RevisionGraph::squashed_into(std::string_view id) const {
  for (Index index = 0; index < m_revisions.size(); ++index) {
    const auto& squashes = m_revisions[index].squashes;
    if (std::find(squashes.begin(), squashes.end(), id) != squashes.end())
      return index;
  }
  return std::nullopt;
}

} // namespace dbtool::revision
