#include "dbtool/schema/declared_schema.h"

#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"
#include "dbtool/schema/json_model.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/schema/sqlite_introspector.h"
#include "dbtool/schema/sqlite_renderer.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <fstream>
#include <map>
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
  // JSON-only projects without views or triggers load their tables in batches, each
  // into a fresh in-memory database: SQLite's CREATE TABLE costs time in proportion to
  // the schema already there, so one database of 500 tables costs ~10x as much. Each
  // table's introspection does not depend on the others.
  const bool json_only = std::all_of(
      files.begin(), files.end(), [](const fs::path& path) { return path.extension() == ".json"; });
  Schema batched;
  constexpr std::size_t batch_size = 50;
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
  for (const auto& path : files) {
    const std::string file = path.string();
    const std::string text = read_text(path);
    if (path.extension() == ".sql") {
      run(text, file, 1);
    } else if (json_only) {
      const Schema declared = schema_from_json_text(text, file);
      if (declared.views.empty() && declared.triggers.empty()) {
        std::vector<const Table*> tables;
        for (const auto& [name, table] : declared.tables) {
          if (!owner.emplace(util::to_lower(name), file).second)
            throw Error(ErrorKind::Project,
                        "table '" + name + "' is declared twice (also in " +
                            owner[util::to_lower(name)] + ")",
                        file);
          for (const auto& [index_name, index] : table.indexes)
            if (!owner.emplace(util::to_lower(index_name), file).second)
              throw Error(ErrorKind::Project,
                          "index '" + index_name + "' is declared twice (also in " +
                              owner[util::to_lower(index_name)] + ")",
                          file);
          tables.push_back(&table);
        }
        for (std::size_t start = 0; start < tables.size(); start += batch_size) {
          Schema batch;
          for (std::size_t i = start; i < std::min(tables.size(), start + batch_size); ++i)
            batch.tables.emplace(tables[i]->name, *tables[i]);
          db::SqliteConnection scratch{config::SqliteOptions{}};
          try {
            scratch.execute(render_sqlite_schema(batch));
          } catch (const Error& error) {
            throw Error(ErrorKind::Project, "SQLite rejects this model: " + error.message(), file);
          }
          for (auto& [name, table] : introspect_sqlite(scratch).tables)
            batched.tables.emplace(name, std::move(table));
        }
        continue;
      }
      // Views and triggers need their tables beside them: one database after all.
      load_json(declared, file);
    } else {
      load_json(schema_from_json_text(text, file), file);
    }
    claim(file);
  }
  Schema schema = introspect_sqlite(connection);
  for (auto& [name, table] : batched.tables)
    schema.tables.emplace(name, std::move(table));
  validate_schema(schema);
  return schema;
}

} // namespace dbtool::schema
