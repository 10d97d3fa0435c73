#pragma once

#include "dbtool/config/database_url.h"
#include "dbtool/db/statement.h"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dbtool::config {
struct Settings;
}

namespace dbtool::db {

using Value = std::optional<std::string>; // nullopt is SQL NULL
using Row = std::vector<Value>;
using Rows = std::vector<Row>;

// Told every statement before it runs (for --echo).
using StatementObserver = std::function<void(std::string_view sql)>;

// A connection to one database, whatever the backend. Every failure is thrown as
// Error(Database) carrying the database's own message.
class Connection {
 public:
  virtual ~Connection() = default;

  virtual config::Backend backend() const = 0;
  // Runs SQL (one or more statements), discarding rows.
  virtual void execute(std::string_view sql) = 0;
  // Runs a user script statement by statement. On failure throws Error(Database) whose
  // line is FIRST_LINE plus the number of lines before the failing statement in SQL.
  // With GUARD_TRANSACTION, statements that would end the caller's transaction (BEGIN,
  // COMMIT, ROLLBACK) are refused before they run.
  virtual void execute_script(std::string_view sql, int first_line,
                              bool guard_transaction = true) = 0;
  virtual Rows query(std::string_view sql) = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  virtual std::int64_t changes() = 0;
  // One statement, prepared for binding and stepping.
  virtual std::unique_ptr<Statement> prepare(std::string_view sql) = 0;
  virtual bool has_table(const std::string& name) = 0;

  // Opens a write transaction that excludes every other writer of the database
  // (SQLite: BEGIN IMMEDIATE, waiting up to busy_timeout).
  virtual void begin_write() = 0;
  virtual void commit() = 0;
  // Rolls back if a transaction is open; never throws.
  virtual void rollback() noexcept = 0;
  virtual bool in_transaction() const = 0;

  // Turns foreign key enforcement on or off; outside a transaction only (SQLite
  // ignores the PRAGMA inside one).
  virtual void set_foreign_keys(bool enforced) = 0;
  // Rows that break a foreign key, one line each ("table rowid 3 -> parent"), at most
  // LIMIT of them.
  virtual std::vector<std::string> foreign_key_violations(std::size_t limit) = 0;

  // Keeps every other dbtool run that asks for the lock NAME waiting until
  // unlock_run, or fails with Error(Database) after TIMEOUT. PostgreSQL holds a session
  // advisory lock; SQLite needs none, since each step's BEGIN IMMEDIATE already
  // excludes other writers, but until unlock_run those wait up to TIMEOUT for the
  // write lock instead of busy_timeout.
  virtual void lock_for_run(const std::string& name, std::chrono::milliseconds timeout) {
    (void)name;
    (void)timeout;
  }
  virtual void unlock_run() noexcept {}

  void set_observer(StatementObserver observer) { m_observer = std::move(observer); }

 protected:
  void observe(std::string_view sql) const {
    if (m_observer)
      m_observer(sql);
  }

 private:
  StatementObserver m_observer;
};

// Opens the database that SETTINGS names, applying the connection options. OBSERVER,
// when given, is told every statement from the first PRAGMA on.
std::unique_ptr<Connection> connect(const config::Settings& settings,
                                    StatementObserver observer = {});

// A consistent read for a scope: BEGIN_SQL runs when no transaction is open yet (a
// caller's own transaction is used as it is) and is rolled back at the end, so that
// readers of the schema or the data see one state without taking a write lock.
class ReadTransaction {
 public:
  ReadTransaction(Connection& connection, std::string_view begin_sql)
      : m_connection(connection), m_own(!connection.in_transaction()) {
    if (m_own)
      m_connection.execute(begin_sql);
  }
  ~ReadTransaction() {
    if (m_own)
      m_connection.rollback();
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Connection& m_connection;
  bool m_own;
};

// Rolls back on scope exit unless committed: every state change is RAII.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& connection) : m_connection(connection) {
    m_connection.begin_write();
  }
  ~WriteTransaction() {
    if (!m_done)
      m_connection.rollback();
  }
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void commit() {
    m_connection.commit();
    m_done = true;
  }

 private:
  Connection& m_connection;
  bool m_done = false;
};

} // namespace dbtool::db
