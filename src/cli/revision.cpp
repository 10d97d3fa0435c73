#include "context.h"
#include "format.h"

#include "dbtool/revision/script_directory.h"

#include <iostream>

namespace dbtool::cli {

void setup_revision(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("revision", "Write a new, empty revision file");
  auto options = std::make_shared<revision::NewRevisionOptions>();
  auto rev_id = std::make_shared<std::string>();
  command->add_option("-m,--message", options->message, "What the revision does")->required();
  command->add_option("--head", options->heads,
                      "Revision to build on (default: the single head; 'base' starts a root)");
  command->add_flag("--splice", options->splice, "Allow --head to name a non-head revision");
  command->add_option("--branch-label", options->branch_labels, "Label for the new branch");
  command->add_option("--depends-on", options->depends_on, "Revision this one depends on");
  command->add_option("--rev-id", *rev_id, "Use this id instead of a random one");
  command->callback([&context, &exit_code, options, rev_id] {
    if (!rev_id->empty())
      options->rev_id = *rev_id;
    const auto& graph = context.graph();
    const revision::ScriptDirectory folder(context.settings().migrations_dir);
    revision::Revision created = folder.plan_revision(graph, *options);
    folder.write(created);
    if (context.json)
      context.print_json({{"command", "revision"},
                          {"revision", created.id},
                          {"down_revisions", created.down_revisions},
                          {"path", created.path.string()}});
    else if (!context.quiet)
      std::cout << "Created revision " << created.id << " at " << created.path.string() << "\n";
    exit_code = 0;
  });
}

} // namespace dbtool::cli
