#include "context.h"
#include "format.h"
#include "help.h"

#include "dbtool/migrate/migrator.h"

#include <iostream>

namespace dbtool::cli {

namespace {

struct StampOptions {
  std::vector<std::string> targets;
  bool purge = false;
  bool sql = false;
};

} // namespace

void setup_stamp(CLI::App& app, Context& context, int& exit_code) {
  auto* command =
      app.add_subcommand("stamp", "Set the version table to TARGET without running any SQL");
  auto options = std::make_shared<StampOptions>();
  command->add_option("TARGET", options->targets, "Revisions to record (or base)")->required();
  command->add_flag("--purge", options->purge,
                    "Empty the version table first (even of unknown revisions)");
  command->add_flag("--sql", options->sql, "Print the SQL instead of running it");
  describe(*command, group_state,
           {{"dbtool stamp head", "Adopt an existing database: record head without running SQL"},
            {"dbtool stamp base --purge", "Empty the version table, whatever it holds"}});
  command->callback([&context, &exit_code, options] {
    const auto& graph = context.graph();
    const migrate::Migrator migrator(graph, context.settings());
    if (options->sql) {
      std::cout << migrator.stamp_script(options->targets);
      exit_code = 0;
      return;
    }
    const auto result =
        migrator.stamp(context.connection_source(), options->targets, options->purge);
    print_run(context, "stamp", result);
    exit_code = 0;
  });
}

} // namespace dbtool::cli
