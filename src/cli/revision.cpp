#include "context.h"
#include "format.h"
#include "help.h"

#include "dbtool/diff/autogenerate.h"
#include "dbtool/migrate/migrator.h"
#include "dbtool/revision/script_directory.h"
#include "dbtool/schema/declared_schema.h"

#include <iostream>

namespace dbtool::cli {

void setup_revision(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand(
      "revision", "Write a new revision file (empty, or --autogenerate from the models)");
  auto options = std::make_shared<revision::NewRevisionOptions>();
  auto rev_id = std::make_shared<std::string>();
  command->add_option("-m,--message", options->message, "What the revision does")->required();
  command->add_option("--head", options->heads,
                      "Revision to build on (default: the single head; 'base' starts a root)");
  command->add_flag("--splice", options->splice, "Allow --head to name a non-head revision");
  command->add_option("--branch-label", options->branch_labels, "Label for the new branch");
  command->add_option("--depends-on", options->depends_on, "Revision this one depends on");
  command->add_option("--rev-id", *rev_id, "Use this id instead of a random one");
  auto autogenerate = std::make_shared<bool>(false);
  auto empty = std::make_shared<bool>(false);
  command->add_flag("--autogenerate", *autogenerate,
                    "Fill the revision with the SQL that turns the database into the models");
  command->add_flag("--empty", *empty,
                    "With --autogenerate: write a file even when nothing differs");
  auto compare = std::make_shared<diff::CompareOptions>();
  command->add_flag("--allow-empty-models", compare->allow_empty_models,
                    "With --autogenerate: compare even when the models declare nothing");
  describe(*command, group_revisions,
           {{"dbtool revision -m \"add reports table\"",
             "Write an empty revision on top of the head, to fill in"},
            {"dbtool revision --autogenerate -m \"add reports\"",
             "Write the SQL that turns the database (at head) into the models of schema/"},
            {"dbtool revision -m \"audit\" --head base --branch-label audit",
             "Start a second branch, labelled audit"}});
  command->callback([&context, &exit_code, options, rev_id, autogenerate, empty, compare] {
    if (!rev_id->empty())
      options->rev_id = *rev_id;
    // With --autogenerate the models start loading first, while the revisions are read
    // and the database opens (an error of either is still the one reported).
    std::optional<schema::DeclaredModels> models;
    if (*autogenerate)
      models.emplace(context.settings());
    const auto& graph = context.graph();
    std::optional<revision::Revision> created;
    nlohmann::json operations = nlohmann::json::array();
    if (*autogenerate) {
      const migrate::Migrator migrator(graph, context.settings());
      auto result = diff::autogenerate_revision(graph, context.settings(), context.connection(),
                                                migrator.current(context.connection()), *models,
                                                *options, *empty, *compare);
      for (const auto& operation : result.comparison.operations)
        operations.push_back(operation.describe());
      created = std::move(result.written);
    } else {
      const revision::ScriptDirectory folder(context.settings().migrations_dir);
      created = folder.plan_revision(graph, *options);
      folder.write(*created);
    }
    if (context.json) {
      nlohmann::json document = {{"command", "revision"}, {"operations", operations}};
      document["revision"] = created ? nlohmann::json(created->id) : nlohmann::json();
      document["path"] = created ? nlohmann::json(created->path.string()) : nlohmann::json();
      document["down_revisions"] =
          created ? nlohmann::json(created->down_revisions) : nlohmann::json::array();
      context.print_json(document);
    } else if (!context.quiet) {
      for (const auto& operation : operations)
        std::cout << operation.get<std::string>() << "\n";
      if (created)
        std::cout << "Created revision " << created->id << " at " << created->path.string() << "\n";
      else
        std::cout << "No changes: the database matches the models; no revision written "
                     "(--empty writes one anyway)\n";
    }
    exit_code = 0;
  });
}

} // namespace dbtool::cli
