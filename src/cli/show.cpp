#include "context.h"
#include "format.h"
#include "help.h"

#include "dbtool/error.h"

#include <iostream>

namespace dbtool::cli {

void setup_show(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("show", "Show one revision, whole");
  auto target = std::make_shared<std::string>();
  command->add_option("REV", *target, "Revision id, unique prefix, label, head")->required();
  describe(*command, group_revisions,
           {{"dbtool show head", "The newest revision, header and SQL"},
            {"dbtool show 1a2b", "A revision by a unique prefix of its id"}});
  command->callback([&context, &exit_code, target] {
    const auto& graph = context.graph();
    const auto resolved = graph.resolve(*target, {});
    if (resolved.size() != 1)
      throw Error(ErrorKind::Project, "'" + *target + "' does not name exactly one revision");
    const auto index = resolved.front();
    const auto& revision = graph.at(index);
    if (context.json) {
      auto item = revision_json(graph, index);
      item["upgrade"] = revision.upgrade_sql;
      item["downgrade"] =
          revision.has_downgrade ? nlohmann::json(revision.downgrade_sql) : nlohmann::json();
      item["checksum"] = revision::revision_checksum(revision);
      context.print_json(item);
    } else if (!context.quiet) {
      std::cout << verbose_block(graph, index) << "\n-- +upgrade\n" << revision.upgrade_sql;
      if (revision.has_downgrade)
        std::cout << "\n-- +downgrade\n" << revision.downgrade_sql;
    }
    exit_code = 0;
  });
}

} // namespace dbtool::cli
