#pragma once

#include "dbtool/migrate/migrator.h"
#include "dbtool/migrate/version_state.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace dbtool::migrate {

// Holds the connection's run lock (PostgreSQL: a session advisory lock) for a scope.
class RunLock {
 public:
  RunLock(db::Connection& connection, const config::Settings& settings, const VersionStore& store);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  db::Connection& m_connection;
};

// The start of every offline script: the dialect's note, foreign key enforcement
// (SQLite) and the version and history tables.
std::string offline_preamble(const config::Settings& settings, const VersionStore& store);

// The message for REVISION when its checksum differs from RECORDED (the one its last
// upgrade or stamp recorded; a checksum it had before a squash counts as its own).
std::optional<std::string> edited(const revision::Revision& revision, const std::string& recorded);

// Edited applied revisions (with their file) and version rows that no file defines
// (without one), read in one snapshot.
std::vector<ValidationIssue> validation_issues(const revision::RevisionGraph& graph,
                                               const VersionStore& store,
                                               db::Connection& connection);

// One upgrade or downgrade to a target: the plan from where the database stands, and
// either applying it online or rendering it as the offline script that does the same.
// Online, each revision runs in its own write transaction with its version and history
// rows (or the whole plan in one), and the version rows are re-read inside every one of
// them, so that concurrent runs never apply a revision twice.
class Run {
 public:
  enum class Direction { Upgrade, Downgrade };

  // TARGET is checked when the plan is made, against the database's rows.
  Run(const revision::RevisionGraph& graph, const config::Settings& settings,
      const VersionStore& store, Direction direction, std::string target, RunOptions options = {});

  // Applies the plan under the run lock: the checksum check (upgrades), then step by
  // step or in one transaction. A failure once a step has begun is RunFailed, with the
  // steps committed before it.
  RunResult apply(db::Connection& connection);

  // The offline script for a database whose version rows are FROM (empty: base).
  std::string script(const std::vector<std::string>& from) const;

 private:
  bool up() const { return m_direction == Direction::Upgrade; }
  const char* direction_name() const { return up() ? "upgrade" : "downgrade"; }

  // The revisions to run from STATE, in order, checked: a downgrade must not cross an
  // irreversible revision, a single transaction must not hold a non-transactional one.
  revision::IndexList plan(const VersionState& state, std::optional<revision::Index> lineage) const;
  // Refuses to upgrade a database whose applied revisions were edited since.
  void check_checksums() const;
  // Refuses a plan that would write a version row longer than the version table holds
  // (an adopted Alembic table on PostgreSQL), before anything runs.
  void check_version_width() const;

  // Reads the version rows inside the current transaction and plans again when another
  // process moved them (always when FORCE).
  void refresh(bool force);
  void ensure_tables();
  RunResult step_by_step();
  RunResult in_one_transaction();
  // Runs one revision's script and records it; the caller owns the transaction.
  void run_step(revision::Index index);
  void run_script(revision::Index index);
  void check_foreign_keys(revision::Index index);
  void record(revision::Index index, long long duration_ms);
  // Marks the steps so far committed, and tells on_step about the last one.
  void committed();
  void report();
  bool wants_foreign_keys_off(revision::Index index) const;
  void set_foreign_keys_off(bool off);
  // ERROR, told where the run left the database.
  RunFailed failed(const Error& error) const;

  const revision::RevisionGraph& m_graph;
  const config::Settings& m_settings;
  const VersionStore& m_store;
  Direction m_direction;
  std::string m_target;
  RunOptions m_options;

  // The state of apply().
  db::Connection* m_connection = nullptr;
  std::optional<revision::IndexList> m_targets; // resolved once, against the first rows
  std::optional<revision::Index> m_lineage;
  std::optional<VersionState> m_state;
  revision::IndexList m_plan;
  std::size_t m_next = 0;
  std::vector<std::string> m_rows;           // as last read or written in this run
  std::vector<std::string> m_committed_rows; // as last read or committed
  std::size_t m_committed_steps = 0;
  bool m_tables_exist = false; // once made (and committed), they stay for the run
  std::optional<std::size_t> m_version_width;
  bool m_began = false; // a revision's script has started
  bool m_keys_off = false;
  RunResult m_result;
};

} // namespace dbtool::migrate
