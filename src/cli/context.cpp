#include "context.h"

#include "dbtool/revision/script_directory.h"

#include <iostream>
#include <unistd.h>

namespace dbtool::cli {

const config::Settings& Context::settings() {
  if (!m_settings) {
    if (!config_path.empty())
      options.config_path = config_path;
    if (!url.empty() || (url_option != nullptr && url_option->count() > 0))
      options.url = url;
    if (!project_dir.empty())
      options.project_dir = project_dir;
    if (!environment.empty())
      options.environment = environment;
    m_settings = config::load_settings(options, config::process_environment());
  }
  return *m_settings;
}

const revision::RevisionGraph& Context::graph() {
  if (!m_graph)
    m_graph = std::make_unique<revision::RevisionGraph>(
        revision::ScriptDirectory(settings().migrations_dir).load());
  return *m_graph;
}

db::Connection& Context::connection() {
  if (!m_connection) {
    db::StatementObserver echo;
    if (settings().echo)
      echo = [](std::string_view sql) {
        std::cerr << "-- echo: " << sql << (sql.empty() || sql.back() != '\n' ? "\n" : "");
      };
    m_connection = db::connect(settings(), std::move(echo));
  }
  return *m_connection;
}

void Context::print_json(const nlohmann::json& document) const {
  std::cout << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

bool Context::show_progress() const {
  return !quiet && isatty(STDERR_FILENO) == 1 && (json || isatty(STDOUT_FILENO) != 1);
}

bool Context::color_stdout() const {
  return !no_color && !json && isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
}

} // namespace dbtool::cli
