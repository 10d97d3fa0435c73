#include "context.h"
#include "format.h"
#include "help.h"
#include "progress.h"

#include "dbtool/migrate/migrator.h"

#include <iostream>

namespace dbtool::cli {

namespace {

struct DowngradeOptions {
  std::string target;
  bool sql = false;
};

} // namespace

void setup_downgrade(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("downgrade", "Revert revisions down to TARGET");
  auto options = std::make_shared<DowngradeOptions>();
  command->add_option("TARGET", options->target, "Revision, base, -N, rev-N; FROM:TO with --sql")
      ->required();
  command->add_flag("--sql", options->sql, "Print the SQL instead of running it");
  describe(*command, group_state,
           {{"dbtool downgrade -1", "Revert the last revision"},
            {"dbtool downgrade base", "Revert everything"},
            {"dbtool downgrade head:base --sql", "Print the downgrade SQL"}});
  command->callback([&context, &exit_code, options] {
    const auto& graph = context.graph();
    const migrate::Migrator migrator(graph, context.settings());
    if (options->sql) {
      std::cout << migrator.downgrade_script(options->target);
      exit_code = 0;
      return;
    }
    migrate::RunOptions run;
    run.on_step = step_reporter(context, true);
    const auto result = run_reporting_failure(context, "downgrade", [&] {
      return migrator.downgrade(context.connection_source(), options->target, run);
    });
    print_run(context, "downgrade", result, true);
    exit_code = 0;
  });
}

} // namespace dbtool::cli
