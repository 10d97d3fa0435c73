// libFuzzer target: the revision target grammar (head, heads, base, label@head, +N,
// -N, rev+N, prefixes, from:to) resolved against a small graph with a branch and a merge.
#include "dbtool/error.h"
#include "dbtool/revision/revision.h"
#include "dbtool/revision/revision_graph.h"

#include <cstdint>
#include <string>
#include <vector>

namespace {

dbtool::revision::Revision make(const std::string& id, const std::string& parents,
                                const std::string& label = "") {
  auto revision = dbtool::revision::parse_revision(
      "-- revision: " + id + "\n-- down_revision: " + parents + "\n-- branch_labels: " + label +
          "\n-- +upgrade\nSELECT 1;\n-- +downgrade\nSELECT 1;\n",
      id + ".sql");
  revision.path = id + ".sql";
  return revision;
}

const dbtool::revision::RevisionGraph& graph() {
  static const dbtool::revision::RevisionGraph instance(std::vector<dbtool::revision::Revision>{
      make("aaaa1111", ""), make("bbbb2222", "aaaa1111"), make("cccc3333", "bbbb2222", "left"),
      make("dddd4444", "bbbb2222", "right"), make("eeee5555", "cccc3333,dddd4444")});
  return instance;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string target(reinterpret_cast<const char*>(data), size);
  const auto& g = graph();
  for (const auto& current : {dbtool::revision::IndexList{}, g.resolve("bbbb2222", {})}) {
    try {
      (void)g.resolve(target, current);
    } catch (const dbtool::Error&) {
    }
  }
  return 0;
}
