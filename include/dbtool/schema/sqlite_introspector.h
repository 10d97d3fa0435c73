#pragma once

#include "dbtool/db/connection.h"
#include "dbtool/schema/schema.h"

#include <set>
#include <string>
#include <unordered_map>

namespace dbtool::schema {

// Reads the schema of a SQLite database through PRAGMA table_xinfo, index_list,
// index_xinfo, foreign_key_list and sqlite_schema, and the CREATE text where the
// PRAGMAs are silent. SQLite's own tables (sqlite_*) and the tables named in
// EXCLUDE (dbtool's version and history tables) are left out. With CREATE_SQL, also
// gives the CREATE text of every table and index by name, from the same snapshot.
Schema introspect_sqlite(db::Connection& connection, const std::set<std::string>& exclude = {},
                         std::unordered_map<std::string, std::string>* create_sql = nullptr);

} // namespace dbtool::schema
