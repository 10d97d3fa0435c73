#include "dbtool/schema/declared_schema.h"

#include "dbtool/db/postgres/postgres_connection.h"
#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"
#include "dbtool/schema/json_model.h"
#include "dbtool/schema/postgres_introspector.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/schema/sqlite_introspector.h"
#include "dbtool/schema/sqlite_renderer.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>

namespace dbtool::schema {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ErrorKind::Project, "cannot read model file", path.string());
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> object_names(db::Connection& connection) {
  std::vector<std::string> names;
  for (const auto& row : connection.query("SELECT name FROM sqlite_schema"))
    if (row.at(0))
      names.push_back(util::to_lower(*row[0]));
  return names;
}

// The statement without its final ";\n", as sqlite_schema keeps it.
std::string stored_text(std::string sql) {
  while (!sql.empty() && (sql.back() == '\n' || sql.back() == ';'))
    sql.pop_back();
  return sql;
}

// Writes the CREATE statements of DECLARED straight into sqlite_schema of an empty
// in-memory database and lets SQLite read them back as it reads any database's
// schema: one parse per statement. Executing CREATE TABLE instead parses it, writes
// sqlite_schema through nested SQL and parses it again, four times the work at 500
// tables. SQLite applies the same checks when it reads a schema (syntax, defaults,
// STRICT types, names declared twice), but reports only "malformed database
// schema": on false the caller executes the statements one by one for the exact
// error. Tables come first so that indexes and triggers find theirs.
bool load_in_bulk(db::SqliteConnection& scratch, const Schema& declared) {
  // The first CREATE TABLE of a database writes its schema format number (4); with
  // none, SQLite reads the schema as format 1 and drops every DESC of an index.
  scratch.execute("CREATE TABLE format_4 (x); DROP TABLE format_4");
  scratch.execute("PRAGMA writable_schema = ON");
  {
    const auto insert = scratch.prepare(
        "INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES (?, ?, ?, 0, ?)");
    auto add = [&](const char* type, const std::string& name, const std::string& table,
                   const std::string& sql) {
      insert->bind_text(1, type);
      insert->bind_text(2, name);
      insert->bind_text(3, table);
      insert->bind_text(4, sql);
      insert->step();
      insert->reset();
    };
    for (const auto& [name, table] : declared.tables)
      add("table", name, name, stored_text(render_create_table(table)));
    for (const auto& [name, table] : declared.tables)
      for (const auto& [index_name, index] : table.indexes)
        add("index", index_name, name, stored_text(render_create_index(table, index)));
    for (const auto& [name, view] : declared.views)
      add("view", name, name, stored_text(render_create_view(view)));
    for (const auto& [name, trigger] : declared.triggers)
      add("trigger", name, trigger.table, trigger.sql);
  }
  scratch.execute("PRAGMA writable_schema = RESET"); // forget the schema read so far
  try {
    scratch.execute("SELECT count(*) FROM sqlite_schema"); // reads the schema again
  } catch (const Error&) {
    return false;
  }
  return true;
}

// DECLARED loaded in bulk into a scratch database and introspected; nothing when
// SQLite rejects it.
std::optional<Schema> introspect_in_bulk(const Schema& declared) {
  db::SqliteConnection scratch{config::SqliteOptions{}};
  if (!load_in_bulk(scratch, declared))
    return std::nullopt;
  return introspect_sqlite(scratch);
}

// A large schema of tables only is loaded as two halves, on two threads, each into
// its own database: what introspection says of a table depends on its own CREATE
// statements alone (SQLite resolves no foreign key until rows are written). Views
// and triggers need their tables beside them, so a schema with any loads whole.
std::optional<Schema> introspect_declared(const Schema& declared) {
  constexpr std::size_t split_from = 100;
  if (declared.tables.size() < split_from || !declared.views.empty() || !declared.triggers.empty())
    return introspect_in_bulk(declared);
  Schema halves[2];
  std::size_t position = 0;
  for (const auto& [name, table] : declared.tables)
    halves[position++ < declared.tables.size() / 2 ? 0 : 1].tables.emplace(name, table);
  auto second = std::async(std::launch::async, [&halves] { return introspect_in_bulk(halves[1]); });
  std::optional<Schema> first = introspect_in_bulk(halves[0]);
  std::optional<Schema> rest = second.get();
  if (!first || !rest)
    return std::nullopt;
  first->tables.merge(rest->tables);
  return first;
}

} // namespace

void validate_schema(const Schema& schema) {
  std::map<std::string, const Table*> by_lower_name;
  for (const auto& [key, table] : schema.tables)
    by_lower_name.emplace(util::to_lower(key), &table);
  auto find_table = [&](const std::string& name) -> const Table* {
    const auto found = by_lower_name.find(util::to_lower(name));
    return found == by_lower_name.end() ? nullptr : found->second;
  };
  for (const auto& [name, table] : schema.tables) {
    std::set<std::string> seen;
    for (const auto& column : table.columns)
      if (!seen.insert(util::to_lower(column.name)).second)
        throw Error(ErrorKind::Project,
                    "table '" + name + "': column '" + column.name + "' is declared twice");
    auto has_column = [](const Table& owner, const std::string& column) {
      return std::any_of(owner.columns.begin(), owner.columns.end(), [&](const Column& c) {
        return util::to_lower(c.name) == util::to_lower(column);
      });
    };
    for (const auto& key : table.foreign_keys) {
      const Table* parent = find_table(key.ref_table);
      if (parent == nullptr)
        throw Error(ErrorKind::Project, "table '" + name + "': foreign key references table '" +
                                            key.ref_table + "', which is not declared");
      for (const auto& column : key.ref_columns)
        if (!has_column(*parent, column))
          throw Error(ErrorKind::Project, "table '" + name + "': foreign key references '" +
                                              key.ref_table + "." + column +
                                              "', which is not declared");
      if (key.ref_columns.empty() && !parent->primary_key)
        throw Error(ErrorKind::Project, "table '" + name + "': foreign key references table '" +
                                            key.ref_table + "', which has no primary key");
      for (const auto& column : key.columns)
        if (!has_column(table, column))
          throw Error(ErrorKind::Project,
                      "table '" + name + "': foreign key column '" + column + "' is not declared");
    }
  }
}

Schema load_declared_schema(const fs::path& folder) {
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(folder, ec)) {
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const auto extension = entry.path().extension();
      if ((extension == ".sql" || extension == ".json") && entry.is_regular_file(ec) &&
          entry.path().filename().string().front() != '.')
        files.push_back(entry.path());
    }
  } else {
    throw Error(ErrorKind::Project, "schema folder not found", folder.string());
  }
  std::sort(files.begin(), files.end());

  db::SqliteConnection connection{config::SqliteOptions{}};
  std::map<std::string, std::string> owner; // lower-cased object name -> file
  auto claim = [&](const std::string& file) {
    for (const auto& name : object_names(connection))
      owner.emplace(name, file);
  };
  auto run = [&](const std::string& sql, const std::string& file, int first_line) {
    try {
      connection.execute_script(sql, first_line);
    } catch (const Error& error) {
      // "table x already exists" (x as the statement spelled it, quotes and all):
      // say where the first one came from.
      const std::string& message = error.message();
      const auto space = message.find(' ');
      const auto tail = message.rfind(" already exists");
      if (space != std::string::npos && tail != std::string::npos && tail > space) {
        const std::string quoted = message.substr(space + 1, tail - space - 1);
        const auto tokens = tokenize_sql(quoted);
        if (tokens.size() == 1) {
          const std::string name = tokens[0].name();
          const auto other = owner.find(util::to_lower(name));
          if (other != owner.end())
            throw Error(ErrorKind::Project,
                        "'" + name + "' is declared twice (also in " + other->second + ")", file,
                        error.line());
        }
      }
      throw Error(ErrorKind::Project, "SQLite rejects this model: " + message, file, error.line());
    }
  };
  // A JSON model into the one database of the project; JSON carries no lines, so a
  // statement SQLite rejects is reported for the file.
  auto load_json = [&](const Schema& declared, const std::string& file) {
    for (const auto& [name, table] : declared.tables) {
      const auto found = owner.find(util::to_lower(name));
      if (found != owner.end())
        throw Error(ErrorKind::Project,
                    "table '" + name + "' is declared twice (also in " + found->second + ")", file);
    }
    try {
      connection.execute(render_sqlite_schema(declared));
    } catch (const Error& error) {
      throw Error(ErrorKind::Project, "SQLite rejects this model: " + error.message(), file);
    }
  };
  // JSON-only projects go into sqlite_schema in bulk (load_in_bulk); when SQLite
  // rejects that, or the project has SQL files, every file is executed in turn.
  const bool json_only = std::all_of(
      files.begin(), files.end(), [](const fs::path& path) { return path.extension() == ".json"; });
  if (json_only && !files.empty()) {
    std::vector<std::pair<std::string, Schema>> models;
    Schema combined;
    bool distinct = true;
    for (const auto& path : files) {
      models.emplace_back(path.string(), schema_from_json_text(read_text(path), path.string()));
      const Schema& declared = models.back().second;
      distinct = distinct && std::none_of(declared.tables.begin(), declared.tables.end(),
                                          [&](const auto& table) {
                                            return combined.tables.count(table.first) != 0;
                                          });
      combined.tables.insert(declared.tables.begin(), declared.tables.end());
      combined.views.insert(declared.views.begin(), declared.views.end());
      combined.triggers.insert(declared.triggers.begin(), declared.triggers.end());
    }
    if (std::optional<Schema> schema = distinct ? introspect_declared(combined) : std::nullopt) {
      validate_schema(*schema);
      return std::move(*schema);
    }
    for (const auto& [file, declared] : models) {
      load_json(declared, file);
      claim(file);
    }
  } else {
    for (const auto& path : files) {
      const std::string file = path.string();
      const std::string text = read_text(path);
      if (path.extension() == ".sql")
        run(text, file, 1);
      else
        load_json(schema_from_json_text(text, file), file);
      claim(file);
    }
  }
  Schema schema = introspect_sqlite(connection);
  validate_schema(schema);
  return schema;
}

void enter_postgres_scratch_schema(db::Connection& connection, const std::string& prefix) {
  connection.begin_write();
  // A name no other run (on this host or another) picks at the same moment.
  std::random_device entropy;
  const std::string name = prefix + std::to_string(entropy()) + "_" + std::to_string(entropy());
  const auto path = connection.query("SHOW search_path").at(0).at(0).value_or("");
  connection.execute("CREATE SCHEMA " + quote_postgres_name(name) + "; SET LOCAL search_path = " +
                     quote_postgres_name(name) + (path.empty() ? "" : ", " + path));
}

Schema load_declared_schema_postgres(const config::Settings& settings) {
  std::error_code ec;
  if (!fs::is_directory(settings.schema_dir, ec))
    throw Error(ErrorKind::Project, "schema folder not found", settings.schema_dir.string());
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(settings.schema_dir, ec)) {
    const auto extension = entry.path().extension();
    if (entry.path().filename().string().front() == '.' || !entry.is_regular_file(ec))
      continue;
    if (extension == ".sql" || extension == ".json")
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  db::PostgresConnection scratch(settings.url, settings.postgres);
  enter_postgres_scratch_schema(scratch, "dbtool_models_");
  // A JSON model becomes PostgreSQL DDL (it may refer to tables of earlier files).
  for (const auto& file : files) {
    const bool json = file.extension() == ".json";
    const std::string text = read_text(file);
    const std::string sql = json ? render_postgres_schema(schema_from_json_text(
                                       text, file.string(), config::Backend::Postgres))
                                 : text;
    try {
      // A JSON model's DDL goes in one round trip (it has no lines to report); a SQL
      // file statement by statement, so that an error names its line.
      if (json)
        scratch.execute(sql);
      else
        scratch.execute_script(sql, 1);
    } catch (const Error& error) {
      throw Error(ErrorKind::Project, "PostgreSQL rejects this model: " + error.message(),
                  file.string(), json ? 0 : error.line());
    }
  }
  Schema schema = introspect_postgres(scratch);
  scratch.rollback();
  return schema;
}

std::future<Schema> load_declared_schema_async(const config::Settings& settings) {
  if (settings.url.backend() == config::Backend::Postgres)
    return std::async(std::launch::async,
                      [&settings] { return load_declared_schema_postgres(settings); });
  return std::async(std::launch::async,
                    [folder = settings.schema_dir] { return load_declared_schema(folder); });
}

} // namespace dbtool::schema
