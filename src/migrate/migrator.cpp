#include "dbtool/migrate/migrator.h"

#include "run.h"

#include "dbtool/error.h"
#include "dbtool/migrate/version_state.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <optional>

namespace dbtool::migrate {

using revision::Index;
using revision::IndexList;
using revision::Revision;
using revision::RevisionGraph;
using revision::RevisionSet;

namespace {

// Splits "from:to" into its halves; TEXT without ':' is only a target.
std::pair<std::optional<std::string>, std::string> split_range(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos)
    return {std::nullopt, text};
  return {text.substr(0, colon), text.substr(colon + 1)};
}

// The stamp's new version rows, as Alembic's stamp of one target makes them: TARGETS
// replace every current row on their line of descent (dependencies included); rows on
// unrelated branches stay as they are, and a target that is a row already changes
// nothing. A target that is an ancestor of another target is no row of its own
// (Alembic's rows then depend on the order the targets are given).
IndexList stamped_rows(const RevisionGraph& graph, const IndexList& current,
                       const IndexList& targets) {
  if (targets.empty())
    return {};
  std::vector<RevisionSet> below;
  below.reserve(targets.size());
  for (Index target : targets)
    below.push_back(graph.ancestors({target}));
  IndexList rows;
  for (Index row : current) {
    const RevisionSet row_below = graph.ancestors({row});
    bool related = false;
    for (size_t t = 0; t < targets.size() && !related; ++t)
      related = std::find(current.begin(), current.end(), targets[t]) == current.end() &&
                (below[t][row] || row_below[targets[t]]);
    if (!related)
      rows.push_back(row);
  }
  for (size_t t = 0; t < targets.size(); ++t) {
    bool covered = false;
    for (size_t other = 0; other < targets.size() && !covered; ++other)
      covered = other != t && below[other][targets[t]];
    if (!covered && std::find(rows.begin(), rows.end(), targets[t]) == rows.end())
      rows.push_back(targets[t]);
  }
  return rows;
}

std::vector<std::string> ids(const RevisionGraph& graph, const IndexList& list) {
  std::vector<std::string> out;
  for (Index index : list)
    out.push_back(graph.id(index));
  std::sort(out.begin(), out.end());
  return out;
}

// As in Alembic, a relative target counts from the database in the command's own
// direction: `upgrade -4` and `downgrade +1` are mistakes, never a silent "nothing to do".
void check_relative_direction(const std::string& target, bool up) {
  const char wrong = up ? '-' : '+';
  if (target.empty() || target[0] != wrong)
    return;
  throw Error(ErrorKind::Usage, std::string(up ? "upgrade" : "downgrade") + " " + target +
                                    ": a relative " + (up ? "upgrade" : "downgrade") + " counts " +
                                    (up ? "up (+N)" : "down (-N)") + "; to go " +
                                    (up ? "down, downgrade " : "up, upgrade ") + (up ? "-" : "+") +
                                    target.substr(1));
}

} // namespace

Migrator::Migrator(const RevisionGraph& graph, const config::Settings& settings)
    : m_graph(graph), m_settings(settings),
      m_store(settings.version_table, settings.history_table, settings.url.backend()) {}

// A read transaction of its own: see validation_issues.
std::vector<std::string> Migrator::current(db::Connection& connection) const {
  const db::ReadTransaction snapshot(connection, "BEGIN");
  return m_store.read_versions(connection);
}

std::vector<ValidationIssue> Migrator::validate(db::Connection& connection) const {
  return validation_issues(m_graph, m_store, connection);
}

const char* state_name(RevisionStatus::State state) {
  switch (state) {
  case RevisionStatus::State::Applied:
    return "applied";
  case RevisionStatus::State::Stamped:
    return "stamped";
  case RevisionStatus::State::Edited:
    return "edited";
  case RevisionStatus::State::Missing:
    return "missing";
  case RevisionStatus::State::Pending:
    return "pending";
  }
  return "pending";
}

Status Migrator::status(db::Connection& connection) const {
  const db::ReadTransaction snapshot(connection, "BEGIN");
  Status status;
  status.current = m_store.read_versions(connection);
  IndexList known;
  std::vector<std::string> missing;
  for (const auto& row : status.current) {
    if (const auto found = m_graph.find(row))
      known.push_back(*found);
    else
      missing.push_back(row);
  }
  const auto applications = m_store.read_applications(connection);
  // A row that names no file (the code of another branch, say) hides what lies below
  // it: the revisions the history shows applied and not reverted since count as applied.
  if (!missing.empty())
    for (const auto& [id, application] : applications)
      if (!application.reverted)
        if (const auto found = m_graph.find(id))
          known.push_back(*found);
  const RevisionSet applied = m_graph.ancestors(known);
  using State = RevisionStatus::State;
  for (Index index : m_graph.topological_order()) {
    const Revision& revision = m_graph.at(index);
    RevisionStatus entry{revision.id, State::Pending, revision.message, revision.path.string(), ""};
    if (applied[index]) {
      entry.state = State::Applied;
      const auto recorded = applications.find(revision.id);
      if (recorded != applications.end() && !recorded->second.reverted) {
        entry.applied_at = recorded->second.applied_at;
        if (recorded->second.direction == "stamp")
          entry.state = State::Stamped;
      }
      if (recorded != applications.end() && edited(revision, recorded->second.checksum))
        entry.state = State::Edited;
    }
    status.revisions.push_back(std::move(entry));
  }
  for (const auto& id : missing) {
    RevisionStatus entry{id, State::Missing, "", "", ""};
    if (const auto recorded = applications.find(id); recorded != applications.end()) {
      entry.message = recorded->second.message; // the file is gone; the history remembers
      if (!recorded->second.reverted)
        entry.applied_at = recorded->second.applied_at;
    }
    status.revisions.push_back(std::move(entry));
  }
  return status;
}

void Migrator::check_target(const std::string& target) const {
  if (target.find(':') != std::string::npos)
    throw Error(ErrorKind::Usage, "a FROM:TO range ('" + target + "') needs --sql");
  // +N and -N depend on where the database is; for X+N and X-N the anchor X does not.
  if (target.empty() || target[0] == '+' || target[0] == '-')
    return;
  const auto sign = target.find_last_of("+-");
  if (sign == std::string::npos) {
    m_graph.resolve(target, {});
    return;
  }
  const std::string anchor = target.substr(0, sign);
  if (anchor != "head" && anchor != "base" && anchor != "heads")
    m_graph.resolve_revision(anchor);
}

RunResult Migrator::upgrade(const ConnectionSource& connect, const std::string& target,
                            const RunOptions& options) const {
  check_relative_direction(target, true);
  check_target(target);
  return Run(m_graph, m_settings, m_store, Run::Direction::Upgrade, target, options)
      .apply(connect());
}

RunResult Migrator::downgrade(const ConnectionSource& connect, const std::string& target,
                              const RunOptions& options) const {
  check_relative_direction(target, false);
  check_target(target);
  return Run(m_graph, m_settings, m_store, Run::Direction::Downgrade, target, options)
      .apply(connect());
}

RunResult Migrator::stamp(const ConnectionSource& connect, const std::vector<std::string>& targets,
                          bool purge) const {
  for (const auto& target : targets)
    check_target(target);
  db::Connection& connection = connect();
  const RunLock lock(connection, m_settings, m_store);
  RunResult result;
  db::WriteTransaction transaction(connection);
  const auto rows = m_store.read_versions(connection);
  result.before = rows;
  const VersionState state(m_graph, purge ? std::vector<std::string>{} : rows);
  IndexList wanted;
  bool to_base = false;
  for (const auto& target : targets) {
    const auto resolved = m_graph.resolve(target, state.rows());
    to_base = to_base || resolved.empty();
    for (Index index : resolved)
      if (std::find(wanted.begin(), wanted.end(), index) == wanted.end())
        wanted.push_back(index);
  }
  const IndexList new_rows = stamped_rows(m_graph, state.rows(), wanted);
  const auto width = m_store.version_width(connection);
  for (Index index : new_rows)
    m_store.check_fits(m_graph.id(index), width);
  connection.execute(m_store.create_tables_sql());
  std::string sql = m_store.delete_all_versions_sql();
  for (Index index : new_rows)
    sql += m_store.insert_version_sql(m_graph.id(index));
  for (Index index : wanted) {
    const Revision& revision = m_graph.at(index);
    sql += m_store.insert_history_sql(revision.id, "stamp", revision::revision_checksum(revision),
                                      revision.message, 0);
    result.steps.push_back({revision.id, "stamp", revision.message, revision.path.string(), 0});
  }
  if (to_base && wanted.empty()) {
    sql += m_store.insert_history_sql("base", "stamp", "", "", 0);
    result.steps.push_back({"base", "stamp", "", "", 0});
  }
  connection.execute(sql);
  transaction.commit();
  result.after = ids(m_graph, new_rows);
  return result;
}

namespace {

// The version rows FROM (of a FROM:TO range) names, for an offline script.
std::vector<std::string> offline_start(const RevisionGraph& graph,
                                       const std::optional<std::string>& from) {
  std::vector<std::string> rows;
  if (from && !from->empty())
    for (Index index : graph.resolve(*from, {}))
      rows.push_back(graph.id(index));
  return rows;
}

} // namespace

std::string Migrator::upgrade_script(const std::string& range) const {
  const auto [from, to] = split_range(range);
  check_relative_direction(to, true);
  return Run(m_graph, m_settings, m_store, Run::Direction::Upgrade, to)
      .script(offline_start(m_graph, from));
}

std::string Migrator::downgrade_script(const std::string& range) const {
  const auto [from, to] = split_range(range);
  check_relative_direction(to, false);
  if (!from)
    throw Error(ErrorKind::Usage,
                "offline downgrade needs a range FROM:TO (e.g. head:base), as in Alembic");
  return Run(m_graph, m_settings, m_store, Run::Direction::Downgrade, to)
      .script(offline_start(m_graph, from));
}

std::string Migrator::stamp_script(const std::vector<std::string>& targets) const {
  std::string sql = offline_preamble(m_settings, m_store);
  // FROM:TO says where the database is; without it there is no current row to relate
  // to, and the targets become the rows.
  IndexList start;
  std::vector<std::string> to_targets;
  for (const auto& target : targets) {
    const auto [from, to] = split_range(target);
    if (from && targets.size() > 1)
      throw Error(ErrorKind::Usage, "a FROM:TO range must be the only stamp target");
    if (from && !from->empty())
      start = m_graph.resolve(*from, {});
    to_targets.push_back(to);
  }
  IndexList wanted;
  for (const auto& target : to_targets)
    for (Index index : m_graph.resolve(target, start))
      if (std::find(wanted.begin(), wanted.end(), index) == wanted.end())
        wanted.push_back(index);
  sql += "BEGIN;\n" + m_store.delete_all_versions_sql();
  for (Index index : stamped_rows(m_graph, start, wanted))
    sql += m_store.insert_version_sql(m_graph.id(index));
  for (Index index : wanted) {
    const Revision& revision = m_graph.at(index);
    sql += m_store.insert_history_sql(revision.id, "stamp", revision::revision_checksum(revision),
                                      revision.message, std::nullopt);
  }
  if (wanted.empty())
    sql += m_store.insert_history_sql("base", "stamp", "", "", std::nullopt);
  sql += "COMMIT;\n";
  return sql;
}

} // namespace dbtool::migrate
