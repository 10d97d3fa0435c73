#pragma once

#include "dbtool/revision/revision.h"
#include "dbtool/revision/revision_graph.h"

#include <filesystem>
#include <string>
#include <vector>

namespace dbtool::test {

// A revision made in memory: ID with PARENTS ("a,b"), for graph tests.
inline revision::Revision make_revision(const std::string& id, const std::string& parents = "",
                                        const std::string& depends_on = "",
                                        const std::string& label = "") {
  std::string text = "-- revision: " + id + "\n-- down_revision: " + parents +
                     "\n-- depends_on: " + depends_on + "\n-- branch_labels: " + label +
                     "\n-- message: " + id + "\n-- +upgrade\nSELECT 1;\n-- +downgrade\n";
  auto revision = revision::parse_revision(text, id + ".sql");
  revision.path = id + ".sql";
  return revision;
}

// The ids of a list of revision indices, in order.
inline std::vector<std::string> ids(const revision::RevisionGraph& graph,
                                    const revision::IndexList& list) {
  std::vector<std::string> out;
  for (auto index : list)
    out.push_back(graph.id(index));
  return out;
}

// A fresh empty folder under the temp directory, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "dbtool-unit.XXXXXX").string();
    m_path = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return m_path; }

 private:
  std::filesystem::path m_path;
};

} // namespace dbtool::test
