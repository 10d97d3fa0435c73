#include "context.h"
#include "format.h"
#include "help.h"
#include "progress.h"

#include "dbtool/migrate/migrator.h"

#include <iostream>

namespace dbtool::cli {

namespace {

struct UpgradeOptions {
  std::string target = "head";
  bool sql = false;
  bool single_transaction = false;
  bool ignore_checksums = false;
};

} // namespace

void setup_upgrade(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("upgrade", "Apply revisions up to TARGET (default: head)");
  auto options = std::make_shared<UpgradeOptions>();
  command->add_option("TARGET", options->target,
                      "Revision, head, heads, label@head, +N, rev+N; FROM:TO with --sql");
  command->add_flag("--sql", options->sql, "Print the SQL instead of running it");
  command->add_flag("--single-transaction", options->single_transaction,
                    "Run every revision in one transaction");
  command->add_flag("--ignore-checksums", options->ignore_checksums,
                    "Do not refuse to run when an applied revision was edited");
  describe(*command, group_state,
           {{"dbtool upgrade head", "Apply every revision not yet applied"},
            {"dbtool upgrade +1", "Apply the next revision only"},
            {"dbtool upgrade base:head --sql > deploy.sql",
             "Write the SQL for a DBA instead of running it"}});
  command->callback([&context, &exit_code, options] {
    const auto& graph = context.graph();
    const migrate::Migrator migrator(graph, context.settings());
    if (options->sql) {
      std::cout << migrator.upgrade_script(options->target);
      exit_code = 0;
      return;
    }
    migrate::RunOptions run;
    run.single_transaction = options->single_transaction;
    run.ignore_checksums = options->ignore_checksums;
    // Under --single-transaction nothing is committed before the end: the steps are
    // printed then, not as they run.
    const bool stream = !options->single_transaction;
    run.on_step = step_reporter(context, stream);
    const auto result = run_reporting_failure(context, "upgrade", [&] {
      return migrator.upgrade(context.connection_source(), options->target, run);
    });
    print_run(context, "upgrade", result, stream);
    exit_code = 0;
  });
}

} // namespace dbtool::cli
