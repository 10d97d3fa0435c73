#pragma once

#include "dbtool/config/settings.h"
#include "dbtool/db/connection.h"
#include "dbtool/error.h"
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

// A run that stopped on an error once a revision had begun: the error (its message
// ends with where the database is now), and what the run had committed before it.
class RunFailed : public Error {
 public:
  RunFailed(const Error& error, RunResult partial) : Error(error), m_partial(std::move(partial)) {}
  // before: the rows the run started from; after: the rows the database is at now;
  // steps: the steps committed (none under --single-transaction).
  const RunResult& partial() const { return m_partial; }

 private:
  RunResult m_partial;
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

// Where one revision stands, for `dbtool status`.
struct RevisionStatus {
  enum class State {
    Applied, // applied by an upgrade, or below an applied revision
    Stamped, // its latest history row is a stamp: recorded as applied, no SQL ran
    Edited,  // applied, but its upgrade section changed since (checksum)
    Missing, // the version table names it, but no revision file defines it
    Pending, // not applied
  };
  std::string revision;
  State state = State::Pending;
  std::string message;
  std::string file;       // empty for a missing revision
  std::string applied_at; // from the history table; empty when it does not say
};

// Every revision of the graph in topological order (parents first), then the version
// rows that no file defines, and the version rows themselves.
struct Status {
  std::vector<std::string> current;
  std::vector<RevisionStatus> revisions;
};

// "applied", "stamped", "edited", "missing", "pending".
const char* state_name(RevisionStatus::State state);

// Applies, reverts and stamps revisions of a graph on a database, online or as an
// offline script. Online runs take the database's write lock per step (or once with
// single_transaction) and re-read the version table inside it, so that concurrent
// runs never apply a revision twice.
class Migrator {
 public:
  Migrator(const revision::RevisionGraph& graph, const config::Settings& settings);

  // The online commands open the database through CONNECT only after the targets
  // were checked, so that a bad target never creates or touches a database file. A
  // failure once a revision has begun is RunFailed.
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
  // Applied and pending revisions, in one snapshot of the version and history tables.
  Status status(db::Connection& connection) const;

  const VersionStore& store() const { return m_store; }

 private:
  // Resolves TARGET now when it does not depend on the database's state.
  void check_target(const std::string& target) const;

  const revision::RevisionGraph& m_graph;
  const config::Settings& m_settings;
  VersionStore m_store;
};

} // namespace dbtool::migrate
