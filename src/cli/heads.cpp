#include "context.h"
#include "format.h"
#include "help.h"

#include <iostream>

namespace dbtool::cli {

void setup_heads(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("heads", "Show the heads of the revision graph");
  auto verbose = std::make_shared<bool>(false);
  command->add_flag("--verbose", *verbose, "Show each revision whole");
  describe(*command, group_revisions,
           {{"dbtool heads", "The revisions nothing builds on"},
            {"dbtool heads --verbose", "The same, each shown whole"}});
  command->callback([&context, &exit_code, verbose] {
    const auto& graph = context.graph();
    const auto heads = graph.heads();
    if (context.json) {
      nlohmann::json list = nlohmann::json::array();
      for (auto index : heads)
        list.push_back(revision_json(graph, index));
      context.print_json({{"command", "heads"}, {"heads", list}});
    } else if (!context.quiet) {
      for (auto index : heads)
        std::cout << (*verbose || context.verbose ? verbose_block(graph, index) + "\n"
                                                  : graph.id(index) + markers(graph, index) + "\n");
    }
    exit_code = 0;
  });
}

} // namespace dbtool::cli
