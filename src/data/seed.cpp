#include "dbtool/data/seed.h"

#include "dbtool/data/value_codec.h"
#include "dbtool/error.h"
#include "dbtool/schema/introspector.h"
#include "dbtool/schema/postgres_introspector.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/schema/sqlite_renderer.h"
#include "dbtool/util/file_text.h"
#include "dbtool/util/strings.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <set>

namespace dbtool::data {

namespace fs = std::filesystem;
using nlohmann::json;
using schema::quote_name;

namespace {

// A value to bind, decoded from JSON (tagged objects carry blobs, raw text bytes and
// infinities).
struct Value {
  db::ValueType type = db::ValueType::Null;
  std::int64_t integer = 0;
  double real = 0;
  std::string bytes;
};

Value decode(const json& item, const std::string& where) {
  Value value;
  switch (item.type()) {
  case json::value_t::null:
    break;
  case json::value_t::boolean:
    value.type = db::ValueType::Integer;
    value.integer = item.get<bool>() ? 1 : 0;
    break;
  case json::value_t::number_integer:
    value.type = db::ValueType::Integer;
    value.integer = item.get<std::int64_t>();
    break;
  case json::value_t::number_unsigned: {
    const auto number = item.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      value.type = db::ValueType::Real;
      value.real = static_cast<double>(number);
    } else {
      value.type = db::ValueType::Integer;
      value.integer = static_cast<std::int64_t>(number);
    }
    break;
  }
  case json::value_t::number_float:
    value.type = db::ValueType::Real;
    value.real = item.get<double>();
    break;
  case json::value_t::string:
    value.type = db::ValueType::Text;
    value.bytes = item.get<std::string>();
    break;
  case json::value_t::object:
    if (item.size() == 1 && item.contains("$blob") && item["$blob"].is_string()) {
      value.type = db::ValueType::Blob;
      value.bytes = base64_decode(item["$blob"].get<std::string>(), where);
      break;
    }
    if (item.size() == 1 && item.contains("$text") && item["$text"].is_string()) {
      value.type = db::ValueType::Text;
      value.bytes = base64_decode(item["$text"].get<std::string>(), where);
      break;
    }
    if (item.size() == 1 && item.contains("$real") && item["$real"].is_string()) {
      const auto text = item["$real"].get<std::string>();
      if (text != "Infinity" && text != "-Infinity")
        throw Error(ErrorKind::Database, where + ": $real must be Infinity or -Infinity");
      value.type = db::ValueType::Real;
      value.real = text == "Infinity" ? std::numeric_limits<double>::infinity()
                                      : -std::numeric_limits<double>::infinity();
      break;
    }
    [[fallthrough]];
  default: // other objects and arrays: stored as their JSON text (json columns)
    value.type = db::ValueType::Text;
    value.bytes = item.dump();
    break;
  }
  return value;
}

void bind(db::Statement& statement, int index, const Value& value) {
  switch (value.type) {
  case db::ValueType::Null:
    statement.bind_null(index);
    break;
  case db::ValueType::Integer:
    statement.bind_integer(index, value.integer);
    break;
  case db::ValueType::Real:
    statement.bind_real(index, value.real);
    break;
  case db::ValueType::Text:
    statement.bind_text(index, value.bytes);
    break;
  case db::ValueType::Blob:
    statement.bind_blob(index, value.bytes);
    break;
  }
}

// Binds VALUES to the first parameters of STATEMENT, then the values at KEY_POSITIONS
// (the row's key, for a WHERE clause) to the ones after them.
void bind_row(db::Statement& statement, const std::vector<Value>& values,
              const std::vector<std::size_t>& key_positions) {
  for (std::size_t i = 0; i < values.size(); ++i)
    bind(statement, static_cast<int>(i + 1), values[i]);
  for (std::size_t k = 0; k < key_positions.size(); ++k)
    bind(statement, static_cast<int>(values.size() + k + 1), values[key_positions[k]]);
}

// Binds the values at ASSIGNED_POSITIONS (an UPDATE's SET), then those at KEY_POSITIONS
// (its WHERE clause).
void bind_update(db::Statement& statement, const std::vector<Value>& values,
                 const std::vector<std::size_t>& assigned_positions,
                 const std::vector<std::size_t>& key_positions) {
  int index = 0;
  for (const auto position : assigned_positions)
    bind(statement, ++index, values[position]);
  for (const auto position : key_positions)
    bind(statement, ++index, values[position]);
}

// How a value is adjusted for a PostgreSQL column, where values go as text typed by
// the column: what SQLite stores (jsonl of a SQLite dump) must read the same there.
enum class Conversion {
  None,
  Timestamp,   // timestamp: SQLite's unix-time integers as text
  TimestampTz, // timestamptz: SQLite's zone-less UTC text gets +00; unix time too
  Json,        // json: compared as text (json has no equality operator)
};

Conversion conversion_for(const std::string& postgres_type) {
  if (util::starts_with(postgres_type, "timestamp"))
    return postgres_type.find("with time zone") != std::string::npos ? Conversion::TimestampTz
                                                                     : Conversion::Timestamp;
  if (postgres_type == "json")
    return Conversion::Json;
  return Conversion::None;
}

// PostgreSQL: a serial column, an integer whose default takes the next value of a
// sequence (the sequence's owner is asked later: pg_get_serial_sequence).
bool takes_serial_default(const schema::Column& column) {
  static const std::set<std::string> integers = {"smallint", "integer", "bigint"};
  return column.default_sql && util::starts_with(*column.default_sql, "nextval(") &&
         integers.count(column.type) != 0;
}

// One table's columns, key and prepared statements (per set of columns a row gives),
// from the introspector's reading of the table (schema::introspect: the one reading of
// a table's shape that scan, dump and the differ use too).
class TableLoader {
 public:
  // HAS_ROWID: SQLite's rowid can be named (a rowid table, virtual ones included).
  TableLoader(db::Connection& connection, const schema::Table& table, bool has_rowid)
      : m_connection(connection), m_postgres(connection.backend() == config::Backend::Postgres),
        m_name(table.name), m_has_rowid(has_rowid) {
    for (const auto& column : table.columns) {
      if (column.generated) {
        m_generated.push_back(util::to_lower(column.name));
        continue;
      }
      m_columns[util::to_lower(column.name)] = column.name;
      if (!m_postgres)
        continue;
      m_conversions[column.name] = conversion_for(column.type);
      if (column.identity == "ALWAYS")
        m_always_identity.insert(column.name);
      if (!column.identity.empty() || takes_serial_default(column))
        m_sequenced.push_back(column.name);
    }
    if (table.primary_key)
      m_key = table.primary_key->columns;
  }

  // The table's own spelling of COLUMN; Error naming WHERE for an unknown one. nullopt
  // for SQLite's rowid where there is none (PostgreSQL, WITHOUT ROWID) and no column has
  // that name: a dump of a SQLite rowid table carries it, and its rows load without it.
  std::optional<std::string> column(const std::string& name, const std::string& where) const {
    const std::string lower = util::to_lower(name);
    const auto found = m_columns.find(lower);
    if (lower == "rowid" && (m_has_rowid || found == m_columns.end()))
      return m_has_rowid ? std::optional<std::string>("rowid") : std::nullopt;
    if (found == m_columns.end()) {
      const bool generated =
          std::find(m_generated.begin(), m_generated.end(), lower) != m_generated.end();
      throw Error(ErrorKind::Database, where + ", column '" + name + "': " +
                                           (generated ? "is generated and cannot be seeded"
                                                      : "no such column in table " + m_name));
    }
    return found->second;
  }

  struct Statements;
  // The prepared statements for rows that give COLUMNS; jsonl looks them up once per
  // header line, not once per row.
  Statements& statements_for(const std::vector<std::string>& columns);

  // Inserts, updates or leaves the row COLUMNS = VALUES; returns 'i', 'u' or '='.
  char upsert(Statements& statements, const std::vector<std::string>& columns,
              const std::vector<Value>& given) {
    const std::vector<Value>& values = m_postgres ? converted(statements, given) : given;
    // Try the insert first: into a table without the row it is the only statement.
    if (statements.insert) {
      bind_row(*statements.insert, values, {});
      statements.insert->step();
      const bool inserted = m_connection.changes() > 0;
      statements.insert->reset();
      if (inserted)
        return 'i';
    }
    // The row exists: compare in SQL (col IS ?, so that the column's affinity converts
    // the value as storing it would), and update only when something differs.
    bind_row(*statements.select, values, statements.key_positions);
    bool same = false;
    if (statements.select->step()) {
      same = statements.select->integer(0) == 1;
    } else if (!statements.insert) {
      statements.select->reset();
      // Not there by rowid or by all its columns: this row is new.
      auto& insert = plain_insert(columns);
      bind_row(*insert, values, {});
      insert->step();
      insert->reset();
      return 'i';
    }
    statements.select->reset();
    if (same || !statements.update)
      return '=';
    bind_update(*statements.update, values, statements.assigned_positions,
                statements.key_positions);
    statements.update->step();
    const bool updated = m_connection.changes() > 0;
    statements.update->reset();
    if (!updated)
      throw Error(ErrorKind::Database, "the row to update was not found");
    return 'u';
  }

  const std::string& name() const { return m_name; }

  // PostgreSQL: moves the sequence of each identity or serial column past the largest
  // value the column holds, as a dump's setval() does, so that the application's next
  // INSERT without a key does not collide with a seeded row. Never backwards (rows the
  // application inserted may be ahead of the seed's), and an empty column leaves the
  // sequence as it is. Returns how many sequences moved.
  std::size_t advance_sequences() {
    std::size_t moved = 0;
    for (const auto& column : m_sequenced) {
      // The owned sequence's name, quoted where it needs it; none for a default taken
      // from a sequence that the column does not own (another table's, a shared one).
      const auto sequence =
          m_connection
              .query("SELECT pg_get_serial_sequence(" + util::sql_quote(quoted(m_name)) + ", " +
                     util::sql_quote(column) + ")")
              .at(0)
              .at(0);
      if (!sequence)
        continue;
      const std::string literal = util::sql_quote(*sequence);
      // Past the largest value for an ascending sequence, the smallest for a
      // descending one; moved only when its next value would not be past it already.
      const std::string target = "(SELECT CASE WHEN p.seqincrement > 0 THEN max(" + quoted(column) +
                                 ") ELSE min(" + quoted(column) + ") END FROM " + quoted(m_name) +
                                 ")";
      moved += m_connection
                   .query("SELECT setval(" + literal + ", x.target) FROM (SELECT " + target +
                          " AS target, p.seqincrement AS step, s.last_value, s.is_called FROM " +
                          *sequence + " s, pg_catalog.pg_sequence p WHERE p.seqrelid = " + literal +
                          "::regclass) x WHERE x.target IS NOT NULL AND (CASE WHEN x.step > 0 "
                          "THEN x.target > x.last_value ELSE x.target < x.last_value END OR "
                          "(x.target = x.last_value AND NOT x.is_called))")
                   .size();
    }
    return moved;
  }

 public:
  struct Statements {
    std::unique_ptr<db::Statement> insert; // ON CONFLICT DO NOTHING; none without a key
    std::unique_ptr<db::Statement> select; // the stored row, by key
    std::unique_ptr<db::Statement> update;
    std::vector<std::size_t> key_positions;
    std::vector<std::size_t> assigned_positions; // the columns the update sets
    std::vector<Conversion> conversions;         // PostgreSQL: per column of the row
  };

 private:
  // VALUES as PostgreSQL should read them into the row's columns (a copy: PostgreSQL's
  // round trips dwarf it).
  const std::vector<Value>& converted(const Statements& statements,
                                      const std::vector<Value>& values) {
    m_converted = values;
    for (std::size_t i = 0; i < m_converted.size(); ++i) {
      Value& value = m_converted[i];
      const Conversion conversion = statements.conversions[i];
      std::optional<std::string> text;
      if (value.type == db::ValueType::Real)
        text = postgres_real_text(value.real);
      else if (value.type == db::ValueType::Integer &&
               (conversion == Conversion::Timestamp || conversion == Conversion::TimestampTz)) {
        text = unix_time_text(value.integer);
        if (text && conversion == Conversion::TimestampTz)
          *text += "+00";
      } else if (value.type == db::ValueType::Text && conversion == Conversion::TimestampTz)
        text = sqlite_timestamp_as_utc(value.bytes);
      if (text) {
        value.type = db::ValueType::Text;
        value.bytes = std::move(*text);
      }
    }
    return m_converted;
  }

  std::string quoted(const std::string& name) const {
    if (name == "rowid")
      return name;
    return m_postgres ? schema::quote_postgres_name(name) : quote_name(name);
  }

  // Parameter markers in order: ? for SQLite, $1, $2, ... for PostgreSQL.
  struct Markers {
    bool postgres;
    int count = 0;
    std::string next() { return postgres ? "$" + std::to_string(++count) : "?"; }
  };
  // "a IS ?": equal, NULL equal to NULL.
  std::string same_as(const std::string& column, Markers& markers) const {
    if (!m_postgres)
      return quoted(column) + " IS " + markers.next();
    const auto conversion = m_conversions.find(column);
    if (conversion != m_conversions.end() && conversion->second == Conversion::Json)
      return quoted(column) + "::text IS NOT DISTINCT FROM " + markers.next() + "::text";
    return quoted(column) + " IS NOT DISTINCT FROM " + markers.next();
  }

  std::unique_ptr<db::Statement>& plain_insert(const std::vector<std::string>& columns) {
    auto& statement = m_plain_inserts[util::join(columns, "\x1f")];
    if (!statement)
      statement = m_connection.prepare(insert_sql(columns));
    return statement;
  }

  std::string insert_sql(const std::vector<std::string>& columns) const {
    std::vector<std::string> names, marks;
    Markers markers{m_postgres};
    for (const auto& column : columns) {
      names.push_back(quoted(column));
      marks.push_back(markers.next());
    }
    // A GENERATED ALWAYS identity takes a given value only when told to (dump --format
    // sql writes the same).
    bool always_identity = false;
    for (const auto& column : columns)
      always_identity = always_identity || m_always_identity.count(column) != 0;
    return "INSERT INTO " + quoted(m_name) + " (" + util::join(names, ", ") + ")" +
           (always_identity ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (" +
           util::join(marks, ", ") + ")";
  }

  Statements& prepare_statements(const std::vector<std::string>& columns) {
    auto& statements = m_statements[util::join(columns, "\x1f")];
    if (statements.select)
      return statements;
    // The key: the primary key when the row gives all of it; else the rowid when
    // given; else every column the row gives.
    std::vector<std::string> key = m_key;
    auto position_of = [&](const std::string& name) -> std::optional<std::size_t> {
      for (std::size_t i = 0; i < columns.size(); ++i)
        if (util::to_lower(columns[i]) == util::to_lower(name))
          return i;
      return std::nullopt;
    };
    bool complete = !key.empty();
    for (const auto& name : key)
      complete = complete && position_of(name).has_value();
    if (!complete)
      key = position_of("rowid") ? std::vector<std::string>{"rowid"} : columns;
    for (const auto& column : columns) {
      const auto conversion = m_conversions.find(column);
      statements.conversions.push_back(conversion == m_conversions.end() ? Conversion::None
                                                                         : conversion->second);
    }
    std::vector<std::string> key_names;
    for (const auto& name : key) {
      statements.key_positions.push_back(*position_of(name));
      key_names.push_back(quoted(name));
    }
    // Markers number in binding order: the row's values, then its key (bind_row).
    auto where_key = [&](Markers& markers) {
      std::vector<std::string> conditions;
      for (const auto& name : key)
        conditions.push_back(same_as(name, markers));
      return util::join(conditions, " AND ");
    };
    Markers select_markers{m_postgres}, update_markers{m_postgres};
    std::vector<std::string> comparisons, assignments;
    for (const auto& column : columns) {
      comparisons.push_back("(" + same_as(column, select_markers) + ")");
      // A GENERATED ALWAYS identity cannot be updated, even to its own value; as part
      // of the key it is equal already. (Outside the key, PostgreSQL's refusal names
      // the row.)
      const bool in_key = std::find(key.begin(), key.end(), column) != key.end();
      if (m_always_identity.count(column) != 0 && in_key)
        continue;
      statements.assigned_positions.push_back(*position_of(column));
      assignments.push_back(quoted(column) + " = " + update_markers.next());
    }
    // Insert-first only with the primary key as the conflict target: a clash on any
    // other UNIQUE constraint must fail, not vanish.
    if (complete)
      statements.insert = m_connection.prepare(insert_sql(columns) + " ON CONFLICT (" +
                                               util::join(key_names, ", ") + ") DO NOTHING");
    statements.select =
        m_connection.prepare("SELECT " + util::join(comparisons, " AND ") + " FROM " +
                             quoted(m_name) + " WHERE " + where_key(select_markers) + " LIMIT 1");
    // Nothing to assign when every column is a key column that cannot change: a row
    // found by its key is then equal to it, and never updated.
    if (!assignments.empty())
      statements.update = m_connection.prepare("UPDATE " + quoted(m_name) + " SET " +
                                               util::join(assignments, ", ") + " WHERE " +
                                               where_key(update_markers));
    return statements;
  }

  db::Connection& m_connection;
  bool m_postgres;
  std::string m_name;
  bool m_has_rowid;
  std::map<std::string, std::string> m_columns;    // lower-cased -> spelling
  std::map<std::string, Conversion> m_conversions; // PostgreSQL: by spelling
  std::vector<std::string> m_generated;
  std::set<std::string> m_always_identity; // PostgreSQL: GENERATED ALWAYS AS IDENTITY
  std::vector<std::string> m_sequenced;    // PostgreSQL: identity and serial columns
  std::vector<std::string> m_key;
  std::vector<Value> m_converted;
  std::map<std::string, Statements> m_statements;
  std::map<std::string, std::unique_ptr<db::Statement>> m_plain_inserts;
};

TableLoader::Statements& TableLoader::statements_for(const std::vector<std::string>& columns) {
  return prepare_statements(columns);
}

class Seeder {
 public:
  explicit Seeder(db::Connection& connection) : m_connection(connection) {}

  TableLoader& table(const std::string& name) {
    auto& loader = m_tables[name];
    if (!loader)
      loader = make_loader(name);
    return *loader;
  }

  // WHERE makes the row's location text only when an error needs it.
  template <typename Where>
  void row(TableLoader& table, TableLoader::Statements& statements,
           const std::vector<std::string>& columns, const std::vector<Value>& values,
           const Where& where) {
    char outcome;
    try {
      outcome = table.upsert(statements, columns, values);
    } catch (const Error& error) {
      throw Error(ErrorKind::Database, where() + ": " + error.message());
    }
    if (outcome == 'i')
      ++m_result.inserted;
    else if (outcome == 'u')
      ++m_result.updated;
    else
      ++m_result.unchanged;
  }

  // An object row: column -> value.
  void object_row(TableLoader& table, const json& row, const std::string& where) {
    if (!row.is_object())
      throw Error(ErrorKind::Database, where + ": a row must be an object of column values");
    std::vector<std::string> columns;
    std::vector<Value> values;
    for (const auto& [name, item] : row.items()) {
      auto column = table.column(name, where);
      if (!column)
        continue; // SQLite's rowid, where the table has none
      columns.push_back(std::move(*column));
      values.push_back(decode(item, where + ", column '" + name + "'"));
    }
    if (columns.empty())
      throw Error(ErrorKind::Database, where + ": an empty row");
    this->row(table, table.statements_for(columns), columns, values, [&] { return where; });
  }

  SeedResult& result() { return m_result; }

  // PostgreSQL: the identity and serial sequences of every table a file named.
  void advance_sequences() {
    for (auto& [name, table] : m_tables)
      m_result.sequences_advanced += table->advance_sequences();
  }

 private:
  std::unique_ptr<TableLoader> make_loader(const std::string& name) {
    const bool postgres = m_connection.backend() == config::Backend::Postgres;
    // Read once, on the first table a file names: one snapshot of every table's shape.
    // A PostgreSQL table dbtool does not migrate (partitioned, RLS, ...) is refused
    // only when a file names it.
    if (!m_schema)
      m_schema = postgres ? schema::introspect_postgres(m_connection, {}, &m_unsupported)
                          : schema::introspect(m_connection);
    if (const auto refused = m_unsupported.find(name); refused != m_unsupported.end())
      throw Error(ErrorKind::Project, refused->second);
    // PostgreSQL's names are exact; SQLite finds a table without regard to case.
    const auto exact = m_schema->tables.find(name);
    const schema::Table* table = exact != m_schema->tables.end() ? &exact->second
                                 : postgres                      ? nullptr
                                                                 : m_schema->find_table(name);
    if (table != nullptr)
      return std::make_unique<TableLoader>(m_connection, *table,
                                           !postgres && !table->without_rowid);
    if (!postgres)
      if (const auto virtual_table = sqlite_virtual_table(name))
        return std::make_unique<TableLoader>(m_connection, *virtual_table, true);
    throw Error(ErrorKind::Project, "no table '" + name + "' in the database");
  }

  // A virtual table (FTS5 and the like), which the schema model leaves to its module:
  // its columns as the module declares them, and its rowid, as dump writes them.
  std::optional<schema::Table> sqlite_virtual_table(const std::string& name) {
    const auto found =
        m_connection.query("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = "
                           "'virtual' AND name = " +
                           util::sql_quote(name) + " COLLATE NOCASE");
    if (found.empty())
      return std::nullopt;
    schema::Table table;
    table.name = found[0].at(0).value_or(name);
    for (const auto& row : m_connection.query("SELECT name, type FROM pragma_table_info(" +
                                              util::sql_quote(table.name) + ")")) {
      schema::Column column;
      column.name = row.at(0).value_or("");
      column.type = row.at(1).value_or("");
      table.columns.push_back(std::move(column));
    }
    return table;
  }

  db::Connection& m_connection;
  std::optional<schema::Schema> m_schema;
  std::map<std::string, std::string> m_unsupported; // PostgreSQL: refusals by table name
  std::map<std::string, std::unique_ptr<TableLoader>> m_tables;
  SeedResult m_result;
};

json parse_seed_json(const std::string& text, const std::string& file) {
  try {
    return json::parse(text);
  } catch (const json::exception& error) { // a syntax error, or a number out of range
    throw Error(ErrorKind::Project, std::string("invalid JSON: ") + error.what(), file);
  }
}

// The blocks of a JSON seed file: the document's elements, or the document itself.
template <typename Visit> void each_block(const json& document, Visit visit) {
  if (!document.is_array()) {
    visit(document);
    return;
  }
  for (const auto& block : document)
    visit(block);
}

void seed_json(Seeder& seeder, const json& document, const std::string& file) {
  each_block(document, [&](const json& block) {
    if (!block.is_object() || !block.contains("table") || !block["table"].is_string() ||
        !block.contains("rows") || !block["rows"].is_array())
      throw Error(ErrorKind::Project,
                  "expected {\"table\": name, \"rows\": [...]} (or a list of them)", file);
    TableLoader& table = seeder.table(block["table"].get<std::string>());
    const json& rows = block["rows"];
    for (std::size_t r = 0; r < rows.size(); ++r)
      seeder.object_row(table, rows[r],
                        file + ": table " + table.name() + ", row " + std::to_string(r + 1));
  });
}

// Reads a row line "[v, v, {"$blob": "..."}, ...]" straight into reused values,
// without building a JSON tree: the common case of dump's jsonl, millions of times.
// Anything else (a header, an object row, a nested value) sets FALLBACK, and the
// caller parses the line as a whole.
class RowReader : public nlohmann::json_sax<json> {
 public:
  std::vector<Value> values;
  std::size_t count = 0;
  bool fallback = false;

  bool read(const std::string& line) {
    count = 0;
    fallback = false;
    m_depth = 0;
    m_tag.clear();
    return json::sax_parse(line, this) && !fallback;
  }

  bool null() override { return scalar().type = db::ValueType::Null, true; }
  bool boolean(bool value) override {
    Value& slot = scalar();
    slot.type = db::ValueType::Integer;
    slot.integer = value ? 1 : 0;
    return true;
  }
  bool number_integer(number_integer_t value) override {
    Value& slot = scalar();
    slot.type = db::ValueType::Integer;
    slot.integer = value;
    return true;
  }
  bool number_unsigned(number_unsigned_t value) override {
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return give_up();
    return number_integer(static_cast<std::int64_t>(value));
  }
  bool number_float(number_float_t value, const string_t&) override {
    Value& slot = scalar();
    slot.type = db::ValueType::Real;
    slot.real = value;
    return true;
  }
  bool string(string_t& value) override {
    if (m_depth == 2) { // the value of a tagged object
      Value& slot = next_slot();
      if (m_tag == "$blob" || m_tag == "$text") {
        slot.type = m_tag == "$blob" ? db::ValueType::Blob : db::ValueType::Text;
        slot.bytes = base64_decode(value, "a tagged value");
      } else if (m_tag == "$real" && (value == "Infinity" || value == "-Infinity")) {
        slot.type = db::ValueType::Real;
        slot.real = value == "Infinity" ? std::numeric_limits<double>::infinity()
                                        : -std::numeric_limits<double>::infinity();
      } else {
        return give_up();
      }
      m_tag = "done";
      return true;
    }
    Value& slot = scalar();
    slot.type = db::ValueType::Text;
    slot.bytes.swap(value);
    return true;
  }
  bool binary(binary_t&) override { return give_up(); }
  bool start_object(std::size_t) override {
    if (m_depth != 1)
      return give_up();
    m_depth = 2;
    m_tag.clear();
    return true;
  }
  bool key(string_t& value) override {
    if (m_depth != 2 || !m_tag.empty())
      return give_up();
    m_tag = value;
    return true;
  }
  bool end_object() override {
    if (m_tag != "done")
      return give_up();
    m_depth = 1;
    return true;
  }
  bool start_array(std::size_t) override {
    if (m_depth != 0)
      return give_up();
    m_depth = 1;
    return true;
  }
  bool end_array() override {
    m_depth = 0;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  bool give_up() {
    fallback = true;
    return false;
  }
  Value& next_slot() {
    if (count == values.size())
      values.emplace_back();
    return values[count++];
  }
  Value& scalar() {
    if (m_depth != 1) { // a bare scalar line, or inside an object: not a row
      fallback = true;
      static Value ignored;
      return ignored;
    }
    return next_slot();
  }

  int m_depth = 0;
  std::string m_tag;
};

void seed_jsonl(Seeder& seeder, std::istream& in, const std::string& file) {
  TableLoader* table = nullptr;
  TableLoader::Statements* statements = nullptr;
  std::vector<std::string> columns; // the table's columns the header names
  std::vector<std::size_t> kept;    // where each of them is in a row line
  std::size_t width = 0;            // values in a row line
  std::string line;
  RowReader reader;
  std::vector<Value> values;
  for (int number = 1; std::getline(in, line); ++number) {
    if (util::trim(line).empty())
      continue;
    auto where = [&] { return file + ":" + std::to_string(number); };
    auto row_where = [&] { return where() + ": table " + table->name() + ", row"; };
    auto wrong_width = [&] {
      return Error(ErrorKind::Database,
                   row_where() + ": expected an array of " + std::to_string(width) + " values");
    };
    bool plain_row = false;
    if (table != nullptr) {
      try {
        plain_row = reader.read(line);
      } catch (const Error& error) { // a tagged value that is not base64
        throw Error(error.kind(), error.message(), file, number);
      }
    }
    if (plain_row) {
      if (reader.count != width)
        throw wrong_width();
      reader.values.resize(width);
      if (kept.size() == width) {
        seeder.row(*table, *statements, columns, reader.values, row_where);
      } else { // a column left out (SQLite's rowid where there is none)
        values.resize(kept.size());
        for (std::size_t i = 0; i < kept.size(); ++i)
          values[i] = std::move(reader.values[kept[i]]);
        seeder.row(*table, *statements, columns, values, row_where);
      }
      continue;
    }
    // Not a plain row (or not valid JSON): the whole-document parser says which.
    json item;
    try {
      item = json::parse(line);
    } catch (const json::exception& error) { // a syntax error, or a number out of range
      throw Error(ErrorKind::Project, std::string("invalid JSON: ") + error.what(), file, number);
    }
    if (item.is_object() && item.contains("table") && item.contains("columns")) {
      if (!item["table"].is_string() || !item["columns"].is_array())
        throw Error(ErrorKind::Project, "a header line is {\"table\", \"columns\"}", file, number);
      table = &seeder.table(item["table"].get<std::string>());
      columns.clear();
      kept.clear();
      width = item["columns"].size();
      for (std::size_t i = 0; i < width; ++i) {
        const json& column = item["columns"][i];
        const json name = column.is_object() ? column.value("name", json()) : column;
        if (!name.is_string())
          throw Error(ErrorKind::Project, "a column is a name or {\"name\", \"type\"}", file,
                      number);
        if (auto spelling = table->column(name.get<std::string>(), where())) {
          columns.push_back(std::move(*spelling));
          kept.push_back(i);
        }
      }
      if (columns.empty())
        throw Error(ErrorKind::Project, "a header line names no column of table " + table->name(),
                    file, number);
      statements = &table->statements_for(columns);
      continue;
    }
    if (table == nullptr)
      throw Error(ErrorKind::Project, "a row before any {\"table\", \"columns\"} line", file,
                  number);
    if (item.is_object()) {
      seeder.object_row(*table, item, row_where());
      continue;
    }
    if (!item.is_array() || item.size() != width)
      throw wrong_width();
    values.clear();
    for (std::size_t i = 0; i < kept.size(); ++i)
      values.push_back(decode(item[kept[i]], row_where() + ", column '" + columns[i] + "'"));
    seeder.row(*table, *statements, columns, values, row_where);
  }
  if (in.bad())
    throw Error(ErrorKind::Project, "cannot read seed file", file);
}

// A seed file that is a folder is named as one (reading it would say "Is a directory").
void refuse_folder(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw Error(ErrorKind::Project, "cannot read seed file: it is a folder", path.string());
}

// A jsonl seed file, opened to stream line by line.
std::ifstream open_seed_file(const fs::path& path) {
  refuse_folder(path);
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ErrorKind::Project,
                std::string("cannot read seed file") +
                    (errno != 0 ? std::string(": ") + std::strerror(errno) : std::string()),
                path.string());
  return in;
}

// A JSON seed file's whole text.
std::string read_seed_file(const fs::path& path) {
  refuse_folder(path);
  return util::read_file(path, "seed file");
}

// The project's version and history tables, which seed refuses: their rows say which
// revisions ran on a database, and copied from another database they would move this
// one to another revision. Names match as the backend matches them (SQLite: without
// regard to ASCII case).
class OwnTables {
 public:
  OwnTables(const SeedOptions& options, bool postgres)
      : m_postgres(postgres), m_version(fold(options.version_table)),
        m_history(fold(options.history_table)) {}

  // Error(Project) at FILE and LINE when TABLE is one of them.
  void check(const std::string& table, const std::string& file, int line = 0) const {
    const std::string name = fold(table);
    if (!m_version.empty() && name == m_version)
      throw Error(ErrorKind::Project,
                  "table '" + table +
                      "' is the project's version table, not fixture data: seeding it would "
                      "move the database to another revision (dbtool stamp sets the revision)",
                  file, line);
    if (!m_history.empty() && name == m_history)
      throw Error(ErrorKind::Project,
                  "table '" + table +
                      "' is the project's history table, not fixture data: its rows record "
                      "what ran on this database",
                  file, line);
  }

 private:
  std::string fold(const std::string& name) const {
    return m_postgres ? name : util::to_lower(name);
  }

  bool m_postgres;
  std::string m_version;
  std::string m_history;
};

// The "table" names of a JSON seed file's blocks, read as the text streams past (SAX)
// without building the document: the own-table check reads every file before anything
// is written, and the trees of all the files at once would cost the sum of their sizes.
// A block's name is its last "table" key's (nlohmann's tree keeps the last), when that
// is a string.
class BlockTables : public nlohmann::json_sax<json> {
 public:
  std::vector<std::string> names;

  bool null() override { return scalar(std::nullopt); }
  bool boolean(bool) override { return scalar(std::nullopt); }
  bool number_integer(number_integer_t) override { return scalar(std::nullopt); }
  bool number_unsigned(number_unsigned_t) override { return scalar(std::nullopt); }
  bool number_float(number_float_t, const string_t&) override { return scalar(std::nullopt); }
  bool string(string_t& value) override { return scalar(value); }
  bool binary(binary_t&) override { return scalar(std::nullopt); }
  bool start_object(std::size_t) override { return open('o'); }
  bool start_array(std::size_t) override { return open('a'); }
  bool key(string_t& key) override {
    m_table_next = in_block() && key == "table";
    return true;
  }
  bool end_object() override {
    if (in_block() && m_table)
      names.push_back(std::move(*m_table));
    return close();
  }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  // Whether the innermost open value is a block: the document, or an element of the
  // document's list.
  bool in_block() const {
    return m_open == std::string_view("o") || m_open == std::string_view("ao");
  }
  bool scalar(std::optional<std::string> value) {
    if (m_table_next)
      m_table = std::move(value);
    m_table_next = false;
    return true;
  }
  bool open(char kind) {
    scalar(std::nullopt); // a "table" that is an object or a list names nothing
    m_open += kind;
    if (in_block())
      m_table.reset();
    return true;
  }
  bool close() {
    m_open.pop_back();
    return true;
  }

  std::string m_open; // the open values, outermost first: 'o' object, 'a' array
  bool m_table_next = false;
  std::optional<std::string> m_table;
};

// Reads the tables FILES name and refuses the project's own before anything is written
// (or locked). A JSON file is read through BlockTables; a jsonl file, which can be a
// large dump, has only its object lines parsed (the headers; rows are arrays). What
// cannot be parsed is left to the load, which names the line.
void refuse_own_tables(const std::vector<fs::path>& files, const OwnTables& own) {
  for (const auto& path : files) {
    const std::string file = path.string();
    if (path.extension() != ".jsonl") {
      BlockTables tables;
      if (json::sax_parse(read_seed_file(path), &tables))
        for (const auto& name : tables.names)
          own.check(name, file);
      continue;
    }
    auto in = open_seed_file(path);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      const auto start = line.find_first_not_of(" \t\r");
      if (start == std::string::npos || line[start] != '{')
        continue;
      const json item = json::parse(line, nullptr, false);
      if (item.is_object() && item.contains("columns") && item.contains("table") &&
          item["table"].is_string())
        own.check(item["table"].get<std::string>(), file, number);
    }
  }
}

} // namespace

std::vector<fs::path> seed_files_in(const fs::path& folder) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(folder, ec))
    throw Error(ErrorKind::Project, "seeds folder not found", folder.string());
  fs::directory_iterator entry(folder, ec);
  for (; !ec && entry != fs::directory_iterator(); entry.increment(ec)) {
    const auto extension = entry->path().extension();
    std::error_code type_error;
    if ((extension == ".json" || extension == ".jsonl") && entry->is_regular_file(type_error))
      files.push_back(entry->path());
  }
  if (ec)
    throw Error(ErrorKind::Project, "cannot list the seeds folder: " + ec.message(),
                folder.string());
  std::sort(files.begin(), files.end());
  return files;
}

SeedResult seed_database(db::Connection& connection, const std::vector<fs::path>& files,
                         const SeedOptions& options) {
  refuse_own_tables(files, OwnTables(options, connection.backend() == config::Backend::Postgres));
  db::WriteTransaction transaction(connection);
  Seeder seeder(connection);
  for (const auto& path : files) {
    const std::string file = path.string();
    if (path.extension() == ".jsonl") {
      auto in = open_seed_file(path);
      seed_jsonl(seeder, in, file);
    } else {
      seed_json(seeder, parse_seed_json(read_seed_file(path), file), file);
    }
    ++seeder.result().files;
  }
  if (connection.backend() == config::Backend::Postgres) {
    // PostgreSQL never rolls a sequence back: deferred constraints are checked first, so
    // that a row they refuse fails the seed before any sequence moves.
    try {
      connection.execute("SET CONSTRAINTS ALL IMMEDIATE");
    } catch (const Error& error) {
      throw error.prefixed("checking the deferred constraints of the seeded rows: ");
    }
    seeder.advance_sequences();
  }
  transaction.commit();
  return seeder.result();
}

} // namespace dbtool::data
