#pragma once

#include "dbtool/config/settings.h"
#include "dbtool/diff/schema_diff.h"
#include "dbtool/revision/revision_graph.h"

#include <filesystem>
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

} // namespace dbtool::diff
