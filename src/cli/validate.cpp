#include "context.h"
#include "help.h"

#include "dbtool/migrate/migrator.h"

#include <iostream>

namespace dbtool::cli {

void setup_validate(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "validate", "Check the graph, and that every applied revision still matches its file");
  describe(*command, group_revisions,
           {{"dbtool validate",
             "Exit 1 when an applied revision was edited or the database names an unknown one"},
            {"dbtool --json validate | jq -r '.issues[].message'",
             "The problems, one a line, for a CI log"}});
  command->callback([&context, &exit_code] {
    // Loading the graph already proves it sound (or throws a project error).
    const auto& graph = context.graph();
    const migrate::Migrator migrator(graph, context.settings());
    const auto issues = migrator.validate(context.connection());
    if (context.json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& issue : issues)
        list.push_back(
            {{"revision", issue.revision}, {"file", issue.file}, {"message", issue.message}});
      context.print_json({{"command", "validate"},
                          {"ok", issues.empty()},
                          {"revisions", graph.size()},
                          {"issues", list}});
    } else {
      for (const auto& issue : issues)
        std::cout << (issue.file.empty() ? "" : issue.file + ": ") << issue.message << "\n";
      if (issues.empty() && !context.quiet)
        std::cout << "OK: " << graph.size() << " revisions, graph sound, applied revisions match "
                  << "their files\n";
    }
    exit_code = issues.empty() ? 0 : 1;
  });
}

} // namespace dbtool::cli
