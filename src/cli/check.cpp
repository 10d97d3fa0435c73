#include "context.h"
#include "help.h"

#include "dbtool/diff/autogenerate.h"
#include "dbtool/migrate/migrator.h"
#include "dbtool/schema/declared_schema.h"

#include <iostream>

namespace dbtool::cli {

void setup_check(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "check", "Exit 1 and list the differences when the models and the database differ");
  auto sql = std::make_shared<bool>(false);
  command->add_flag("--sql", *sql,
                    "Also print the SQL that would bring the database to the models");
  auto compare = std::make_shared<diff::CompareOptions>();
  command->add_flag("--allow-empty-models", compare->allow_empty_models,
                    "Compare even when the models declare nothing (every table would go)");
  describe(
      *command, group_schema,
      {{"dbtool check", "Exit 1 and list the differences when the database and the models differ"},
       {"dbtool check --sql", "Also print the SQL that would reconcile them"},
       {"dbtool --json check | jq '.operations'", "The differences as JSON"}});
  command->callback([&context, &exit_code, sql, compare] {
    // The models start loading first, while the revisions are read and the database
    // opens (an error of either is still the one reported).
    schema::DeclaredModels declared(context.settings());
    const auto& graph = context.graph();
    const migrate::Migrator migrator(graph, context.settings());
    const auto comparison =
        diff::compare_with_models(graph, context.settings(), context.connection(),
                                  migrator.current(context.connection()), declared, *compare);
    const auto& operations = comparison.operations;
    if (context.json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& operation : operations)
        list.push_back({{"kind", operation.kind_name()},
                        {"table", operation.table},
                        {"object", operation.object},
                        {"changes", operation.changes},
                        {"destructive", operation.destructive},
                        {"note", operation.note},
                        {"description", operation.describe()}});
      nlohmann::json document = {
          {"command", "check"}, {"ok", operations.empty()}, {"operations", list}};
      if (*sql)
        document["sql"] = comparison.upgrade.sql;
      context.print_json(document);
    } else {
      for (const auto& operation : operations)
        std::cout << operation.describe() << "\n";
      if (*sql && !operations.empty())
        std::cout << "\n" << comparison.upgrade.sql;
      if (operations.empty() && !context.quiet)
        std::cout << "OK: the database matches the models\n";
    }
    exit_code = operations.empty() ? 0 : 1;
  });
}

} // namespace dbtool::cli
