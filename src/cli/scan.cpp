#include "context.h"
#include "help.h"

#include "dbtool/error.h"
#include "dbtool/schema/declared_schema.h"
#include "dbtool/schema/diagram.h"
#include "dbtool/schema/introspector.h"
#include "dbtool/schema/json_model.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/schema/sqlite_renderer.h"

#include <iostream>

namespace dbtool::cli {

namespace {

struct ScanOptions {
  std::string format = "json";
  std::vector<std::string> tables;
  bool models = false;
};

// Keeps only TABLES (and the views and triggers of those tables); all when empty.
schema::Schema select_tables(schema::Schema schema, const std::vector<std::string>& tables) {
  if (tables.empty())
    return schema;
  schema::Schema selected;
  for (const auto& name : tables) {
    const auto found = schema.tables.find(name);
    if (found == schema.tables.end())
      throw Error(ErrorKind::Usage, "no table '" + name + "' in the database");
    selected.tables.emplace(name, found->second);
  }
  for (const auto& [name, trigger] : schema.triggers)
    if (selected.tables.count(trigger.table) != 0)
      selected.triggers.emplace(name, trigger);
  return selected;
}

} // namespace

void setup_scan(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("scan", "Read the live database's schema out");
  auto options = std::make_shared<ScanOptions>();
  command->add_option("--format", options->format, "json (the model format), sql, mermaid, dot")
      ->check(CLI::IsMember({"json", "sql", "mermaid", "dot"}));
  command->add_option("--table", options->tables, "Only these tables (repeatable)");
  command->add_flag("--models", options->models,
                    "Read the declared models in schema/ instead of the database");
  describe(*command, group_schema,
           {{"dbtool scan --format json > schema/models.json",
             "Make declared models from a live database"},
            {"dbtool scan --format sql --table users", "The CREATE statements of one table"},
            {"dbtool scan --format dot | dot -Tpng > schema.png",
             "Draw the tables and foreign keys with Graphviz"}});
  command->callback([&context, &exit_code, options] {
    const auto& settings = context.settings();
    const auto schema = select_tables(
        // The models as the project's backend reads them (PostgreSQL types for a
        // PostgreSQL project, loaded into a scratch schema there).
        options->models ? schema::DeclaredModels(settings).get()
                        : schema::introspect(context.connection(),
                                             {settings.version_table, settings.history_table}),
        options->tables);
    const auto backend = settings.url.backend();
    if (options->format == "json")
      std::cout << schema::schema_to_json(schema, backend) << "\n";
    else if (options->format == "sql" && backend == config::Backend::Postgres)
      std::cout << schema::render_postgres_schema(schema);
    else if (options->format == "sql")
      std::cout << schema::render_sqlite_schema(schema);
    else if (options->format == "mermaid")
      std::cout << schema::render_mermaid(schema);
    else
      std::cout << schema::render_dot(schema);
    exit_code = 0;
  });
}

} // namespace dbtool::cli
