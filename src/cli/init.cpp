#include "context.h"
#include "help.h"

#include "dbtool/config/project_init.h"

#include <iostream>

namespace dbtool::cli {

void setup_init(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("init", "Create a project: dbtool.toml, migrations/, schema/");
  auto dir = std::make_shared<std::string>(".");
  command->add_option("DIR", *dir, "Folder to create the project in (default: here)");
  describe(*command, group_setup,
           {{"dbtool init", "Make the current folder a project (SQLite file data/app.db)"},
            {"dbtool init billing && cd billing", "Create a project in a new folder"}});
  command->callback([&context, &exit_code, dir] {
    std::filesystem::path base = *dir;
    if (!context.project_dir.empty() && base.is_relative())
      base = std::filesystem::path(context.project_dir) / base;
    const auto created = config::init_project(base);
    if (context.json) {
      nlohmann::json paths = nlohmann::json::array();
      for (const auto& path : created)
        paths.push_back(path.string());
      context.print_json({{"command", "init"}, {"created", paths}});
    } else if (!context.quiet) {
      for (const auto& path : created)
        std::cout << "created " << path.string() << "\n";
    }
    exit_code = 0;
  });
}

} // namespace dbtool::cli
