#include "dbtool/schema/postgres_introspector.h"

#include "dbtool/error.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/util/strings.h"

#include <nlohmann/json.hpp>

namespace dbtool::schema {

namespace {

using db::Rows;

std::string text_of(const db::Value& value) {
  return value.value_or("");
}

bool flag(const db::Value& value) {
  return value && *value == "t";
}

// Array columns come back as to_json(...) text: no parsing of PostgreSQL's array syntax.
std::vector<std::string> strings_of(const db::Value& value) {
  std::vector<std::string> out;
  if (!value)
    return out;
  for (const auto& item : nlohmann::json::parse(*value))
    out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  return out;
}

std::string action_name(const std::string& code) {
  if (code == "r")
    return "RESTRICT";
  if (code == "c")
    return "CASCADE";
  if (code == "n")
    return "SET NULL";
  if (code == "d")
    return "SET DEFAULT";
  return "NO ACTION";
}

// "CHECK ((a > 0))" -> "(a > 0)": the expression inside CHECK ( ... ), as printed.
std::string check_expression(const std::string& definition) {
  const auto open = definition.find('(');
  const auto close = definition.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close <= open)
    return definition;
  return definition.substr(open + 1, close - open - 1);
}

// The tables of the current schema, as a join the other queries share.
constexpr const char* in_schema = "n.nspname = current_schema()";

// What every reader shares: the connection inside its snapshot, the schema being
// filled, and the tables left out.
struct Catalog {
  db::Connection& connection;
  const std::set<std::string>& exclude;
  Schema schema;

  Rows query(const std::string& sql) { return connection.query(sql); }
  bool wanted(const std::string& table) const { return exclude.count(table) == 0; }
  Table* table_of(const db::Value& name) {
    const auto found = schema.tables.find(text_of(name));
    return found == schema.tables.end() ? nullptr : &found->second;
  }
};

// The tables, with their comments.
void read_tables(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string("SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ") +
           in_schema + " AND c.relkind IN ('r', 'p') AND NOT c.relispartition")) {
    const std::string name = text_of(row.at(0));
    if (!catalog.wanted(name))
      continue;
    Table table;
    table.name = name;
    table.comment = text_of(row.at(1));
    catalog.schema.tables.emplace(name, std::move(table));
  }
}

// Columns, in their order.
void read_columns(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string(
               "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
               "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
               "CASE WHEN a.attcollation <> t.typcollation THEN co.collname END, "
               "col_description(c.oid, a.attnum) "
               "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
               "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid "
               "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
               "LEFT JOIN pg_collation co ON co.oid = a.attcollation WHERE ") +
           in_schema +
           " AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
           "ORDER BY c.relname, a.attnum")) {
    Table* table = catalog.table_of(row.at(0));
    if (table == nullptr)
      continue;
    Column column;
    column.name = text_of(row.at(1));
    column.type = text_of(row.at(2));
    column.not_null = flag(row.at(3));
    const std::string identity = text_of(row.at(5));
    column.identity = identity == "a" ? "ALWAYS" : identity == "d" ? "BY DEFAULT" : "";
    if (text_of(row.at(6)) == "s") {
      column.generated = row.at(4);
      column.generated_stored = true;
    } else {
      column.default_sql = row.at(4);
    }
    column.collation = text_of(row.at(7));
    column.comment = text_of(row.at(8));
    table->columns.push_back(std::move(column));
  }
}

// Constraints, by name (PostgreSQL names every one and keeps no declaration order).
void read_constraints(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string(
               "SELECT c.relname, k.conname, k.contype, "
               "to_json(ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(num, i) "
               "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num ORDER BY "
               "u.i)), f.relname, "
               "to_json(ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(num, i) "
               "JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY "
               "u.i)), k.confupdtype, k.confdeltype, k.condeferrable AND k.condeferred, "
               "pg_get_constraintdef(k.oid, true) "
               "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
               "JOIN pg_namespace n ON n.oid = c.relnamespace "
               "LEFT JOIN pg_class f ON f.oid = k.confrelid WHERE ") +
           in_schema +
           " AND k.contype IN ('p', 'u', 'f', 'c', 'x') ORDER BY c.relname, k.conname")) {
    Table* table = catalog.table_of(row.at(0));
    if (table == nullptr)
      continue;
    const std::string name = text_of(row.at(1));
    const std::string kind = text_of(row.at(2));
    if (kind == "p") {
      table->primary_key = PrimaryKey{name, strings_of(row.at(3)), false, {}};
    } else if (kind == "u") {
      table->unique_constraints.push_back({name, strings_of(row.at(3)), {}});
    } else if (kind == "c") {
      table->checks.push_back({name, check_expression(text_of(row.at(9)))});
    } else if (kind == "x") {
      table->exclusions.push_back({name, text_of(row.at(9))});
    } else {
      ForeignKey key;
      key.name = name;
      key.columns = strings_of(row.at(3));
      key.ref_table = text_of(row.at(4));
      key.ref_columns = strings_of(row.at(5));
      key.on_update = action_name(text_of(row.at(6)));
      key.on_delete = action_name(text_of(row.at(7)));
      key.deferrable = flag(row.at(8));
      table->foreign_keys.push_back(std::move(key));
    }
  }
}

// Indexes other than those behind PRIMARY KEY, UNIQUE and EXCLUDE constraints; per
// key: the column (or expression), DESC, NULLS, collation and operator class where
// they are not the defaults.
void read_indexes(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string(
               "SELECT t.relname, i.relname, x.indisunique, am.amname, "
               "pg_get_expr(x.indpred, x.indrelid), "
               "to_json(ARRAY(SELECT json_build_array(a.attname, "
               "pg_get_indexdef(x.indexrelid, k, true), (x.indoption[k - 1] & 1) = 1, "
               "(x.indoption[k - 1] & 2) = 2, "
               "CASE WHEN x.indcollation[k - 1] NOT IN (0, 100) AND "
               "x.indcollation[k - 1] <> COALESCE(a.attcollation, 0) THEN co.collname END, "
               "CASE WHEN NOT oc.opcdefault THEN oc.opcname END) "
               "FROM generate_series(1, x.indnkeyatts) k "
               "LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k - 1] "
               "AND x.indkey[k - 1] <> 0 "
               "LEFT JOIN pg_collation co ON co.oid = x.indcollation[k - 1] "
               "LEFT JOIN pg_opclass oc ON oc.oid = x.indclass[k - 1] ORDER BY k)) "
               "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
               "JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = "
               "t.relnamespace "
               "JOIN pg_am am ON am.oid = i.relam WHERE ") +
           in_schema +
           " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND "
           "k.contype IN ('p', 'u', 'x'))")) {
    Table* table = catalog.table_of(row.at(0));
    if (table == nullptr)
      continue;
    Index index;
    index.name = text_of(row.at(1));
    index.unique = flag(row.at(2));
    const std::string method = text_of(row.at(3));
    index.method = method == "btree" ? "" : method;
    index.where = row.at(4);
    for (const auto& item : nlohmann::json::parse(text_of(row.at(5)))) {
      IndexKey key;
      if (item[0].is_string())
        key.column = item[0].get<std::string>();
      else
        key.expression = item[1].get<std::string>();
      key.descending = item[2].get<bool>();
      const bool nulls_first = item[3].get<bool>();
      if (nulls_first != key.descending) // the default: NULLS LAST ascending, FIRST descending
        key.nulls = nulls_first ? "FIRST" : "LAST";
      if (item[4].is_string())
        key.collation = item[4].get<std::string>();
      if (item[5].is_string())
        key.opclass = item[5].get<std::string>();
      index.keys.push_back(std::move(key));
    }
    table->indexes.emplace(index.name, std::move(index));
  }
}

// Views and materialized views.
void read_views(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string("SELECT c.relname, pg_get_viewdef(c.oid, true), c.relkind = 'm' "
                       "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ") +
           in_schema + " AND c.relkind IN ('v', 'm')")) {
    const std::string name = text_of(row.at(0));
    if (!catalog.wanted(name))
      continue;
    std::string sql(util::trim(text_of(row.at(1))));
    if (!sql.empty() && sql.back() == ';')
      sql.pop_back();
    catalog.schema.views.emplace(name, View{name, sql, {}, flag(row.at(2))});
  }
}

// Triggers the user made (not those behind foreign keys).
void read_triggers(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string("SELECT c.relname, g.tgname, pg_get_triggerdef(g.oid, true) FROM pg_trigger "
                       "g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = "
                       "c.relnamespace WHERE ") +
           in_schema + " AND NOT g.tgisinternal")) {
    const std::string table = text_of(row.at(0));
    if (!catalog.wanted(table))
      continue;
    const std::string name = text_of(row.at(1));
    catalog.schema.triggers.emplace(name, Trigger{name, table, text_of(row.at(2))});
  }
}

void read_enums(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string("SELECT t.typname, to_json(ARRAY(SELECT e.enumlabel FROM pg_enum e WHERE "
                       "e.enumtypid = t.oid ORDER BY e.enumsortorder)) FROM pg_type t JOIN "
                       "pg_namespace n ON n.oid = t.typnamespace WHERE ") +
           in_schema + " AND t.typtype = 'e'")) {
    const std::string name = text_of(row.at(0));
    catalog.schema.enums.emplace(name, EnumType{name, strings_of(row.at(1))});
  }
}

// Domains, as the text after CREATE DOMAIN name AS: base type, collation, default,
// NOT NULL and named checks.
void read_domains(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string(
               "SELECT t.typname, format_type(t.typbasetype, t.typtypmod), "
               "CASE WHEN t.typcollation <> b.typcollation THEN co.collname END, t.typdefault, "
               "t.typnotnull, to_json(ARRAY(SELECT 'CONSTRAINT ' || quote_ident(k.conname) || ' ' "
               "|| pg_get_constraintdef(k.oid, true) FROM pg_constraint k WHERE k.contypid = "
               "t.oid ORDER BY k.conname)) FROM pg_type t JOIN pg_namespace n ON n.oid = "
               "t.typnamespace JOIN pg_type b ON b.oid = t.typbasetype LEFT JOIN pg_collation co "
               "ON co.oid = t.typcollation WHERE ") +
           in_schema + " AND t.typtype = 'd'")) {
    std::string definition = text_of(row.at(1));
    if (row.at(2))
      definition += " COLLATE " + util::sql_identifier(*row.at(2));
    if (row.at(3))
      definition += " DEFAULT " + *row.at(3);
    if (flag(row.at(4)))
      definition += " NOT NULL";
    for (const auto& constraint : strings_of(row.at(5)))
      definition += " " + constraint;
    const std::string name = text_of(row.at(0));
    catalog.schema.domains.emplace(name, Domain{name, definition});
  }
}

// Sequences no column owns (serial: dependency 'a'; identity: 'i').
void read_sequences(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string("SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, "
                       "s.seqincrement FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
                       "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ") +
           in_schema +
           " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
           "AND d.objid = c.oid AND d.deptype IN ('a', 'i'))")) {
    Sequence sequence;
    sequence.name = text_of(row.at(0));
    sequence.type = text_of(row.at(1));
    sequence.start = std::stoll(text_of(row.at(2)));
    sequence.increment = std::stoll(text_of(row.at(3)));
    catalog.schema.sequences.emplace(sequence.name, std::move(sequence));
  }
}

// Functions and procedures of the schema, not those an extension brought. Their
// definitions name the schema ("CREATE ... FUNCTION public.f()"): it goes, so that
// the same function compares equal in another schema (the declared models' scratch).
void read_routines(Catalog& catalog) {
  const std::string current = text_of(catalog.query("SELECT current_schema()").at(0).at(0));
  for (const auto& row : catalog.query(
           std::string(
               "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', "
               "pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = "
               "p.pronamespace WHERE ") +
           in_schema +
           " AND p.prokind IN ('f', 'p') AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE "
           "d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')")) {
    const std::string name = text_of(row.at(0));
    std::string definition(util::trim(text_of(row.at(1))));
    for (const char* kind : {"FUNCTION ", "PROCEDURE "}) {
      const std::string qualified = std::string(kind) + quote_postgres_name(current) + ".";
      if (const auto at = definition.find(qualified); at != std::string::npos)
        definition.replace(at, qualified.size(), kind);
    }
    catalog.schema.routines.emplace(name, Routine{name, definition});
  }
}

} // namespace

Schema introspect_postgres(db::Connection& connection, const std::set<std::string>& exclude) {
  // One snapshot for every query: a consistent view without locking anybody out.
  const db::ReadTransaction snapshot(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  Catalog catalog{connection, exclude, {}};
  read_tables(catalog);
  read_columns(catalog);
  read_constraints(catalog);
  read_indexes(catalog);
  read_views(catalog);
  read_triggers(catalog);
  read_enums(catalog);
  read_domains(catalog);
  read_sequences(catalog);
  read_routines(catalog);
  return std::move(catalog.schema);
}

} // namespace dbtool::schema
