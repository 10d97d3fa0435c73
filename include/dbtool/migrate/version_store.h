#pragma once

#include "dbtool/db/connection.h"

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace dbtool::migrate {

// What the history table says of one revision's latest upgrade or stamp.
struct Application {
  std::string checksum;   // the revision's checksum then (empty: none recorded)
  std::string applied_at; // UTC, ISO 8601
  std::string direction;  // "upgrade" or "stamp"
  std::string message;
  bool reverted = false; // a downgrade of it came later
};

// The version table (one row per applied head, as Alembic's alembic_version) and the
// history table (one row per step). Every statement that changes them is produced
// as SQL text here, so that online runs and offline --sql scripts say the same thing.
class VersionStore {
 public:
  // BACKEND decides the dialect of the statements (identity column and clock).
  VersionStore(std::string version_table, std::string history_table,
               config::Backend backend = config::Backend::Sqlite);

  const std::string& version_table() const { return m_version_table; }
  const std::string& history_table() const { return m_history_table; }

  std::string create_tables_sql() const;
  std::string insert_version_sql(const std::string& revision) const;
  std::string delete_version_sql(const std::string& revision) const;
  std::string delete_all_versions_sql() const;
  // DURATION_MS empty: NULL (offline scripts do not know it).
  std::string insert_history_sql(const std::string& revision, const char* direction,
                                 const std::string& checksum, const std::string& message,
                                 std::optional<long long> duration_ms) const;

  // The version rows; empty when the table does not exist yet. TABLE_EXISTS skips
  // the look-up in the schema, which a long run does not need at every step.
  std::vector<std::string> read_versions(db::Connection& connection,
                                         bool table_exists = false) const;
  // How many characters the version table's version_num holds, when the database
  // enforces a limit that may be short of dbtool's 64: on PostgreSQL, a varchar(n) or
  // char(n) column (Alembic makes varchar(32)). Empty: no table yet, no limit, or SQLite
  // (which does not enforce one).
  std::optional<std::size_t> version_width(db::Connection& connection) const;
  // Error(Project) naming ID and the column when ID is longer than WIDTH.
  void check_fits(const std::string& id, std::optional<std::size_t> width) const;

  // Each revision's latest upgrade or stamp, by revision id; empty when there is no
  // history table.
  std::unordered_map<std::string, Application> read_applications(db::Connection& connection) const;

 private:
  std::string m_version_table;
  std::string m_history_table;
  std::string m_select_versions;
  config::Backend m_backend;
};

} // namespace dbtool::migrate
