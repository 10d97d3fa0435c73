#pragma once

#include "dbtool/config/settings.h"
#include "dbtool/db/connection.h"
#include "dbtool/diff/migration.h"
#include "dbtool/revision/script_directory.h"
#include "dbtool/schema/declared_schema.h"

#include <optional>
#include <string>
#include <vector>

namespace dbtool::diff {

// How `check` and `revision --autogenerate` compare.
struct CompareOptions {
  // Models that declare nothing at all, against a database with tables, are refused
  // (Error(Project)): they are far likelier a wrong schema folder than a wish to drop
  // every table. With this, they are compared as they are.
  bool allow_empty_models = false;
};

// The live database against the project's declared models.
struct ModelComparison {
  std::vector<Operation> operations; // what turns the database into the models
  MigrationScript upgrade;           // database -> models
  MigrationScript downgrade;         // models -> database
};

// Compares the database (at head: CURRENT must equal the graph's heads, else
// Error(Project)) with DECLARED, the models of settings.schema_dir loading on their
// own thread while the database is read (and offered the live schema once read, see
// DeclaredModels::get; a bad model is reported before a database error).
ModelComparison compare_with_models(const revision::RevisionGraph& graph,
                                    const config::Settings& settings, db::Connection& connection,
                                    const std::vector<std::string>& current,
                                    schema::DeclaredModels& declared,
                                    const CompareOptions& options = {});

struct AutogenerateResult {
  // The operations; its SQL has moved into WRITTEN when a revision was written.
  ModelComparison comparison;
  std::optional<revision::Revision> written; // none when there was nothing to write
};

// `revision --autogenerate`: writes a revision whose sections are the comparison's
// upgrade and downgrade SQL (with "foreign_keys: off" when a table is rebuilt or
// dropped). An empty comparison writes nothing unless WRITE_EMPTY.
AutogenerateResult
autogenerate_revision(const revision::RevisionGraph& graph, const config::Settings& settings,
                      db::Connection& connection, const std::vector<std::string>& current,
                      schema::DeclaredModels& declared, const revision::NewRevisionOptions& options,
                      bool write_empty, const CompareOptions& compare = {});

} // namespace dbtool::diff
