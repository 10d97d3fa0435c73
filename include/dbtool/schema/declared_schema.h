#pragma once

#include "dbtool/config/settings.h"
#include "dbtool/db/connection.h"
#include "dbtool/schema/known_tables.h"
#include "dbtool/schema/schema.h"

#include <filesystem>
#include <future>
#include <memory>

namespace dbtool::schema {

// Loads every *.sql and *.json file of FOLDER (in name order) into one in-memory
// SQLite database and introspects it with the same code as a live database. A table
// declared twice is an error naming both files; SQL that SQLite rejects names the file
// and the statement's line; a foreign key to a missing table or column names it.
// With KNOWN (a live database's tables, given once read), a table whose CREATE texts
// the database has too is taken from it instead of loaded: the same result, at a
// fraction of the cost (KnownTables).
using KnownTablesFuture = std::shared_future<std::shared_ptr<const KnownTables>>;
Schema load_declared_schema(const std::filesystem::path& folder,
                            const KnownTablesFuture& known = {});
// The declared models for a PostgreSQL project: every schema/*.sql file, in name order,
// run inside a scratch schema of the project's database (search_path set to it, the
// server's own schemas after it), introspected with introspect_postgres, then rolled
// back: nothing stays, and it needs the right to CREATE SCHEMA. SQL the server rejects
// names the file and line (Error(Project)). *.json models are rendered for PostgreSQL
// and run in the same order (a JSON file may refer to tables of earlier files).
Schema load_declared_schema_postgres(const config::Settings& settings);

// Begins a transaction on CONNECTION (PostgreSQL) and puts a new, randomly named schema
// first on its search_path, so that what runs next lands there and is introspected
// alone; the caller rolls the transaction back, and nothing stays.
void enter_postgres_scratch_schema(db::Connection& connection, const std::string& prefix);

// The models of SETTINGS' project for its backend, loading on another thread from
// construction: `check` and `revision --autogenerate` start them before they open the
// database. offer_known_tables hands over the live database's tables once read (a
// SQLite project's loader waits for them, or for get(), before it loads tables into a
// scratch database; a PostgreSQL project's has no use for them); get() gives the schema
// or rethrows.
class DeclaredModels {
 public:
  explicit DeclaredModels(const config::Settings& settings);
  DeclaredModels(const DeclaredModels&) = delete;
  DeclaredModels& operator=(const DeclaredModels&) = delete;
  ~DeclaredModels();

  void offer_known_tables(std::shared_ptr<const KnownTables> known);
  Schema get();

 private:
  std::promise<std::shared_ptr<const KnownTables>> m_known;
  bool m_offered = false;
  std::future<Schema> m_schema;
};

// Checks that every foreign key names an existing table and columns, and that no
// table has two columns of one name. Error(Project) naming the table.
void validate_schema(const Schema& schema);

} // namespace dbtool::schema
