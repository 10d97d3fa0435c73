#include "dbtool/db/postgres/postgres_connection.h"

#include "dbtool/db/postgres/postgres_script.h"
#include "dbtool/error.h"
#include "dbtool/util/strings.h"
#include "libpq_library.h"

#include <fmt/format.h>

#include <thread>

namespace dbtool::db {

namespace {

// Owns a PGresult.
struct Result {
  PGresult* result;
  explicit Result(PGresult* r) : result(r) {}
  ~Result() { libpq().PQclear(result); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  bool ok() const {
    const auto status = libpq().PQresultStatus(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
  }
};

// libpq's messages span lines ("...failed: Connection refused\n\tIs the server
// running...?"): one line, as every dbtool error is.
std::string one_line(const char* message) {
  return util::one_line(message == nullptr ? "" : message);
}

// The server's message for a failed RESULT: "ERROR:  relation ... does not exist"
// without the severity prefix, with DETAIL and HINT when the server gave them.
std::string server_message(const PGresult* result) {
  const char* primary = libpq().PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
  if (primary == nullptr)
    return one_line(libpq().PQresultErrorMessage(result));
  std::string message = primary;
  if (const char* detail = libpq().PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL))
    message += std::string(" (") + detail + ")";
  if (const char* hint = libpq().PQresultErrorField(result, PG_DIAG_MESSAGE_HINT))
    message += std::string("; hint: ") + hint;
  return one_line(message.c_str());
}

// The line within TEXT of the 1-based character POSITION PostgreSQL reports.
int line_of_position(std::string_view text, const char* position) {
  if (position == nullptr)
    return 0;
  long characters = std::strtol(position, nullptr, 10);
  int line = 0;
  for (std::size_t i = 0; i < text.size() && characters > 1; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if ((byte & 0xC0) != 0x80) // a character starts here (UTF-8)
      --characters;
    if (text[i] == '\n')
      ++line;
  }
  return line;
}

// The password of URL as written in it (user:PASSWORD@host), or empty.
std::string url_password(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme)
    return {};
  const auto colon = url.find(':', scheme + 3);
  return colon != std::string::npos && colon < at ? url.substr(colon + 1, at - colon - 1)
                                                  : std::string();
}

// libpq quotes pieces of a URL it cannot parse in its messages (a password with an
// unencoded '/' becomes an "invalid integer value" for the port): the password goes,
// wherever it appears. Very short ones only where quoted, so as not to mangle words.
std::string without_password(std::string message, const std::string& password) {
  if (password.empty())
    return message;
  auto replace_all = [&](const std::string& what, const std::string& with) {
    for (auto at = message.find(what); at != std::string::npos;
         at = message.find(what, at + with.size()))
      message.replace(at, what.size(), with);
  };
  // libpq may have split the password at a character that ends a URL part.
  std::vector<std::string> pieces{password};
  std::string piece;
  for (char c : password + "/") {
    if (c == '/' || c == '?' || c == '#' || c == '@' || c == ':') {
      if (!piece.empty() && piece != password)
        pieces.push_back(piece);
      piece.clear();
    } else {
      piece += c;
    }
  }
  for (const auto& secret : pieces) {
    replace_all("\"" + secret + "\"", "\"***\"");
    if (secret.size() >= 4)
      replace_all(secret, "***");
  }
  return message;
}

// A 64-bit key for pg_advisory_lock from the lock's name (FNV-1a).
std::int64_t lock_key(const std::string& name) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(hash);
}

// Sets how long a statement waits for another session's lock, in ms (PostgreSQL: 0 is
// for ever).
void set_lock_timeout(PGconn* connection, long long ms) {
  libpq().PQclear(libpq().PQexec(connection, ("SET lock_timeout = " + std::to_string(ms)).c_str()));
}

// --lock-timeout as lock_timeout: a timeout of 0 (do not wait) becomes the shortest wait
// PostgreSQL knows, since its 0 means no limit.
long long lock_timeout_ms(std::chrono::milliseconds timeout) {
  return timeout.count() > 0 ? static_cast<long long>(timeout.count()) : 1;
}

// The message for a failed statement of dbtool's own. Their lock_timeout is --lock-timeout,
// so SQLSTATE 55P03 (lock_not_available) means another session held a table dbtool needs
// (its version or history table) for that long: say so, as the advisory lock's wait does.
std::string own_statement_message(const PGresult* result, const std::string& name,
                                  std::chrono::milliseconds timeout) {
  const char* state = libpq().PQresultErrorField(result, PG_DIAG_SQLSTATE);
  if (state == nullptr || std::string_view(state) != "55P03")
    return server_message(result);
  return fmt::format("another session holds a lock on a table dbtool needs in {} (waited {:g} s; "
                     "--lock-timeout or postgres.lock_timeout_s sets how long): {}",
                     name, static_cast<double>(lock_timeout_ms(timeout)) / 1000.0,
                     server_message(result));
}

// A statement run with PQexecParams when first stepped; rows come back as text
// (bytea as hex, decoded by bytes()).
class PostgresStatement : public Statement {
 public:
  // CHANGES receives the rows an INSERT, UPDATE or DELETE touched, for changes().
  PostgresStatement(PGconn* connection, std::string sql, std::int64_t* changes)
      : m_connection(connection), m_sql(std::move(sql)), m_changes(changes) {}
  ~PostgresStatement() override { libpq().PQclear(m_result); }
  PostgresStatement(const PostgresStatement&) = delete;
  PostgresStatement& operator=(const PostgresStatement&) = delete;

  void bind_null(int index) override { slot(index).reset(); }
  void bind_integer(int index, std::int64_t value) override { slot(index) = std::to_string(value); }
  void bind_real(int index, double value) override {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    slot(index) = text;
  }
  void bind_text(int index, std::string_view value) override { slot(index) = std::string(value); }
  void bind_blob(int index, std::string_view value) override {
    slot(index) = "\\x" + util::hex(value);
  }

  bool step() override {
    if (m_result == nullptr) {
      std::vector<const char*> values;
      for (const auto& parameter : m_parameters)
        values.push_back(parameter ? parameter->c_str() : nullptr);
      m_result = libpq().PQexecParams(m_connection, m_sql.c_str(), static_cast<int>(values.size()),
                                      nullptr, values.data(), nullptr, nullptr, 0);
      const auto status = libpq().PQresultStatus(m_result);
      if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throw Error(ErrorKind::Database, server_message(m_result));
      const char* tuples = libpq().PQcmdTuples(m_result);
      *m_changes = tuples != nullptr && *tuples != '\0' ? std::strtoll(tuples, nullptr, 10) : 0;
      m_row = -1;
    }
    ++m_row;
    return m_row < libpq().PQntuples(m_result);
  }
  void reset() override {
    libpq().PQclear(m_result);
    m_result = nullptr;
  }
  int column_count() const override {
    return m_result == nullptr ? 0 : libpq().PQnfields(m_result);
  }
  ValueType type(int column) const override {
    if (libpq().PQgetisnull(m_result, m_row, column))
      return ValueType::Null;
    switch (libpq().PQftype(m_result, column)) {
    case 16: // bool, as SQLite has it: 1 or 0
    case 20: // int8
    case 21: // int2
    case 23: // int4
    case 26: // oid
      return ValueType::Integer;
    case 700: // float4
    case 701: // float8
      return ValueType::Real;
    case 17: // bytea
      return ValueType::Blob;
    default:
      return ValueType::Text;
    }
  }
  std::int64_t integer(int column) const override {
    const char* value = libpq().PQgetvalue(m_result, m_row, column);
    if (libpq().PQftype(m_result, column) == 16)
      return value[0] == 't' ? 1 : 0;
    return std::strtoll(value, nullptr, 10);
  }
  double real(int column) const override {
    return std::strtod(libpq().PQgetvalue(m_result, m_row, column), nullptr);
  }
  std::string_view bytes(int column) const override {
    const char* value = libpq().PQgetvalue(m_result, m_row, column);
    const auto size = static_cast<std::size_t>(libpq().PQgetlength(m_result, m_row, column));
    if (libpq().PQftype(m_result, column) != 17)
      return {value, size};
    std::size_t length = 0;
    unsigned char* decoded =
        libpq().PQunescapeBytea(reinterpret_cast<const unsigned char*>(value), &length);
    m_blob.assign(reinterpret_cast<const char*>(decoded), length);
    libpq().PQfreemem(decoded);
    return m_blob;
  }

 private:
  std::optional<std::string>& slot(int index) {
    if (static_cast<std::size_t>(index) > m_parameters.size())
      m_parameters.resize(static_cast<std::size_t>(index));
    return m_parameters[static_cast<std::size_t>(index - 1)];
  }

  PGconn* m_connection;
  std::string m_sql;
  std::int64_t* m_changes;
  std::vector<std::optional<std::string>> m_parameters;
  PGresult* m_result = nullptr;
  int m_row = -1;
  mutable std::string m_blob;
};

} // namespace

PostgresConnection::PostgresConnection(const config::DatabaseUrl& url,
                                       const config::PostgresOptions& options,
                                       StatementObserver observer)
    : m_name(url.masked()), m_lock_timeout(options.lock_timeout) {
  set_observer(std::move(observer));
  m_connection = libpq().PQconnectdb(url.text().c_str());
  if (m_connection == nullptr)
    throw Error(ErrorKind::Database, "cannot connect to " + m_name + ": out of memory");
  if (libpq().PQstatus(m_connection) != CONNECTION_OK) {
    const std::string reason =
        without_password(config::mask_password(one_line(libpq().PQerrorMessage(m_connection))),
                         url_password(url.text()));
    libpq().PQfinish(m_connection);
    m_connection = nullptr;
    throw Error(ErrorKind::Database, "cannot connect to " + m_name + ": " + reason);
  }
  // Notices (e.g. "relation already exists, skipping") are not the user's business.
  libpq().PQsetNoticeProcessor(
      m_connection, [](void*, const char*) {}, nullptr);
  std::string setup = "SET client_min_messages = warning";
  if (!options.schema.empty())
    setup += "; SET search_path = " + util::sql_identifier(options.schema);
  try {
    execute(setup);
  } catch (const Error& error) {
    libpq().PQfinish(m_connection);
    m_connection = nullptr;
    throw Error(ErrorKind::Database, "cannot connect to " + m_name + ": " + error.message());
  }
  // A killed dbtool must not leave its statement running (and its migration lock
  // held) until the statement ends on its own: PostgreSQL 14+ then checks every
  // second that the client is still there. Older servers lack the setting.
  libpq().PQclear(libpq().PQexec(m_connection, "SET client_connection_check_interval = '1s'"));
  // Another session (not a dbtool run) may hold dbtool's version or history table, e.g.
  // LOCK TABLE in a transaction left open: dbtool's own statements wait for it no longer
  // than for another run's advisory lock, instead of for ever.
  set_lock_timeout(m_connection, lock_timeout_ms(m_lock_timeout));
}

PostgresConnection::~PostgresConnection() {
  if (m_connection != nullptr)
    libpq().PQfinish(m_connection); // the server releases the session's advisory lock
}

void PostgresConnection::fail(const std::string& message, int line) const {
  throw Error(ErrorKind::Database, message, {}, line);
}

void PostgresConnection::execute(std::string_view sql) {
  observe(sql);
  const std::string text(sql);
  const Result result(libpq().PQexec(m_connection, text.c_str()));
  if (!result.ok())
    fail(own_statement_message(result.result, m_name, m_lock_timeout));
  const char* tuples = libpq().PQcmdTuples(result.result);
  m_changes = tuples != nullptr && *tuples != '\0' ? std::strtoll(tuples, nullptr, 10) : 0;
}

void PostgresConnection::execute_script(std::string_view sql, int first_line,
                                        bool guard_transaction) {
  // dbtool's own statements wait --lock-timeout at most for another session's lock (see
  // the constructor), but a revision's (or model's) statements wait as the server's
  // settings say, as before: a table an application holds is not another run. When a
  // statement fails inside a transaction, the rollback restores the limit (SET is
  // transactional); the SET below covers the other cases.
  libpq().PQclear(libpq().PQexec(m_connection, "RESET lock_timeout"));
  struct RestoreLimit {
    PostgresConnection* self;
    ~RestoreLimit() { set_lock_timeout(self->m_connection, lock_timeout_ms(self->m_lock_timeout)); }
  } restore{this};
  // Lines are counted on from the previous statement: counting from the start of the
  // script for each statement was quadratic (a third of `check` on 500 tables).
  int line = first_line;
  std::size_t counted = 0;
  for (const auto& statement : split_postgres_script(sql)) {
    line += util::count_lines(sql.substr(counted, statement.offset - counted));
    counted = statement.offset;
    if (guard_transaction && in_transaction() && controls_transaction(statement.text))
      fail("transaction control statement in a transactional revision (set "
           "'-- transactional: false' in its header to manage transactions yourself)",
           line);
    observe(statement.text);
    const std::string text(statement.text);
    const Result result(libpq().PQexec(m_connection, text.c_str()));
    if (!result.ok())
      fail(server_message(result.result),
           line + line_of_position(statement.text, libpq().PQresultErrorField(
                                                       result.result, PG_DIAG_STATEMENT_POSITION)));
  }
}

Rows PostgresConnection::query(std::string_view sql) {
  observe(sql);
  const std::string text(sql);
  const Result result(libpq().PQexec(m_connection, text.c_str()));
  if (!result.ok())
    fail(own_statement_message(result.result, m_name, m_lock_timeout));
  Rows rows;
  const int count = libpq().PQntuples(result.result);
  const int columns = libpq().PQnfields(result.result);
  rows.reserve(static_cast<std::size_t>(count));
  for (int r = 0; r < count; ++r) {
    Row row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c)
      if (libpq().PQgetisnull(result.result, r, c))
        row.emplace_back(std::nullopt);
      else
        row.emplace_back(
            std::string(libpq().PQgetvalue(result.result, r, c),
                        static_cast<std::size_t>(libpq().PQgetlength(result.result, r, c))));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::unique_ptr<Statement> PostgresConnection::prepare(std::string_view sql) {
  observe(sql);
  return std::make_unique<PostgresStatement>(m_connection, std::string(sql), &m_changes);
}

std::int64_t PostgresConnection::changes() {
  return m_changes;
}

bool PostgresConnection::has_table(const std::string& name) {
  // The table as an unquoted name in the first schema of the search path that has it.
  const auto rows = query("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                          "ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND "
                          "c.relname = " +
                          util::sql_quote(name) + " AND n.nspname = ANY (current_schemas(false))");
  return !rows.empty();
}

void PostgresConnection::begin_write() {
  execute("BEGIN");
}

void PostgresConnection::commit() {
  execute("COMMIT");
}

void PostgresConnection::rollback() noexcept {
  if (m_connection != nullptr && in_transaction())
    libpq().PQclear(libpq().PQexec(m_connection, "ROLLBACK"));
}

bool PostgresConnection::in_transaction() const {
  return libpq().PQtransactionStatus(m_connection) != PQTRANS_IDLE;
}

// A session advisory lock: held across the run's transactions (and across the gaps
// of non-transactional revisions), released by unlock_run or by the server when the
// connection ends, also when the process is killed. pg_try_advisory_lock is polled
// so that the wait has dbtool's own timeout and message.
void PostgresConnection::lock_for_run(const std::string& name) {
  if (m_locked)
    return;
  m_lock_key = lock_key("dbtool:" + name);
  const std::string sql = "SELECT pg_try_advisory_lock(" + std::to_string(m_lock_key) + ")";
  const auto deadline = std::chrono::steady_clock::now() + m_lock_timeout;
  auto pause = std::chrono::milliseconds(5);
  while (true) {
    const auto rows = query(sql);
    if (!rows.empty() && rows[0].at(0) == std::optional<std::string>("t")) {
      m_locked = true;
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      fail(fmt::format("another dbtool run holds the migration lock of {} (waited {:g} s; "
                       "--lock-timeout or postgres.lock_timeout_s sets how long)",
                       m_name, static_cast<double>(m_lock_timeout.count()) / 1000.0));
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
}

void PostgresConnection::unlock_run() noexcept {
  if (!m_locked || m_connection == nullptr)
    return;
  m_locked = false;
  const std::string sql = "SELECT pg_advisory_unlock(" + std::to_string(m_lock_key) + ")";
  libpq().PQclear(libpq().PQexec(m_connection, sql.c_str()));
}

} // namespace dbtool::db
