#include "context.h"
#include "help.h"

#include "dbtool/diff/squash.h"
#include "dbtool/migrate/migrator.h"

#include <filesystem>
#include <iostream>

namespace dbtool::cli {

void setup_squash(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "squash", "Replace a linear run of revisions FROM..TO with one that builds the same schema");
  auto options = std::make_shared<diff::SquashOptions>();
  command->add_option("FROM", options->from, "First revision of the run")->required();
  command->add_option("TO", options->to, "Last revision of the run (the new one keeps its id)")
      ->required();
  command->add_option("-m,--message", options->message, "Message of the new revision")->required();
  command->add_flag("--force", options->force,
                    "Squash even when the run holds data statements (INSERT, UPDATE, ...)");
  describe(*command, group_revisions,
           {{"dbtool squash 1a2b 9f8e -m \"initial schema\"",
             "Fold 1a2b..9f8e into one revision 9f8e; databases at 9f8e stay valid"},
            {"dbtool squash base_rev head -m \"v1 schema\" --force",
             "The same, dropping the run's data statements"}});
  command->callback([&context, &exit_code, options] {
    const auto& settings = context.settings();
    const auto& graph = context.graph();
    // The project's database must not stand inside the run; a SQLite file that does
    // not exist yet stands nowhere (and is not created by looking).
    std::optional<std::vector<std::string>> database_at;
    std::error_code unreadable; // then it is not absent: connecting says what is wrong
    const bool absent_file =
        settings.url.backend() == config::Backend::Sqlite && !settings.url.in_memory() &&
        !std::filesystem::exists(settings.url.sqlite_path(), unreadable) && !unreadable;
    if (!absent_file)
      database_at = migrate::Migrator(graph, settings).current(context.connection());
    const auto result = diff::squash_revisions(graph, settings, database_at, *options);
    if (context.json) {
      nlohmann::json operations = nlohmann::json::array();
      for (const auto& operation : result.operations)
        operations.push_back(operation.describe());
      nlohmann::json removed = nlohmann::json::array();
      for (const auto& path : result.removed)
        removed.push_back(path.string());
      context.print_json({{"command", "squash"},
                          {"revision", result.written.id},
                          {"path", result.written.path.string()},
                          {"replaced", result.replaced},
                          {"removed", removed},
                          {"operations", operations}});
    } else if (!context.quiet) {
      std::cout << "Squashed " << result.replaced.size() << " revisions ("
                << result.replaced.front() << ".." << result.replaced.back() << ") into "
                << result.written.id << " at " << result.written.path.string() << "\n";
    }
    exit_code = 0;
  });
}

} // namespace dbtool::cli
