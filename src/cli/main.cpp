// dbtool's entry point: global flags, the subcommands, and the one place where
// errors are caught, printed and turned into exit codes.
#include "context.h"
#include "help.h"

#include "dbtool/config/database_url.h"
#include "dbtool/error.h"
#include "dbtool/util/strings.h"
#include "dbtool/version.h"

#include <iostream>
#include <unistd.h>

namespace {

using dbtool::Error;
using dbtool::ErrorKind;

bool stderr_color(const dbtool::cli::Context& context) {
  return !context.no_color && isatty(STDERR_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
}

int report(const dbtool::cli::Context& context, ErrorKind kind, const std::string& message,
           const std::string& file = {}, int line = 0) {
  if (context.json) {
    nlohmann::json error = {{"kind", dbtool::error_kind_name(kind)},
                            {"message", message},
                            {"file", file.empty() ? nlohmann::json() : nlohmann::json(file)},
                            {"line", line > 0 ? nlohmann::json(line) : nlohmann::json()}};
    std::cerr << nlohmann::json{{"error", error}}.dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    std::string located = message;
    if (!file.empty())
      located = file + (line > 0 ? ":" + std::to_string(line) : "") + ": " + message;
    // One line, whatever the database put in its message.
    located = dbtool::util::one_line(located);
    const bool color = stderr_color(context);
    std::cerr << (color ? "\033[1;31mdbtool: error:\033[0m " : "dbtool: error: ") << located
              << "\n";
  }
  return static_cast<int>(kind);
}

} // namespace

int main(int argc, char** argv) {
  dbtool::cli::Context context;
  int exit_code = 0;
  CLI::App app{"dbtool: manage relational database schemas with SQL revisions", "dbtool"};
  app.fallthrough();
  // At most one command: after it, a word such as "heads" is an argument, not a command.
  app.require_subcommand(0, 1);
  app.set_version_flag("--version", dbtool::version_string());
  app.add_option("-c,--config", context.config_path, "Path to dbtool.toml (also DBTOOL_CONFIG)");
  context.url_option =
      app.add_option("--url", context.url, "Database URL (also DBTOOL_URL, DATABASE_URL)");
  app.add_option("-C,--project", context.project_dir, "Run as if started in DIR");
  app.add_option("--env", context.environment,
                 "Apply dbtool.toml's [env.NAME] table over its top level (also DBTOOL_ENV)");
  app.add_flag("--json", context.json, "Print one JSON document on stdout");
  app.add_flag("--echo", context.options.echo, "Log every SQL statement to stderr");
  app.add_option("--lock-timeout", context.options.lock_timeout_s,
                 "PostgreSQL: seconds to wait for another run's migration lock (default 60)");
  app.add_flag("-q,--quiet", context.quiet, "Print only errors");
  app.add_flag("-v,--verbose", context.verbose, "Print more detail");
  app.add_flag("--no-color", context.no_color, "Never colour the output");

  // Registered in the order `dbtool --help` lists their groups.
  dbtool::cli::setup_revision(app, context, exit_code);
  dbtool::cli::setup_merge(app, context, exit_code);
  dbtool::cli::setup_squash(app, context, exit_code);
  dbtool::cli::setup_history(app, context, exit_code);
  dbtool::cli::setup_heads(app, context, exit_code);
  dbtool::cli::setup_branches(app, context, exit_code);
  dbtool::cli::setup_show(app, context, exit_code);
  dbtool::cli::setup_validate(app, context, exit_code);
  dbtool::cli::setup_upgrade(app, context, exit_code);
  dbtool::cli::setup_downgrade(app, context, exit_code);
  dbtool::cli::setup_stamp(app, context, exit_code);
  dbtool::cli::setup_current(app, context, exit_code);
  dbtool::cli::setup_scan(app, context, exit_code);
  dbtool::cli::setup_check(app, context, exit_code);
  dbtool::cli::setup_dump(app, context, exit_code);
  dbtool::cli::setup_seed(app, context, exit_code);
  dbtool::cli::setup_init(app, context, exit_code);
  dbtool::cli::setup_completion(app, context, exit_code);
  dbtool::cli::setup_manpage(app, exit_code);
  app.footer(std::string("Run 'dbtool COMMAND --help' for a command's options and examples.\n\n"
                         "Exit status:\n") +
             dbtool::cli::exit_status_text);

  try {
    app.parse(argc, argv);
    if (app.get_subcommands().empty()) {
      std::cout << app.help();
      return 0;
    }
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return 0;
  } catch (const CLI::CallForVersion&) {
    std::cout << dbtool::version_string() << "\n";
    return 0;
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0)
      return app.exit(error);
    std::string message = dbtool::cli::suggest_correction(app, argc, argv);
    if (message.empty())
      message = error.what();
    return report(context, ErrorKind::Usage,
                  dbtool::config::mask_password(message) + " (see dbtool --help)");
  } catch (...) {
    // An Error as it is; anything else is out of memory or a bug (internal error, 70).
    const Error error = dbtool::error_from_exception(std::current_exception());
    return report(context, error.kind(), dbtool::config::mask_password(error.message()),
                  error.file(), error.line());
  }
  return exit_code;
}
