#pragma once

#include "dbtool/config/settings.h"
#include "dbtool/db/connection.h"
#include "dbtool/revision/revision_graph.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>

namespace dbtool::cli {

// The global flags and the lazily loaded project, shared by every command.
// Commands read settings, the graph and the connection through it so that each is
// made once and only when the command needs it.
class Context {
 public:
  config::GlobalOptions options;
  std::string config_path;           // -c; empty: not given
  std::string url;                   // --url
  CLI::Option* url_option = nullptr; // to tell --url '' from no --url
  std::string project_dir;           // -C
  std::string environment;           // --env
  bool json = false;
  bool quiet = false;
  bool verbose = false;
  bool no_color = false;

  const config::Settings& settings();
  const revision::RevisionGraph& graph();
  db::Connection& connection();
  // connection(), deferred: for core functions that open the database only when needed.
  std::function<db::Connection&()> connection_source() {
    return [this]() -> db::Connection& { return connection(); };
  }

  // Prints a JSON document on stdout (the only output of a command under --json).
  void print_json(const nlohmann::json& document) const;
  // Whether human progress may be drawn on stderr.
  bool show_progress() const;
  bool color_stdout() const;

 private:
  std::optional<config::Settings> m_settings;
  std::unique_ptr<revision::RevisionGraph> m_graph;
  std::unique_ptr<db::Connection> m_connection;
};

// Each command file defines one setup_* function that adds its subcommand to APP;
// the callback runs the command and stores its exit code in EXIT_CODE.
void setup_init(CLI::App& app, Context& context, int& exit_code);
void setup_revision(CLI::App& app, Context& context, int& exit_code);
void setup_upgrade(CLI::App& app, Context& context, int& exit_code);
void setup_downgrade(CLI::App& app, Context& context, int& exit_code);
void setup_stamp(CLI::App& app, Context& context, int& exit_code);
void setup_current(CLI::App& app, Context& context, int& exit_code);
void setup_history(CLI::App& app, Context& context, int& exit_code);
void setup_heads(CLI::App& app, Context& context, int& exit_code);
void setup_branches(CLI::App& app, Context& context, int& exit_code);
void setup_merge(CLI::App& app, Context& context, int& exit_code);
void setup_show(CLI::App& app, Context& context, int& exit_code);
void setup_validate(CLI::App& app, Context& context, int& exit_code);
void setup_scan(CLI::App& app, Context& context, int& exit_code);
void setup_check(CLI::App& app, Context& context, int& exit_code);
void setup_dump(CLI::App& app, Context& context, int& exit_code);
void setup_seed(CLI::App& app, Context& context, int& exit_code);
void setup_squash(CLI::App& app, Context& context, int& exit_code);
void setup_completion(CLI::App& app, Context& context, int& exit_code);
// Hidden: prints the man page (the build makes dbtool.1 with it).
void setup_manpage(CLI::App& app, int& exit_code);

} // namespace dbtool::cli
