#include "context.h"
#include "help.h"

#include "dbtool/revision/script_directory.h"

#include <iostream>

namespace dbtool::cli {

void setup_merge(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("merge", "Write a merge revision joining two or more heads");
  auto parents = std::make_shared<std::vector<std::string>>();
  auto options = std::make_shared<revision::NewRevisionOptions>();
  auto rev_id = std::make_shared<std::string>();
  command->add_option("REV", *parents, "Revisions to merge ('heads' for all heads)")->required();
  command->add_option("-m,--message", options->message, "What the merge is for")->required();
  command->add_option("--branch-label", options->branch_labels, "Label for the merged branch");
  command->add_option("--rev-id", *rev_id, "Use this id instead of a random one");
  describe(*command, group_revisions,
           {{"dbtool merge heads -m \"join the branches\"", "Join every head into one"},
            {"dbtool merge 1a2b 3c4d -m \"merge\"", "Join two heads given by id prefixes"}});
  command->callback([&context, &exit_code, parents, options, rev_id] {
    if (!rev_id->empty())
      options->rev_id = *rev_id;
    const auto& graph = context.graph();
    const revision::ScriptDirectory folder(context.settings().migrations_dir);
    revision::Revision created = folder.plan_merge(graph, *parents, *options);
    folder.write(created);
    if (context.json)
      context.print_json({{"command", "merge"},
                          {"revision", created.id},
                          {"down_revisions", created.down_revisions},
                          {"path", created.path.string()}});
    else if (!context.quiet)
      std::cout << "Created merge revision " << created.id << " at " << created.path.string()
                << "\n";
    exit_code = 0;
  });
}

} // namespace dbtool::cli
