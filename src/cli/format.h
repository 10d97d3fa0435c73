#pragma once

#include "context.h"

#include "dbtool/migrate/migrator.h"
#include "dbtool/revision/revision_graph.h"

#include <nlohmann/json.hpp>

#include <string>

// How revisions and runs look on screen and in --json, shared by the commands.
namespace dbtool::cli {

// "(head)", "(branchpoint)", "(mergepoint)" markers of a revision, space-separated.
std::string markers(const revision::RevisionGraph& graph, revision::Index index);
// "a1, b2 -> c3 (head), message" as Alembic's history prints it.
std::string history_line(const revision::RevisionGraph& graph, revision::Index index,
                         const std::string& extra_marker = {});
// Several lines: id, parents, labels, dependencies, path, created, message.
std::string verbose_block(const revision::RevisionGraph& graph, revision::Index index,
                          const std::string& extra_marker = {});
nlohmann::json revision_json(const revision::RevisionGraph& graph, revision::Index index);
// "upgrade r003, message (12 ms)": one step of a run, as the run prints it.
std::string step_line(const migrate::StepRecord& step);
// {"command", "before", "after", "steps"}: a run, or what a failed run committed.
nlohmann::json run_json(const char* command, const migrate::RunResult& result);
// Prints what a run did: one line per step (unless STEPS_PRINTED: step_reporter printed
// them as they completed, which it does for the text output alone) and a summary, or
// one JSON document.
void print_run(const Context& context, const char* command, const migrate::RunResult& result,
               bool steps_printed = false);

} // namespace dbtool::cli
