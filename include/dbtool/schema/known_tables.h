#pragma once

#include "dbtool/schema/schema.h"

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace dbtool::schema {

// A live SQLite database's schema as introspect_sqlite read it, with the exact CREATE
// TABLE and CREATE INDEX text (sqlite_schema.sql) of every table and index. What
// introspection says of a table is a function of its own texts alone (SQLite resolves
// no foreign key when it reads a schema), so a declared table that renders to the same
// texts is known without loading it into a scratch database: at the models, that is
// every table (load_declared_schema).
struct KnownTables {
  Schema schema;
  std::unordered_map<std::string, std::string> create_sql; // table or index name -> text

  // The introspected table NAME when its CREATE text is TABLE_SQL and its indexes are
  // exactly INDEXES (name, CREATE text); null otherwise. An index whose text says DESC
  // is never matched: a database of schema format 1 reads it as ascending.
  const Table*
  find(const std::string& name, std::string_view table_sql,
       const std::vector<std::pair<std::string_view, std::string_view>>& indexes) const;
};

} // namespace dbtool::schema
