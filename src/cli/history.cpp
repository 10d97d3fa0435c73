#include "context.h"
#include "format.h"
#include "help.h"

#include "dbtool/migrate/migrator.h"
#include "dbtool/revision/history_range.h"

#include <iostream>

namespace dbtool::cli {

namespace {

struct HistoryOptions {
  std::string range;
  bool verbose = false;
  bool indicate_current = false;
};

} // namespace

void setup_history(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("history", "List revisions, newest first");
  auto options = std::make_shared<HistoryOptions>();
  command->add_option("-r,--rev-range", options->range, "FROM:TO, e.g. base:head, current:, :abc");
  command->add_flag("--verbose", options->verbose, "Show each revision whole");
  command->add_flag("-i,--indicate-current", options->indicate_current,
                    "Mark the revisions the database is at");
  describe(*command, group_revisions,
           {{"dbtool history", "Every revision, newest first"},
            {"dbtool history -r current:head -i",
             "What an upgrade would run, the current revision marked"},
            {"dbtool --json history | jq -r '.revisions[].revision'", "The ids, for scripts"}});
  command->callback([&context, &exit_code, options] {
    const auto& graph = context.graph();
    revision::IndexList current;
    const bool needs_database =
        options->indicate_current || options->range.find("current") != std::string::npos;
    if (needs_database) {
      const migrate::Migrator migrator(graph, context.settings());
      for (const auto& row : migrator.current(context.connection()))
        if (const auto index = graph.find(row))
          current.push_back(*index);
    }
    const auto selected = revision::select_history(graph, options->range, current);
    const bool detailed = options->verbose || context.verbose;
    auto current_marker = [&](revision::Index index) {
      const bool is_current = options->indicate_current &&
                              std::find(current.begin(), current.end(), index) != current.end();
      return is_current ? std::string(" (current)") : std::string();
    };
    if (context.json) {
      nlohmann::json list = nlohmann::json::array();
      for (auto index : selected) {
        auto item = revision_json(graph, index);
        if (options->indicate_current)
          item["is_current"] = !current_marker(index).empty();
        list.push_back(std::move(item));
      }
      context.print_json({{"command", "history"}, {"revisions", list}});
    } else if (!context.quiet) {
      std::string out;
      for (auto index : selected)
        out += detailed ? verbose_block(graph, index, current_marker(index)) + "\n"
                        : history_line(graph, index, current_marker(index)) + "\n";
      std::cout << out;
    }
    exit_code = 0;
  });
}

} // namespace dbtool::cli
