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
// Prints what a run did: one line per step and a summary, or one JSON document.
void print_run(const Context& context, const char* command, const migrate::RunResult& result);

} // namespace dbtool::cli
