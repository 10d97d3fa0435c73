#pragma once

#include "dbtool/revision/revision_graph.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dbtool::revision {

// What `dbtool revision` and `dbtool merge` were asked for.
struct NewRevisionOptions {
  std::string message;
  std::optional<std::string> rev_id;
  std::vector<std::string> heads; // --head (empty: the single head); "base" starts a new root
  bool splice = false;
  std::vector<std::string> branch_labels;
  std::vector<std::string> depends_on;
  std::string upgrade_sql;
  std::string downgrade_sql;
};

// The migrations folder: every *.sql file in it is one revision.
class ScriptDirectory {
 public:
  explicit ScriptDirectory(std::filesystem::path folder);

  const std::filesystem::path& folder() const { return m_folder; }
  // Reads every revision file and builds the graph. Error(Project) for a missing
  // folder, a malformed file (with its line) or an unsound graph.
  RevisionGraph load() const;

  // Builds (without writing) a new revision on top of GRAPH as OPTIONS say:
  // its parent is the single head, or the --head revisions, which must be heads
  // unless splice is set.
  Revision plan_revision(const RevisionGraph& graph, const NewRevisionOptions& options) const;
  // Builds a merge revision of PARENTS (resolved targets, at least two revisions).
  Revision plan_merge(const RevisionGraph& graph, const std::vector<std::string>& parents,
                      const NewRevisionOptions& options) const;
  // Writes REVISION into the folder, refusing to overwrite; returns its path.
  std::filesystem::path write(Revision& revision) const;

 private:
  std::filesystem::path m_folder;
};

} // namespace dbtool::revision
