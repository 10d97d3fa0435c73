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
#include "dbtool/util/huge_page_heap.h"
#include "dbtool/util/strings.h"
#include "dbtool/util/two_halves.h"

#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <unordered_map>

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

// One row of sqlite_schema as load_in_bulk writes it.
struct SchemaRow {
  const char* type;
  std::string name;
  std::string table;
  std::string sql;
};

// The rows of DECLARED, tables first so that indexes and triggers find theirs. Many
// tables are rendered as two halves on two threads.
std::vector<SchemaRow> schema_rows(const Schema& declared) {
  std::vector<const std::pair<const std::string, Table>*> tables;
  tables.reserve(declared.tables.size());
  for (const auto& entry : declared.tables)
    tables.push_back(&entry);
  std::vector<SchemaRow> table_rows[2];
  std::vector<SchemaRow> index_rows[2];
  util::run_in_two_halves(tables.size(), 100, [&](int part, std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to; ++k) {
      const auto& [name, table] = *tables[k];
      table_rows[part].push_back({"table", name, name, stored_text(render_create_table(table))});
      for (const auto& [index_name, index] : table.indexes)
        index_rows[part].push_back(
            {"index", index_name, name, stored_text(render_create_index(table, index))});
    }
  });
  std::vector<SchemaRow> rows;
  for (auto* part : {&table_rows[0], &table_rows[1], &index_rows[0], &index_rows[1]})
    std::move(part->begin(), part->end(), std::back_inserter(rows));
  for (const auto& [name, view] : declared.views)
    rows.push_back({"view", name, name, stored_text(render_create_view(view))});
  for (const auto& [name, trigger] : declared.triggers)
    rows.push_back({"trigger", name, trigger.table, trigger.sql});
  return rows;
}

// Whether no two ROWS share a name. Reading a schema, SQLite lets an index take a
// table's name; executing, it does not.
bool names_distinct(const std::vector<SchemaRow>& rows) {
  std::set<std::string> names;
  for (const auto& row : rows)
    if (!names.insert(util::to_lower(row.name)).second)
      return false;
  return true;
}

// Writes ROWS straight into sqlite_schema of an empty in-memory database and lets
// SQLite read them back as it reads any database's schema: one parse per statement.
// Executing CREATE TABLE instead parses it, writes sqlite_schema through nested SQL
// and parses it again, four times the work at 500 tables, and each CREATE scans the
// whole of sqlite_schema for its table's rows and clears every table's foreign-key
// trigger cache: quadratic, 70 s for 10,000 tables. SQLite applies the same checks
// when it reads a schema (syntax, defaults, STRICT types, names declared twice, indexes
// on missing tables or columns), but reports only "malformed database schema": on false
// the caller executes the statements one by one for the exact error.
bool load_in_bulk(db::SqliteConnection& scratch, const std::vector<const SchemaRow*>& rows) {
  // The first CREATE TABLE of a database writes its schema format number (4); with
  // none, SQLite reads the schema as format 1 and drops every DESC of an index.
  scratch.execute("CREATE TABLE format_4 (x); DROP TABLE format_4");
  scratch.execute("PRAGMA writable_schema = ON; BEGIN");
  {
    const auto insert = scratch.prepare(
        "INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES (?, ?, ?, 0, ?)");
    for (const SchemaRow* row : rows) {
      insert->bind_text(1, row->type);
      insert->bind_text(2, row->name);
      insert->bind_text(3, row->table);
      insert->bind_text(4, row->sql);
      insert->step();
      insert->reset();
    }
  }
  scratch.execute("COMMIT; PRAGMA writable_schema = RESET"); // forget the schema read so far
  try {
    scratch.execute("SELECT count(*) FROM sqlite_schema"); // reads the schema again
  } catch (const Error&) {
    return false;
  }
  return true;
}

// ROWS loaded into a scratch database with load_in_bulk, then the LATER statements
// executed, and introspected; nothing when SQLite rejects any of them.
std::optional<Schema> introspect_loaded(const std::vector<const SchemaRow*>& rows,
                                        const std::vector<std::string>& later = {}) {
  db::SqliteConnection scratch{config::SqliteOptions{}};
  if (!load_in_bulk(scratch, rows))
    return std::nullopt;
  try {
    for (const auto& statement : later)
      scratch.execute(statement);
  } catch (const Error&) {
    return std::nullopt;
  }
  return introspect_sqlite(scratch);
}

std::vector<const SchemaRow*> pointers_to(const std::vector<SchemaRow>& rows) {
  std::vector<const SchemaRow*> pointers;
  for (const auto& row : rows)
    pointers.push_back(&row);
  return pointers;
}

// One declared table's rows: its CREATE TABLE and its CREATE INDEX statements.
struct TableRows {
  const SchemaRow* table = nullptr;
  std::vector<const SchemaRow*> indexes;
};

// The tables of ROWS (CREATE TABLE and CREATE INDEX only, tables first) introspected.
// A table KNOWN has with the same texts is taken from there (KnownTables); the rest
// are loaded with load_in_bulk, a large number as two halves on two threads, each into
// its own database: what introspection says of a table depends on its own statements
// alone. Nothing when SQLite rejects the rows (or an index's table is not among them).
std::optional<Schema> introspect_tables(const std::vector<SchemaRow>& rows,
                                        const KnownTablesFuture& known) {
  std::vector<TableRows> tables;
  std::unordered_map<std::string, std::size_t> by_name; // lower-cased table name -> tables
  for (const auto& row : rows)
    if (std::string_view(row.type) == "table") {
      by_name.emplace(util::to_lower(row.name), tables.size());
      tables.push_back({&row, {}});
    }
  for (const auto& row : rows) {
    if (std::string_view(row.type) != "index")
      continue;
    const auto found = by_name.find(util::to_lower(row.table));
    if (found == by_name.end())
      return std::nullopt; // SQLite rejects an index on a missing table
    tables[found->second].indexes.push_back(&row);
  }
  // Wait for the live tables only when they can spare work.
  const std::shared_ptr<const KnownTables> live = known.valid() ? known.get() : nullptr;
  Schema schema;
  std::vector<const TableRows*> unknown;
  std::vector<std::pair<std::string_view, std::string_view>> index_texts;
  for (const auto& table : tables) {
    const Table* found = nullptr;
    if (live) {
      index_texts.clear();
      for (const SchemaRow* index : table.indexes)
        index_texts.emplace_back(index->name, index->sql);
      found = live->find(table.table->name, table.table->sql, index_texts);
    }
    if (found != nullptr)
      schema.tables.emplace(table.table->name, *found);
    else
      unknown.push_back(&table);
  }
  // Tables before indexes, as SQLite reads them in rowid order.
  auto rows_of = [&unknown](std::size_t from, std::size_t to) {
    std::vector<const SchemaRow*> out;
    for (std::size_t k = from; k < to; ++k)
      out.push_back(unknown[k]->table);
    for (std::size_t k = from; k < to; ++k)
      out.insert(out.end(), unknown[k]->indexes.begin(), unknown[k]->indexes.end());
    return out;
  };
  std::optional<Schema> halves[2] = {Schema{}, Schema{}};
  util::run_in_two_halves(unknown.size(), 100, [&](int part, std::size_t from, std::size_t to) {
    halves[part] = introspect_loaded(rows_of(from, to));
  });
  for (auto& half : halves) {
    if (!half)
      return std::nullopt;
    schema.tables.merge(half->tables);
  }
  return schema;
}

// ROWS introspected: through introspect_tables when they are tables and indexes only;
// with views or triggers, all in one database (they need their tables beside them).
std::optional<Schema> introspect_rows(const std::vector<SchemaRow>& rows,
                                      const KnownTablesFuture& known) {
  if (!names_distinct(rows))
    return std::nullopt;
  if (std::all_of(rows.begin(), rows.end(), [](const SchemaRow& row) {
        return std::string_view(row.type) == "table" || std::string_view(row.type) == "index";
      }))
    return introspect_tables(rows, known);
  return introspect_loaded(pointers_to(rows));
}

// A SQL model file taken apart for load_in_bulk: its CREATE TABLE and CREATE INDEX
// statements as sqlite_schema rows, and its views and triggers, which are executed
// after them in file order (few, and they may need each other).
struct SqlModelStatements {
  std::vector<SchemaRow> rows;
  std::vector<std::string> later;
};

// One statement (TOKENS[begin, end) of SQL) as a row or a later statement; false for
// anything the bulk load leaves to SQLite's own execution (TEMP, IF NOT EXISTS, a
// schema-qualified name, CREATE TABLE ... AS, virtual tables, statements other than
// CREATE), so that those keep their exact behaviour and error messages.
bool take_statement(std::string_view sql, const std::vector<Token>& tokens, std::size_t begin,
                    std::size_t end, SqlModelStatements& out) {
  auto at = [&](std::size_t k) -> const Token* {
    return begin + k < end ? &tokens[begin + k] : nullptr;
  };
  if (!at(0)->is_word("CREATE") || at(1) == nullptr)
    return false;
  std::size_t k = 1;
  const bool unique = at(k)->is_word("UNIQUE");
  if (unique)
    ++k;
  const Token* kind = at(k);
  const Token* name = at(k + 1);
  const Token* after = at(k + 2);
  if (kind == nullptr || name == nullptr || !name->is_name() || name->is_word("IF") ||
      (after != nullptr && after->is_punct('.')))
    return false;
  const Token& last = tokens[end - 1];
  const std::size_t stop = last.offset + last.text.size();
  const std::string_view from_name = sql.substr(name->offset, stop - name->offset);
  if (kind->is_word("TABLE") && !unique) {
    if (after == nullptr || after->is_word("AS"))
      return false;
    out.rows.push_back(
        {"table", name->name(), name->name(), "CREATE TABLE " + std::string(from_name)});
    return true;
  }
  if (kind->is_word("INDEX")) {
    const Token* table = at(k + 3);
    if (after == nullptr || !after->is_word("ON") || table == nullptr || !table->is_name() ||
        (at(k + 4) != nullptr && at(k + 4)->is_punct('.')))
      return false;
    out.rows.push_back(
        {"index", name->name(), table->name(),
         std::string(unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + std::string(from_name)});
    return true;
  }
  if ((kind->is_word("VIEW") || kind->is_word("TRIGGER")) && !unique) {
    out.later.emplace_back(sql.substr(tokens[begin].offset, stop - tokens[begin].offset));
    return true;
  }
  return false;
}

// SQL split into statements where SQLite would end them (sqlite3_complete: a trigger
// body's semicolons do not end it), each taken by take_statement; nothing when one is
// not for the bulk load.
std::optional<SqlModelStatements> split_sql_model(const std::string& sql) {
  // SQLite's execution ends a script at a NUL byte; the tokenizer would read on.
  if (sql.find('\0') != std::string::npos)
    return std::nullopt;
  const std::vector<Token> tokens = tokenize_sql(sql);
  SqlModelStatements out;
  std::size_t begin = 0;
  for (std::size_t j = 0; j <= tokens.size(); ++j) {
    const bool at_end = j == tokens.size();
    if (!at_end && !tokens[j].is_punct(';'))
      continue;
    if (!at_end) {
      const std::size_t from = begin < j ? tokens[begin].offset : tokens[j].offset;
      const std::string text = sql.substr(from, tokens[j].offset + 1 - from);
      if (sqlite3_complete(text.c_str()) == 0)
        continue;
    }
    if (begin < j && !take_statement(sql, tokens, begin, j, out))
      return std::nullopt;
    begin = j + 1;
  }
  return out;
}

// FILES (SQL models) loaded with load_in_bulk and introspected; nothing when a
// statement is not for the bulk load or SQLite rejects the result, and the caller
// executes the files statement by statement for the exact error.
std::optional<Schema> introspect_sql_in_bulk(const std::vector<fs::path>& files,
                                             const KnownTablesFuture& known) {
  SqlModelStatements all;
  for (const auto& path : files) {
    std::optional<SqlModelStatements> file = split_sql_model(read_text(path));
    if (!file)
      return std::nullopt;
    std::move(file->rows.begin(), file->rows.end(), std::back_inserter(all.rows));
    std::move(file->later.begin(), file->later.end(), std::back_inserter(all.later));
  }
  // Tables before indexes, as SQLite reads them in rowid order.
  std::stable_partition(all.rows.begin(), all.rows.end(),
                        [](const SchemaRow& row) { return std::string_view(row.type) == "table"; });
  if (all.later.empty())
    return introspect_rows(all.rows, known);
  if (!names_distinct(all.rows))
    return std::nullopt;
  return introspect_loaded(pointers_to(all.rows), all.later);
}

} // namespace

void validate_schema(const Schema& schema) {
  std::unordered_map<std::string, const Table*> by_lower_name;
  for (const auto& [key, table] : schema.tables)
    by_lower_name.emplace(util::to_lower(key), &table);
  auto find_table = [&](const std::string& name) -> const Table* {
    const auto found = by_lower_name.find(util::to_lower(name));
    return found == by_lower_name.end() ? nullptr : found->second;
  };
  auto has_column = [](const Table& owner, const std::string& column) {
    return std::any_of(owner.columns.begin(), owner.columns.end(),
                       [&](const Column& c) { return util::equals_ignoring_case(c.name, column); });
  };
  for (const auto& [name, table] : schema.tables) {
    for (auto column = table.columns.begin(); column != table.columns.end(); ++column)
      if (std::any_of(table.columns.begin(), column, [&](const Column& earlier) {
            return util::equals_ignoring_case(earlier.name, column->name);
          }))
        throw Error(ErrorKind::Project,
                    "table '" + name + "': column '" + column->name + "' is declared twice");
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

Schema load_declared_schema(const fs::path& folder, const KnownTablesFuture& known) {
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

  if (!files.empty() && std::all_of(files.begin(), files.end(), [](const fs::path& path) {
        return path.extension() == ".sql";
      }))
    if (std::optional<Schema> schema = introspect_sql_in_bulk(files, known)) {
      validate_schema(*schema);
      return std::move(*schema);
    }

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
    auto read_models = [&files] {
      std::vector<std::pair<std::string, Schema>> models;
      for (const auto& path : files)
        models.emplace_back(path.string(), schema_from_json_text(read_text(path), path.string()));
      return models;
    };
    std::optional<std::vector<SchemaRow>> rows;
    {
      const auto models = read_models();
      Schema combined; // of several files (one file's schema is used as it is)
      bool distinct = true;
      for (std::size_t k = 0; models.size() > 1 && k < models.size(); ++k) {
        const Schema& declared = models[k].second;
        distinct = distinct && std::none_of(declared.tables.begin(), declared.tables.end(),
                                            [&](const auto& table) {
                                              return combined.tables.count(table.first) != 0;
                                            });
        combined.tables.insert(declared.tables.begin(), declared.tables.end());
        combined.views.insert(declared.views.begin(), declared.views.end());
        combined.triggers.insert(declared.triggers.begin(), declared.triggers.end());
      }
      if (distinct)
        rows = schema_rows(models.size() == 1 ? models.front().second : combined);
    } // The models are freed before SQLite reads them: their memory serves the introspection
      // (fresh pages cost dear on a virtual machine; bench/README.md, session 6).
    if (rows)
      if (std::optional<Schema> schema = introspect_rows(*rows, known)) {
        validate_schema(*schema);
        return std::move(*schema);
      }
    // SQLite rejects the bulk load: each file executed in turn, for the exact error (read
    // again: a file changed in between gives the error of what it is now).
    for (const auto& [file, declared] : read_models()) {
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

DeclaredModels::DeclaredModels(const config::Settings& settings) {
  if (settings.url.backend() == config::Backend::Postgres) {
    m_schema = util::start_thread([&settings] { return load_declared_schema_postgres(settings); });
    return;
  }
  m_schema =
      util::start_thread([folder = settings.schema_dir, known = m_known.get_future().share()] {
        return load_declared_schema(folder, known);
      });
}

// The loader may be waiting for the live tables: it must not wait forever.
DeclaredModels::~DeclaredModels() {
  if (!m_offered)
    m_known.set_value(nullptr);
}

void DeclaredModels::offer_known_tables(std::shared_ptr<const KnownTables> known) {
  if (m_offered)
    return;
  m_offered = true;
  m_known.set_value(std::move(known));
}

Schema DeclaredModels::get() {
  offer_known_tables(nullptr);
  return m_schema.get();
}

} // namespace dbtool::schema
