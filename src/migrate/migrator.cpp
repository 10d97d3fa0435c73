#include "dbtool/migrate/migrator.h"

#include "dbtool/db/sql_text.h"
#include "dbtool/error.h"
#include "dbtool/migrate/version_state.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <chrono>
#include <optional>

namespace dbtool::migrate {

using revision::Index;
using revision::IndexList;
using revision::Revision;
using revision::RevisionGraph;
using revision::RevisionSet;

namespace {

// Holds the connection's run lock (PostgreSQL: a session advisory lock) for a scope.
struct RunLock {
  db::Connection& connection;
  RunLock(db::Connection& c, const std::string& name) : connection(c) {
    connection.lock_for_run(name);
  }
  ~RunLock() { connection.unlock_run(); }
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
};

const char* direction_name(bool upgrade) {
  return upgrade ? "upgrade" : "downgrade";
}

// Revisions to apply to reach TARGETS from APPLIED, parents first.
IndexList plan_upgrade(const RevisionGraph& graph, const RevisionSet& applied,
                       const IndexList& targets) {
  const RevisionSet wanted = graph.ancestors(targets);
  IndexList plan;
  for (Index index : graph.topological_order())
    if (wanted[index] && !applied[index])
      plan.push_back(index);
  return plan;
}

// Revisions to revert to bring the database down to TARGETS (empty: base), children
// first, chosen as Alembic chooses them: the applied revisions that descend from a
// target's children through down_revision, and from those through anything. A revision
// that only depends on a target is no child of it and stays, as do branches unrelated to
// the targets. LINEAGE (set for -N, which counts down from that head) keeps only the
// children on its line of descent.
IndexList plan_downgrade(const RevisionGraph& graph, const VersionState& state,
                         const IndexList& targets, const std::string& target_text,
                         std::optional<Index> lineage) {
  for (Index target : targets)
    if (!state.is_applied(target))
      throw Error(ErrorKind::Project, "cannot downgrade to " + graph.id(target) + " (" +
                                          target_text + "): it is not applied");
  IndexList roots;
  if (targets.empty()) {
    roots = graph.bases();
  } else {
    for (Index target : targets)
      for (Index child : graph.children(target))
        if (std::find(roots.begin(), roots.end(), child) == roots.end())
          roots.push_back(child);
  }
  if (lineage && roots.size() > 1) {
    const RevisionSet line = graph.lineage({*lineage});
    roots.erase(std::remove_if(roots.begin(), roots.end(), [&](Index root) { return !line[root]; }),
                roots.end());
  }
  const RevisionSet remove = graph.descendants(roots);
  IndexList plan;
  const auto& order = graph.topological_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (remove[*it] && state.is_applied(*it))
      plan.push_back(*it);
  if (plan.empty())
    for (Index target : targets)
      if (!state.is_row(target)) {
        // Applied, yet nothing applied descends from it through down_revision: only a
        // dependency holds it. Alembic refuses ("not a valid downgrade target") rather
        // than revert what depends on it.
        std::string holder;
        for (Index dependent : graph.dependents(target))
          if (state.is_applied(dependent) && holder.empty())
            holder = graph.id(dependent);
        throw Error(ErrorKind::Project,
                    "cannot downgrade to " + graph.id(target) + " (" + target_text +
                        "): no applied revision descends from it through down_revision" +
                        (holder.empty() ? std::string()
                                        : "; it is applied because " + holder + " depends on it") +
                        " (downgrade that revision, or stamp)");
      }
  return plan;
}

void check_reversible(const RevisionGraph& graph, const IndexList& plan) {
  for (Index index : plan) {
    const Revision& revision = graph.at(index);
    if (!revision.has_downgrade)
      throw Error(ErrorKind::Project,
                  "revision " + revision.id +
                      " is irreversible (no '-- +downgrade' section); nothing was changed",
                  revision.path.string());
  }
}

void check_transactional(const RevisionGraph& graph, const IndexList& plan) {
  for (Index index : plan) {
    const Revision& revision = graph.at(index);
    if (!revision.transactional)
      throw Error(ErrorKind::Project,
                  "revision " + revision.id +
                      " is 'transactional: false' and cannot run inside --single-transaction",
                  revision.path.string());
  }
}

// Splits "from:to" into its halves; TEXT without ':' is only a target.
std::pair<std::optional<std::string>, std::string> split_range(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos)
    return {std::nullopt, text};
  return {text.substr(0, colon), text.substr(colon + 1)};
}

std::string change_sql(const VersionStore& store, const VersionState::Change& change) {
  std::string sql;
  for (const auto& id : change.removed)
    sql += store.delete_version_sql(id);
  for (const auto& id : change.added)
    sql += store.insert_version_sql(id);
  return sql;
}

std::string terminated(const std::string& sql) {
  std::string text = sql;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t'))
    text.pop_back();
  if (util::trim(text).empty())
    return "";
  // On a line of its own: the script may end in a -- comment.
  if (!db::ends_with_complete_statement(text))
    text += "\n;";
  return text + "\n";
}

// The stamp's new version rows, as Alembic's stamp of one target makes them: TARGETS
// replace every current row on their line of descent (dependencies included); rows on
// unrelated branches stay as they are. A target that is an ancestor of another target
// is no row of its own (Alembic's rows then depend on the order the targets are given).
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
      related = below[t][row] || row_below[targets[t]];
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

} // namespace

Migrator::Migrator(const RevisionGraph& graph, const config::Settings& settings)
    : m_graph(graph), m_settings(settings),
      m_store(settings.version_table, settings.history_table, settings.url.backend()) {}

// Runs against one version table exclude each other; PostgreSQL's advisory locks are
// per database already, so the schema and table name tell projects apart inside it.
std::string Migrator::lock_name() const {
  return m_settings.postgres.schema + "." + m_store.version_table();
}

// Reads outside a run's write transaction happen in a read transaction of their own:
// one snapshot for the version and history tables, and a schema that cannot change
// between preparing a statement and running it. In autocommit, SQLite prepares again
// when another connection changed the schema, and gives up with "database schema has
// changed" after 50 tries: with 15 other processes creating tables, one `upgrade` in
// 60 trials of scripts/concurrency --processes 16 --revisions 500 exited 4 so.
std::vector<std::string> Migrator::current(db::Connection& connection) const {
  const db::ReadTransaction snapshot(connection, "BEGIN");
  return m_store.read_versions(connection);
}

std::vector<ValidationIssue> Migrator::validate(db::Connection& connection) const {
  const db::ReadTransaction snapshot(connection, "BEGIN");
  std::vector<ValidationIssue> issues;
  const auto rows = m_store.read_versions(connection);
  IndexList known;
  for (const auto& row : rows) {
    if (const auto found = m_graph.find(row))
      known.push_back(*found);
    else
      issues.push_back(
          {row, "", "the database is at revision " + row + ", which no revision file defines"});
  }
  const RevisionSet applied = m_graph.ancestors(known);
  const auto checksums = m_store.read_checksums(connection);
  for (Index index : m_graph.topological_order()) {
    if (!applied[index])
      continue;
    const Revision& revision = m_graph.at(index);
    const auto recorded = checksums.find(revision.id);
    if (recorded == checksums.end())
      continue;
    const std::string actual = revision::revision_checksum(revision);
    const auto& squashed = revision.squashed_checksums;
    if (actual != recorded->second &&
        std::find(squashed.begin(), squashed.end(), recorded->second) == squashed.end())
      issues.push_back({revision.id, revision.path.string(),
                        "revision " + revision.id + " was edited after it was applied (checksum " +
                            actual.substr(0, 12) + ", applied as " +
                            recorded->second.substr(0, 12) + ")"});
  }
  return issues;
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

namespace {

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

// The head a relative downgrade (-N) counts down from: Alembic walks that head's line
// only, leaving the branches beside it.
std::optional<Index> downgrade_lineage(const std::string& target, const IndexList& rows) {
  if (!target.empty() && target[0] == '-' && rows.size() == 1)
    return rows[0];
  return std::nullopt;
}

} // namespace

RunResult Migrator::upgrade(const ConnectionSource& connect, const std::string& target,
                            const RunOptions& options) const {
  check_relative_direction(target, true);
  check_target(target);
  db::Connection& connection = connect();
  if (!options.ignore_checksums) {
    for (const auto& issue : validate(connection)) {
      // An unknown version row is reported by the run itself, with its own advice.
      if (issue.file.empty())
        continue;
      throw Error(ErrorKind::Project,
                  issue.message + "; nothing was run (--ignore-checksums to proceed)", issue.file);
    }
  }
  return run(connection, Direction::Upgrade, target, options);
}

RunResult Migrator::downgrade(const ConnectionSource& connect, const std::string& target,
                              const RunOptions& options) const {
  check_relative_direction(target, false);
  check_target(target);
  return run(connect(), Direction::Downgrade, target, options);
}

RunResult Migrator::run(db::Connection& connection, Direction direction, const std::string& target,
                        const RunOptions& options) const {
  const RunLock lock(connection, lock_name());
  const bool up = direction == Direction::Upgrade;
  RunResult result;
  std::optional<IndexList> targets; // resolved once, against the state first seen
  std::optional<Index> lineage;
  std::optional<VersionState> state;
  IndexList plan;
  size_t next = 0;
  std::vector<std::string> expected_rows;
  bool tables_exist = false; // once made (and committed), they stay for the run

  // Reads the rows inside the lock; plans again only when another process moved them.
  auto refresh = [&](bool first) {
    auto rows = m_store.read_versions(connection, tables_exist);
    if (!first && rows == expected_rows)
      return;
    state.emplace(m_graph, rows);
    if (!targets) {
      targets = m_graph.resolve(target, state->rows());
      lineage = downgrade_lineage(target, state->rows());
      result.before = rows;
    }
    plan = up ? plan_upgrade(m_graph, state->applied(), *targets)
              : plan_downgrade(m_graph, *state, *targets, target, lineage);
    if (!up)
      check_reversible(m_graph, plan);
    if (options.single_transaction)
      check_transactional(m_graph, plan);
    next = 0;
    expected_rows = std::move(rows);
  };

  auto ensure_tables = [&] {
    if (tables_exist)
      return;
    if (!connection.has_table(m_store.version_table()) ||
        !connection.has_table(m_store.history_table()))
      connection.execute(m_store.create_tables_sql());
    tables_exist = true;
  };

  // Runs one revision's script and records it; the caller owns the transaction.
  auto run_script = [&](Index index) {
    const Revision& revision = m_graph.at(index);
    const auto& sql = up ? revision.upgrade_sql : revision.downgrade_sql;
    const int line = up ? revision.upgrade_line : revision.downgrade_line;
    try {
      // A non-transactional revision may manage transactions of its own.
      connection.execute_script(sql, line, revision.transactional);
    } catch (const Error& error) {
      throw Error(error.kind(),
                  "revision " + revision.id + " (" + direction_name(up) +
                      ") failed: " + error.message() +
                      (revision.transactional ? "; rolled back"
                                              : "; not transactional, so statements before "
                                                "this one stay applied"),
                  revision.path.string(), error.line());
    }
  };
  auto record = [&](Index index, long long duration_ms) {
    const Revision& revision = m_graph.at(index);
    const auto change = up ? state->upgrade(index) : state->downgrade(index);
    connection.execute(change_sql(m_store, change) +
                       m_store.insert_history_sql(revision.id, direction_name(up),
                                                  revision::revision_checksum(revision),
                                                  revision.message, duration_ms));
    expected_rows = state->row_ids();
    result.steps.push_back(
        {revision.id, direction_name(up), revision.message, revision.path.string(), duration_ms});
  };
  auto elapsed_ms = [](std::chrono::steady_clock::time_point start) {
    return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - start)
                                      .count());
  };
  auto report = [&] {
    if (options.on_step)
      options.on_step(result.steps.back(), result.steps.size(),
                      result.steps.size() + (plan.size() - next));
  };

  // Revisions marked "foreign_keys: off" (table rebuilds) run with enforcement off,
  // set outside the transaction as SQLite requires, and are checked with
  // PRAGMA foreign_key_check before they commit. Enforcement comes back on however
  // the run ends.
  const bool enforcing = m_settings.sqlite.foreign_keys;
  bool keys_off = false;
  auto set_keys_off = [&](bool off) {
    if (off != keys_off) {
      connection.set_foreign_keys(!off);
      keys_off = off;
    }
  };
  struct RestoreKeys {
    db::Connection& connection;
    const bool& keys_off;
    ~RestoreKeys() {
      if (keys_off) {
        try {
          connection.set_foreign_keys(true);
        } catch (...) {
        }
      }
    }
  } restore_keys{connection, keys_off};
  auto wants_keys_off = [&](Index index) {
    return enforcing && m_graph.at(index).foreign_keys_off;
  };
  auto check_keys = [&](Index index) {
    if (!keys_off)
      return;
    const auto violations = connection.foreign_key_violations(3);
    if (violations.empty())
      return;
    const Revision& revision = m_graph.at(index);
    throw Error(ErrorKind::Database,
                "revision " + revision.id + " (" + direction_name(up) +
                    ") leaves rows that break foreign keys: " + util::join(violations, "; ") +
                    (revision.transactional ? "; rolled back" : ""),
                revision.path.string());
  };

  if (options.single_transaction) {
    bool want_off = false;
    while (true) {
      set_keys_off(want_off);
      db::WriteTransaction transaction(connection);
      refresh(true);
      if (plan.empty()) {
        result.after = expected_rows;
        return result;
      }
      if (std::any_of(plan.begin(), plan.end(), wants_keys_off) && !keys_off) {
        want_off = true;
        continue; // roll back, turn enforcement off outside the transaction, plan again
      }
      ensure_tables();
      for (; next < plan.size();) {
        const auto start = std::chrono::steady_clock::now();
        run_script(plan[next]);
        check_keys(plan[next]);
        record(plan[next], elapsed_ms(start));
        ++next;
        report();
      }
      transaction.commit();
      result.after = expected_rows;
      return result;
    }
  }

  bool first = true;
  bool want_off = false;
  bool replan = false; // the rows moved under a non-transactional revision
  while (true) {
    set_keys_off(want_off);
    db::WriteTransaction transaction(connection);
    refresh(first || replan);
    first = false;
    replan = false;
    if (next >= plan.size()) {
      result.after = expected_rows;
      return result; // nothing left: the transaction rolls back, the file is untouched
    }
    const Index index = plan[next];
    if (wants_keys_off(index) != keys_off) {
      want_off = wants_keys_off(index);
      continue; // roll back, switch enforcement outside the transaction, look again
    }
    const auto start = std::chrono::steady_clock::now();
    if (m_graph.at(index).transactional) {
      ensure_tables();
      run_script(index);
      check_keys(index);
      record(index, elapsed_ms(start));
      transaction.commit();
    } else {
      // Statements such as VACUUM cannot run inside a transaction: release the lock,
      // run the script on its own, then record it under the lock again.
      ensure_tables();
      transaction.commit();
      run_script(index);
      check_keys(index);
      db::WriteTransaction bookkeeping(connection);
      // Another run may have moved the version table while the lock was released
      // (even applied this very revision): record against what is there now.
      auto rows = m_store.read_versions(connection, true);
      if (rows != expected_rows) {
        state.emplace(m_graph, rows);
        expected_rows = std::move(rows);
        replan = true;
      }
      const bool done_elsewhere = up ? state->is_applied(index) : !state->is_applied(index);
      if (!done_elsewhere)
        record(index, elapsed_ms(start));
      bookkeeping.commit();
      if (done_elsewhere)
        continue;
    }
    ++next;
    report();
  }
}

RunResult Migrator::stamp(const ConnectionSource& connect, const std::vector<std::string>& targets,
                          bool purge) const {
  for (const auto& target : targets)
    check_target(target);
  db::Connection& connection = connect();
  const RunLock lock(connection, lock_name());
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

std::string Migrator::upgrade_script(const std::string& range) const {
  return script(Direction::Upgrade, range);
}

std::string Migrator::downgrade_script(const std::string& range) const {
  return script(Direction::Downgrade, range);
}

namespace {

std::string script_preamble(const config::Settings& settings, const VersionStore& store) {
  if (settings.url.backend() == config::Backend::Postgres)
    return "-- Generated by dbtool (offline mode): run it as it is with psql -v "
           "ON_ERROR_STOP=1.\n" +
           store.create_tables_sql();
  std::string sql = "-- Generated by dbtool (offline mode): run it as it is with sqlite3.\n";
  sql +=
      "PRAGMA foreign_keys = " + std::string(settings.sqlite.foreign_keys ? "ON" : "OFF") + ";\n";
  sql += store.create_tables_sql();
  return sql;
}

} // namespace

std::string Migrator::script(Direction direction, const std::string& range) const {
  const bool up = direction == Direction::Upgrade;
  const auto [from, to] = split_range(range);
  check_relative_direction(to, up);
  if (!up && !from)
    throw Error(ErrorKind::Usage,
                "offline downgrade needs a range FROM:TO (e.g. head:base), as in Alembic");
  IndexList start;
  if (from && !from->empty())
    start = m_graph.resolve(*from, {});
  std::vector<std::string> start_ids;
  for (Index index : start)
    start_ids.push_back(m_graph.id(index));
  VersionState state(m_graph, start_ids);
  const IndexList targets = m_graph.resolve(to, state.rows());
  const IndexList plan =
      up ? plan_upgrade(m_graph, state.applied(), targets)
         : plan_downgrade(m_graph, state, targets, to, downgrade_lineage(to, state.rows()));
  if (!up)
    check_reversible(m_graph, plan);

  std::string sql = script_preamble(m_settings, m_store);
  for (Index index : plan) {
    const Revision& revision = m_graph.at(index);
    const std::string parents = util::join(revision.down_revisions, ", ");
    sql += "\n-- Running " + std::string(direction_name(up)) + " " +
           (up ? (parents.empty() ? "<base>" : parents) + " -> " + revision.id
               : revision.id + " -> " + (parents.empty() ? "<base>" : parents)) +
           (revision.message.empty() ? "" : ": " + revision.message) + "\n";
    const auto change = up ? state.upgrade(index) : state.downgrade(index);
    const std::string body = terminated(up ? revision.upgrade_sql : revision.downgrade_sql);
    const std::string bookkeeping =
        change_sql(m_store, change) +
        m_store.insert_history_sql(revision.id, direction_name(up),
                                   revision::revision_checksum(revision), revision.message,
                                   std::nullopt);
    const bool keys_off = m_settings.url.backend() == config::Backend::Sqlite &&
                          m_settings.sqlite.foreign_keys && revision.foreign_keys_off;
    // With enforcement off, a guard row fails the script (under sqlite3 -bail) when
    // the revision left rows that break a foreign key.
    const std::string guard =
        keys_off ? "CREATE TEMP TABLE IF NOT EXISTS dbtool_foreign_key_guard (ok INTEGER CHECK "
                   "(ok));\nINSERT INTO dbtool_foreign_key_guard SELECT 0 FROM "
                   "pragma_foreign_key_check LIMIT 1;\n"
                 : "";
    if (keys_off)
      sql += "PRAGMA foreign_keys = OFF;\n";
    if (revision.transactional)
      sql += "BEGIN;\n" + body + guard + bookkeeping + "COMMIT;\n";
    else
      sql += body + guard + "BEGIN;\n" + bookkeeping + "COMMIT;\n";
    if (keys_off)
      sql += "PRAGMA foreign_keys = ON;\n";
  }
  return sql;
}

std::string Migrator::stamp_script(const std::vector<std::string>& targets) const {
  std::string sql = script_preamble(m_settings, m_store);
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
