#include "dbtool/data/dump.h"

#include "dbtool/data/postgres_dump.h"
#include "dbtool/data/value_codec.h"
#include "dbtool/error.h"
#include "dbtool/schema/sqlite_introspector.h"
#include "dbtool/schema/sqlite_renderer.h"
#include "dbtool/util/json_writer.h"
#include "dbtool/util/strings.h"
#include "dump_output.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace dbtool::data {

namespace {

using schema::quote_name;

using Output = DumpOutput;

struct TableInfo {
  std::string name;
  std::string create_sql;
  std::vector<std::string> columns; // dumped columns: stored ones, rowid first when kept
  std::vector<std::string> types;
  std::string order_by;
};

void append_integer(std::string& out, std::int64_t value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

std::vector<TableInfo> plan_tables(db::Connection& connection, const DumpOptions& options) {
  const schema::Schema model = schema::introspect_sqlite(connection);
  std::map<std::string, std::string> create_sql;
  for (const auto& row : connection.query(
           "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE "
           "'sqlite\\_%' ESCAPE '\\' AND sql NOT LIKE 'CREATE VIRTUAL%'"))
    create_sql[row.at(0).value_or("")] = row.at(1).value_or("");
  for (const auto& name : options.tables)
    if (model.tables.count(name) == 0 && !connection.has_table(name))
      throw Error(ErrorKind::Project, "no table '" + name + "' in the database");
  std::set<std::string> wanted(options.tables.begin(), options.tables.end());
  std::vector<TableInfo> tables;
  std::set<std::string> done;
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    const auto found = model.tables.find(name);
    if (found == model.tables.end() || create_sql.count(name) == 0 || !done.insert(name).second)
      return;
    for (const auto& key : found->second.foreign_keys)
      if (key.ref_table != name)
        visit(key.ref_table);
    if (!wanted.empty() && wanted.count(name) == 0)
      return;
    const schema::Table& table = found->second;
    TableInfo info;
    info.name = name;
    info.create_sql = create_sql[name];
    bool rowid_alias = false;
    for (const auto& column : table.columns)
      rowid_alias = rowid_alias || table.is_rowid_alias(column.name);
    const bool keep_rowid = !table.without_rowid && !rowid_alias && !table.find_column("rowid") &&
                            !table.find_column("oid") && !table.find_column("_rowid_");
    if (keep_rowid) {
      info.columns.push_back("rowid");
      info.types.push_back("INTEGER");
    }
    for (const auto& column : table.columns) {
      if (column.generated)
        continue; // computed on load, never data
      info.columns.push_back(column.name);
      info.types.push_back(column.type);
    }
    if (table.without_rowid && table.primary_key) {
      std::vector<std::string> keys;
      for (const auto& key : table.primary_key->columns)
        keys.push_back(quote_name(key));
      info.order_by = util::join(keys, ", ");
    } else {
      info.order_by = "rowid";
    }
    tables.push_back(std::move(info));
  };
  for (const auto& [name, table] : model.tables)
    visit(name);
  // Virtual tables (FTS5 and the like): their CREATE, and their rows through the
  // module, rowid first; their shadow tables are the module's business and stay out.
  for (const auto& row : connection.query("SELECT name FROM pragma_table_list WHERE schema = "
                                          "'main' AND type = 'virtual' ORDER BY name")) {
    const std::string name = row.at(0).value_or("");
    if (!wanted.empty() && wanted.count(name) == 0)
      continue;
    TableInfo info;
    info.name = name;
    for (const auto& sql :
         connection.query("SELECT sql FROM sqlite_schema WHERE name = " + util::sql_quote(name)))
      info.create_sql = sql.at(0).value_or("");
    info.columns.push_back("rowid");
    info.types.push_back("INTEGER");
    for (const auto& column : connection.query("SELECT name, type FROM pragma_table_info(" +
                                               util::sql_quote(name) + ")")) {
      info.columns.push_back(column.at(0).value_or(""));
      info.types.push_back(column.at(1).value_or(""));
    }
    info.order_by = "rowid";
    tables.push_back(std::move(info));
  }
  return tables;
}

// Streams one table's rows into OUT in FORMAT.
std::uint64_t dump_rows(db::Connection& connection, const TableInfo& table, DumpFormat format,
                        Output& out, std::uint64_t rows_before,
                        const std::function<void(std::uint64_t)>& on_progress) {
  std::vector<std::string> quoted;
  for (const auto& column : table.columns)
    quoted.push_back(column == "rowid" ? std::string("rowid") : quote_name(column));
  const std::string select = "SELECT " + util::join(quoted, ", ") + " FROM " +
                             quote_name(table.name) + " ORDER BY " + table.order_by;
  const std::string insert_prefix =
      "INSERT INTO " + quote_name(table.name) + " (" + util::join(quoted, ", ") + ") VALUES (";
  auto statement = connection.prepare(select);
  const int columns = statement->column_count();
  std::uint64_t rows = 0;
  while (statement->step()) {
    std::string& line = out.buffer();
    line += format == DumpFormat::Sql ? insert_prefix : std::string_view("[");
    for (int c = 0; c < columns; ++c) {
      if (c > 0)
        line += ',';
      switch (statement->type(c)) {
      case db::ValueType::Null:
        line += format == DumpFormat::Sql ? "NULL" : "null";
        break;
      case db::ValueType::Integer:
        append_integer(line, statement->integer(c));
        break;
      case db::ValueType::Real: {
        const double value = statement->real(c);
        if (format == DumpFormat::Jsonl && std::isinf(value))
          line += value > 0 ? "{\"$real\":\"Infinity\"}" : "{\"$real\":\"-Infinity\"}";
        else
          line += real_literal(value);
        break;
      }
      case db::ValueType::Text: {
        const auto text = statement->bytes(c);
        if (format == DumpFormat::Sql)
          append_sql_text(line, text);
        else if (is_plain_utf8(text))
          util::append_json_string(line, text);
        else // invalid UTF-8 or NUL bytes: the exact bytes, tagged
          line += "{\"$text\":\"" + base64_encode(text) + "\"}";
        break;
      }
      case db::ValueType::Blob:
        if (format == DumpFormat::Sql)
          append_sql_blob(line, statement->bytes(c));
        else
          line += "{\"$blob\":\"" + base64_encode(statement->bytes(c)) + "\"}";
        break;
      }
    }
    line += format == DumpFormat::Sql ? ");\n" : "]\n";
    out.maybe_flush();
    ++rows;
    if (on_progress && (rows & 0xFFFF) == 0)
      on_progress(rows_before + rows);
  }
  return rows;
}

} // namespace

DumpResult dump_database(db::Connection& connection, const DumpOptions& options, std::FILE* file) {
  if (connection.backend() == config::Backend::Postgres)
    return dump_postgres(connection, options, file);
  DumpResult result;
  Output out(file);
  // One read transaction: the dump is a consistent snapshot even while others write.
  const db::ReadTransaction snapshot(connection, "BEGIN");

  const auto tables = plan_tables(connection, options);
  const bool schema = !options.data_only;
  const bool data = !options.schema_only;
  result.tables = tables.size();
  std::set<std::string> names;
  for (const auto& table : tables)
    names.insert(table.name);

  if (options.format == DumpFormat::Sql) {
    out.buffer() += "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n";
    if (schema)
      for (const auto& table : tables)
        out.buffer() += table.create_sql + ";\n";
    if (data) {
      for (const auto& table : tables)
        result.rows +=
            dump_rows(connection, table, options.format, out, result.rows, options.on_progress);
      // AUTOINCREMENT counters, as sqlite3 .dump keeps them.
      if (connection.has_table("sqlite_sequence")) {
        bool first = true;
        for (const auto& row :
             connection.query("SELECT name, seq FROM sqlite_sequence ORDER BY name")) {
          if (names.count(row.at(0).value_or("")) == 0)
            continue;
          if (first)
            out.buffer() += "DELETE FROM sqlite_sequence;\n";
          first = false;
          out.buffer() += "INSERT INTO sqlite_sequence (name, seq) VALUES (";
          append_sql_text(out.buffer(), row.at(0).value_or(""));
          out.buffer() += ", " + row.at(1).value_or("0") + ");\n";
        }
      }
    }
    if (schema) {
      // Indexes, then triggers and views in creation order (a view may read another).
      const auto objects = connection.query(
          "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND type "
          "IN ('index', 'trigger', 'view') ORDER BY type <> 'index', CASE type WHEN 'index' "
          "THEN name END, rowid");
      for (const auto& row : objects) {
        const std::string type = row.at(0).value_or("");
        const std::string table = row.at(2).value_or("");
        if (type != "view" && names.count(table) == 0)
          continue;
        if (type == "view" && !options.tables.empty())
          continue;
        out.buffer() += row.at(3).value_or("") + ";\n";
      }
    }
    out.buffer() += "COMMIT;\n";
  } else {
    for (const auto& table : tables) {
      std::string& line = out.buffer();
      line += "{\"table\":";
      util::append_json_string(line, table.name);
      line += ",\"columns\":[";
      for (std::size_t i = 0; i < table.columns.size(); ++i) {
        line += i ? ",{\"name\":" : "{\"name\":";
        util::append_json_string(line, table.columns[i]);
        line += ",\"type\":";
        util::append_json_string(line, table.types[i]);
        line += "}";
      }
      line += "]}\n";
      if (data)
        result.rows +=
            dump_rows(connection, table, options.format, out, result.rows, options.on_progress);
    }
  }
  finish_dump(out, file, options, result.rows);
  return result;
}

namespace {

// The file a dump is written to before it is renamed into place. Removed when the
// object goes unless committed, so that no exception (a dbtool::Error, std::bad_alloc,
// one out of a progress callback) and no early return can leave a partial file.
class TemporaryDumpFile {
 public:
  explicit TemporaryDumpFile(const std::string& target) : m_path(target + ".tmp-XXXXXX") {
    const int descriptor = mkstemp(m_path.data());
    if (descriptor < 0)
      throw Error(ErrorKind::Database, std::string("cannot write: ") + std::strerror(errno),
                  target);
    m_created = true;
    // mkstemp makes the file private; give it the permissions a new file would get.
    const mode_t mask = umask(0);
    umask(mask);
    fchmod(descriptor, 0666 & ~mask);
    m_file = fdopen(descriptor, "wb");
    if (m_file == nullptr) {
      const int error = errno;
      ::close(descriptor);
      std::remove(m_path.c_str());
      m_created = false;
      throw Error(ErrorKind::Database, std::string("cannot write: ") + std::strerror(error),
                  target);
    }
  }
  ~TemporaryDumpFile() {
    if (m_file != nullptr)
      std::fclose(m_file);
    if (m_created)
      std::remove(m_path.c_str());
  }
  TemporaryDumpFile(const TemporaryDumpFile&) = delete;
  TemporaryDumpFile& operator=(const TemporaryDumpFile&) = delete;

  std::FILE* file() const { return m_file; }

  // Flushes the file to disk and renames it to TARGET; from then on it is the dump.
  void commit(const std::string& target) {
    int error = 0;
    if (fsync(fileno(m_file)) != 0)
      error = errno;
    if (std::fclose(m_file) != 0 && error == 0)
      error = errno;
    m_file = nullptr;
    if (error != 0)
      throw Error(ErrorKind::Database,
                  std::string("cannot write the dump: ") + std::strerror(error));
    if (std::rename(m_path.c_str(), target.c_str()) != 0)
      throw Error(ErrorKind::Database, std::string("cannot write: ") + std::strerror(errno),
                  target);
    m_created = false;
  }

 private:
  std::string m_path;
  std::FILE* m_file = nullptr;
  bool m_created = false;
};

} // namespace

DumpResult dump_database_to_file(db::Connection& connection, const DumpOptions& options,
                                 const std::filesystem::path& path) {
  const std::string target = path.string();
  TemporaryDumpFile temporary(target);
  try {
    const DumpResult result = dump_database(connection, options, temporary.file());
    temporary.commit(target);
    return result;
  } catch (const Error& error) {
    throw error.file().empty() ? error.at(target) : error;
  }
}

} // namespace dbtool::data
