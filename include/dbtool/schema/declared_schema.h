#pragma once

#include "dbtool/config/settings.h"
#include "dbtool/db/connection.h"
#include "dbtool/schema/schema.h"

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <unordered_map>

namespace dbtool::schema {

// A live SQLite database's schema with the CREATE texts (sqlite_schema.sql) of its
// tables and indexes by name, as introspect_sqlite read them in one snapshot.
struct LiveSchema {
  Schema schema;
  std::unordered_map<std::string, std::string> create_sql;
};

// Loads every *.sql and *.json file of FOLDER (in name order) into one in-memory
// SQLite database and introspects it with the same code as a live database. A JSON
// model is rendered to the CREATE statements it stands for first, so both kinds of
// file take one way in. A table declared twice is an error naming both files; SQL that
// SQLite rejects names the file and the statement's line (for a JSON model, the line
// of the object); a foreign key to a missing table or column names it. A folder that
// is missing or cannot be read is an error, never "no models". With LIVE, a declared
// table whose CREATE TABLE and CREATE INDEX texts the live database has too is taken from
// LIVE instead of being loaded (see DeclaredModels).
Schema load_declared_schema(const std::filesystem::path& folder, const LiveSchema* live = nullptr);
// Begins a transaction on CONNECTION (PostgreSQL) and puts a new, randomly named schema
// first on its search_path, so that what runs next lands there and is introspected
// alone; the caller rolls the transaction back, and nothing stays. Returns the
// schema's name.
std::string enter_postgres_scratch_schema(db::Connection& connection, const std::string& prefix);

// The models of SETTINGS' project for its backend, read on another thread from
// construction: `check` and `revision --autogenerate` start them before they read the
// database. get() gives the schema or rethrows the reader's error. For a SQLite project,
// get(LIVE) takes from LIVE every declared table whose CREATE TABLE and CREATE INDEX
// texts the database has too, instead of loading it into a scratch database: what
// introspection says of a table depends on those texts alone, so the result is the
// same (at the models, no table is loaded at all). For a PostgreSQL project, get(LIVE)
// asks the server, while the models are still loaded, about the objects whose
// expressions read differently on the two sides (reconcile_postgres_expressions).
// PostgreSQL's models are every schema/*.sql and *.json file, in name order, run inside
// a scratch schema of the project's database (search_path set to it, the server's own
// schemas after it) and introspected, then rolled back: nothing stays, and it needs the
// right to CREATE SCHEMA. Names the models qualify with the project's schema
// (public.users), SET search_path and CREATE EXTENSION are made to work there
// (prepare_postgres_model); SQL the server rejects names the file and line.
class DeclaredModels {
 public:
  explicit DeclaredModels(const config::Settings& settings);
  ~DeclaredModels();
  DeclaredModels(const DeclaredModels&) = delete;
  DeclaredModels& operator=(const DeclaredModels&) = delete;

  Schema get(const LiveSchema* live = nullptr);

  struct Read; // the files read and rendered, not yet loaded

 private:
  std::future<std::unique_ptr<Read>> m_read;
};

// Checks that every foreign key names an existing table and columns, and that no
// table has two columns of one name. Error(Project) naming the table.
void validate_schema(const Schema& schema);

} // namespace dbtool::schema
