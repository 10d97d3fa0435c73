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

// A letter or '_', then letters, digits and '_': a table name dbtool accepts unquoted in
// the settings, and an environment variable's name in ${NAME}.
bool is_variable_name(std::string_view name) {
  return !name.empty() && (std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_') &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
         });
}

bool is_identifier(const std::string& name) {
  return name.size() <= 63 && is_variable_name(name);
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
  int version_table_line = 0;
  std::optional<std::string> history_table;
  int history_table_line = 0;
  SqliteOptions sqlite;
  PostgresOptions postgres;
  std::optional<std::chrono::milliseconds> lock_timeout;
};

// The keys of dbtool.toml's top level, each of which an [env.NAME] table may set again.
constexpr std::array<std::string_view, 8> file_keys = {"url",           "migrations",    "schema",
                                                       "version_table", "history_table", "sqlite",
                                                       "postgres",      "lock_timeout_s"};

bool is_file_key(std::string_view key) {
  return std::find(file_keys.begin(), file_keys.end(), key) != file_keys.end();
}

// Reads the keys of TABLE into SETTINGS, over what is there: the top level of dbtool.toml,
// then the chosen [env.NAME] table (PREFIX "env.NAME.", for messages).
void read_keys(const toml::table& table, const std::string& file, const std::string& prefix,
               FileSettings& settings) {
  for (const auto& [key, node] : table) {
    if (!is_file_key(key.str()) && !(prefix.empty() && key.str() == "env"))
      throw Error(ErrorKind::Project, "unknown key '" + prefix + std::string(key.str()) + "'", file,
                  line_of(node));
  }
  auto string_at = [&](const char* key, std::optional<std::string>& out, int* line = nullptr) {
    if (auto value = string_key(table, key, file, prefix)) {
      out = std::move(value);
      if (line != nullptr)
        *line = line_of(*table.get(key));
    }
  };
  string_at("url", settings.url, &settings.url_line);
  string_at("migrations", settings.migrations);
  string_at("schema", settings.schema);
  string_at("version_table", settings.version_table, &settings.version_table_line);
  string_at("history_table", settings.history_table, &settings.history_table_line);
  if (const toml::node* node = table.get("sqlite")) {
    const auto* section = node->as_table();
    if (section == nullptr)
      throw Error(ErrorKind::Project, "'" + prefix + "sqlite' must be a table", file,
                  line_of(*node));
    read_sqlite_section(*section, file, settings.sqlite);
  }
  if (const auto timeout = seconds_key(table, "lock_timeout_s", prefix + "lock_timeout_s", file))
    settings.lock_timeout = timeout;
  if (const toml::node* node = table.get("postgres")) {
    const auto* section = node->as_table();
    if (section == nullptr)
      throw Error(ErrorKind::Project, "'" + prefix + "postgres' must be a table", file,
                  line_of(*node));
    std::optional<std::chrono::milliseconds> old_spelling;
    read_postgres_section(*section, file, settings.postgres, old_spelling);
    if (old_spelling && table.get("lock_timeout_s") != nullptr)
      throw Error(ErrorKind::Project,
                  "'" + prefix + "postgres.lock_timeout_s' is the old spelling of '" + prefix +
                      "lock_timeout_s', which is set too: keep one",
                  file, line_of(*section->get("lock_timeout_s")));
    if (old_spelling)
      settings.lock_timeout = old_spelling;
  }
}

// TEXT with ${NAME} replaced by the variable's value and ${NAME:-default} by its value,
// or DEFAULT when it is unset or empty (as the shell does); $${ is a literal ${. An unset
// variable without a default is an error at FILE:LINE.
std::string expand_variables(const std::string& text, const std::string& file, int line,
                             const EnvironmentLookup& environment) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out += text[i++];
      continue;
    }
    const auto close = text.find('}', i + 2);
    if (close == std::string::npos)
      throw Error(ErrorKind::Project, "'${' without its '}' (write $${ for a literal ${)", file,
                  line);
    const std::string inside = text.substr(i + 2, close - i - 2);
    const auto dash = inside.find(":-");
    const std::string name = inside.substr(0, dash);
    if (!is_variable_name(name))
      throw Error(ErrorKind::Project,
                  "'${" + inside +
                      "}' does not name an environment variable (${NAME} or "
                      "${NAME:-default})",
                  file, line);
    const auto value = environment(name.c_str());
    if (dash != std::string::npos && (!value || value->empty()))
      out += inside.substr(dash + 2);
    else if (value)
      out += *value;
    else
      throw Error(ErrorKind::Project,
                  "environment variable " + name + " is not set (${" + name +
                      ":-default} gives a default)",
                  file, line);
    i = close + 1;
  }
  return out;
}

// Expands the variables of every string under NODE (tables, arrays), in place: the
// strings keep their place in the file for later messages.
void expand_strings(toml::node& node, const std::string& file,
                    const EnvironmentLookup& environment) {
  if (auto* text = node.as_string()) {
    if (text->get().find("${") != std::string::npos)
      text->get() = expand_variables(text->get(), file, line_of(node), environment);
  } else if (auto* table = node.as_table()) {
    for (auto&& [key, child] : *table)
      expand_strings(child, file, environment);
  } else if (auto* array = node.as_array()) {
    for (auto& child : *array)
      expand_strings(child, file, environment);
  }
}

// The [env.NAME] table ENVIRONMENT_NAME chooses (nullptr for none). Every environment's
// keys are checked, chosen or not, so that a typo is found on the first run.
toml::table* chosen_environment(toml::table& root, const std::string& file,
                                const std::optional<std::string>& environment_name) {
  toml::node* node = root.get("env");
  toml::table* environments = node != nullptr ? node->as_table() : nullptr;
  if (node != nullptr && environments == nullptr)
    throw Error(ErrorKind::Project, "'env' must hold [env.NAME] tables", file, line_of(*node));
  std::string names;
  if (environments != nullptr)
    for (const auto& [name, table] : *environments) {
      const auto* keys = table.as_table();
      if (keys == nullptr)
        throw Error(ErrorKind::Project,
                    "'env." + std::string(name.str()) + "' must be a table ([env." +
                        std::string(name.str()) + "])",
                    file, line_of(table));
      for (const auto& [key, value] : *keys)
        if (!is_file_key(key.str()))
          throw Error(ErrorKind::Project,
                      "unknown key 'env." + std::string(name.str()) + "." + std::string(key.str()) +
                          "'",
                      file, line_of(value));
      names += (names.empty() ? "" : ", ") + std::string(name.str());
    }
  if (!environment_name)
    return nullptr;
  if (environments != nullptr)
    if (toml::node* found = environments->get(*environment_name))
      return found->as_table();
  throw Error(ErrorKind::Project,
              "unknown environment '" + *environment_name + "' (--env, DBTOOL_ENV): " +
                  (names.empty() ? "there is no [env." + *environment_name + "] table"
                                 : "the [env.NAME] tables are " + names),
              file, node != nullptr ? line_of(*node) : 0);
}

FileSettings read_config_file(const fs::path& path,
                              const std::optional<std::string>& environment_name,
                              const EnvironmentLookup& environment) {
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
  // ${VAR} only in the values that apply, so that only their variables need be set: not
  // in another environment, not in a top-level value the chosen one replaces, and not yet
  // in url, which a flag or DBTOOL_URL may replace (load_settings expands it when used).
  toml::table* overrides = chosen_environment(root, file, environment_name);
  auto replaced = [](const toml::table* over, std::string_view key) {
    const toml::node* node = over != nullptr ? over->get(key) : nullptr;
    return node != nullptr && !node->is_table();
  };
  for (auto&& [key, node] : root) {
    if (key.str() == "env" || key.str() == "url" || replaced(overrides, key.str()))
      continue;
    if (auto* section = node.as_table()) {
      const toml::node* over = overrides != nullptr ? overrides->get(key.str()) : nullptr;
      for (auto&& [inner, value] : *section)
        if (!replaced(over != nullptr ? over->as_table() : nullptr, inner.str()))
          expand_strings(value, file, environment);
    } else {
      expand_strings(node, file, environment);
    }
  }
  if (overrides != nullptr)
    for (auto&& [key, node] : *overrides)
      if (key.str() != "url")
        expand_strings(node, file, environment);

  FileSettings settings;
  read_keys(root, file, "", settings);
  if (overrides != nullptr)
    read_keys(*overrides, file, "env." + *environment_name + ".", settings);
  for (const auto& [name, line] : {std::pair{&settings.version_table, settings.version_table_line},
                                   std::pair{&settings.history_table, settings.history_table_line}})
    if (*name && !is_identifier(**name))
      throw Error(ErrorKind::Project,
                  "table name '" + **name + "' must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)",
                  file, line);
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
  // An empty variable counts as unset, as a shell's `VAR= dbtool ...` means.
  auto variable = [&](const char* name) {
    auto value = environment(name);
    if (value && value->empty())
      value.reset();
    return value;
  };
  std::optional<std::string> config = options.config_path;
  if (!config)
    config = variable("DBTOOL_CONFIG");
  std::optional<std::string> environment_name = options.environment;
  if (!environment_name)
    environment_name = variable("DBTOOL_ENV");
  settings.environment = environment_name.value_or("");
  FileSettings file;
  if (config) {
    settings.config_file = absolute_dir(start, *config);
    if (!fs::is_regular_file(settings.config_file, ec))
      throw Error(ErrorKind::Project, "config file not found", settings.config_file.string());
    settings.project_dir = settings.config_file.parent_path();
    file = read_config_file(settings.config_file, environment_name, environment);
  } else if (fs::is_regular_file(start / "dbtool.toml", ec)) {
    settings.config_file = start / "dbtool.toml";
    file = read_config_file(settings.config_file, environment_name, environment);
  } else if (environment_name) {
    throw Error(ErrorKind::Project,
                "no dbtool.toml here to take environment '" + *environment_name +
                    "' from (--env, DBTOOL_ENV: an [env." + *environment_name + "] table there)",
                (start / "dbtool.toml").string());
  }

  std::optional<std::string> url = options.url;
  if (!url)
    url = variable("DBTOOL_URL");
  if (!url)
    url = variable("DATABASE_URL");
  try {
    if (url) {
      settings.url = DatabaseUrl::parse(*url).resolved(settings.project_dir);
    } else {
      const std::string text = file.url ? expand_variables(*file.url, settings.config_file.string(),
                                                           file.url_line, environment)
                                        : default_url;
      settings.url = DatabaseUrl::parse(text).resolved(settings.project_dir);
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

# Environments: dbtool --env staging (or DBTOOL_ENV=staging) applies [env.staging] over
# the keys above; ${VAR} and ${VAR:-default} in strings come from the environment.
# [env.staging]
# url = "postgresql://app:${STAGING_DB_PASSWORD}@db.internal/app"
)";
}

} // namespace dbtool::config
