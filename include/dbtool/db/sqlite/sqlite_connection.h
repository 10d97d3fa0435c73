#pragma once

#include "dbtool/config/settings.h"
#include "dbtool/db/connection.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>

struct sqlite3;
namespace SQLite {
class Database;
}

namespace dbtool::db {

// A SQLite database file (or :memory:), opened with the [sqlite] options applied
// as PRAGMAs on connect.
class SqliteConnection : public Connection {
 public:
  // Opens PATH (creating it when missing); throws Error(Database) naming the file when
  // it cannot be opened or is not a database.
  SqliteConnection(const std::filesystem::path& path, const config::SqliteOptions& options,
                   StatementObserver observer = {});
  // An in-memory database.
  explicit SqliteConnection(const config::SqliteOptions& options, StatementObserver observer = {});
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  config::Backend backend() const override { return config::Backend::Sqlite; }
  void execute(std::string_view sql) override;
  void execute_script(std::string_view sql, int first_line, bool guard_transaction = true) override;
  Rows query(std::string_view sql) override;
  std::unique_ptr<Statement> prepare(std::string_view sql) override;
  std::int64_t changes() override;
  bool has_table(const std::string& name) override;
  void begin_write() override;
  void commit() override;
  void rollback() noexcept override;
  bool in_transaction() const override;
  void set_foreign_keys(bool enforced) override;
  std::vector<std::string> foreign_key_violations(std::size_t limit) override;
  void lock_for_run(const std::string& name, std::chrono::milliseconds timeout) override;
  void unlock_run() noexcept override;

  sqlite3* handle() const;

 private:
  void apply_options(const config::SqliteOptions& options);
  void apply_options_once(const config::SqliteOptions& options);
  [[noreturn]] void fail(const std::string& what) const;

  std::unique_ptr<SQLite::Database> m_database;
  std::string m_name; // for messages: the file path or :memory:
  int m_busy_timeout_ms = 0;
  std::optional<std::chrono::milliseconds> m_run_timeout; // set between lock_for_run and unlock_run
};

} // namespace dbtool::db
