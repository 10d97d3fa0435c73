#include "dbtool/schema/postgres_renderer.h"

#include "dbtool/util/strings.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace dbtool::schema {

namespace {

// PostgreSQL's reserved keywords and those that cannot name a table or column
// without quotes (pg_get_keywords() with catcode R or T).
constexpr std::array<std::string_view, 101> reserved_words = {"all",
                                                              "analyse",
                                                              "analyze",
                                                              "and",
                                                              "any",
                                                              "array",
                                                              "as",
                                                              "asc",
                                                              "asymmetric",
                                                              "authorization",
                                                              "binary",
                                                              "both",
                                                              "case",
                                                              "cast",
                                                              "check",
                                                              "collate",
                                                              "collation",
                                                              "column",
                                                              "concurrently",
                                                              "constraint",
                                                              "create",
                                                              "cross",
                                                              "current_catalog",
                                                              "current_date",
                                                              "current_role",
                                                              "current_schema",
                                                              "current_time",
                                                              "current_timestamp",
                                                              "current_user",
                                                              "default",
                                                              "deferrable",
                                                              "desc",
                                                              "distinct",
                                                              "do",
                                                              "else",
                                                              "end",
                                                              "except",
                                                              "false",
                                                              "fetch",
                                                              "for",
                                                              "foreign",
                                                              "freeze",
                                                              "from",
                                                              "full",
                                                              "grant",
                                                              "group",
                                                              "having",
                                                              "ilike",
                                                              "in",
                                                              "initially",
                                                              "inner",
                                                              "intersect",
                                                              "into",
                                                              "is",
                                                              "isnull",
                                                              "join",
                                                              "lateral",
                                                              "leading",
                                                              "left",
                                                              "like",
                                                              "limit",
                                                              "localtime",
                                                              "localtimestamp",
                                                              "natural",
                                                              "not",
                                                              "notnull",
                                                              "null",
                                                              "offset",
                                                              "on",
                                                              "only",
                                                              "or",
                                                              "order",
                                                              "outer",
                                                              "overlaps",
                                                              "placing",
                                                              "primary",
                                                              "references",
                                                              "returning",
                                                              "right",
                                                              "select",
                                                              "session_user",
                                                              "similar",
                                                              "some",
                                                              "symmetric",
                                                              "system_user",
                                                              "table",
                                                              "tablesample",
                                                              "then",
                                                              "to",
                                                              "trailing",
                                                              "true",
                                                              "union",
                                                              "unique",
                                                              "user",
                                                              "using",
                                                              "variadic",
                                                              "verbose",
                                                              "when",
                                                              "where",
                                                              "window",
                                                              "with"};

std::string q(const std::string& name) {
  return quote_postgres_name(name);
}

std::string name_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names)
    out += (out.empty() ? "" : ", ") + q(name);
  return out;
}

// A serial column: an integer whose default takes from a sequence it owns (the
// sequence is not in the model; "serial" makes PostgreSQL create it again).
std::optional<std::string> serial_type(const Column& column, const Schema& schema) {
  if (!column.default_sql || column.default_sql->rfind("nextval('", 0) != 0)
    return std::nullopt;
  const auto end = column.default_sql->find('\'', 9);
  std::string sequence = column.default_sql->substr(9, end - 9);
  if (!sequence.empty() && sequence.front() == '"')
    sequence = sequence.substr(1, sequence.size() - 2);
  if (schema.sequences.count(sequence) != 0)
    return std::nullopt;
  if (column.type == "integer")
    return "serial";
  if (column.type == "bigint")
    return "bigserial";
  if (column.type == "smallint")
    return "smallserial";
  return std::nullopt;
}

} // namespace

std::string render_postgres_column(const Column& column, const Schema& schema) {
  const auto serial = serial_type(column, schema);
  std::string item = q(column.name) + " " + serial.value_or(column.type);
  if (!column.collation.empty())
    item += " COLLATE " + util::sql_identifier(column.collation);
  if (!column.identity.empty())
    item += " GENERATED " + column.identity + " AS IDENTITY";
  if (column.generated)
    item += " GENERATED ALWAYS AS (" + *column.generated + ") STORED";
  if (column.default_sql && !serial)
    item += " DEFAULT " + *column.default_sql;
  if (column.not_null)
    item += " NOT NULL";
  return item;
}

std::string render_postgres_index(const Table& table, const Index& index) {
  std::string keys;
  for (const auto& key : index.keys) {
    keys += keys.empty() ? "" : ", ";
    keys += key.expression.empty() ? q(key.column) : "(" + key.expression + ")";
    if (!key.collation.empty())
      keys += " COLLATE " + util::sql_identifier(key.collation);
    if (!key.opclass.empty())
      keys += " " + key.opclass;
    if (key.descending)
      keys += " DESC";
    if (!key.nulls.empty())
      keys += " NULLS " + key.nulls;
  }
  return std::string("CREATE ") + (index.unique ? "UNIQUE " : "") + "INDEX " + q(index.name) +
         " ON " + q(table.name) + (index.method.empty() ? "" : " USING " + index.method) + " (" +
         keys + ")" + (index.where ? " WHERE " + *index.where : "") + ";\n";
}

namespace {

std::string constraint(const std::string& name) {
  return name.empty() ? std::string() : "CONSTRAINT " + q(name) + " ";
}

} // namespace

std::string render_postgres_primary_key(const PrimaryKey& key) {
  return constraint(key.name) + "PRIMARY KEY (" + name_list(key.columns) + ")";
}

std::string render_postgres_unique(const UniqueConstraint& unique) {
  return constraint(unique.name) + "UNIQUE (" + name_list(unique.columns) + ")";
}

std::string render_postgres_check(const CheckConstraint& check) {
  return constraint(check.name) + "CHECK (" + check.expression + ")";
}

std::string render_postgres_exclusion(const ExclusionConstraint& exclusion) {
  return constraint(exclusion.name) + exclusion.definition;
}

std::string render_postgres_foreign_key(const Table& table, const ForeignKey& key) {
  return "ALTER TABLE " + q(table.name) + " ADD " + constraint(key.name) + "FOREIGN KEY (" +
         name_list(key.columns) + ") REFERENCES " + q(key.ref_table) +
         (key.ref_columns.empty() ? "" : " (" + name_list(key.ref_columns) + ")") +
         (key.on_update == "NO ACTION" ? "" : " ON UPDATE " + key.on_update) +
         (key.on_delete == "NO ACTION" ? "" : " ON DELETE " + key.on_delete) +
         (key.deferrable ? " DEFERRABLE INITIALLY DEFERRED" : "") + ";\n";
}

std::string render_postgres_create_table(const Table& table, const Schema& schema) {
  std::vector<std::string> items;
  for (const auto& column : table.columns)
    items.push_back(render_postgres_column(column, schema));
  if (table.primary_key)
    items.push_back(render_postgres_primary_key(*table.primary_key));
  for (const auto& unique : table.unique_constraints)
    items.push_back(render_postgres_unique(unique));
  for (const auto& check : table.checks)
    items.push_back(render_postgres_check(check));
  for (const auto& exclusion : table.exclusions)
    items.push_back(render_postgres_exclusion(exclusion));
  return "CREATE TABLE " + q(table.name) + " (\n  " + util::join(items, ",\n  ") + "\n);\n";
}

std::string render_postgres_view(const View& view) {
  return std::string("CREATE ") + (view.materialized ? "MATERIALIZED " : "") + "VIEW " +
         q(view.name) + " AS\n" + view.sql + ";\n";
}

std::string quote_postgres_name(const std::string& name) {
  bool plain = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char c : name)
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$');
  if (plain &&
      std::find(reserved_words.begin(), reserved_words.end(), name) == reserved_words.end())
    return name;
  return util::sql_identifier(name);
}

std::string render_postgres_schema(const Schema& schema) {
  auto ddl = render_postgres_ddl(schema);
  return ddl.before_data + ddl.after_data;
}

PostgresDdl render_postgres_ddl(const Schema& schema) {
  std::string sql;
  for (const auto& [name, type] : schema.enums) {
    std::string values;
    for (const auto& value : type.values)
      values += (values.empty() ? "" : ", ") + util::sql_quote(value);
    sql += "CREATE TYPE " + q(name) + " AS ENUM (" + values + ");\n";
  }
  for (const auto& [name, domain] : schema.domains)
    sql += "CREATE DOMAIN " + q(name) + " AS " + domain.definition + ";\n";
  for (const auto& [name, sequence] : schema.sequences)
    sql += "CREATE SEQUENCE " + q(name) + " AS " + sequence.type + " START WITH " +
           std::to_string(sequence.start) + " INCREMENT BY " + std::to_string(sequence.increment) +
           ";\n";
  for (const auto& [name, routine] : schema.routines)
    sql += routine.definition + ";\n";
  std::string foreign_keys;
  std::string comments;
  for (const auto& [name, table] : schema.tables) {
    sql += render_postgres_create_table(table, schema);
    for (const auto& column : table.columns)
      if (!column.comment.empty())
        comments += "COMMENT ON COLUMN " + q(name) + "." + q(column.name) + " IS " +
                    util::sql_quote(column.comment) + ";\n";
    for (const auto& key : table.foreign_keys)
      foreign_keys += render_postgres_foreign_key(table, key);
    if (!table.comment.empty())
      comments += "COMMENT ON TABLE " + q(name) + " IS " + util::sql_quote(table.comment) + ";\n";
  }
  PostgresDdl ddl;
  ddl.before_data = std::move(sql);
  sql = foreign_keys;
  for (const auto& [name, table] : schema.tables)
    for (const auto& [index_name, index] : table.indexes)
      sql += render_postgres_index(table, index);
  for (const auto& [name, view] : schema.views)
    sql += render_postgres_view(view);
  for (const auto& [name, trigger] : schema.triggers)
    sql += trigger.sql + ";\n";
  ddl.after_data = sql + comments;
  return ddl;
}

} // namespace dbtool::schema
