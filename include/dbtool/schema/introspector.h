#pragma once

#include "dbtool/db/connection.h"
#include "dbtool/schema/schema.h"

#include <set>
#include <string>
#include <unordered_map>

namespace dbtool::schema {

// The live schema of whatever database CONNECTION is: introspect_sqlite or
// introspect_postgres. Tables named in EXCLUDE (dbtool's own) are left out. With
// CREATE_SQL, a SQLite database's CREATE texts too (PostgreSQL keeps none: it stays empty).
Schema introspect(db::Connection& connection, const std::set<std::string>& exclude = {},
                  std::unordered_map<std::string, std::string>* create_sql = nullptr);

} // namespace dbtool::schema
