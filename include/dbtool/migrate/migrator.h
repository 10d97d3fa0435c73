#pragma once

#include "dbtool/config/settings.h"
#include "dbtool/db/connection.h"
#include "dbtool/migrate/version_store.h"
#include "dbtool/revision/revision_graph.h"

#include <functional>
#include <string>
#include <vector>

namespace dbtool::migrate {

// One revision applied, reverted or stamped.
struct StepRecord {
  std::string revision;
  std::string direction; // "upgrade", "downgrade", "stamp"
  std::string message;
  std::string file;
  long long duration_ms = 0;
};

// What a run did: the version rows before and after, and every step.
struct RunResult {
  std::vector<std::string> before;
  std::vector<std::string> after;
  std::vector<StepRecord> steps;
};

struct RunOptions {
  bool single_transaction = false;
  bool ignore_checksums = false;
  // Told after each completed step, with its position and the plan's length.
  std::function<void(const StepRecord&, std::size_t done, std::size_t total)> on_step;
};

// Opens (or returns the already open) database connection.
using ConnectionSource = std::function<db::Connection&()>;

// A problem validate() found: an edited applied revision, or a version row that no
// file defines.
struct ValidationIssue {
  std::string revision;
  std::string file;
  std::string message;
};

// Applies, reverts and stamps revisions of a graph on a database, online or as an
// offline script. Online runs take the database's write lock per step (or once with
// single_transaction) and re-read the version table inside it, so that concurrent
// runs never apply a revision twice.
class Migrator {
 public:
  Migrator(const revision::RevisionGraph& graph, const config::Settings& settings);

  // The online commands open the database through CONNECT only after the targets
  // were checked, so that a bad target never creates or touches a database file.
  RunResult upgrade(const ConnectionSource& connect, const std::string& target,
                    const RunOptions& options) const;
  RunResult downgrade(const ConnectionSource& connect, const std::string& target,
                      const RunOptions& options) const;
  RunResult stamp(const ConnectionSource& connect, const std::vector<std::string>& targets,
                  bool purge) const;

  // Offline (--sql): the script the online command would run. RANGE is TARGET or
  // FROM:TARGET; without FROM the database is assumed at base. Downgrade needs FROM.
  std::string upgrade_script(const std::string& range) const;
  std::string downgrade_script(const std::string& range) const;
  std::string stamp_script(const std::vector<std::string>& targets) const;

  // The version rows of the database (empty: base, or no version table yet).
  std::vector<std::string> current(db::Connection& connection) const;
  std::vector<ValidationIssue> validate(db::Connection& connection) const;

  const VersionStore& store() const { return m_store; }

 private:
  enum class Direction { Upgrade, Downgrade };
  RunResult run(db::Connection& connection, Direction direction, const std::string& target,
                const RunOptions& options) const;
  std::string script(Direction direction, const std::string& range) const;
  // Resolves TARGET now when it does not depend on the database's state.
  void check_target(const std::string& target) const;
  // What Connection::lock_for_run locks for a run of this project.
  std::string lock_name() const;

  const revision::RevisionGraph& m_graph;
  const config::Settings& m_settings;
  VersionStore m_store;
};

} // namespace dbtool::migrate
