#include "dbtool/schema/declared_schema.h"

#include "dbtool/db/postgres/postgres_connection.h"
#include "dbtool/db/postgres/postgres_script.h"
#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"
#include "dbtool/schema/json_model.h"
#include "dbtool/schema/postgres_equivalence.h"
#include "dbtool/schema/postgres_introspector.h"
#include "dbtool/schema/postgres_model_sql.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/schema/sql_tokens.h"
#include "dbtool/schema/sqlite_introspector.h"
#include "dbtool/schema/sqlite_renderer.h"
#include "dbtool/util/file_text.h"
#include "dbtool/util/strings.h"
#include "dbtool/util/two_halves.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <unordered_map>

namespace dbtool::schema {

namespace fs = std::filesystem;

namespace {

// The *.sql and *.json files of FOLDER, in name order. A folder that is missing or
// cannot be read is an error: reading it as "no models" would turn every table of the
// database into a DROP TABLE.
std::vector<fs::path> model_files(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    throw Error(ErrorKind::Project, "schema folder not found", folder.string());
  std::vector<fs::path> files;
  fs::directory_iterator entries(folder, ec);
  for (; !ec && entries != fs::directory_iterator(); entries.increment(ec)) {
    const fs::path& path = entries->path();
    const auto extension = path.extension();
    if ((extension == ".sql" || extension == ".json") && path.filename().string().front() != '.' &&
        entries->is_regular_file())
      files.push_back(path);
  }
  if (ec)
    throw Error(ErrorKind::Project, "cannot read the schema folder: " + ec.message(),
                folder.string());
  std::sort(files.begin(), files.end());
  return files;
}

// The line of every object of TEXT (a JSON model) by name: where its first
// `"name": "NAME"` member is. Errors in a JSON model name the object as well, so a
// column that shares the name only makes the line less exact.
std::map<std::string, int> json_lines_by_name(const std::string& text) {
  std::map<std::string, int> lines;
  int line = 1;
  std::size_t counted = 0;
  for (std::size_t at = text.find("\"name\""); at != std::string::npos;
       at = text.find("\"name\"", at + 1)) {
    std::size_t k = at + 6;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t' || text[k] == '\n' ||
                               text[k] == '\r' || text[k] == ':'))
      ++k;
    if (k >= text.size() || text[k] != '"')
      continue;
    std::size_t end = k + 1;
    while (end < text.size() && text[end] != '"')
      end += text[end] == '\\' ? 2 : 1;
    if (end >= text.size())
      break;
    line += util::count_lines(std::string_view(text).substr(counted, at - counted));
    counted = at;
    try {
      lines.emplace(nlohmann::json::parse(text.substr(k, end + 1 - k)).get<std::string>(), line);
    } catch (const nlohmann::json::exception&) {
      // not a string nlohmann reads: the document itself would not have read
    }
  }
  return lines;
}

// One CREATE statement of the declared models and where it was declared.
struct ModelStatement {
  enum class Kind { Table, Index, View, Trigger };
  Kind kind;
  std::string name;
  std::string table; // an index's or trigger's table; a table's own name
  std::string sql;   // without the final ";"
  std::string file;
  int line = 0;
  const char* type() const {
    switch (kind) {
    case Kind::Table:
      return "table";
    case Kind::Index:
      return "index";
    case Kind::View:
      return "view";
    case Kind::Trigger:
      return "trigger";
    }
    return "table";
  }
};

// The statement without its final ";\n", as sqlite_schema keeps it.
std::string stored_text(std::string sql) {
  while (!sql.empty() && (sql.back() == '\n' || sql.back() == ';'))
    sql.pop_back();
  return sql;
}

// A JSON model as the CREATE statements that build it on SQLite; WITH_LINES, each with
// the line of its object in the file (for errors: finding them costs a search each).
std::vector<ModelStatement> json_model_statements(const std::string& text, const std::string& file,
                                                  bool with_lines) {
  const Schema declared = schema_from_json_text(text, file);
  const std::map<std::string, int> lines =
      with_lines ? json_lines_by_name(text) : std::map<std::string, int>();
  auto line_of = [&](const std::string& name) {
    const auto found = lines.find(name);
    return found == lines.end() ? 0 : found->second;
  };
  using Kind = ModelStatement::Kind;
  // Many tables are rendered as two halves on two threads.
  std::vector<const Table*> tables;
  for (const auto& [name, table] : declared.tables)
    tables.push_back(&table);
  std::vector<ModelStatement> table_rows[2], index_rows[2];
  util::run_in_two_halves(tables.size(), 100, [&](int part, std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to; ++k) {
      const Table& table = *tables[k];
      table_rows[part].push_back(
          {Kind::Table, table.name, table.name, stored_text(render_create_table(table)), file, 0});
      for (const auto& [index_name, index] : table.indexes)
        index_rows[part].push_back({Kind::Index, index_name, table.name,
                                    stored_text(render_create_index(table, index)), file, 0});
    }
  });
  std::vector<ModelStatement> out;
  out.reserve(table_rows[0].size() + table_rows[1].size() + index_rows[0].size() +
              index_rows[1].size() + declared.views.size() + declared.triggers.size());
  for (auto* part : {&table_rows[0], &table_rows[1], &index_rows[0], &index_rows[1]})
    for (auto& statement : *part) {
      statement.line = line_of(statement.name);
      out.push_back(std::move(statement));
    }
  for (const auto& [name, view] : declared.views)
    out.push_back(
        {Kind::View, name, name, stored_text(render_create_view(view)), file, line_of(name)});
  for (const auto& [name, trigger] : declared.triggers)
    out.push_back({Kind::Trigger, name, trigger.table, trigger.sql, file, line_of(name)});
  return out;
}

// One statement of a SQL model (TOKENS[begin, end) of SQL) as a ModelStatement; nothing
// for what the bulk load leaves to SQLite's own execution (TEMP, IF NOT EXISTS, a
// schema-qualified name, CREATE TABLE ... AS, virtual tables, statements other than
// CREATE), so that those keep their exact behaviour and error messages.
std::optional<ModelStatement> sql_model_statement(std::string_view sql,
                                                  const std::vector<Token>& tokens,
                                                  std::size_t begin, std::size_t end,
                                                  const std::string& file, int line) {
  auto at = [&](std::size_t k) -> const Token* {
    return begin + k < end ? &tokens[begin + k] : nullptr;
  };
  if (!at(0)->is_word("CREATE") || at(1) == nullptr)
    return std::nullopt;
  std::size_t k = 1;
  const bool unique = at(k)->is_word("UNIQUE");
  if (unique)
    ++k;
  const Token* kind = at(k);
  const Token* name = at(k + 1);
  const Token* after = at(k + 2);
  if (kind == nullptr || name == nullptr || !name->is_name() || name->is_word("IF") ||
      (after != nullptr && after->is_punct('.')))
    return std::nullopt;
  const Token& last = tokens[end - 1];
  const std::size_t stop = last.offset + last.text.size();
  const std::string statement(sql.substr(tokens[begin].offset, stop - tokens[begin].offset));
  // From the name on, as SQLite keeps a table's or index's text in sqlite_schema (it
  // writes the words before the name itself).
  const std::string from_name(sql.substr(name->offset, stop - name->offset));
  using Kind = ModelStatement::Kind;
  if (kind->is_word("TABLE") && !unique) {
    if (after == nullptr || after->is_word("AS"))
      return std::nullopt;
    return ModelStatement{Kind::Table, name->name(), name->name(), "CREATE TABLE " + from_name,
                          file,        line};
  }
  if (kind->is_word("INDEX")) {
    const Token* table = at(k + 3);
    if (after == nullptr || !after->is_word("ON") || table == nullptr || !table->is_name() ||
        (at(k + 4) != nullptr && at(k + 4)->is_punct('.')))
      return std::nullopt;
    return ModelStatement{
        Kind::Index,   name->name(),
        table->name(), std::string(unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + from_name,
        file,          line};
  }
  if (kind->is_word("VIEW") && !unique)
    return ModelStatement{Kind::View, name->name(), name->name(), statement, file, line};
  if (kind->is_word("TRIGGER") && !unique)
    return ModelStatement{Kind::Trigger, name->name(), {}, statement, file, line};
  return std::nullopt;
}

// A SQL model split where SQLite would end its statements (sqlite3_complete: a
// trigger body's semicolons do not end it); nothing when a statement is not one the
// bulk load takes.
std::optional<std::vector<ModelStatement>> sql_model_statements(const std::string& sql,
                                                                const std::string& file) {
  // SQLite's execution ends a script at a NUL byte; the tokenizer would read on.
  if (sql.find('\0') != std::string::npos)
    return std::nullopt;
  const std::vector<Token> tokens = tokenize_sql(sql);
  std::vector<ModelStatement> out;
  std::size_t begin = 0;
  int line = 1;
  std::size_t counted = 0; // lines are counted up to this offset
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
    if (begin < j) {
      const std::size_t offset = tokens[begin].offset;
      line += util::count_lines(std::string_view(sql).substr(counted, offset - counted));
      counted = offset;
      auto statement = sql_model_statement(sql, tokens, begin, j, file, line);
      if (!statement)
        return std::nullopt;
      out.push_back(std::move(*statement));
    }
    begin = j + 1;
  }
  return out;
}

// Writes the tables and indexes of STATEMENTS straight into sqlite_schema of an empty
// in-memory database and lets SQLite read them back as it reads any database's schema,
// then executes the views and triggers. Executing CREATE TABLE instead parses it, writes
// sqlite_schema through nested SQL and parses it again, and each CREATE scans the whole
// of sqlite_schema and clears every table's foreign-key trigger cache: quadratic in the
// number of tables. Reading a schema, SQLite applies the same checks (syntax, defaults,
// STRICT types, names declared twice, indexes on missing tables or columns) but reports
// only "malformed database schema": nothing is returned then, and the caller executes
// the models statement by statement for the exact error.
std::optional<Schema> load_in_bulk(const std::vector<const ModelStatement*>& statements) {
  using Kind = ModelStatement::Kind;
  db::SqliteConnection scratch{config::SqliteOptions{}};
  // The first CREATE TABLE of a database writes its schema format number (4); with
  // none, SQLite reads the schema as format 1 and drops every DESC of an index.
  scratch.execute("CREATE TABLE format_4 (x); DROP TABLE format_4");
  scratch.execute("PRAGMA writable_schema = ON; BEGIN");
  {
    const auto insert = scratch.prepare(
        "INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES (?, ?, ?, 0, ?)");
    // An index's tbl_name is its table's own name, as SQLite writes it, whatever case
    // the CREATE INDEX spells it in.
    std::unordered_map<std::string, const std::string*> table_names; // by lower-cased name
    for (const ModelStatement* statement : statements)
      if (statement->kind == Kind::Table)
        table_names.emplace(util::to_lower(statement->name), &statement->name);
    // Tables before indexes, as SQLite reads them in rowid order.
    for (const Kind kind : {Kind::Table, Kind::Index})
      for (const ModelStatement* statement : statements) {
        if (statement->kind != kind)
          continue;
        insert->bind_text(1, statement->type());
        insert->bind_text(2, statement->name);
        const auto table = table_names.find(util::to_lower(statement->table));
        insert->bind_text(3, table == table_names.end() ? statement->table : *table->second);
        insert->bind_text(4, statement->sql);
        insert->step();
        insert->reset();
      }
  }
  scratch.execute("COMMIT; PRAGMA writable_schema = RESET"); // forget the schema read so far
  try {
    scratch.execute("SELECT count(*) FROM sqlite_schema"); // reads the schema again
    for (const ModelStatement* statement : statements)
      if (statement->kind == Kind::View || statement->kind == Kind::Trigger)
        scratch.execute(statement->sql);
  } catch (const Error&) {
    return std::nullopt;
  }
  return introspect_sqlite(scratch);
}

// FILES executed in name order into a scratch database, statement by statement, and
// introspected: the slow path, whose errors name the file and line (the first
// statement SQLite rejects, or the first object declared twice).
Schema load_by_execution(const std::vector<fs::path>& files) {
  db::SqliteConnection scratch{config::SqliteOptions{}};
  std::map<std::string, std::string> owner; // lower-cased object name -> file
  auto claim = [&](const std::string& file) {
    for (const auto& row : scratch.query("SELECT name FROM sqlite_schema"))
      if (row.at(0))
        owner.emplace(util::to_lower(*row[0]), file);
  };
  auto declared_twice = [&](const std::string& name, const std::string& file, int line) {
    const auto other = owner.find(util::to_lower(name));
    if (other != owner.end())
      throw Error(ErrorKind::Project,
                  "'" + name + "' is declared twice (also in " + other->second + ")", file, line);
  };
  for (const auto& path : files) {
    const std::string file = path.string();
    const std::string text = util::read_file(path, "model file");
    if (path.extension() == ".json") {
      for (const auto& statement : json_model_statements(text, file, true)) {
        declared_twice(statement.name, file, statement.line);
        try {
          scratch.execute(statement.sql);
        } catch (const Error& error) {
          throw Error(ErrorKind::Project,
                      std::string(statement.type()) + " '" + statement.name +
                          "': SQLite rejects this model: " + error.message(),
                      file, statement.line);
        }
      }
    } else {
      try {
        scratch.execute_script(text, 1);
      } catch (const Error& error) {
        // "table x already exists" (x as the statement spelled it, quotes and all):
        // say where the first one came from.
        const std::string& message = error.message();
        const auto space = message.find(' ');
        const auto tail = message.rfind(" already exists");
        if (space != std::string::npos && tail != std::string::npos && tail > space) {
          // Tokens view into the text they were read from: it must outlive them.
          const std::string quoted = message.substr(space + 1, tail - space - 1);
          const auto tokens = tokenize_sql(quoted);
          if (tokens.size() == 1)
            declared_twice(tokens[0].name(), file, error.line());
        }
        throw Error(ErrorKind::Project, "SQLite rejects this model: " + message, file,
                    error.line());
      }
    }
    claim(file);
  }
  return introspect_sqlite(scratch);
}

// STATEMENTS (tables and their indexes only) loaded by load_in_bulk; many tables in
// two halves, each into a scratch database of its own on a thread of its own: what
// introspection says of a table depends on its own statements alone, and reading a
// schema and answering PRAGMAs is serial work inside SQLite.
std::optional<Schema> load_tables_in_halves(const std::vector<const ModelStatement*>& statements) {
  using Kind = ModelStatement::Kind;
  std::vector<const ModelStatement*> tables;
  std::unordered_map<std::string, std::vector<const ModelStatement*>> indexes; // by table
  for (const ModelStatement* statement : statements)
    if (statement->kind == Kind::Table)
      tables.push_back(statement);
    else
      indexes[util::to_lower(statement->table)].push_back(statement);
  std::optional<Schema> halves[2] = {Schema{}, Schema{}};
  util::run_in_two_halves(tables.size(), 100, [&](int part, std::size_t from, std::size_t to) {
    std::vector<const ModelStatement*> half(tables.begin() + static_cast<long>(from),
                                            tables.begin() + static_cast<long>(to));
    for (std::size_t k = from; k < to; ++k) {
      const auto found = indexes.find(util::to_lower(tables[k]->name));
      if (found != indexes.end())
        half.insert(half.end(), found->second.begin(), found->second.end());
    }
    halves[part] = load_in_bulk(half);
  });
  // An index on a table that is not declared: SQLite refuses the whole, and says which.
  std::set<std::string> declared;
  for (const ModelStatement* table : tables)
    declared.insert(util::to_lower(table->name));
  for (const auto& [table, on] : indexes)
    if (declared.count(table) == 0)
      return std::nullopt;
  if (!halves[0] || !halves[1])
    return std::nullopt;
  halves[0]->tables.merge(halves[1]->tables);
  return std::move(halves[0]);
}

// Whether the CREATE INDEX text SQL says DESC. A database of schema format 1 (made
// by SQLite before 3.3) reads every index as ascending, so a live index whose text says
// DESC may not be what a scratch database makes of the same text.
bool says_desc(const std::string& sql) {
  const auto letters = [](char a, char b) { return util::ascii_lower(a) == b; };
  const std::string_view desc = "desc";
  if (std::search(sql.begin(), sql.end(), desc.begin(), desc.end(), letters) == sql.end())
    return false; // most index texts, without tokenizing them
  const auto tokens = tokenize_sql(sql);
  return std::any_of(tokens.begin(), tokens.end(),
                     [](const Token& token) { return token.is_word("DESC"); });
}

// The declared table of STATEMENTS that LIVE has with the same CREATE TABLE text and
// exactly the same CREATE INDEX texts: introspection of a table depends on those texts
// alone (SQLite resolves no foreign key when it reads a schema), so LIVE's reading of it
// is what loading it would give. Null when there is no such table.
const Table* live_table(const LiveSchema& live, const ModelStatement& table,
                        const std::vector<const ModelStatement*>& indexes) {
  const auto found = live.schema.tables.find(table.name);
  const auto text = live.create_sql.find(table.name);
  if (found == live.schema.tables.end() || text == live.create_sql.end() ||
      text->second != table.sql || found->second.indexes.size() != indexes.size())
    return nullptr;
  for (const ModelStatement* index : indexes) {
    const auto index_text = live.create_sql.find(index->name);
    if (found->second.indexes.count(index->name) == 0 || index_text == live.create_sql.end() ||
        index_text->second != index->sql || says_desc(index->sql))
      return nullptr;
  }
  return &found->second;
}

} // namespace

// The declared models of a project, read and rendered as CREATE statements but not yet
// loaded (SQLite), or already loaded (PostgreSQL: SCHEMA).
struct DeclaredModels::Read {
  std::vector<fs::path> files;
  std::vector<ModelStatement> statements;
  // Every file's statements are ones load_in_bulk takes, and no two share a name (in
  // any case): a name declared twice is for execution to report, with both files (and
  // reading a schema, SQLite would let an index take a table's name).
  bool bulk = true;
  // Tables and indexes alone: the only models get(LIVE) can take from LIVE (views and
  // triggers need their tables beside them in the scratch database).
  bool tables_only = true;
  std::optional<Schema> schema; // loaded already: nothing for LIVE to offer
  // PostgreSQL: the connection whose open transaction still holds the models in its
  // scratch schema, for reconcile_postgres_expressions; get() rolls it back.
  std::unique_ptr<db::PostgresConnection> scratch;
};

namespace {

std::unique_ptr<DeclaredModels::Read> read_models(const fs::path& folder) {
  auto read = std::make_unique<DeclaredModels::Read>();
  read->files = model_files(folder);
  for (const auto& path : read->files) {
    const std::string text = util::read_file(path, "model file");
    if (path.extension() == ".json") {
      auto file = json_model_statements(text, path.string(), false);
      if (read->statements.empty())
        read->statements = std::move(file); // most projects have one file: no copy
      else
        std::move(file.begin(), file.end(), std::back_inserter(read->statements));
    } else if (auto file = sql_model_statements(text, path.string())) {
      std::move(file->begin(), file->end(), std::back_inserter(read->statements));
    } else {
      read->bulk = false;
    }
  }
  using Kind = ModelStatement::Kind;
  std::set<std::string> names;
  for (const auto& statement : read->statements) {
    read->bulk = read->bulk && names.insert(util::to_lower(statement.name)).second;
    read->tables_only =
        read->tables_only && (statement.kind == Kind::Table || statement.kind == Kind::Index);
  }
  return read;
}

// READ loaded into a scratch database and introspected: in one bulk load, or, when a
// file has a statement the bulk load does not take or SQLite rejects it, by executing
// the files one by one for the exact error. Tables LIVE already has are taken from it.
Schema load_models(const DeclaredModels::Read& read, const LiveSchema* live) {
  using Kind = ModelStatement::Kind;
  std::optional<Schema> schema;
  if (read.bulk) {
    Schema known;
    std::vector<const ModelStatement*> load;
    if (live != nullptr && read.tables_only) {
      std::unordered_map<std::string, std::vector<const ModelStatement*>> indexes; // by table
      for (const auto& statement : read.statements)
        if (statement.kind == Kind::Index)
          indexes[util::to_lower(statement.table)].push_back(&statement);
      std::set<std::string> taken; // lower-cased names of the tables taken from LIVE
      for (const auto& statement : read.statements) {
        if (statement.kind != Kind::Table)
          continue;
        const Table* table = live_table(*live, statement, indexes[util::to_lower(statement.name)]);
        if (table != nullptr && known.tables.emplace(statement.name, *table).second)
          taken.insert(util::to_lower(statement.name));
      }
      for (const auto& statement : read.statements)
        if (taken.count(util::to_lower(statement.table)) == 0)
          load.push_back(&statement);
    } else {
      for (const auto& statement : read.statements)
        load.push_back(&statement);
    }
    schema = read.tables_only ? load_tables_in_halves(load) : load_in_bulk(load);
    if (schema)
      schema->tables.merge(known.tables);
  }
  if (!schema)
    schema = load_by_execution(read.files);
  validate_schema(*schema);
  return std::move(*schema);
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

Schema load_declared_schema(const fs::path& folder, const LiveSchema* live) {
  return load_models(*read_models(folder), live);
}

std::string enter_postgres_scratch_schema(db::Connection& connection, const std::string& prefix) {
  connection.begin_write();
  // A name no other run (on this host or another) picks at the same moment.
  std::random_device entropy;
  const std::string name = prefix + std::to_string(entropy()) + "_" + std::to_string(entropy());
  const auto path = connection.query("SHOW search_path").at(0).at(0).value_or("");
  connection.execute("CREATE SCHEMA " + quote_postgres_name(name) + "; SET LOCAL search_path = " +
                     quote_postgres_name(name) + (path.empty() ? "" : ", " + path));
  return name;
}

namespace {

// Runs the models of SETTINGS' project in a new scratch schema of SCRATCH and reads
// them back, leaving the transaction open (the caller rolls it back).
Schema load_postgres_models(const config::Settings& settings, db::PostgresConnection& scratch) {
  const std::vector<fs::path> files = model_files(settings.schema_dir);
  PostgresModelContext context;
  context.project_schema = scratch.query("SELECT current_schema()").at(0).at(0).value_or("");
  context.scratch_schema = enter_postgres_scratch_schema(scratch, "dbtool_models_");
  context.search_path = scratch.query("SHOW search_path").at(0).at(0).value_or("");
  // A JSON model becomes PostgreSQL DDL (it may refer to tables of earlier files).
  for (const auto& file : files) {
    const bool json = file.extension() == ".json";
    const std::string text = util::read_file(file, "model file");
    if (!json) {
      const std::string sql = prepare_postgres_model(text, file.string(), context);
      try {
        scratch.execute_script(sql, 1);
      } catch (const Error& error) {
        throw Error(ErrorKind::Project, "PostgreSQL rejects this model: " + error.message(),
                    file.string(), error.line());
      }
      continue;
    }
    const std::string sql = render_postgres_schema(
        schema_from_json_text(text, file.string(), config::Backend::Postgres));
    // The DDL goes in one round trip; when the server rejects it, statement by statement
    // (after a savepoint) for the object that failed and its line in the file.
    scratch.execute("SAVEPOINT dbtool_json_model");
    try {
      scratch.execute(sql);
      continue;
    } catch (const Error&) {
      scratch.execute("ROLLBACK TO SAVEPOINT dbtool_json_model");
    }
    for (const auto& statement : db::split_postgres_script(sql)) {
      try {
        scratch.execute(statement.text);
      } catch (const Error& error) {
        const auto tokens = tokenize_sql(statement.text);
        std::string object;
        for (std::size_t k = 0; k + 1 < tokens.size() && object.empty(); ++k)
          if (tokens[k].is_word("TABLE") || tokens[k].is_word("INDEX") ||
              tokens[k].is_word("VIEW") || tokens[k].is_word("TYPE") ||
              tokens[k].is_word("SEQUENCE") || tokens[k].is_word("DOMAIN"))
            object = tokens[k + 1].name();
        throw Error(ErrorKind::Project,
                    (object.empty() ? std::string() : "'" + object + "': ") +
                        "PostgreSQL rejects this model: " + error.message(),
                    file.string(), object.empty() ? 0 : json_lines_by_name(text)[object]);
      }
    }
  }
  return introspect_postgres(scratch);
}

} // namespace

DeclaredModels::DeclaredModels(const config::Settings& settings) {
  if (settings.url.backend() == config::Backend::Postgres) {
    m_read = std::async(std::launch::async, [&settings] {
      auto read = std::make_unique<Read>();
      read->scratch = std::make_unique<db::PostgresConnection>(settings.url, settings.postgres);
      read->schema = load_postgres_models(settings, *read->scratch);
      return read;
    });
  } else {
    // Models LIVE has nothing to offer are loaded here, while the database is read.
    m_read = std::async(std::launch::async, [folder = settings.schema_dir] {
      auto read = read_models(folder);
      if (!read->bulk || !read->tables_only)
        read->schema = load_models(*read, nullptr);
      return read;
    });
  }
}

DeclaredModels::~DeclaredModels() = default;

Schema DeclaredModels::get(const LiveSchema* live) {
  const std::unique_ptr<Read> read = m_read.get();
  if (read->scratch) {
    // Expressions PostgreSQL prints differently from what they mean are asked about
    // while the models are still loaded, then everything goes.
    Schema schema = std::move(*read->schema);
    if (live)
      reconcile_postgres_expressions(*read->scratch, live->schema, schema);
    read->scratch->rollback();
    return schema;
  }
  if (read->schema)
    return std::move(*read->schema);
  return load_models(*read, live);
}

} // namespace dbtool::schema
