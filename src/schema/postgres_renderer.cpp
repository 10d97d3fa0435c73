#include "dbtool/schema/postgres_renderer.h"

#include "dbtool/util/strings.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
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
  const std::string sequence = postgres_serial_sequence(column);
  if (sequence.empty() || schema.sequences.count(sequence) != 0)
    return std::nullopt;
  if (column.type == "integer")
    return "serial";
  if (column.type == "bigint")
    return "bigserial";
  if (column.type == "smallint")
    return "smallserial";
  return std::nullopt;
}

// "INCLUDE (a, b) WITH (fillfactor=70)": what PRIMARY KEY, UNIQUE and CREATE INDEX
// take after their keys (NULLS NOT DISTINCT comes between the two for an index).
std::string include_clause(const std::vector<std::string>& include) {
  return include.empty() ? std::string() : " INCLUDE (" + name_list(include) + ")";
}

std::string with_clause(const std::vector<std::string>& parameters) {
  return parameters.empty() ? std::string() : " WITH (" + util::join(parameters, ", ") + ")";
}

std::string deferral(bool deferred, bool immediate) {
  return deferred ? " DEFERRABLE INITIALLY DEFERRED" : immediate ? " DEFERRABLE" : "";
}

// The words of SEQUENCE_OPTIONS ("INCREMENT BY 5 MINVALUE 3 CYCLE") as option -> value.
std::map<std::string, std::string> options_of(const std::string& options) {
  std::map<std::string, std::string> out;
  const auto words = util::split_list(options, ' ');
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "CYCLE")
      out["CYCLE"] = "";
    else if ((word == "INCREMENT" || word == "START") && i + 2 < words.size())
      out[word] = words[i + 2], i += 2;
    else if (i + 1 < words.size())
      out[word] = words[i + 1], ++i;
  }
  return out;
}

} // namespace

std::string postgres_serial_sequence(const Column& column) {
  if (!column.default_sql || column.default_sql->rfind("nextval('", 0) != 0 ||
      !column.identity.empty())
    return {};
  const auto end = column.default_sql->find('\'', 9);
  if (end == std::string::npos)
    return {};
  std::string sequence = column.default_sql->substr(9, end - 9);
  if (sequence.size() >= 2 && sequence.front() == '"') { // "Name" (its quotes doubled)
    std::string name;
    for (std::size_t i = 1; i + 1 < sequence.size(); ++i)
      if (!(sequence[i] == '"' && sequence[i + 1] == '"'))
        name += sequence[i];
    return name;
  }
  return sequence;
}

std::string render_postgres_identity(const Column& column) {
  std::string options = column.sequence_options;
  return "GENERATED " + column.identity + " AS IDENTITY" +
         (options.empty() ? std::string() : " (" + options + ")");
}

namespace {

// Every option of a sequence, to the values OPTIONS (sequence_options' words) give and
// the defaults for the others, as ALTER SEQUENCE takes them: "INCREMENT BY 1",
// "NO MINVALUE", ..., "NO CYCLE".
std::vector<std::string> every_option(const std::map<std::string, std::string>& options) {
  auto value = [&](const char* option) {
    const auto found = options.find(option);
    return found == options.end() ? std::optional<std::string>() : found->second;
  };
  const std::string increment = value("INCREMENT").value_or("1");
  const bool ascending = increment.front() != '-';
  const auto min = value("MINVALUE"), max = value("MAXVALUE");
  const std::string start =
      value("START").value_or(ascending ? min.value_or("1") : max.value_or("-1"));
  return {"INCREMENT BY " + increment,
          min ? "MINVALUE " + *min : "NO MINVALUE",
          max ? "MAXVALUE " + *max : "NO MAXVALUE",
          "START WITH " + start,
          "CACHE " + value("CACHE").value_or("1"),
          options.count("CYCLE") ? "CYCLE" : "NO CYCLE"};
}

} // namespace

std::string render_postgres_sequence_alter(const Table& table, const Column& column) {
  const auto options = options_of(column.sequence_options);
  const auto parts = every_option(options);
  if (!column.identity.empty()) {
    std::string sql = "ALTER TABLE " + q(table.name) + " ALTER COLUMN " + q(column.name);
    for (const auto& part : parts)
      sql += " SET " + part;
    return sql + ";\n";
  }
  const std::string sequence = postgres_serial_sequence(column);
  if (sequence.empty())
    return {};
  const auto as = options.find("AS");
  return "ALTER SEQUENCE " + q(sequence) + " AS " +
         (as == options.end() ? column.type : as->second) + " " + util::join(parts, " ") + ";\n";
}

std::string render_postgres_sequence_alter(const Sequence& sequence) {
  const auto options =
      options_of("INCREMENT BY " + std::to_string(sequence.increment) + " " + sequence.options +
                 " START WITH " + std::to_string(sequence.start));
  return "ALTER SEQUENCE " + q(sequence.name) + " AS " + sequence.type + " " +
         util::join(every_option(options), " ") + ";\n";
}

std::string postgres_routine_signature(const std::string& name) {
  // The argument list is the parenthesised tail: the name itself may hold parentheses.
  std::size_t open = name.size();
  int depth = 0;
  for (std::size_t i = name.size(); i-- > 0;) {
    if (name[i] == ')')
      ++depth;
    else if (name[i] == '(' && --depth == 0) {
      open = i;
      break;
    }
  }
  return q(name.substr(0, open)) + name.substr(open);
}

std::string render_postgres_comment(const std::string& target, const std::string& comment) {
  return "COMMENT ON " + target + " IS " +
         (comment.empty() ? std::string("NULL") : util::sql_quote(comment)) + ";\n";
}

std::string render_postgres_column(const Column& column, const Schema& schema) {
  const auto serial = serial_type(column, schema);
  std::string item = q(column.name) + " " + serial.value_or(column.type);
  if (!column.collation.empty())
    item += " COLLATE " + util::sql_identifier(column.collation);
  if (!column.identity.empty())
    item += " " + render_postgres_identity(column);
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
         keys + ")" + include_clause(index.include) +
         (index.nulls_not_distinct ? " NULLS NOT DISTINCT" : "") +
         with_clause(index.storage_parameters) + (index.where ? " WHERE " + *index.where : "") +
         ";\n" +
         (index.comment.empty() ? ""
                                : render_postgres_comment("INDEX " + q(index.name), index.comment));
}

namespace {

std::string constraint(const std::string& name) {
  return name.empty() ? std::string() : "CONSTRAINT " + q(name) + " ";
}

} // namespace

std::string render_postgres_primary_key(const PrimaryKey& key) {
  return constraint(key.name) + "PRIMARY KEY (" + name_list(key.columns) + ")" +
         include_clause(key.include) + with_clause(key.storage_parameters) +
         deferral(key.deferrable, key.deferrable_immediate);
}

std::string render_postgres_unique(const UniqueConstraint& unique) {
  return constraint(unique.name) + "UNIQUE " +
         (unique.nulls_not_distinct ? "NULLS NOT DISTINCT " : "") + "(" +
         name_list(unique.columns) + ")" + include_clause(unique.include) +
         with_clause(unique.storage_parameters) +
         deferral(unique.deferrable, unique.deferrable_immediate);
}

std::string render_postgres_check(const CheckConstraint& check) {
  return constraint(check.name) + "CHECK (" + check.expression + ")" +
         (check.no_inherit ? " NO INHERIT" : "");
}

std::string render_postgres_exclusion(const ExclusionConstraint& exclusion) {
  return constraint(exclusion.name) + exclusion.definition;
}

std::string render_postgres_foreign_key(const Table& table, const ForeignKey& key) {
  return "ALTER TABLE " + q(table.name) + " ADD " + constraint(key.name) + "FOREIGN KEY (" +
         name_list(key.columns) + ") REFERENCES " + q(key.ref_table) +
         (key.ref_columns.empty() ? "" : " (" + name_list(key.ref_columns) + ")") +
         (key.match.empty() ? "" : " MATCH " + key.match) +
         (key.on_update == "NO ACTION" ? "" : " ON UPDATE " + key.on_update) +
         (key.on_delete == "NO ACTION" ? "" : " ON DELETE " + key.on_delete) +
         deferral(key.deferrable, key.deferrable_immediate) + ";\n" +
         (key.comment.empty()
              ? ""
              : render_postgres_comment("CONSTRAINT " + q(key.name) + " ON " + q(table.name),
                                        key.comment));
}

std::string render_postgres_constraint_comments(const Table& table) {
  std::string sql;
  auto comment = [&](const std::string& name, const std::string& text) {
    if (!text.empty() && !name.empty())
      sql += render_postgres_comment("CONSTRAINT " + q(name) + " ON " + q(table.name), text);
  };
  if (table.primary_key)
    comment(table.primary_key->name, table.primary_key->comment);
  for (const auto& unique : table.unique_constraints)
    comment(unique.name, unique.comment);
  for (const auto& check : table.checks)
    comment(check.name, check.comment);
  for (const auto& exclusion : table.exclusions)
    comment(exclusion.name, exclusion.comment);
  return sql;
}

std::string render_postgres_create_table(const Table& table, const Schema& schema) {
  std::vector<std::string> items;
  std::string sequences;
  for (const auto& column : table.columns) {
    items.push_back(render_postgres_column(column, schema));
    if (!column.sequence_options.empty() && serial_type(column, schema))
      sequences += render_postgres_sequence_alter(table, column);
  }
  if (table.primary_key)
    items.push_back(render_postgres_primary_key(*table.primary_key));
  for (const auto& unique : table.unique_constraints)
    items.push_back(render_postgres_unique(unique));
  for (const auto& check : table.checks)
    items.push_back(render_postgres_check(check));
  for (const auto& exclusion : table.exclusions)
    items.push_back(render_postgres_exclusion(exclusion));
  return "CREATE TABLE " + q(table.name) + " (\n  " + util::join(items, ",\n  ") + "\n)" +
         with_clause(table.storage_parameters) + ";\n" + sequences +
         render_postgres_constraint_comments(table);
}

std::string render_postgres_view(const View& view) {
  const std::string kind = view.materialized ? "MATERIALIZED VIEW " : "VIEW ";
  return "CREATE " + kind + q(view.name) + " AS\n" + view.sql + ";\n" +
         (view.comment.empty() ? "" : render_postgres_comment(kind + q(view.name), view.comment));
}

std::string render_postgres_sequence(const Sequence& sequence) {
  return "CREATE SEQUENCE " + q(sequence.name) + " AS " + sequence.type + " START WITH " +
         std::to_string(sequence.start) + " INCREMENT BY " + std::to_string(sequence.increment) +
         (sequence.options.empty() ? "" : " " + sequence.options) + ";\n";
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
  std::string comments;
  for (const auto& [name, extension] : schema.extensions)
    sql += "CREATE EXTENSION IF NOT EXISTS " + q(name) + ";\n";
  for (const auto& [name, type] : schema.enums) {
    std::string values;
    for (const auto& value : type.values)
      values += (values.empty() ? "" : ", ") + util::sql_quote(value);
    sql += "CREATE TYPE " + q(name) + " AS ENUM (" + values + ");\n";
    if (!type.comment.empty())
      comments += render_postgres_comment("TYPE " + q(name), type.comment);
  }
  for (const auto& [name, domain] : schema.domains) {
    sql += "CREATE DOMAIN " + q(name) + " AS " + domain.definition + ";\n";
    if (!domain.comment.empty())
      comments += render_postgres_comment("DOMAIN " + q(name), domain.comment);
  }
  for (const auto& [name, sequence] : schema.sequences) {
    sql += render_postgres_sequence(sequence);
    if (!sequence.comment.empty())
      comments += render_postgres_comment("SEQUENCE " + q(name), sequence.comment);
  }
  for (const auto& [name, routine] : schema.routines) {
    sql += routine.definition + ";\n";
    if (!routine.comment.empty())
      comments +=
          render_postgres_comment("ROUTINE " + postgres_routine_signature(name), routine.comment);
  }
  std::string foreign_keys;
  for (const auto& [name, table] : schema.tables) {
    sql += render_postgres_create_table(table, schema);
    for (const auto& column : table.columns)
      if (!column.comment.empty())
        comments +=
            render_postgres_comment("COLUMN " + q(name) + "." + q(column.name), column.comment);
    for (const auto& key : table.foreign_keys)
      foreign_keys += render_postgres_foreign_key(table, key);
    if (!table.comment.empty())
      comments += render_postgres_comment("TABLE " + q(name), table.comment);
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
