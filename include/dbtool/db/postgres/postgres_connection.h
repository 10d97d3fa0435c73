#pragma once

#include "dbtool/config/settings.h"
#include "dbtool/db/connection.h"

#include <chrono>
#include <memory>

struct pg_conn;

namespace dbtool::db {

// A PostgreSQL database through libpq. The URL goes to libpq as it is, so sslmode and
// every other libpq parameter pass through; messages show it with the password
// masked. Scripts run statement by statement (split as psql splits them), so that a
// failure names its line and CREATE INDEX CONCURRENTLY can run outside a transaction.
class PostgresConnection : public Connection {
 public:
  // Connects; throws Error(Database) with libpq's reason on one line (unreachable
  // server, wrong password, missing database, ...), the password never shown.
  PostgresConnection(const config::DatabaseUrl& url, const config::PostgresOptions& options,
                     StatementObserver observer = {});
  ~PostgresConnection() override;
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  config::Backend backend() const override { return config::Backend::Postgres; }
  void execute(std::string_view sql) override;
  void execute_script(std::string_view sql, int first_line, bool guard_transaction = true) override;
  Rows query(std::string_view sql) override;
  // Parameters are $1, $2, ... as PostgreSQL writes them.
  std::unique_ptr<Statement> prepare(std::string_view sql) override;
  std::int64_t changes() override;
  bool has_table(const std::string& name) override;
  void begin_write() override;
  void commit() override;
  void rollback() noexcept override;
  bool in_transaction() const override;
  // PostgreSQL always enforces foreign keys (its ALTER TABLE never needs a table
  // rebuild): turning them off does nothing, and no violation can be left behind.
  void set_foreign_keys(bool) override {}
  std::vector<std::string> foreign_key_violations(std::size_t) override { return {}; }
  void lock_for_run(const std::string& name, std::chrono::milliseconds timeout) override;
  void unlock_run() noexcept override;

  pg_conn* handle() const { return m_connection; }

 private:
  [[noreturn]] void fail(const std::string& message, int line = 0) const;

  pg_conn* m_connection = nullptr;
  std::string m_name; // the URL, masked
  std::chrono::milliseconds m_lock_timeout;
  // What a revision's statements run under: RESET (the server's) or SET to this.
  std::string m_script_lock_timeout;
  std::int64_t m_changes = 0;
  std::int64_t m_lock_key = 0;
  bool m_locked = false;
};

} // namespace dbtool::db
