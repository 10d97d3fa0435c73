#include "dbtool/revision/history_range.h"

#include "dbtool/error.h"

namespace dbtool::revision {

namespace {

IndexList resolve_end(const RevisionGraph& graph, std::string_view text, const IndexList& current,
                      bool lower) {
  if (text.empty())
    return lower ? IndexList{} : graph.heads();
  if (text == "current")
    return current;
  return graph.resolve(text, current);
}

} // namespace

IndexList select_history(const RevisionGraph& graph, std::string_view range,
                         const IndexList& current) {
  std::string_view from, to;
  if (!range.empty()) {
    const auto colon = range.find(':');
    if (colon == std::string_view::npos)
      throw Error(ErrorKind::Usage, "history range must be FROM:TO (either side may be empty)");
    from = range.substr(0, colon);
    to = range.substr(colon + 1);
  }
  const IndexList lower = resolve_end(graph, from, current, true);
  const IndexList upper = resolve_end(graph, to, current, false);
  const RevisionSet below_upper = graph.ancestors(upper);
  for (Index index : lower)
    if (!below_upper[index])
      throw Error(ErrorKind::Project, "history range '" + std::string(range) + "': revision " +
                                          graph.id(index) + " is not an ancestor of '" +
                                          std::string(to.empty() ? "heads" : to) + "'");
  const bool from_base = lower.empty();
  const RevisionSet above_lower = from_base ? RevisionSet{} : graph.descendants(lower);
  IndexList selected;
  const auto& order = graph.topological_order();
  for (auto it = order.rbegin(); it != order.rend(); ++it)
    if (below_upper[*it] && (from_base || above_lower[*it]))
      selected.push_back(*it);
  return selected;
}

} // namespace dbtool::revision
