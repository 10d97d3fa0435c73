#include "dbtool/diff/migration.h"

#include "dbtool/diff/postgres_migration.h"
#include "dbtool/diff/sqlite_migration.h"

namespace dbtool::diff {

MigrationScript render_migration(const schema::Schema& from, const schema::Schema& to,
                                 const std::vector<Operation>& operations,
                                 config::Backend backend) {
  return backend == config::Backend::Postgres ? render_postgres_migration(from, to, operations)
                                              : render_sqlite_migration(from, to, operations);
}

Migration plan_migration(const schema::Schema& from, const schema::Schema& to,
                         config::Backend backend) {
  Migration migration;
  migration.operations = compare_schemas(from, to, backend);
  migration.script = render_migration(from, to, migration.operations, backend);
  return migration;
}

} // namespace dbtool::diff
