#include "test_helpers.h"

#include "dbtool/config/database_url.h"
#include "dbtool/config/settings.h"
#include "dbtool/error.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>

using dbtool::config::DatabaseUrl;
using dbtool::config::mask_password;

TEST_CASE("database URLs") {
  const auto relative = DatabaseUrl::parse("sqlite:///data/app.db");
  CHECK(relative.backend() == dbtool::config::Backend::Sqlite);
  CHECK(relative.sqlite_path() == "data/app.db");
  CHECK(relative.resolved("/proj").sqlite_path() == "/proj/data/app.db");
  CHECK(DatabaseUrl::parse("sqlite:////var/db/x.db").sqlite_path() == "/var/db/x.db");
  CHECK(DatabaseUrl::parse("sqlite:////var/db/x.db").resolved("/proj").sqlite_path() ==
        "/var/db/x.db");
  CHECK(DatabaseUrl::parse("sqlite://:memory:").in_memory());
  CHECK(DatabaseUrl::parse("postgresql://u:secret@localhost:5432/db?sslmode=require").backend() ==
        dbtool::config::Backend::Postgres);
  CHECK(DatabaseUrl::parse("postgres://localhost/db").backend() ==
        dbtool::config::Backend::Postgres);
  CHECK_THROWS_WITH(DatabaseUrl::parse("foo"),
                    "invalid database URL 'foo': expected sqlite:///path or "
                    "postgresql://user@host/db");
  CHECK_THROWS_WITH(DatabaseUrl::parse("mysql://x/y"),
                    "invalid database URL 'mysql://x/y': unknown scheme 'mysql' (expected sqlite "
                    "or postgresql)");
  CHECK_THROWS_WITH(DatabaseUrl::parse("sqlite://relative.db"),
                    "invalid database URL 'sqlite://relative.db': a SQLite URL is "
                    "sqlite:///relative.db, sqlite:////absolute.db or sqlite://:memory:");
  CHECK_THROWS_WITH(DatabaseUrl::parse("sqlite:///"),
                    "invalid database URL 'sqlite:///': no database file named");
  CHECK_THROWS_WITH(DatabaseUrl::parse("postgresql://u:pw@/db"),
                    "invalid database URL 'postgresql://u:***@/db': no host named");
}

TEST_CASE("a parsed URL masks its password whatever the user name holds") {
  // Found by fuzz_url: a space in the user part ended mask_password's URL early.
  const auto url = DatabaseUrl::parse(std::string("postgresql://upo3tre2 \0\0\0@h/d\0\x10:\x90\xda"
                                                  "41ss@[=x&appl",
                                                  47));
  CHECK(url.masked().find("41ss") == std::string::npos);
  CHECK(DatabaseUrl::parse("postgresql://my user:s3cret@db/app").masked() ==
        "postgresql://my user:***@db/app");
}

TEST_CASE("passwords are masked wherever a URL appears") {
  CHECK(mask_password("postgresql://user:s3cr@t@host:5432/db") ==
        "postgresql://user:***@host:5432/db");
  CHECK(mask_password("cannot connect to postgres://a:b@h/d and postgres://c:d@h/e") ==
        "cannot connect to postgres://a:***@h/d and postgres://c:***@h/e");
  CHECK(mask_password("postgresql://user@host/db") == "postgresql://user@host/db");
  CHECK(mask_password("postgresql://alice:s3cret/x@db.example.com/app") ==
        "postgresql://alice:***@db.example.com/app");
  CHECK(mask_password("postgresql://alice:s3?x@db.example.com/app") ==
        "postgresql://alice:***@db.example.com/app");
  CHECK(mask_password("'postgresql://a@h/app?sslmode=require&password=s3cret' failed") ==
        "'postgresql://a@h/app?sslmode=require&password=***' failed");
  CHECK(mask_password("sqlite:///data/app.db") == "sqlite:///data/app.db");
}

namespace {

dbtool::config::EnvironmentLookup environment(std::map<std::string, std::string> values) {
  return [values](const char* name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end())
      return std::nullopt;
    return found->second;
  };
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

} // namespace

TEST_CASE("settings: flag > environment > dbtool.toml > default") {
  dbtool::test::TempDir dir;
  dbtool::config::GlobalOptions options;
  options.project_dir = dir.path().string();
  auto url_of = [&](const std::map<std::string, std::string>& env) {
    return dbtool::config::load_settings(options, environment(env)).url.sqlite_path().string();
  };
  CHECK(url_of({}) == (dir.path() / "data/app.db").string());
  write_file(dir.path() / "dbtool.toml",
             "url = \"sqlite:///from_file.db\"\nversion_table = \"alembic_version\"\n"
             "[sqlite]\njournal_mode = \"delete\"\nbusy_timeout_ms = 10\n");
  CHECK(url_of({}) == (dir.path() / "from_file.db").string());
  CHECK(url_of({{"DATABASE_URL", "sqlite:///db_url.db"}}) == (dir.path() / "db_url.db").string());
  CHECK(url_of({{"DATABASE_URL", "sqlite:///db_url.db"}, {"DBTOOL_URL", "sqlite:///env.db"}}) ==
        (dir.path() / "env.db").string());
  options.url = "sqlite:///flag.db";
  CHECK(url_of({{"DBTOOL_URL", "sqlite:///env.db"}}) == (dir.path() / "flag.db").string());
  const auto settings = dbtool::config::load_settings(options, environment({{"DBTOOL_ECHO", "1"}}));
  CHECK(settings.version_table == "alembic_version");
  CHECK(settings.history_table == "dbtool_history");
  CHECK(settings.sqlite.journal_mode == "DELETE");
  CHECK(settings.sqlite.busy_timeout_ms == 10);
  CHECK(settings.sqlite.foreign_keys);
  CHECK(settings.echo);
  CHECK(settings.migrations_dir == dir.path() / "migrations");
}

TEST_CASE("an explicit config file makes its folder the project folder") {
  dbtool::test::TempDir dir;
  std::filesystem::create_directories(dir.path() / "conf");
  write_file(dir.path() / "conf/other.toml", "migrations = \"revs\"\n");
  dbtool::config::GlobalOptions options;
  options.config_path = (dir.path() / "conf/other.toml").string();
  const auto settings = dbtool::config::load_settings(options, environment({}));
  CHECK(settings.project_dir == dir.path() / "conf");
  CHECK(settings.migrations_dir == dir.path() / "conf/revs");
  CHECK(settings.url.sqlite_path() == dir.path() / "conf/data/app.db");
}

TEST_CASE("bad configuration is a project error naming the file and line") {
  dbtool::test::TempDir dir;
  dbtool::config::GlobalOptions options;
  options.project_dir = dir.path().string();
  const auto file = (dir.path() / "dbtool.toml").string();
  auto error_for = [&](const std::string& text) {
    write_file(file, text);
    try {
      dbtool::config::load_settings(options, environment({}));
    } catch (const dbtool::Error& error) {
      CHECK(error.kind() == dbtool::ErrorKind::Project);
      return std::string(error.what());
    }
    return std::string("(no error)");
  };
  CHECK(error_for("url = \n").rfind(file + ":1: invalid TOML: ", 0) == 0);
  CHECK(error_for("\n\nbogus = 1\n") == file + ":3: unknown key 'bogus'");
  CHECK(error_for("[sqlite]\nfoo = 1\n") == file + ":2: unknown key 'sqlite.foo'");
  CHECK(error_for("url = 5\n") == file + ":1: 'url' must be a string");
  CHECK(error_for("[sqlite]\nbusy_timeout_ms = \"x\"\n") ==
        file + ":2: 'sqlite.busy_timeout_ms' must be an integer from 0 to 3600000");
  CHECK(error_for("[sqlite]\n\njournal_mode = \"fast\"\n") ==
        file +
            ":3: 'sqlite.journal_mode' must be one of DELETE, TRUNCATE, PERSIST, MEMORY, WAL, OFF");
  CHECK(error_for("[sqlite]\nsynchronous = \"sometimes\"\n") ==
        file + ":2: 'sqlite.synchronous' must be one of OFF, NORMAL, FULL, EXTRA");
  CHECK(error_for("\nversion_table = \"x; DROP\"\n") ==
        file + ":2: table name 'x; DROP' must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
  CHECK(error_for("\nurl = \"nope\"\n") ==
        file + ":2: invalid database URL 'nope': expected sqlite:///path or "
               "postgresql://user@host/db");
}

TEST_CASE("[postgres]: schema and lock timeout, from the file and from --lock-timeout") {
  dbtool::test::TempDir dir;
  dbtool::config::GlobalOptions options;
  options.project_dir = dir.path().string();
  auto settings = dbtool::config::load_settings(options, environment({}));
  CHECK(settings.postgres.schema.empty());
  CHECK(settings.postgres.lock_timeout == std::chrono::seconds(60));
  write_file(dir.path() / "dbtool.toml", "[postgres]\nschema = \"app\"\nlock_timeout_s = 2.5\n");
  settings = dbtool::config::load_settings(options, environment({}));
  CHECK(settings.postgres.schema == "app");
  CHECK(settings.postgres.lock_timeout == std::chrono::milliseconds(2500));
  options.lock_timeout_s = 0.25;
  settings = dbtool::config::load_settings(options, environment({}));
  CHECK(settings.postgres.lock_timeout == std::chrono::milliseconds(250));
  options.lock_timeout_s = -1;
  CHECK_THROWS_WITH(dbtool::config::load_settings(options, environment({})),
                    "--lock-timeout must be a number of seconds from 0 to 86400");
}

TEST_CASE("bad [postgres] keys name the file and line") {
  dbtool::test::TempDir dir;
  dbtool::config::GlobalOptions options;
  options.project_dir = dir.path().string();
  const auto file = (dir.path() / "dbtool.toml").string();
  auto error_for = [&](const std::string& text) {
    write_file(file, text);
    try {
      dbtool::config::load_settings(options, environment({}));
    } catch (const dbtool::Error& error) {
      return std::string(error.what());
    }
    return std::string("(no error)");
  };
  CHECK(error_for("[postgres]\nport = 5\n") == file + ":2: unknown key 'postgres.port'");
  CHECK(error_for("[postgres]\n\nschema = 5\n") == file + ":3: 'postgres.schema' must be a string");
  CHECK(error_for("[postgres]\nschema = \"\"\n") ==
        file + ":2: 'postgres.schema' must not be empty");
  CHECK(error_for("[postgres]\nlock_timeout_s = \"long\"\n") ==
        file + ":2: 'postgres.lock_timeout_s' must be a number from 0 to 86400");
  CHECK(error_for("postgres = 1\n") == file + ":1: 'postgres' must be a table");
}

TEST_CASE("SQLAlchemy's URL spellings: the driver part is ignored") {
  const auto psycopg2 = DatabaseUrl::parse("postgresql+psycopg2://u:secret@db:5432/app");
  CHECK(psycopg2.backend() == dbtool::config::Backend::Postgres);
  CHECK(psycopg2.text() == "postgresql://u:secret@db:5432/app"); // what libpq is given
  CHECK(psycopg2.masked() == "postgresql://u:***@db:5432/app");
  CHECK(DatabaseUrl::parse("postgresql+psycopg://db/app").text() == "postgresql://db/app");
  CHECK(DatabaseUrl::parse("postgresql+asyncpg://u@db/app?ssl=x").text() ==
        "postgresql://u@db/app?ssl=x");
  CHECK(DatabaseUrl::parse("postgres://db/app").text() == "postgres://db/app");
  const auto pysqlite = DatabaseUrl::parse("sqlite+pysqlite:///data/app.db");
  CHECK(pysqlite.backend() == dbtool::config::Backend::Sqlite);
  CHECK(pysqlite.sqlite_path() == "data/app.db");
  CHECK(DatabaseUrl::parse("sqlite+pysqlite:////abs/x.db").sqlite_path() == "/abs/x.db");
  CHECK(DatabaseUrl::parse("sqlite+pysqlite://:memory:").in_memory());
  // A bare sqlite:// is SQLAlchemy's in-memory database, but an error here (an empty path
  // is likelier a mistake, say an unset variable, than a wish to lose the data).
  CHECK_THROWS(DatabaseUrl::parse("sqlite+pysqlite://"));
  CHECK_THROWS_WITH(DatabaseUrl::parse("postgresql+://db/app"),
                    "invalid database URL 'postgresql+://db/app': expected a driver name after "
                    "'+' (as in postgresql+psycopg2://)");
  CHECK_THROWS_WITH(DatabaseUrl::parse("mysql+pymysql://u:pw@db/app"),
                    "invalid database URL 'mysql+pymysql://u:***@db/app': unknown scheme 'mysql' "
                    "(expected sqlite or postgresql)");
}

TEST_CASE("an empty DATABASE_URL, DBTOOL_URL or DBTOOL_CONFIG counts as unset") {
  dbtool::test::TempDir dir;
  dbtool::config::GlobalOptions options;
  options.project_dir = dir.path().string();
  write_file(dir.path() / "dbtool.toml", "url = \"sqlite:///from_file.db\"\n");
  auto path_of = [&](const std::map<std::string, std::string>& env) {
    return dbtool::config::load_settings(options, environment(env)).url.sqlite_path().string();
  };
  CHECK(path_of({{"DATABASE_URL", ""}}) == (dir.path() / "from_file.db").string());
  CHECK(path_of({{"DBTOOL_URL", ""}, {"DATABASE_URL", ""}, {"DBTOOL_CONFIG", ""}}) ==
        (dir.path() / "from_file.db").string());
  CHECK(path_of({{"DBTOOL_URL", ""}, {"DATABASE_URL", "sqlite:///db.db"}}) ==
        (dir.path() / "db.db").string());
}

TEST_CASE("environments: [env.NAME] over the top level, chosen by --env or DBTOOL_ENV") {
  dbtool::test::TempDir dir;
  dbtool::config::GlobalOptions options;
  options.project_dir = dir.path().string();
  write_file(dir.path() / "dbtool.toml", "url = \"sqlite:///dev.db\"\n"
                                         "version_table = \"v_dev\"\n"
                                         "[sqlite]\nbusy_timeout_ms = 10\nsynchronous = \"FULL\"\n"
                                         "[postgres]\nlock_timeout_s = 5\n"
                                         "[env.staging]\n"
                                         "url = \"postgresql://app@db/staging\"\n"
                                         "[env.staging.postgres]\nschema = \"app\"\n"
                                         "[env.test]\n"
                                         "migrations = \"test_migrations\"\n"
                                         "[env.test.sqlite]\nbusy_timeout_ms = 99\n");
  auto settings = dbtool::config::load_settings(options, environment({}));
  CHECK(settings.environment.empty());
  CHECK(settings.url.sqlite_path() == dir.path() / "dev.db");
  CHECK(settings.sqlite.busy_timeout_ms == 10);

  options.environment = "staging";
  settings = dbtool::config::load_settings(options, environment({}));
  CHECK(settings.environment == "staging");
  CHECK(settings.url.backend() == dbtool::config::Backend::Postgres);
  CHECK(settings.url.text() == "postgresql://app@db/staging");
  CHECK(settings.postgres.schema == "app");
  CHECK(settings.postgres.lock_timeout == std::chrono::seconds(5)); // kept from the top
  CHECK(settings.version_table == "v_dev");

  // DBTOOL_ENV when no --env; --env wins; an empty DBTOOL_ENV is none.
  options.environment.reset();
  settings = dbtool::config::load_settings(options, environment({{"DBTOOL_ENV", "test"}}));
  CHECK(settings.environment == "test");
  CHECK(settings.migrations_dir == dir.path() / "test_migrations");
  CHECK(settings.sqlite.busy_timeout_ms == 99);
  CHECK(settings.sqlite.synchronous == "FULL"); // kept from the top
  CHECK(settings.url.sqlite_path() == dir.path() / "dev.db");
  options.environment = "staging";
  CHECK(dbtool::config::load_settings(options, environment({{"DBTOOL_ENV", "test"}})).environment ==
        "staging");
  options.environment.reset();
  CHECK(dbtool::config::load_settings(options, environment({{"DBTOOL_ENV", ""}}))
            .environment.empty());
  // A flag or variable URL still wins over the environment's.
  options.environment = "staging";
  options.url = "sqlite:///flag.db";
  CHECK(dbtool::config::load_settings(options, environment({})).url.sqlite_path() ==
        dir.path() / "flag.db");
}

TEST_CASE("${VAR} and ${VAR:-default} in dbtool.toml's strings") {
  dbtool::test::TempDir dir;
  dbtool::config::GlobalOptions options;
  options.project_dir = dir.path().string();
  write_file(
      dir.path() / "dbtool.toml",
      "url = \"postgresql://app:${DB_PASSWORD}@${DB_HOST:-localhost}:${DB_PORT:-5432}/app\"\n"
      "schema = \"${SCHEMA_DIR:-models}\"\n"
      "migrations = \"literal_$${NOT_EXPANDED}_and_$HOME\"\n"
      "[env.ci]\nurl = \"sqlite:///${CI_DB}\"\n");
  auto settings = dbtool::config::load_settings(
      options, environment({{"DB_PASSWORD", "s3cr$t@x"}, {"DB_PORT", ""}}));
  CHECK(settings.url.text() == "postgresql://app:s3cr$t@x@localhost:5432/app");
  CHECK(settings.url.masked() == "postgresql://app:***@localhost:5432/app");
  CHECK(settings.schema_dir == dir.path() / "models");
  CHECK(settings.migrations_dir == dir.path() / "literal_${NOT_EXPANDED}_and_$HOME");
  settings = dbtool::config::load_settings(
      options, environment({{"DB_PASSWORD", "pw"}, {"DB_HOST", "db"}, {"SCHEMA_DIR", "s"}}));
  CHECK(settings.url.text() == "postgresql://app:pw@db:5432/app");
  CHECK(settings.schema_dir == dir.path() / "s");
  // Only the variables of the values that apply need be set: not those of an environment
  // that is not chosen (above: CI_DB), of a value the chosen one replaces, or of a url
  // that a flag or variable replaces.
  options.environment = "ci";
  settings = dbtool::config::load_settings(options, environment({{"CI_DB", "ci.db"}}));
  CHECK(settings.url.sqlite_path() == dir.path() / "ci.db");
  options.environment.reset();
  settings =
      dbtool::config::load_settings(options, environment({{"DBTOOL_URL", "sqlite:///u.db"}}));
  CHECK(settings.url.sqlite_path() == dir.path() / "u.db");
  options.url = "sqlite:///flag.db";
  settings = dbtool::config::load_settings(options, environment({}));
  CHECK(settings.url.sqlite_path() == dir.path() / "flag.db");
}

TEST_CASE("environments and variables: mistakes are project errors at their line") {
  dbtool::test::TempDir dir;
  dbtool::config::GlobalOptions options;
  options.project_dir = dir.path().string();
  const auto file = (dir.path() / "dbtool.toml").string();
  auto error_for = [&](const std::string& text, const std::map<std::string, std::string>& env,
                       std::optional<std::string> chosen = std::nullopt) {
    write_file(file, text);
    options.environment = std::move(chosen);
    try {
      dbtool::config::load_settings(options, environment(env));
    } catch (const dbtool::Error& error) {
      CHECK(error.kind() == dbtool::ErrorKind::Project);
      return std::string(error.what());
    }
    return std::string("(no error)");
  };
  CHECK(error_for("\nurl = \"postgresql://app:${DB_PASSWORD}@db/app\"\n", {}) ==
        file + ":2: environment variable DB_PASSWORD is not set (${DB_PASSWORD:-default} gives a "
               "default)");
  CHECK(error_for("url = \"sqlite:///${X\"\n", {}) ==
        file + ":1: '${' without its '}' (write $${ for a literal ${)");
  CHECK(error_for("url = \"sqlite:///${1X}\"\n", {}) ==
        file + ":1: '${1X}' does not name an environment variable (${NAME} or ${NAME:-default})");
  CHECK(error_for("[sqlite]\n\njournal_mode = \"${MODE}\"\n", {}) ==
        file + ":3: environment variable MODE is not set (${MODE:-default} gives a default)");
  CHECK(error_for("[env.staging]\nurl = \"sqlite:///s.db\"\n[env.test]\nurl = \"sqlite:///t.db\"\n",
                  {}, "prod") ==
        file + ":1: unknown environment 'prod' (--env, DBTOOL_ENV): the [env.NAME] tables are "
               "staging, test");
  CHECK(error_for("url = \"sqlite:///a.db\"\n", {}, "prod") ==
        file + ": unknown environment 'prod' (--env, DBTOOL_ENV): there is no [env.prod] table");
  CHECK(error_for("[env.staging]\n\nurll = \"x\"\n", {}) ==
        file + ":3: unknown key 'env.staging.urll'");
  CHECK(error_for("[env.staging]\nenv = 1\n", {}, "staging") ==
        file + ":2: unknown key 'env.staging.env'");
  CHECK(error_for("env = 1\n", {}) == file + ":1: 'env' must hold [env.NAME] tables");
  CHECK(error_for("[env]\nstaging = 1\n", {}) ==
        file + ":2: 'env.staging' must be a table ([env.staging])");
  CHECK(error_for("[env.staging]\nurl = 5\n", {}, "staging") ==
        file + ":2: 'env.staging.url' must be a string");
  CHECK(error_for("[env.staging]\nurl = \"nope\"\n", {}, "staging") ==
        file + ":2: invalid database URL 'nope': expected sqlite:///path or "
               "postgresql://user@host/db");
  CHECK(error_for("[env.staging]\nversion_table = \"a b\"\n", {}, "staging") ==
        file + ":2: table name 'a b' must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)");
  // No dbtool.toml at all, and an environment asked for.
  std::filesystem::remove(file);
  options.environment = "staging";
  try {
    dbtool::config::load_settings(options, environment({}));
    FAIL("no error");
  } catch (const dbtool::Error& error) {
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(error.file() == file);
    CHECK(error.message().find("no dbtool.toml here to take environment 'staging' from") == 0);
  }
}
