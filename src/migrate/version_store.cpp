#include "dbtool/migrate/version_store.h"

#include "dbtool/util/strings.h"

namespace dbtool::migrate {

using util::sql_identifier;
using util::sql_quote;

VersionStore::VersionStore(std::string version_table, std::string history_table)
    : m_version_table(std::move(version_table)), m_history_table(std::move(history_table)),
      m_select_versions("SELECT version_num FROM " + sql_identifier(m_version_table) +
                        " ORDER BY version_num") {}

std::string VersionStore::create_tables_sql() const {
  return "CREATE TABLE IF NOT EXISTS " + sql_identifier(m_version_table) +
         " (version_num VARCHAR(64) NOT NULL PRIMARY KEY);\n"
         "CREATE TABLE IF NOT EXISTS " +
         sql_identifier(m_history_table) +
         " (id INTEGER PRIMARY KEY, revision VARCHAR(64) NOT NULL, direction VARCHAR(16) NOT "
         "NULL, checksum VARCHAR(64), message TEXT, applied_at VARCHAR(32) NOT NULL, "
         "duration_ms INTEGER);\n";
}

std::string VersionStore::insert_version_sql(const std::string& revision) const {
  return "INSERT INTO " + sql_identifier(m_version_table) + " (version_num) VALUES (" +
         sql_quote(revision) + ");\n";
}

std::string VersionStore::delete_version_sql(const std::string& revision) const {
  return "DELETE FROM " + sql_identifier(m_version_table) +
         " WHERE version_num = " + sql_quote(revision) + ";\n";
}

std::string VersionStore::delete_all_versions_sql() const {
  return "DELETE FROM " + sql_identifier(m_version_table) + ";\n";
}

std::string VersionStore::insert_history_sql(const std::string& revision, const char* direction,
                                             const std::string& checksum,
                                             const std::string& message,
                                             std::optional<long long> duration_ms) const {
  return "INSERT INTO " + sql_identifier(m_history_table) +
         " (revision, direction, checksum, message, applied_at, duration_ms) VALUES (" +
         sql_quote(revision) + ", " + sql_quote(direction) + ", " +
         (checksum.empty() ? std::string("NULL") : sql_quote(checksum)) + ", " +
         sql_quote(message) + ", strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), " +
         (duration_ms ? std::to_string(*duration_ms) : std::string("NULL")) + ");\n";
}

std::vector<std::string> VersionStore::read_versions(db::Connection& connection,
                                                     bool table_exists) const {
  std::vector<std::string> versions;
  if (!table_exists && !connection.has_table(m_version_table))
    return versions;
  for (auto& row : connection.query(m_select_versions))
    if (row.at(0))
      versions.push_back(std::move(*row[0]));
  return versions;
}

std::unordered_map<std::string, std::string>
VersionStore::read_checksums(db::Connection& connection) const {
  std::unordered_map<std::string, std::string> checksums;
  if (!connection.has_table(m_history_table))
    return checksums;
  const auto rows =
      connection.query("SELECT revision, checksum FROM " + sql_identifier(m_history_table) +
                       " WHERE direction IN ('upgrade', 'stamp') ORDER BY id");
  for (const auto& row : rows)
    if (row.at(0) && row.at(1))
      checksums[*row[0]] = *row[1];
  return checksums;
}

} // namespace dbtool::migrate
