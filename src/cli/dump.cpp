#include "context.h"
#include "help.h"

#include "dbtool/data/dump.h"

#include <chrono>
#include <iostream>
#include <unistd.h>

namespace dbtool::cli {

namespace {

struct DumpCommandOptions {
  std::string format = "sql";
  bool schema_only = false;
  bool data_only = false;
  std::vector<std::string> tables;
  std::string output;
};

} // namespace

void setup_dump(CLI::App& app, Context& context, int& exit_code) {
  auto* command = app.add_subcommand("dump", "Write the schema and data out, streaming");
  auto options = std::make_shared<DumpCommandOptions>();
  command->add_option("--format", options->format, "sql (a script that rebuilds it) or jsonl")
      ->check(CLI::IsMember({"sql", "jsonl"}));
  auto* schema_only = command->add_flag("--schema-only", options->schema_only, "No rows");
  command->add_flag("--data-only", options->data_only, "No CREATE statements")
      ->excludes(schema_only);
  command->add_option("--table", options->tables, "Only these tables (repeatable)");
  command->add_option("-o,--output", options->output,
                      "Write to FILE (atomically) instead of stdout");
  describe(*command, group_data,
           {{"dbtool dump -o backup.sql", "Schema and rows as an SQL script, written atomically"},
            {"dbtool dump --format jsonl --data-only --table users", "One JSON object a row"}});
  command->callback([&context, &exit_code, options] {
    data::DumpOptions dump;
    dump.format = options->format == "jsonl" ? data::DumpFormat::Jsonl : data::DumpFormat::Sql;
    dump.schema_only = options->schema_only;
    dump.data_only = options->data_only;
    dump.tables = options->tables;
    dump.version_table = context.settings().version_table;
    dump.history_table = context.settings().history_table;
    // Progress (rows, rows/s) on stderr when it is a terminal and not the output.
    const bool progress = !context.quiet && isatty(STDERR_FILENO) == 1 &&
                          (!options->output.empty() || isatty(STDOUT_FILENO) != 1);
    const auto start = std::chrono::steady_clock::now();
    if (progress)
      dump.on_progress = [start](std::uint64_t rows) {
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cerr << "\r\033[K" << rows << " rows";
        if (seconds > 0)
          std::cerr << ", " << static_cast<long long>(static_cast<double>(rows) / seconds)
                    << " rows/s";
        std::cerr << std::flush;
      };
    auto& connection = context.connection();
    const auto result = options->output.empty()
                            ? data::dump_database(connection, dump, stdout)
                            : data::dump_database_to_file(connection, dump, options->output);
    if (progress)
      std::cerr << "\r\033[K" << std::flush;
    if (!options->output.empty()) {
      if (context.json)
        context.print_json({{"command", "dump"},
                            {"output", options->output},
                            {"tables", result.tables},
                            {"rows", result.rows}});
      else if (!context.quiet)
        std::cout << "Wrote " << result.tables << (result.tables == 1 ? " table, " : " tables, ")
                  << result.rows << (result.rows == 1 ? " row to " : " rows to ") << options->output
                  << "\n";
    }
    exit_code = 0;
  });
}

} // namespace dbtool::cli
