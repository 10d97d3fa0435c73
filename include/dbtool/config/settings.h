#pragma once

#include "dbtool/config/database_url.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace dbtool::config {

// SQLite connection options, applied as PRAGMAs on every connect.
struct SqliteOptions {
  std::string journal_mode = "WAL";
  std::string synchronous = "NORMAL";
  int busy_timeout_ms = 5000;
  bool foreign_keys = true;
};

// PostgreSQL connection options ([postgres] in dbtool.toml).
struct PostgresOptions {
  std::string schema; // SET search_path to it on connect; empty: the server's default
  // How long a run waits for another run's migration lock (also --lock-timeout).
  std::chrono::milliseconds lock_timeout{60'000};
};

// What the command line says before the configuration is read. Empty optionals
// mean "not given", so the environment and dbtool.toml can fill them.
struct GlobalOptions {
  std::optional<std::string> config_path; // -c/--config
  std::optional<std::string> url;         // --url
  std::optional<std::string> project_dir; // -C/--project
  std::optional<double> lock_timeout_s;   // --lock-timeout
  std::optional<std::string> environment; // --env: the [env.NAME] table of dbtool.toml to apply
  bool echo = false;
};

// Everything a command needs to know about the project, after flags, environment,
// dbtool.toml and defaults were merged (in that order of precedence).
struct Settings {
  std::filesystem::path project_dir; // absolute
  std::filesystem::path config_file; // empty when no dbtool.toml was found
  std::string environment;           // the [env.NAME] applied (--env, DBTOOL_ENV); empty: none
  DatabaseUrl url;                   // relative SQLite paths already resolved
  std::filesystem::path migrations_dir;
  std::filesystem::path schema_dir;
  std::string version_table = "dbtool_version";
  std::string history_table = "dbtool_history";
  SqliteOptions sqlite;
  PostgresOptions postgres;
  bool echo = false;
};

// Looks up an environment variable; injectable so tests need not touch the real one.
using EnvironmentLookup = std::function<std::optional<std::string>(const char* name)>;
EnvironmentLookup process_environment();

// Merges OPTIONS, the environment and the config file into Settings. The chosen
// [env.NAME] table of dbtool.toml (OPTIONS.environment, else DBTOOL_ENV) sets its keys
// over the top level's, and ${VAR} / ${VAR:-default} in the string values that apply are
// replaced from ENVIRONMENT. An empty DBTOOL_URL, DATABASE_URL, DBTOOL_CONFIG or
// DBTOOL_ENV counts as unset. Throws Error(Project) for an unreadable or invalid
// dbtool.toml (naming file and line), an unknown key or environment, an unset variable
// without a default, or a bad URL.
Settings load_settings(const GlobalOptions& options, const EnvironmentLookup& environment);

// The text `dbtool init` writes as dbtool.toml.
std::string default_config_text();

} // namespace dbtool::config
