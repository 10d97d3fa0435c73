#include "format.h"

#include "dbtool/util/strings.h"

#include <iostream>

namespace dbtool::cli {

using revision::Index;

std::string markers(const revision::RevisionGraph& graph, Index index) {
  std::string text;
  if (graph.children(index).empty())
    text += " (head)";
  if (graph.children(index).size() > 1)
    text += " (branchpoint)";
  if (graph.parents(index).size() > 1)
    text += " (mergepoint)";
  return text;
}

std::string history_line(const revision::RevisionGraph& graph, Index index,
                         const std::string& extra_marker) {
  const auto& revision = graph.at(index);
  const std::string parents = util::join(revision.down_revisions, ", ");
  std::string line = (parents.empty() ? "<base>" : parents) + " -> " + revision.id +
                     markers(graph, index) + extra_marker;
  if (!revision.message.empty())
    line += ", " + revision.message;
  return line;
}

std::string verbose_block(const revision::RevisionGraph& graph, Index index,
                          const std::string& extra_marker) {
  const auto& revision = graph.at(index);
  std::string text = "Revision: " + revision.id + markers(graph, index) + extra_marker + "\n";
  const std::string parents = util::join(revision.down_revisions, ", ");
  text += "Parent: " + (parents.empty() ? std::string("<base>") : parents) + "\n";
  if (!revision.branch_labels.empty())
    text += "Branch labels: " + util::join(revision.branch_labels, ", ") + "\n";
  if (!revision.depends_on.empty())
    text += "Depends on: " + util::join(revision.depends_on, ", ") + "\n";
  if (!revision.transactional)
    text += "Transactional: false\n";
  if (!revision.has_downgrade)
    text += "Irreversible: no downgrade section\n";
  text += "Path: " + revision.path.string() + "\n";
  if (!revision.created.empty())
    text += "Created: " + revision.created + "\n";
  text += "\n    " + revision.message + "\n";
  return text;
}

nlohmann::json revision_json(const revision::RevisionGraph& graph, Index index) {
  const auto& revision = graph.at(index);
  return {{"revision", revision.id},
          {"down_revisions", revision.down_revisions},
          {"message", revision.message},
          {"created", revision.created},
          {"branch_labels", revision.branch_labels},
          {"depends_on", revision.depends_on},
          {"transactional", revision.transactional},
          {"reversible", revision.has_downgrade},
          {"is_head", graph.children(index).empty()},
          {"is_branch_point", graph.children(index).size() > 1},
          {"is_merge_point", graph.parents(index).size() > 1},
          {"path", revision.path.string()}};
}

std::string step_line(const migrate::StepRecord& step) {
  std::string text = step.direction + " " + step.revision;
  if (!step.message.empty())
    text += ", " + step.message;
  if (step.direction != "stamp")
    text += " (" + std::to_string(step.duration_ms) + " ms)";
  return text;
}

nlohmann::json run_json(const char* command, const migrate::RunResult& result) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : result.steps)
    steps.push_back({{"revision", step.revision},
                     {"direction", step.direction},
                     {"message", step.message},
                     {"file", step.file},
                     {"duration_ms", step.duration_ms}});
  return {
      {"command", command}, {"before", result.before}, {"after", result.after}, {"steps", steps}};
}

namespace {

std::string run_text(const migrate::RunResult& result, bool steps_printed) {
  std::string text;
  long long total_ms = 0;
  for (const auto& step : result.steps) {
    if (!steps_printed)
      text += step_line(step) + "\n";
    total_ms += step.duration_ms;
  }
  const std::string after = result.after.empty() ? "base" : util::join(result.after, ", ");
  if (result.steps.empty())
    text += "Nothing to do: the database is at " + after + "\n";
  else if (result.steps.front().direction == "stamp")
    text += "Stamped the database at " + after + "\n";
  else
    text += "Done: the database is at " + after + " (" + std::to_string(result.steps.size()) +
            (result.steps.size() == 1 ? " revision, " : " revisions, ") + std::to_string(total_ms) +
            " ms)\n";
  return text;
}

} // namespace

void print_run(const Context& context, const char* command, const migrate::RunResult& result,
               bool steps_printed) {
  if (context.json)
    context.print_json(run_json(command, result));
  else if (!context.quiet)
    std::cout << run_text(result, steps_printed);
}

} // namespace dbtool::cli
