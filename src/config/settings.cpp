#include "dbtool/config/settings.h"

#include "dbtool/error.h"
#include "dbtool/util/strings.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <sstream>

namespace dbtool::config {

namespace fs = std::filesystem;

namespace {

constexpr const char* default_url = "sqlite:///data/app.db";

bool is_identifier(const std::string& name) {
  if (name.empty() || name.size() > 63)
    return false;
  if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

int line_of(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

// Reads one string key; a present key of another type is an error naming its line.
std::optional<std::string> string_key(const toml::table& table, const char* key,
                                      const std::string& file, const std::string& section = "") {
  const toml::node* node = table.get(key);
  if (node == nullptr)
    return std::nullopt;
  if (const auto* value = node->as_string())
    return value->get();
  throw Error(ErrorKind::Project, "'" + section + key + "' must be a string", file, line_of(*node));
}

void read_sqlite_section(const toml::table& table, const std::string& file, SqliteOptions& out) {
  static const std::array<std::string_view, 4> known = {"journal_mode", "synchronous",
                                                        "busy_timeout_ms", "foreign_keys"};
  for (const auto& [key, node] : table) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end())
      throw Error(ErrorKind::Project, "unknown key 'sqlite." + std::string(key.str()) + "'", file,
                  line_of(node));
  }
  // Reads a string key whose value must be one of CHOICES (case-insensitive).
  auto choice = [&](const char* key, std::string& out_value, const auto& choices) {
    const auto value = string_key(table, key, file, "sqlite.");
    if (!value)
      return;
    out_value = util::to_upper(*value);
    if (std::find(choices.begin(), choices.end(), out_value) == choices.end()) {
      std::string list;
      for (const auto& item : choices)
        list += (list.empty() ? "" : ", ") + std::string(item);
      throw Error(ErrorKind::Project, std::string("'sqlite.") + key + "' must be one of " + list,
                  file, line_of(*table.get(key)));
    }
  };
  static const std::array<std::string_view, 6> modes = {"DELETE", "TRUNCATE", "PERSIST",
                                                        "MEMORY", "WAL",      "OFF"};
  static const std::array<std::string_view, 4> syncs = {"OFF", "NORMAL", "FULL", "EXTRA"};
  choice("journal_mode", out.journal_mode, modes);
  choice("synchronous", out.synchronous, syncs);
  if (const toml::node* node = table.get("busy_timeout_ms")) {
    const auto* value = node->as_integer();
    if (value == nullptr || value->get() < 0 || value->get() > 3'600'000)
      throw Error(ErrorKind::Project,
                  "'sqlite.busy_timeout_ms' must be an integer from 0 to 3600000", file,
                  line_of(*node));
    out.busy_timeout_ms = static_cast<int>(value->get());
  }
  if (const toml::node* node = table.get("foreign_keys")) {
    const auto* value = node->as_boolean();
    if (value == nullptr)
      throw Error(ErrorKind::Project, "'sqlite.foreign_keys' must be true or false", file,
                  line_of(*node));
    out.foreign_keys = value->get();
  }
}

std::chrono::milliseconds seconds_to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5));
}

// A number of seconds from 0 to 86400 at KEY of TABLE, named NAME in errors.
std::optional<std::chrono::milliseconds> seconds_key(const toml::table& table, const char* key,
                                                     const std::string& name,
                                                     const std::string& file) {
  const toml::node* node = table.get(key);
  if (node == nullptr)
    return std::nullopt;
  const auto value = node->value<double>();
  if (!value || !(*value >= 0 && *value <= 86'400)) // NaN fails too
    throw Error(ErrorKind::Project, "'" + name + "' must be a number from 0 to 86400", file,
                line_of(*node));
  return seconds_to_ms(*value);
}

// A seconds flag, checked as seconds_key checks the file's keys.
std::optional<std::chrono::milliseconds> seconds_flag(std::optional<double> seconds,
                                                      const char* flag) {
  if (!seconds)
    return std::nullopt;
  if (!(*seconds >= 0 && *seconds <= 86'400)) // NaN fails too
    throw Error(ErrorKind::Usage,
                std::string(flag) + " must be a number of seconds from 0 to 86400");
  return seconds_to_ms(*seconds);
}

// LOCK_TIMEOUT receives the old spelling of the top-level lock_timeout_s.
void read_postgres_section(const toml::table& table, const std::string& file, PostgresOptions& out,
                           std::optional<std::chrono::milliseconds>& lock_timeout) {
  static const std::array<std::string_view, 4> known = {
      "schema", "lock_timeout_s", "statement_timeout_s", "statement_lock_timeout_s"};
  for (const auto& [key, node] : table)
    if (std::find(known.begin(), known.end(), key.str()) == known.end())
      throw Error(ErrorKind::Project, "unknown key 'postgres." + std::string(key.str()) + "'", file,
                  line_of(node));
  if (const auto schema = string_key(table, "schema", file, "postgres.")) {
    if (schema->empty())
      throw Error(ErrorKind::Project, "'postgres.schema' must not be empty", file,
                  line_of(*table.get("schema")));
    out.schema = *schema;
  }
  lock_timeout = seconds_key(table, "lock_timeout_s", "postgres.lock_timeout_s", file);
  out.statement_timeout =
      seconds_key(table, "statement_timeout_s", "postgres.statement_timeout_s", file);
  out.statement_lock_timeout =
      seconds_key(table, "statement_lock_timeout_s", "postgres.statement_lock_timeout_s", file);
}

struct FileSettings {
  std::optional<std::string> url;
  int url_line = 0;
  std::optional<std::string> migrations;
  std::optional<std::string> schema;
  std::optional<std::string> version_table;
  std::optional<std::string> history_table;
  SqliteOptions sqlite;
  PostgresOptions postgres;
  std::optional<std::chrono::milliseconds> lock_timeout;
};

FileSettings read_config_file(const fs::path& path) {
  const std::string file = path.string();
  toml::table root;
  try {
    root = toml::parse_file(file);
  } catch (const toml::parse_error& error) {
    const auto line = static_cast<int>(error.source().begin.line);
    std::string description(error.description());
    if (description.find("File could not be opened") != std::string::npos)
      throw Error(ErrorKind::Project, "cannot read config file", file);
    throw Error(ErrorKind::Project, "invalid TOML: " + description, file, line);
  }
  static const std::array<std::string_view, 8> known = {"url",           "migrations",    "schema",
                                                        "version_table", "history_table", "sqlite",
                                                        "postgres",      "lock_timeout_s"};
  for (const auto& [key, node] : root) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end())
      throw Error(ErrorKind::Project, "unknown key '" + std::string(key.str()) + "'", file,
                  line_of(node));
  }
  FileSettings settings;
  settings.url = string_key(root, "url", file);
  if (settings.url)
    settings.url_line = line_of(*root.get("url"));
  settings.migrations = string_key(root, "migrations", file);
  settings.schema = string_key(root, "schema", file);
  settings.version_table = string_key(root, "version_table", file);
  settings.history_table = string_key(root, "history_table", file);
  if (const toml::node* node = root.get("sqlite")) {
    const auto* table = node->as_table();
    if (table == nullptr)
      throw Error(ErrorKind::Project, "'sqlite' must be a table", file, line_of(*node));
    read_sqlite_section(*table, file, settings.sqlite);
  }
  settings.lock_timeout = seconds_key(root, "lock_timeout_s", "lock_timeout_s", file);
  if (const toml::node* node = root.get("postgres")) {
    const auto* table = node->as_table();
    if (table == nullptr)
      throw Error(ErrorKind::Project, "'postgres' must be a table", file, line_of(*node));
    std::optional<std::chrono::milliseconds> old_spelling;
    read_postgres_section(*table, file, settings.postgres, old_spelling);
    if (old_spelling && settings.lock_timeout)
      throw Error(ErrorKind::Project,
                  "'postgres.lock_timeout_s' is the old spelling of 'lock_timeout_s', which is "
                  "set too: keep one",
                  file, line_of(*table->get("lock_timeout_s")));
    if (old_spelling)
      settings.lock_timeout = old_spelling;
  }
  for (const char* key : {"version_table", "history_table"}) {
    const auto& name =
        std::string(key) == "version_table" ? settings.version_table : settings.history_table;
    if (name && !is_identifier(*name))
      throw Error(ErrorKind::Project,
                  "table name '" + *name + "' must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)",
                  file, line_of(*root.get(key)));
  }
  return settings;
}

fs::path absolute_dir(const fs::path& base, const std::string& relative) {
  fs::path path(relative);
  return (path.is_absolute() ? path : base / path).lexically_normal();
}

} // namespace

EnvironmentLookup process_environment() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr)
      return std::nullopt;
    return std::string(value);
  };
}

Settings load_settings(const GlobalOptions& options, const EnvironmentLookup& environment) {
  Settings settings;
  std::error_code ec;
  fs::path start = fs::current_path(ec);
  if (options.project_dir) {
    start = absolute_dir(start, *options.project_dir);
    if (!fs::is_directory(start, ec))
      throw Error(ErrorKind::Usage, "project folder '" + *options.project_dir + "' does not exist");
  }
  settings.project_dir = start;

  // An explicit config file makes its folder the project folder: relative paths in it
  // mean what they meant where it was written.
  std::optional<std::string> config = options.config_path;
  if (!config)
    config = environment("DBTOOL_CONFIG");
  FileSettings file;
  if (config) {
    settings.config_file = absolute_dir(start, *config);
    if (!fs::is_regular_file(settings.config_file, ec))
      throw Error(ErrorKind::Project, "config file not found", settings.config_file.string());
    settings.project_dir = settings.config_file.parent_path();
    file = read_config_file(settings.config_file);
  } else if (fs::is_regular_file(start / "dbtool.toml", ec)) {
    settings.config_file = start / "dbtool.toml";
    file = read_config_file(settings.config_file);
  }

  std::optional<std::string> url = options.url;
  if (!url)
    url = environment("DBTOOL_URL");
  if (!url)
    url = environment("DATABASE_URL");
  try {
    if (url) {
      settings.url = DatabaseUrl::parse(*url).resolved(settings.project_dir);
    } else {
      settings.url =
          DatabaseUrl::parse(file.url.value_or(default_url)).resolved(settings.project_dir);
    }
  } catch (const Error& error) {
    // A URL from dbtool.toml is located at its line there.
    if (!url && file.url)
      throw error.at(settings.config_file.string(), file.url_line);
    throw;
  }
  settings.migrations_dir =
      absolute_dir(settings.project_dir, file.migrations.value_or("migrations"));
  settings.schema_dir = absolute_dir(settings.project_dir, file.schema.value_or("schema"));
  settings.version_table = file.version_table.value_or(settings.version_table);
  settings.history_table = file.history_table.value_or(settings.history_table);
  if (settings.version_table == settings.history_table)
    throw Error(ErrorKind::Project, "version_table and history_table must differ",
                settings.config_file.string());
  settings.sqlite = file.sqlite;
  settings.postgres = file.postgres;
  if (file.lock_timeout)
    settings.lock_timeout = *file.lock_timeout;
  if (const auto flag = seconds_flag(options.lock_timeout_s, "--lock-timeout"))
    settings.lock_timeout = *flag;
  settings.postgres.lock_timeout = settings.lock_timeout;
  if (const auto flag = seconds_flag(options.statement_timeout_s, "--statement-timeout"))
    settings.postgres.statement_timeout = flag;
  if (const auto flag = seconds_flag(options.statement_lock_timeout_s, "--statement-lock-timeout"))
    settings.postgres.statement_lock_timeout = flag;
  const auto echo = environment("DBTOOL_ECHO");
  settings.echo = options.echo || (echo && !echo->empty() && *echo != "0");
  return settings;
}

std::string default_config_text() {
  return R"(# dbtool project configuration. Every key is optional; the defaults are shown.
url = "sqlite:///data/app.db"   # relative SQLite paths resolve against this folder
migrations = "migrations"
schema = "schema"
version_table = "dbtool_version"
history_table = "dbtool_history"
lock_timeout_s = 60             # how long a run waits for another run (--lock-timeout)

[sqlite]
journal_mode = "WAL"
synchronous = "NORMAL"
busy_timeout_ms = 5000
foreign_keys = true

[postgres]                      # used when url is postgresql://...
# schema = "app"                # SET search_path on connect (default: the server's)
# statement_timeout_s = 600     # SET statement_timeout for a run (default: the server's)
# statement_lock_timeout_s = 10 # SET lock_timeout for revisions' statements (default: the server's)
)";
}

} // namespace dbtool::config
