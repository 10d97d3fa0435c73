#pragma once

#include "dbtool/config/settings.h"
#include "dbtool/diff/schema_diff.h"
#include "dbtool/revision/revision_graph.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace dbtool::diff {

// What `dbtool squash FROM TO -m MSG` was asked for.
struct SquashOptions {
  std::string from;
  std::string to;
  std::string message;
  bool force = false; // squash even when a revision of the run holds data statements
};

struct SquashResult {
  revision::Revision written;                 // the new revision, with TO's id
  std::vector<std::string> replaced;          // ids of the run, FROM first
  std::vector<std::filesystem::path> removed; // their files, now deleted
  std::vector<Operation> operations;          // what the squashed upgrade does
};

// Replaces the linear run FROM..TO with one revision that keeps TO's id (databases at
// TO stay valid, and its children keep their parent) and FROM's parents, whose upgrade
// and downgrade the differ computes: every revision up to FROM's parents is applied to
// a scratch database (in memory for SQLite; a scratch schema in a transaction that is
// rolled back for PostgreSQL), the schema read, then the run applied and the schema
// read again. The result is proved before any file changes: applied to the first
// schema, the new upgrade gives exactly the second, and its downgrade the first.
//
// Refuses (Error(Project), nothing written) when the run is not linear (a revision in
// it has another child or parent, or one outside depends on it), when DATABASE_AT (the
// version rows of the project's database, if it has one) names a revision inside the
// run other than TO (that database could no longer move), and, unless FORCE, when a
// revision of the run runs data statements (INSERT, UPDATE, DELETE, ...), which a
// schema diff cannot carry over.
SquashResult squash_revisions(const revision::RevisionGraph& graph,
                              const config::Settings& settings,
                              const std::optional<std::vector<std::string>>& database_at,
                              const SquashOptions& options);

// Puts SQUASHED (which keeps TO's id) in FOLDER in place of RUN_FILES (the run's files,
// FROM's first, TO's last), in steps after each of which the folder still loads as a
// project: the new text is written beside under a hidden name, renamed over TO's file
// (one atomic step: the folder holds exactly one revision with TO's id at every
// instant), renamed to its own name, and only then are the other files deleted,
// children first, so that what remains of the old run is a side branch whose every
// parent exists, never a revision with a missing parent. When a step fails (with any
// exception), the old files are put back and the exception goes on (an Error says
// "nothing was changed"). AFTER_STEP, when given, is told each step's number once it is
// done (tests look at the folder there, or fail the step). Returns the new file's path.
std::filesystem::path replace_squashed_files(const std::filesystem::path& folder,
                                             const revision::Revision& squashed,
                                             const std::vector<std::filesystem::path>& run_files,
                                             const std::function<void(int step)>& after_step = {});

} // namespace dbtool::diff
