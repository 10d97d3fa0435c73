#include "context.h"
#include "format.h"
#include "help.h"

#include "dbtool/migrate/migrator.h"

#include <iostream>

namespace dbtool::cli {

void setup_current(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("current", "Show the revision(s) the database is at");
  auto verbose = std::make_shared<bool>(false);
  command->add_flag("--verbose", *verbose, "Show each revision whole");
  describe(*command, group_state,
           {{"dbtool current", "The revision(s) the database is at"},
            {"dbtool --json current", "The same as JSON"}});
  command->callback([&context, &exit_code, verbose] {
    const auto& graph = context.graph();
    const migrate::Migrator migrator(graph, context.settings());
    const auto rows = migrator.current(context.connection());
    const bool detailed = *verbose || context.verbose;
    if (context.json) {
      nlohmann::json current = nlohmann::json::array();
      for (const auto& row : rows) {
        if (const auto index = graph.find(row))
          current.push_back(revision_json(graph, *index));
        else
          current.push_back({{"revision", row}, {"unknown", true}});
      }
      context.print_json(
          {{"command", "current"}, {"url", context.settings().url.masked()}, {"current", current}});
    } else if (!context.quiet) {
      if (detailed)
        std::cout << "Current revision(s) for " << context.settings().url.masked() << ":\n";
      for (const auto& row : rows) {
        const auto index = graph.find(row);
        if (!index)
          std::cout << row << " (unknown: no revision file defines it)\n";
        else if (detailed)
          std::cout << verbose_block(graph, *index) << "\n";
        else
          std::cout << row << markers(graph, *index) << "\n";
      }
    }
    exit_code = 0;
  });
}

} // namespace dbtool::cli
