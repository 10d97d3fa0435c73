#include "dbtool/revision/script_directory.h"

#include "dbtool/error.h"
#include "dbtool/util/strings.h"
#include "dbtool/util/two_halves.h"

#include <algorithm>
#include <fstream>
#include <unordered_set>

namespace dbtool::revision {

namespace fs = std::filesystem;

ScriptDirectory::ScriptDirectory(fs::path folder) : m_folder(std::move(folder)) {}

RevisionGraph ScriptDirectory::load() const {
  std::error_code ec;
  if (!fs::is_directory(m_folder, ec))
    throw Error(ErrorKind::Project, "migrations folder not found", m_folder.string());
  std::vector<fs::path> paths;
  fs::directory_iterator it(m_folder, ec);
  if (ec)
    throw Error(ErrorKind::Project, "cannot list migrations folder: " + ec.message(),
                m_folder.string());
  for (const auto& entry : it) {
    const auto& path = entry.path();
    if (path.extension() != ".sql" || path.filename().string().front() == '.')
      continue;
    if (!entry.is_regular_file(ec))
      continue;
    paths.push_back(path);
  }
  // A long history is read on two threads: at 100,000 revisions, opening and reading
  // the files is most of a graph command's time, and it waits on the kernel. The second
  // half's error is reported only when the first half has none, as a single reader would.
  constexpr std::size_t split_from = 2000;
  std::vector<Revision> revisions(paths.size());
  auto read_range = [&paths, &revisions](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      revisions[i] = read_revision_file(paths[i]);
  };
  util::run_in_two_halves(
      paths.size(), split_from,
      [&read_range](int, std::size_t begin, std::size_t end) { read_range(begin, end); });
  return RevisionGraph(std::move(revisions));
}

namespace {

Revision base_revision(const NewRevisionOptions& options) {
  Revision revision;
  revision.id = options.rev_id ? *options.rev_id : generate_revision_id();
  if (!is_valid_revision_id(revision.id))
    throw Error(ErrorKind::Usage,
                "invalid revision id '" + revision.id + "' (" + revision_id_rule + ")");
  if (options.message.find('\n') != std::string::npos)
    throw Error(ErrorKind::Usage, "the message must be one line");
  revision.message = std::string(util::trim(options.message));
  revision.created = util::utc_now_iso8601_seconds();
  for (const auto& label : options.branch_labels)
    if (!is_valid_revision_id(label))
      throw Error(ErrorKind::Usage,
                  "invalid branch label '" + label + "' (" + revision_id_rule + ")");
  revision.branch_labels = options.branch_labels;
  revision.upgrade_sql = options.upgrade_sql;
  revision.has_downgrade = true;
  revision.downgrade_sql = options.downgrade_sql;
  return revision;
}

void check_new_id(const RevisionGraph& graph, const Revision& revision) {
  if (graph.find(revision.id))
    throw Error(ErrorKind::Project, "revision id " + revision.id + " already exists in " +
                                        graph.at(*graph.find(revision.id)).path.string());
}

} // namespace

Revision ScriptDirectory::plan_revision(const RevisionGraph& graph,
                                        const NewRevisionOptions& options) const {
  Revision revision = base_revision(options);
  check_new_id(graph, revision);
  IndexList parents;
  if (options.heads.empty()) {
    parents = graph.resolve("head", {});
  } else {
    for (const auto& head : options.heads) {
      for (Index index : graph.resolve(head, {})) {
        if (!options.splice && !graph.children(index).empty())
          throw Error(ErrorKind::Project, "revision " + graph.id(index) +
                                              " is not a head; pass --splice to branch from it");
        if (std::find(parents.begin(), parents.end(), index) == parents.end())
          parents.push_back(index);
      }
    }
  }
  for (Index parent : parents)
    revision.down_revisions.push_back(graph.id(parent));
  for (const auto& dependency : options.depends_on)
    revision.depends_on.push_back(graph.id(graph.resolve_revision(dependency)));
  return revision;
}

Revision ScriptDirectory::plan_merge(const RevisionGraph& graph,
                                     const std::vector<std::string>& parents,
                                     const NewRevisionOptions& options) const {
  Revision revision = base_revision(options);
  check_new_id(graph, revision);
  IndexList resolved;
  for (const auto& target : parents)
    for (Index index : graph.resolve(target, {}))
      if (std::find(resolved.begin(), resolved.end(), index) == resolved.end())
        resolved.push_back(index);
  if (resolved.size() < 2)
    throw Error(ErrorKind::Project, "a merge needs at least two distinct revisions");
  // A parent that is an ancestor of another parent would make the merge pointless.
  for (Index a : resolved) {
    const RevisionSet below = graph.ancestors({a});
    for (Index b : resolved)
      if (a != b && below[b])
        throw Error(ErrorKind::Project,
                    "cannot merge " + graph.id(b) + " with its descendant " + graph.id(a));
  }
  for (Index parent : resolved)
    revision.down_revisions.push_back(graph.id(parent));
  return revision;
}

fs::path ScriptDirectory::write(Revision& revision) const {
  std::error_code ec;
  if (!fs::is_directory(m_folder, ec))
    throw Error(ErrorKind::Project, "migrations folder not found", m_folder.string());
  const fs::path path = m_folder / revision_file_name(revision.id, revision.message);
  if (fs::exists(path, ec))
    throw Error(ErrorKind::Project, "refusing to overwrite existing file", path.string());
  const std::string text = render_revision(revision);
  // Written beside and renamed into place, so that a crash never leaves a half file
  // that the next run would read as a malformed revision.
  std::string temporary_name = ".";
  temporary_name += path.filename().string();
  temporary_name += ".tmp";
  const fs::path temporary = m_folder / temporary_name;
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out)
      throw Error(ErrorKind::Project, "cannot write revision file", temporary.string());
  }
  fs::rename(temporary, path, ec);
  if (ec)
    throw Error(ErrorKind::Project, "cannot write revision file: " + ec.message(), path.string());
  revision.path = path;
  return path;
}

} // namespace dbtool::revision
