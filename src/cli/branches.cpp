#include "context.h"
#include "format.h"
#include "help.h"

#include <iostream>

namespace dbtool::cli {

void setup_branches(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("branches", "Show the branch points of the revision graph");
  describe(*command, group_revisions,
           {{"dbtool branches", "Revisions with more than one child"},
            {"dbtool --json branches | jq -r '.branch_points[].children[]'",
             "The revisions that start each branch"}});
  command->callback([&context, &exit_code] {
    const auto& graph = context.graph();
    const auto points = graph.branch_points();
    if (context.json) {
      nlohmann::json list = nlohmann::json::array();
      for (auto index : points) {
        auto item = revision_json(graph, index);
        nlohmann::json children = nlohmann::json::array();
        for (auto child : graph.children(index))
          children.push_back(graph.id(child));
        item["children"] = children;
        list.push_back(std::move(item));
      }
      context.print_json({{"command", "branches"}, {"branch_points", list}});
    } else if (!context.quiet) {
      for (auto index : points) {
        std::cout << history_line(graph, index) << "\n";
        for (auto child : graph.children(index)) {
          const auto& revision = graph.at(child);
          std::cout << "  -> " << revision.id << markers(graph, child)
                    << (revision.message.empty() ? "" : ", " + revision.message) << "\n";
        }
      }
    }
    exit_code = 0;
  });
}

} // namespace dbtool::cli
