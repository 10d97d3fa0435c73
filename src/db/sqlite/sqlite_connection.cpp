#include "dbtool/db/sqlite/sqlite_connection.h"

#include "dbtool/error.h"
#include "dbtool/util/strings.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <string>
#include <thread>

namespace dbtool::db {

namespace {

// Process-wide, before SQLite initializes (hence at the program's start: a first
// connection may come after other SQLite calls, and then the setting is refused).
// Without memory statistics, every allocation inside SQLite skips a global mutex
// (Debian's build keeps them on): introspecting 500 tables allocates hundreds of
// thousands of times, and the two halves of a model's load would take turns at it.
[[maybe_unused]] const int memory_statistics_off = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

// Skips white space and SQL comments, so that a statement's reported line is the line
// of its first token rather than of the comment above it.
const char* skip_space_and_comments(const char* cursor, const char* end) {
  while (cursor < end) {
    if (std::isspace(static_cast<unsigned char>(*cursor))) {
      ++cursor;
    } else if (cursor + 1 < end && cursor[0] == '-' && cursor[1] == '-') {
      while (cursor < end && *cursor != '\n')
        ++cursor;
    } else if (cursor + 1 < end && cursor[0] == '/' && cursor[1] == '*') {
      cursor += 2;
      while (cursor + 1 < end && !(cursor[0] == '*' && cursor[1] == '/'))
        ++cursor;
      cursor = cursor + 1 < end ? cursor + 2 : end;
    } else {
      break;
    }
  }
  return cursor;
}

std::string first_keyword(const char* text, const char* end) {
  std::string word;
  while (text < end && std::isalpha(static_cast<unsigned char>(*text)))
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(*text++)));
  return word;
}

// BEGIN/COMMIT/END/ROLLBACK end or nest the runner's transaction; ROLLBACK TO only
// rewinds to a savepoint and is harmless.
bool ends_transaction(const char* text, const char* end) {
  const std::string word = first_keyword(text, end);
  if (word == "BEGIN" || word == "COMMIT" || word == "END")
    return true;
  if (word != "ROLLBACK")
    return false;
  const char* rest = skip_space_and_comments(text + word.size(), end);
  std::string next = first_keyword(rest, end);
  if (next == "TRANSACTION")
    next = first_keyword(skip_space_and_comments(rest + next.size(), end), end);
  return next != "TO";
}

// Owns a raw statement handle for the script loop.
class RawStatement {
 public:
  ~RawStatement() { sqlite3_finalize(m_stmt); }
  sqlite3_stmt** out() { return &m_stmt; }
  sqlite3_stmt* get() const { return m_stmt; }

 private:
  sqlite3_stmt* m_stmt = nullptr;
};

class SqliteStatement : public db::Statement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql) : m_db(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) !=
        SQLITE_OK) {
      const std::string message = sqlite3_errmsg(db);
      sqlite3_finalize(m_stmt);
      throw Error(ErrorKind::Database, message);
    }
  }
  ~SqliteStatement() override { sqlite3_finalize(m_stmt); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void bind_null(int index) override { check(sqlite3_bind_null(m_stmt, index)); }
  void bind_integer(int index, std::int64_t value) override {
    check(sqlite3_bind_int64(m_stmt, index, value));
  }
  void bind_real(int index, double value) override {
    check(sqlite3_bind_double(m_stmt, index, value));
  }
  void bind_text(int index, std::string_view value) override {
    check(
        sqlite3_bind_text64(m_stmt, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  void bind_blob(int index, std::string_view value) override {
    check(sqlite3_bind_blob64(m_stmt, index, value.data(), value.size(), SQLITE_STATIC));
  }
  bool step() override {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
      return true;
    if (rc == SQLITE_DONE)
      return false;
    throw Error(ErrorKind::Database, sqlite3_errmsg(m_db));
  }
  void reset() override { sqlite3_reset(m_stmt); }
  int column_count() const override { return sqlite3_column_count(m_stmt); }
  db::ValueType type(int column) const override {
    switch (sqlite3_column_type(m_stmt, column)) {
    case SQLITE_INTEGER:
      return db::ValueType::Integer;
    case SQLITE_FLOAT:
      return db::ValueType::Real;
    case SQLITE_TEXT:
      return db::ValueType::Text;
    case SQLITE_BLOB:
      return db::ValueType::Blob;
    default:
      return db::ValueType::Null;
    }
  }
  std::int64_t integer(int column) const override { return sqlite3_column_int64(m_stmt, column); }
  double real(int column) const override { return sqlite3_column_double(m_stmt, column); }
  std::string_view bytes(int column) const override {
    // Ask for the bytes first: the pointer call fixes the representation.
    const void* data = sqlite3_column_type(m_stmt, column) == SQLITE_BLOB
                           ? sqlite3_column_blob(m_stmt, column)
                           : static_cast<const void*>(sqlite3_column_text(m_stmt, column));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, column));
    return data == nullptr ? std::string_view()
                           : std::string_view(static_cast<const char*>(data), size);
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK)
      throw Error(ErrorKind::Database, sqlite3_errmsg(m_db));
  }
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
};

} // namespace

SqliteConnection::SqliteConnection(const std::filesystem::path& path,
                                   const config::SqliteOptions& options, StatementObserver observer)
    : m_name(path.string()) {
  set_observer(std::move(observer));
  try {
    m_database = std::make_unique<SQLite::Database>(
        m_name, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX);
  } catch (const SQLite::Exception& error) {
    throw Error(ErrorKind::Database, std::string("cannot open database: ") + error.what(), m_name);
  }
  apply_options(options);
}

SqliteConnection::SqliteConnection(const config::SqliteOptions& options, StatementObserver observer)
    : m_name(":memory:") {
  set_observer(std::move(observer));
  m_database =
      std::make_unique<SQLite::Database>(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX);
  apply_options(options);
}

SqliteConnection::~SqliteConnection() = default;

sqlite3* SqliteConnection::handle() const {
  return m_database->getHandle();
}

void SqliteConnection::apply_options(const config::SqliteOptions& options) {
  m_busy_timeout_ms = options.busy_timeout_ms;
  sqlite3_busy_timeout(handle(), options.busy_timeout_ms);
  // While other processes open the same new database, switching it to WAL can fail
  // with SQLITE_BUSY at once, without SQLite calling the busy handler (16 processes
  // upgrading a new database: about one run in 100 exited 4); and while they create
  // tables, a statement here can give up with SQLITE_SCHEMA after SQLite's 50 attempts
  // to prepare it again (2 runs in 120 trials of 16 x 500). Both are retried until
  // busy_timeout has passed, as the busy handler would have waited.
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::milliseconds(options.busy_timeout_ms);
  for (int attempt = 1;; ++attempt) {
    try {
      apply_options_once(options);
      return;
    } catch (const Error& error) {
      const int code = sqlite3_errcode(handle()) & 0xff;
      const bool busy = code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_SCHEMA;
      if (busy && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::min(attempt, 20)));
        continue;
      }
      throw Error(
          ErrorKind::Database,
          "cannot open database: " + error.message() +
              (busy ? " (waited busy_timeout_ms = " + std::to_string(options.busy_timeout_ms) + ")"
                    : ""),
          m_name);
    }
  }
}

void SqliteConnection::apply_options_once(const config::SqliteOptions& options) {
  // Read something first: a file that is not a database fails here, before any
  // PRAGMA could write to it.
  execute("SELECT count(*) FROM sqlite_schema");
  if (m_name != ":memory:") {
    const std::string current = query("PRAGMA journal_mode").at(0).at(0).value_or("");
    std::string wanted = options.journal_mode;
    for (auto& c : wanted)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (current != wanted)
      execute("PRAGMA journal_mode = " + options.journal_mode);
  }
  execute("PRAGMA synchronous = " + options.synchronous);
  execute(std::string("PRAGMA foreign_keys = ") + (options.foreign_keys ? "ON" : "OFF"));
}

void SqliteConnection::fail(const std::string& what) const {
  throw Error(ErrorKind::Database, what + sqlite3_errmsg(handle()));
}

void SqliteConnection::execute(std::string_view sql) {
  observe(sql);
  char* message = nullptr;
  const std::string text(sql);
  if (sqlite3_exec(handle(), text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string error = message != nullptr ? message : "unknown error";
    sqlite3_free(message);
    throw Error(ErrorKind::Database, error);
  }
}

void SqliteConnection::execute_script(std::string_view sql, int first_line,
                                      bool guard_transaction) {
  // One NUL-terminated copy of the script: given a length that does not end in a NUL,
  // sqlite3_prepare_v2 copies the rest of the script for each statement (quadratic).
  const std::string text(sql);
  const char* const begin = text.c_str();
  const char* const end = begin + text.size();
  const char* cursor = begin;
  // Lines are counted on from the previous statement: counting from the start of the
  // script for each statement would be quadratic in the length of the script.
  int line = first_line;
  const char* counted = begin;
  while (true) {
    const char* start = skip_space_and_comments(cursor, end);
    if (start >= end)
      break;
    line += util::count_lines(std::string_view(counted, static_cast<std::size_t>(start - counted)));
    counted = start;
    auto failed = [&](const std::string& message) {
      return Error(ErrorKind::Database, message, {}, line);
    };
    RawStatement statement;
    const char* tail = nullptr;
    if (sqlite3_prepare_v2(handle(), start, static_cast<int>(end - start) + 1, statement.out(),
                           &tail) != SQLITE_OK)
      throw failed(sqlite3_errmsg(handle()));
    if (statement.get() == nullptr) { // only a trailing comment or ';' was left
      cursor = tail > start ? tail : end;
      continue;
    }
    if (guard_transaction && in_transaction() && ends_transaction(start, tail))
      throw failed("transaction control statement in a transactional revision (set "
                   "'-- transactional: false' in its header to manage transactions yourself)");
    observe(std::string_view(start, static_cast<size_t>(tail - start)));
    int rc;
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE)
      throw failed(sqlite3_errmsg(handle()));
    cursor = tail;
  }
}

Rows SqliteConnection::query(std::string_view sql) {
  observe(sql);
  Rows rows;
  try {
    SQLite::Statement statement(*m_database, std::string(sql));
    const int columns = statement.getColumnCount();
    while (statement.executeStep()) {
      Row row;
      row.reserve(static_cast<size_t>(columns));
      for (int i = 0; i < columns; ++i) {
        const auto column = statement.getColumn(i);
        if (column.isNull())
          row.emplace_back(std::nullopt);
        else
          row.emplace_back(std::string(column.getText(), static_cast<size_t>(column.getBytes())));
      }
      rows.push_back(std::move(row));
    }
  } catch (const SQLite::Exception& error) {
    throw Error(ErrorKind::Database, error.what());
  }
  return rows;
}

std::unique_ptr<db::Statement> SqliteConnection::prepare(std::string_view sql) {
  observe(sql);
  return std::make_unique<SqliteStatement>(handle(), sql);
}

std::int64_t SqliteConnection::changes() {
  return sqlite3_changes64(handle());
}

bool SqliteConnection::has_table(const std::string& name) {
  try {
    SQLite::Statement statement(*m_database,
                                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?");
    statement.bind(1, name);
    return statement.executeStep();
  } catch (const SQLite::Exception& error) {
    throw Error(ErrorKind::Database, error.what());
  }
}

void SqliteConnection::begin_write() {
  try {
    execute("BEGIN IMMEDIATE");
  } catch (const Error& error) {
    if (sqlite3_errcode(handle()) != SQLITE_BUSY)
      throw;
    if (m_run_timeout)
      throw Error(ErrorKind::Database,
                  fmt::format("database is locked by another dbtool run or writer: {} (waited {:g} "
                              "s; --lock-timeout or lock_timeout_s sets how long)",
                              m_name, static_cast<double>(m_run_timeout->count()) / 1000.0));
    throw Error(ErrorKind::Database,
                "database is locked by another writer (waited busy_timeout): " + m_name);
  }
}

// A run waits for another run's write transaction as long as --lock-timeout says, as
// it waits for PostgreSQL's migration lock: busy_timeout is for everything else.
void SqliteConnection::lock_for_run(const std::string&, std::chrono::milliseconds timeout) {
  const auto ms = std::min<std::chrono::milliseconds::rep>(timeout.count(), INT_MAX);
  sqlite3_busy_timeout(handle(), static_cast<int>(ms));
  m_run_timeout = timeout;
}

void SqliteConnection::unlock_run() noexcept {
  if (!m_run_timeout)
    return;
  sqlite3_busy_timeout(handle(), m_busy_timeout_ms);
  m_run_timeout.reset();
}

void SqliteConnection::commit() {
  execute("COMMIT");
}

void SqliteConnection::rollback() noexcept {
  if (in_transaction())
    sqlite3_exec(handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteConnection::set_foreign_keys(bool enforced) {
  execute(std::string("PRAGMA foreign_keys = ") + (enforced ? "ON" : "OFF"));
}

std::vector<std::string> SqliteConnection::foreign_key_violations(std::size_t limit) {
  std::vector<std::string> violations;
  // table, rowid, parent, fkid
  for (const auto& row : query("PRAGMA foreign_key_check")) {
    if (violations.size() >= limit)
      break;
    violations.push_back(row.at(0).value_or("?") + " rowid " + row.at(1).value_or("NULL") + " -> " +
                         row.at(2).value_or("?"));
  }
  return violations;
}

bool SqliteConnection::in_transaction() const {
  return sqlite3_get_autocommit(handle()) == 0;
}

} // namespace dbtool::db
