#include "context.h"
#include "help.h"

#include "dbtool/data/seed.h"

#include <iostream>

namespace dbtool::cli {

void setup_seed(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "seed", "Load fixture rows (JSON, or dump's jsonl), upserting, all in one transaction");
  auto files = std::make_shared<std::vector<std::string>>();
  command->add_option("FILE", *files, "Seed files (default: every file in seeds/)");
  describe(*command, group_data,
           {{"dbtool seed", "Load every file of seeds/ in one transaction"},
            {"dbtool seed seeds/users.json", "Load one file"}});
  command->callback([&context, &exit_code, files] {
    std::vector<std::filesystem::path> paths(files->begin(), files->end());
    if (paths.empty())
      paths = data::seed_files_in(context.settings().project_dir / "seeds");
    const auto& settings = context.settings();
    const auto result = data::seed_database(context.connection(), paths,
                                            {settings.version_table, settings.history_table});
    if (context.json)
      context.print_json({{"command", "seed"},
                          {"files", result.files},
                          {"inserted", result.inserted},
                          {"updated", result.updated},
                          {"unchanged", result.unchanged},
                          {"sequences_advanced", result.sequences_advanced}});
    else if (!context.quiet)
      std::cout << "Seeded " << result.files << (result.files == 1 ? " file: " : " files: ")
                << result.inserted << " inserted, " << result.updated << " updated, "
                << result.unchanged << " unchanged"
                << (result.sequences_advanced == 0 ? ""
                    : result.sequences_advanced == 1
                        ? "; 1 sequence advanced"
                        : "; " + std::to_string(result.sequences_advanced) + " sequences advanced")
                << (result.inserted + result.updated + result.sequences_advanced == 0
                        ? " (nothing to change)"
                        : "")
                << "\n";
    exit_code = 0;
  });
}

} // namespace dbtool::cli
