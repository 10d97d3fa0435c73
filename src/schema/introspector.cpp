#include "dbtool/schema/introspector.h"

#include "dbtool/schema/postgres_introspector.h"
#include "dbtool/schema/sqlite_introspector.h"

namespace dbtool::schema {

Schema introspect(db::Connection& connection, const std::set<std::string>& exclude,
                  std::unordered_map<std::string, std::string>* create_sql) {
  if (connection.backend() == config::Backend::Postgres)
    return introspect_postgres(connection, exclude);
  return introspect_sqlite(connection, exclude, create_sql);
}

} // namespace dbtool::schema
