#include "dbtool/schema/postgres_introspector.h"

#include "dbtool/error.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/util/strings.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <optional>
#include <utility>

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

// Objects an extension brought (a table, a type, a function): the extension's, not the
// schema's. CLASS is the catalog of the object whose oid is OID.
std::string not_from_extension(const std::string& catalog, const std::string& oid) {
  return " AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '" + catalog +
         "'::regclass AND e.objid = " + oid + " AND e.deptype = 'e')";
}

std::int64_t number(const nlohmann::json& value) {
  return value.is_string() ? std::stoll(value.get<std::string>()) : value.get<std::int64_t>();
}

// The smallest and largest values of an integer type a sequence can have.
std::pair<std::int64_t, std::int64_t> type_range(const std::string& type) {
  if (type == "smallint")
    return {-32768, 32767};
  if (type == "integer")
    return {-2147483648LL, 2147483647LL};
  return {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
}

// The options of a sequence (ITEM: its type, start, increment, max, min, cache, cycle)
// that are not what CREATE SEQUENCE AS TYPE gives by default; "AS type" first when the
// sequence's type is not TYPE.
struct SequenceOptions {
  std::string as;       // "AS integer", or empty
  std::string ordered;  // INCREMENT BY, MINVALUE, MAXVALUE, START WITH (CREATE SEQUENCE's order)
  std::string trailing; // CACHE, CYCLE
};
SequenceOptions sequence_options(const nlohmann::json& item, const std::string& type) {
  SequenceOptions out;
  const std::string own_type = item[0].get<std::string>();
  if (own_type != type)
    out.as = "AS " + own_type;
  const std::int64_t start = number(item[1]), increment = number(item[2]), max = number(item[3]),
                     min = number(item[4]), cache = number(item[5]);
  const auto [type_min, type_max] = type_range(own_type);
  auto add = [](std::string& to, const std::string& option) {
    to += (to.empty() ? "" : " ") + option;
  };
  if (increment != 1)
    add(out.ordered, "INCREMENT BY " + std::to_string(increment));
  if (min != (increment > 0 ? 1 : type_min))
    add(out.ordered, "MINVALUE " + std::to_string(min));
  if (max != (increment > 0 ? type_max : -1))
    add(out.ordered, "MAXVALUE " + std::to_string(max));
  if (start != (increment > 0 ? min : max))
    add(out.ordered, "START WITH " + std::to_string(start));
  if (cache != 1)
    add(out.trailing, "CACHE " + std::to_string(cache));
  if (item[6].get<bool>())
    add(out.trailing, "CYCLE");
  return out;
}

std::string joined(std::initializer_list<std::string> parts) {
  std::string out;
  for (const auto& part : parts)
    if (!part.empty())
      out += (out.empty() ? "" : " ") + part;
  return out;
}

// The json_build_array(...) of a sequence that sequence_options reads, for the
// pg_sequence row S.
constexpr const char* sequence_json =
    "json_build_array(format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmax, "
    "s.seqmin, s.seqcache, s.seqcycle)";

// What every reader shares: the connection inside its snapshot, the schema being
// filled, and the tables left out (EXCLUDE, and those UNSUPPORTED keeps).
struct Catalog {
  db::Connection& connection;
  const std::set<std::string>& exclude;
  std::map<std::string, std::string>* unsupported;
  Schema schema;

  Rows query(const std::string& sql) { return connection.query(sql); }
  bool wanted(const std::string& table) const {
    return exclude.count(table) == 0 && (unsupported == nullptr || unsupported->count(table) == 0);
  }
  Table* table_of(const db::Value& name) {
    const auto found = schema.tables.find(text_of(name));
    return found == schema.tables.end() ? nullptr : &found->second;
  }
};

// What dbtool cannot migrate yet is refused, naming the table, rather than read as
// something else (a partition as a plain table, a policy not at all): "No changes"
// must never be said of a database that differs. The refusal, or nothing for a table
// dbtool reads.
std::optional<std::string> unsupported_table(const std::string& name, const db::Row& row) {
  const auto unsupported = [&](const std::string& what) { return "table '" + name + "' " + what; };
  if (row.at(3))
    return unsupported("is partitioned (PARTITION BY " + *row.at(3) +
                       "): dbtool does not migrate partitioned tables yet");
  if (flag(row.at(4)))
    return unsupported("is a partition of '" + text_of(row.at(5)) +
                       "' (PARTITION OF): dbtool does not migrate partitioned tables yet");
  if (row.at(5))
    return unsupported("inherits from '" + text_of(row.at(5)) +
                       "' (INHERITS): dbtool does not migrate table inheritance yet");
  const std::string policies = text_of(row.at(7));
  if (flag(row.at(6)) || policies != "0")
    return unsupported(
        "has row-level security (" +
        std::string(flag(row.at(6)) ? "ENABLE ROW LEVEL SECURITY" : "") +
        (flag(row.at(6)) && policies != "0" ? ", " : "") +
        (policies != "0" ? policies + " polic" + (policies == "1" ? "y" : "ies") : "") +
        "): dbtool does not migrate row-level security yet");
  return std::nullopt;
}

// The tables, with their storage parameters (WITH (...)).
void read_tables(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string("SELECT c.relname, to_json(c.reloptions), c.relkind, "
                       "CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END, "
                       "c.relispartition, (SELECT string_agg(p.relname, ', ' ORDER BY "
                       "i.inhseqno) FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent "
                       "WHERE i.inhrelid = c.oid), c.relrowsecurity OR c.relforcerowsecurity, "
                       "(SELECT count(*) FROM pg_policy y WHERE y.polrelid = c.oid) "
                       "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ") +
           in_schema + " AND c.relkind IN ('r', 'p')" + not_from_extension("pg_class", "c.oid") +
           " ORDER BY c.relname")) {
    const std::string name = text_of(row.at(0));
    if (!catalog.wanted(name))
      continue;
    if (auto refusal = unsupported_table(name, row)) {
      if (catalog.unsupported == nullptr)
        throw Error(ErrorKind::Project, *refusal);
      catalog.unsupported->emplace(name, std::move(*refusal));
      continue;
    }
    Table table;
    table.name = name;
    table.storage_parameters = strings_of(row.at(1));
    catalog.schema.tables.emplace(name, std::move(table));
  }
}

// Columns, in their order; for an identity or serial column, the options of its
// sequence that are not the defaults.
void read_columns(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string(
               "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
               "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
               "CASE WHEN a.attcollation <> t.typcollation THEN co.collname END, "
               "(SELECT ") +
           sequence_json +
           " FROM pg_depend q JOIN pg_sequence s ON s.seqrelid = q.objid WHERE q.classid = "
           "'pg_class'::regclass AND q.refclassid = 'pg_class'::regclass AND q.refobjid = c.oid "
           "AND q.refobjsubid = a.attnum AND q.deptype IN ('a', 'i') ORDER BY q.objid LIMIT 1) "
           "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
           "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid "
           "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
           "LEFT JOIN pg_collation co ON co.oid = a.attcollation WHERE " +
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
    const bool serial = column.default_sql && column.default_sql->rfind("nextval(", 0) == 0;
    if (row.at(8) && (serial || !column.identity.empty())) {
      const auto options = sequence_options(nlohmann::json::parse(*row.at(8)), column.type);
      column.sequence_options = joined({options.as, options.ordered, options.trailing});
    }
    table->columns.push_back(std::move(column));
  }
}

// Constraints, by name (PostgreSQL names every one and keeps no declaration order);
// for a primary key or unique constraint, what its index adds: NULLS NOT DISTINCT,
// INCLUDE columns and storage parameters.
void read_constraints(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string(
               "SELECT c.relname, k.conname, k.contype, "
               "to_json(ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(num, i) "
               "JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num ORDER BY "
               "u.i)), f.relname, "
               "to_json(ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(num, i) "
               "JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY "
               "u.i)), k.confupdtype, k.confdeltype, k.condeferrable, k.condeferred, "
               "pg_get_constraintdef(k.oid, true), k.confmatchtype, k.connoinherit, "
               // indnullsnotdistinct is PostgreSQL 15's: read through to_jsonb, so that
               // the query runs on older servers too (as NULL)
               "(to_jsonb(x) ->> 'indnullsnotdistinct')::boolean, "
               "to_json(ARRAY(SELECT a.attname FROM generate_series(x.indnkeyatts + 1, "
               "x.indnatts) p JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = "
               "x.indkey[p - 1] ORDER BY p)), to_json(i.reloptions) "
               "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
               "JOIN pg_namespace n ON n.oid = c.relnamespace "
               "LEFT JOIN pg_class f ON f.oid = k.confrelid "
               "LEFT JOIN pg_index x ON x.indexrelid = k.conindid AND k.contype IN ('p', 'u') "
               "LEFT JOIN pg_class i ON i.oid = x.indexrelid WHERE ") +
           in_schema +
           " AND k.contype IN ('p', 'u', 'f', 'c', 'x') ORDER BY c.relname, k.conname")) {
    Table* table = catalog.table_of(row.at(0));
    if (table == nullptr)
      continue;
    const std::string name = text_of(row.at(1));
    const std::string kind = text_of(row.at(2));
    const bool deferrable = flag(row.at(8));
    const bool deferred = flag(row.at(9));
    if (kind == "p") {
      PrimaryKey key{name, strings_of(row.at(3)), false, {}};
      key.deferrable = deferred;
      key.deferrable_immediate = deferrable && !deferred;
      key.include = strings_of(row.at(14));
      key.storage_parameters = strings_of(row.at(15));
      table->primary_key = std::move(key);
    } else if (kind == "u") {
      UniqueConstraint unique{name, strings_of(row.at(3)), {}};
      unique.deferrable = deferred;
      unique.deferrable_immediate = deferrable && !deferred;
      unique.nulls_not_distinct = flag(row.at(13));
      unique.include = strings_of(row.at(14));
      unique.storage_parameters = strings_of(row.at(15));
      table->unique_constraints.push_back(std::move(unique));
    } else if (kind == "c") {
      CheckConstraint check{name, check_expression(text_of(row.at(10)))};
      check.no_inherit = flag(row.at(12));
      table->checks.push_back(std::move(check));
    } else if (kind == "x") {
      table->exclusions.push_back({name, text_of(row.at(10))});
    } else {
      ForeignKey key;
      key.name = name;
      key.columns = strings_of(row.at(3));
      key.ref_table = text_of(row.at(4));
      key.ref_columns = strings_of(row.at(5));
      key.on_update = action_name(text_of(row.at(6)));
      key.on_delete = action_name(text_of(row.at(7)));
      key.deferrable = deferred;
      key.deferrable_immediate = deferrable && !deferred;
      key.match = text_of(row.at(11)) == "f" ? "FULL" : "";
      table->foreign_keys.push_back(std::move(key));
    }
  }
}

// Indexes other than those behind PRIMARY KEY, UNIQUE and EXCLUDE constraints; per
// key: the column (or expression), DESC, NULLS, collation and operator class where
// they are not the defaults; then INCLUDE columns, NULLS NOT DISTINCT and storage
// parameters.
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
               "LEFT JOIN pg_opclass oc ON oc.oid = x.indclass[k - 1] ORDER BY k)), "
               "to_json(ARRAY(SELECT a.attname FROM generate_series(x.indnkeyatts + 1, "
               "x.indnatts) p JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = "
               "x.indkey[p - 1] ORDER BY p)), (to_jsonb(x) ->> 'indnullsnotdistinct')::boolean, "
               "to_json(i.reloptions) "
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
    index.include = strings_of(row.at(6));
    index.nulls_not_distinct = flag(row.at(7));
    index.storage_parameters = strings_of(row.at(8));
    table->indexes.emplace(index.name, std::move(index));
  }
}

// Views and materialized views.
void read_views(Catalog& catalog) {
  for (const auto& row : catalog.query(
           std::string("SELECT c.relname, pg_get_viewdef(c.oid, true), c.relkind = 'm' "
                       "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ") +
           in_schema + " AND c.relkind IN ('v', 'm')" + not_from_extension("pg_class", "c.oid"))) {
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
           in_schema + " AND t.typtype = 'e'" + not_from_extension("pg_type", "t.oid"))) {
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
           in_schema + " AND t.typtype = 'd'" + not_from_extension("pg_type", "t.oid"))) {
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
           std::string("SELECT c.relname, ") + sequence_json +
           " FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
           "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " +
           in_schema +
           " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
           "AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))")) {
    const auto item = nlohmann::json::parse(text_of(row.at(1)));
    Sequence sequence;
    sequence.name = text_of(row.at(0));
    sequence.type = item[0].get<std::string>();
    sequence.start = number(item[1]);
    sequence.increment = number(item[2]);
    // Start and increment are fields of their own; the rest is "options".
    const auto options = sequence_options(item, sequence.type);
    for (const auto& word : {std::string("MINVALUE "), std::string("MAXVALUE ")}) {
      const auto at = options.ordered.find(word);
      if (at == std::string::npos)
        continue;
      const auto end = options.ordered.find(' ', at + word.size());
      sequence.options = joined({sequence.options, options.ordered.substr(at, end - at)});
    }
    sequence.options = joined({sequence.options, options.trailing});
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
           in_schema + " AND p.prokind IN ('f', 'p')" + not_from_extension("pg_proc", "p.oid"))) {
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

// The database's extensions (they belong to no schema); plpgsql, which every database
// has, is left out.
void read_extensions(Catalog& catalog) {
  for (const auto& row : catalog.query("SELECT extname FROM pg_extension WHERE extname <> "
                                       "'plpgsql' ORDER BY extname")) {
    const std::string name = text_of(row.at(0));
    catalog.schema.extensions.emplace(name, Extension{name});
  }
}

// COMMENT ON every kind of object the model keeps, in one query: tables, columns,
// indexes, views, sequences (pg_class), constraints, types and routines.
void read_comments(Catalog& catalog) {
  Schema& schema = catalog.schema;
  const std::string in_namespace = " JOIN pg_namespace n ON n.oid = ";
  for (const auto& row : catalog.query(
           "SELECT 'class', c.relkind::text, COALESCE(t.relname, c.relname), c.relname, "
           "a.attname, d.description FROM pg_description d JOIN pg_class c ON d.classoid = "
           "'pg_class'::regclass AND d.objoid = c.oid" +
           in_namespace +
           "c.relnamespace LEFT JOIN pg_index x ON x.indexrelid = c.oid LEFT JOIN pg_class t ON "
           "t.oid = x.indrelid LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = "
           "d.objsubid AND d.objsubid > 0 WHERE " +
           in_schema +
           " UNION ALL SELECT 'constraint', k.contype::text, c.relname, k.conname, NULL, "
           "d.description FROM pg_description d JOIN pg_constraint k ON d.classoid = "
           "'pg_constraint'::regclass AND d.objoid = k.oid JOIN pg_class c ON c.oid = k.conrelid" +
           in_namespace + "c.relnamespace WHERE " + in_schema +
           " UNION ALL SELECT 'type', t.typtype::text, NULL, t.typname, NULL, d.description FROM "
           "pg_description d JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND d.objoid = "
           "t.oid" +
           in_namespace + "t.typnamespace WHERE " + in_schema +
           " UNION ALL SELECT 'routine', NULL, NULL, p.proname || '(' || "
           "pg_get_function_identity_arguments(p.oid) || ')', NULL, d.description FROM "
           "pg_description d JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND d.objoid = "
           "p.oid" +
           in_namespace + "p.pronamespace WHERE " + in_schema)) {
    const std::string catalog_name = text_of(row.at(0));
    const std::string kind = text_of(row.at(1));
    const std::string object = text_of(row.at(3));
    const std::string comment = text_of(row.at(5));
    Table* table = catalog.table_of(row.at(2));
    if (catalog_name == "class") {
      if ((kind == "r" || kind == "p") && table != nullptr) {
        if (!row.at(4))
          table->comment = comment;
        else
          for (auto& column : table->columns)
            if (column.name == *row.at(4))
              column.comment = comment;
      } else if (kind == "i" && table != nullptr) {
        if (const auto found = table->indexes.find(object); found != table->indexes.end())
          found->second.comment = comment;
      } else if ((kind == "v" || kind == "m") && !row.at(4)) {
        if (const auto found = schema.views.find(object); found != schema.views.end())
          found->second.comment = comment;
      } else if (kind == "S") {
        if (const auto found = schema.sequences.find(object); found != schema.sequences.end())
          found->second.comment = comment;
      }
    } else if (catalog_name == "constraint" && table != nullptr) {
      if (kind == "p" && table->primary_key && table->primary_key->name == object)
        table->primary_key->comment = comment;
      else if (auto* unique = find_by_name(table->unique_constraints, object);
               kind == "u" && unique)
        unique->comment = comment;
      else if (auto* check = find_by_name(table->checks, object); kind == "c" && check)
        check->comment = comment;
      else if (auto* exclusion = find_by_name(table->exclusions, object); kind == "x" && exclusion)
        exclusion->comment = comment;
      else if (auto* key = find_by_name(table->foreign_keys, object); kind == "f" && key)
        key->comment = comment;
    } else if (catalog_name == "type") {
      if (const auto found = schema.enums.find(object); kind == "e" && found != schema.enums.end())
        found->second.comment = comment;
      if (const auto found = schema.domains.find(object);
          kind == "d" && found != schema.domains.end())
        found->second.comment = comment;
    } else if (catalog_name == "routine") {
      if (const auto found = schema.routines.find(object); found != schema.routines.end())
        found->second.comment = comment;
    }
  }
}

} // namespace

Schema introspect_postgres(db::Connection& connection, const std::set<std::string>& exclude,
                           std::map<std::string, std::string>* unsupported) {
  // One snapshot for every query: a consistent view without locking anybody out.
  const db::ReadTransaction snapshot(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  Catalog catalog{connection, exclude, unsupported, {}};
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
  read_extensions(catalog);
  read_comments(catalog);
  return std::move(catalog.schema);
}

} // namespace dbtool::schema
