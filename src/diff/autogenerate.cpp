#include "dbtool/diff/autogenerate.h"

#include "dbtool/diff/migration.h"
#include "dbtool/error.h"
#include "dbtool/schema/declared_schema.h"
#include "dbtool/schema/introspector.h"
#include "dbtool/util/strings.h"

#include <algorithm>
#include <future>

namespace dbtool::diff {

namespace {

void require_at_head(const revision::RevisionGraph& graph, std::vector<std::string> current) {
  std::vector<std::string> heads;
  for (auto index : graph.heads())
    heads.push_back(graph.id(index));
  std::sort(heads.begin(), heads.end());
  std::sort(current.begin(), current.end());
  if (current != heads)
    throw Error(ErrorKind::Project,
                "the database is not at head (it is at " +
                    (current.empty() ? std::string("base") : util::join(current, ", ")) +
                    "; head is " + (heads.empty() ? std::string("base") : util::join(heads, ", ")) +
                    "): run `dbtool upgrade head` first");
}

bool declares_nothing(const schema::Schema& schema) {
  return schema.tables.empty() && schema.views.empty() && schema.triggers.empty() &&
         schema.enums.empty() && schema.domains.empty() && schema.sequences.empty() &&
         schema.routines.empty();
}

} // namespace

ModelComparison compare_with_models(const revision::RevisionGraph& graph,
                                    const config::Settings& settings, db::Connection& connection,
                                    const std::vector<std::string>& current,
                                    schema::DeclaredModels& declared_models,
                                    const CompareOptions& options) {
  require_at_head(graph, current);
  // The database is read while the models load on their own thread.
  const std::set<std::string> own_tables{settings.version_table, settings.history_table};
  schema::LiveSchema read;
  try {
    read.schema = schema::introspect(connection, own_tables, &read.create_sql);
  } catch (const Error&) {
    declared_models.get(); // a bad model is the error to report
    throw;
  }
  const schema::Schema declared = declared_models.get(&read);
  const schema::Schema& live = read.schema;
  if (!options.allow_empty_models && declares_nothing(declared) && !live.tables.empty())
    throw Error(ErrorKind::Project,
                "the models declare nothing, so every table of the database (" +
                    std::to_string(live.tables.size()) +
                    ") would be dropped; is this the right schema folder? "
                    "(--allow-empty-models compares them anyway)",
                settings.schema_dir.string());
  const config::Backend backend = connection.backend();
  ModelComparison comparison;
  comparison.operations = compare_schemas(live, declared, backend);
  // No change one way is no change the other way; a change is planned back on a second
  // thread while the way there renders (both only read the two schemas).
  std::future<MigrationScript> downgrade;
  if (!comparison.operations.empty())
    downgrade = std::async(std::launch::async, [&live, &declared, backend] {
      return plan_migration(declared, live, backend).script;
    });
  comparison.upgrade = render_migration(live, declared, comparison.operations, backend);
  if (downgrade.valid())
    comparison.downgrade = downgrade.get();
  return comparison;
}

AutogenerateResult
autogenerate_revision(const revision::RevisionGraph& graph, const config::Settings& settings,
                      db::Connection& connection, const std::vector<std::string>& current,
                      schema::DeclaredModels& declared, const revision::NewRevisionOptions& options,
                      bool write_empty, const CompareOptions& compare) {
  AutogenerateResult result;
  result.comparison = compare_with_models(graph, settings, connection, current, declared, compare);
  if (result.comparison.operations.empty() && !write_empty)
    return result;
  const revision::ScriptDirectory folder(settings.migrations_dir);
  revision::Revision revision = folder.plan_revision(graph, options);
  // Moved, not copied: a large model's migration is a large text.
  revision.upgrade_sql = std::move(result.comparison.upgrade.sql);
  revision.downgrade_sql = std::move(result.comparison.downgrade.sql);
  revision.foreign_keys_off =
      result.comparison.upgrade.foreign_keys_off || result.comparison.downgrade.foreign_keys_off;
  folder.write(revision);
  result.written = std::move(revision);
  return result;
}

} // namespace dbtool::diff
