#include "dbtool/data/postgres_dump.h"

#include "dbtool/schema/postgres_introspector.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/util/json_writer.h"
#include "dbtool/util/strings.h"
#include "dump_output.h"

#include <algorithm>
#include <map>
#include <set>

namespace dbtool::data {

namespace {

using schema::quote_postgres_name;

// Tables parents first (foreign keys), then by name; the requested ones only.
std::vector<const schema::Table*> ordered_tables(const schema::Schema& model,
                                                 const DumpOptions& options) {
  const auto& requested = options.tables;
  for (const auto& name : requested)
    if (model.tables.count(name) == 0)
      throw Error(ErrorKind::Project, "no table '" + name + "' in the database");
  const std::set<std::string> wanted(requested.begin(), requested.end());
  std::set<std::string> all;
  for (const auto& [name, table] : model.tables)
    all.insert(name);
  std::vector<const schema::Table*> tables;
  for (const auto& name : schema::parents_first(model, all))
    if ((wanted.empty() || wanted.count(name) != 0) && !left_out_of_dump(options, name, false))
      tables.push_back(&model.tables.at(name));
  return tables;
}

std::vector<const schema::Column*> stored_columns(const schema::Table& table) {
  std::vector<const schema::Column*> columns;
  for (const auto& column : table.columns)
    if (!column.generated)
      columns.push_back(&column); // generated ones are computed on load, never data
  return columns;
}

std::string order_by(const schema::Table& table) {
  if (!table.primary_key)
    return "t::text";
  std::vector<std::string> keys;
  for (const auto& column : table.primary_key->columns)
    keys.push_back("t." + quote_postgres_name(column));
  return util::join(keys, ", ");
}

// Streams SELECT_LIST of TABLE's rows through a cursor, calling ON_ROW for each.
void each_row(db::Connection& connection, const schema::Table& table,
              const std::string& select_list, const std::function<void(const db::Row&)>& on_row) {
  connection.execute("DECLARE dbtool_dump NO SCROLL CURSOR FOR SELECT " + select_list + " FROM " +
                     quote_postgres_name(table.name) + " t ORDER BY " + order_by(table));
  while (true) {
    const auto batch = connection.query("FETCH 5000 FROM dbtool_dump");
    for (const auto& row : batch)
      on_row(row);
    if (batch.size() < 5000)
      break;
  }
  connection.execute("CLOSE dbtool_dump");
}

// setval() statements that put every sequence where it is now: those of identity and
// serial columns, and the free ones.
std::string sequence_positions(db::Connection& connection, const schema::Schema& model,
                               const std::vector<const schema::Table*>& tables) {
  // SELECT setval(TARGET, its last value, whether it was used) for RELATION.
  auto setval = [&](const std::string& target, const std::string& relation) {
    const auto position = connection.query("SELECT last_value, is_called FROM " + relation);
    return "SELECT setval(" + target + ", " + position.at(0).at(0).value_or("1") + ", " +
           (position.at(0).at(1) == std::optional<std::string>("t") ? "true" : "false") + ");\n";
  };
  std::string sql;
  for (const auto* table : tables)
    for (const auto& column : table->columns) {
      const bool serial = column.default_sql && column.default_sql->rfind("nextval(", 0) == 0;
      if (column.identity.empty() && !serial)
        continue;
      const std::string sequence_of = "pg_get_serial_sequence(" +
                                      util::sql_quote(quote_postgres_name(table->name)) + ", " +
                                      util::sql_quote(column.name) + ")";
      // The sequence's name as a relation name, already quoted where it needs it.
      const auto sequence = connection.query("SELECT " + sequence_of).at(0).at(0);
      if (sequence)
        sql += setval(sequence_of, *sequence);
    }
  for (const auto& [name, sequence] : model.sequences)
    sql += setval(util::sql_quote(quote_postgres_name(name)), quote_postgres_name(name));
  return sql;
}

} // namespace

DumpResult dump_postgres(db::Connection& connection, const DumpOptions& options, std::FILE* file) {
  DumpResult result;
  DumpOutput out(file);
  const db::ReadTransaction snapshot(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  // Values as text that reads back exactly and the same whatever the session's
  // settings: ISO dates, UTC, every float digit.
  connection.execute("SET LOCAL datestyle = 'ISO, YMD'; SET LOCAL intervalstyle = 'postgres'; "
                     "SET LOCAL timezone = 'UTC'; SET LOCAL extra_float_digits = 3");
  // dbtool's own tables are data like any other in sql, as in a SQLite dump (jsonl
  // leaves them out: left_out_of_dump).
  // Rows alone (data-only, jsonl) need no table dbtool cannot migrate, unless one is
  // dumped: with --table, only those named are refused; without, any (a dump of
  // everything must not leave one out).
  const bool rows_only = options.data_only || options.format == DumpFormat::Jsonl;
  std::map<std::string, std::string> unsupported;
  const schema::Schema model =
      schema::introspect_postgres(connection, {}, rows_only ? &unsupported : nullptr);
  for (const auto& [name, refusal] : unsupported)
    if (options.tables.empty() ||
        std::find(options.tables.begin(), options.tables.end(), name) != options.tables.end())
      throw Error(ErrorKind::Project, refusal);
  const auto tables = ordered_tables(model, options);
  result.tables = tables.size();
  const bool with_schema = !options.data_only;
  const bool with_data = !options.schema_only;
  auto progress = [&](std::uint64_t rows) {
    if (options.on_progress && (rows & 0xFFFF) == 0)
      options.on_progress(rows);
  };

  if (options.format == DumpFormat::Sql) {
    schema::Schema selected = model;
    if (!options.tables.empty()) {
      selected = schema::Schema{};
      for (const auto* table : tables)
        selected.tables.emplace(table->name, *table);
    }
    const auto ddl = schema::render_postgres_ddl(selected);
    out.buffer() += "-- dbtool dump (PostgreSQL): psql -v ON_ERROR_STOP=1 -f this.sql\n"
                    "BEGIN;\nSET LOCAL check_function_bodies = false;\n";
    if (with_schema)
      out.buffer() += ddl.before_data;
    if (with_data) {
      for (const auto* table : tables) {
        const auto columns = stored_columns(*table);
        if (columns.empty())
          continue;
        std::vector<std::string> names, texts;
        bool always_identity = false;
        for (const auto* column : columns) {
          names.push_back(quote_postgres_name(column->name));
          texts.push_back("t." + quote_postgres_name(column->name) + "::text");
          always_identity = always_identity || column->identity == "ALWAYS";
        }
        const std::string prefix =
            "INSERT INTO " + quote_postgres_name(table->name) + " (" + util::join(names, ", ") +
            ")" + (always_identity ? " OVERRIDING SYSTEM VALUE" : "") + " VALUES (";
        each_row(connection, *table, util::join(texts, ", "), [&](const db::Row& row) {
          std::string& line = out.buffer();
          line += prefix;
          for (std::size_t c = 0; c < row.size(); ++c) {
            if (c > 0)
              line += ", ";
            line += row[c] ? util::sql_quote(*row[c]) : "NULL";
          }
          line += ");\n";
          out.maybe_flush();
          progress(++result.rows);
        });
      }
      out.buffer() += sequence_positions(connection, model, tables);
    }
    if (with_schema)
      out.buffer() += ddl.after_data;
    out.buffer() += "COMMIT;\n";
  } else {
    for (const auto* table : tables) {
      const auto columns = stored_columns(*table);
      std::string& header = out.buffer();
      header += "{\"table\":";
      util::append_json_string(header, table->name);
      header += ",\"columns\":[";
      std::vector<std::string> values;
      for (std::size_t i = 0; i < columns.size(); ++i) {
        header += i ? ",{\"name\":" : "{\"name\":";
        util::append_json_string(header, columns[i]->name);
        header += ",\"type\":";
        util::append_json_string(header, columns[i]->type);
        header += "}";
        values.push_back("t." + quote_postgres_name(columns[i]->name));
      }
      header += "]}\n";
      if (!with_data || columns.empty())
        continue;
      each_row(connection, *table, "json_build_array(" + util::join(values, ", ") + ")::text",
               [&](const db::Row& row) {
                 out.buffer() += row.at(0).value_or("[]");
                 out.buffer() += '\n';
                 out.maybe_flush();
                 progress(++result.rows);
               });
    }
  }
  finish_dump(out, file, options, result.rows);
  return result;
}

} // namespace dbtool::data
