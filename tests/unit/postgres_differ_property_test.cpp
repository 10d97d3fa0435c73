// Property tests of the PostgreSQL differ on generated pairs of schemas (A, B), on a
// real server (DBTOOL_TEST_PG_URL; skipped without one, required under CI=true). The
// schemas come from the generator the SQLite tests use (schema_generator.h, for
// PostgreSQL); B is mostly a mutation of A (as the SQLite differ test mutates), now and
// then an unrelated schema. In a database at A filled with rows: upgrade(A->B) gives
// exactly B (column order aside: PostgreSQL appends a column it adds) and a clean
// check, downgrade gives A back, and the rows of surviving columns keep their values.
// A migration the rows refuse (a new NOT NULL over a NULL...) must fail as a whole,
// leave A as it was, and succeed on the same schema without rows.
#include "schema_generator.h"

#include "dbtool/db/postgres/postgres_connection.h"
#include "dbtool/diff/migration.h"
#include "dbtool/error.h"
#include "dbtool/schema/postgres_introspector.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/util/strings.h"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <optional>
#include <random>
#include <unistd.h>

using namespace dbtool::schema;
using dbtool::db::PostgresConnection;
using generator_detail::Kind;
using generator_detail::kind_of;

namespace {

// The server of DBTOOL_TEST_PG_URL, with a database of this test's own for as long as
// it lives; nothing when there is no server (the test is then skipped).
class TestDatabase {
 public:
  static std::unique_ptr<TestDatabase> open(const std::string& name) {
    const char* url = std::getenv("DBTOOL_TEST_PG_URL");
    if (url == nullptr || *url == '\0')
      return nullptr;
    return std::unique_ptr<TestDatabase>(new TestDatabase(url, name));
  }
  ~TestDatabase() {
    m_connection.reset();
    try {
      m_admin.execute("DROP DATABASE IF EXISTS " + m_database + " WITH (FORCE)");
    } catch (...) {
    }
  }
  PostgresConnection& connection() { return *m_connection; }

 private:
  TestDatabase(const std::string& url, const std::string& name)
      : m_admin(dbtool::config::DatabaseUrl::parse(url), {}),
        m_database(name + "_" + std::to_string(getpid())) {
    m_admin.execute("DROP DATABASE IF EXISTS " + m_database);
    m_admin.execute("CREATE DATABASE " + m_database);
    const std::string base = url.substr(0, url.rfind('/'));
    m_connection = std::make_unique<PostgresConnection>(
        dbtool::config::DatabaseUrl::parse(base + "/" + m_database),
        dbtool::config::PostgresOptions{});
    // Rows here are test data: no need to wait for the disk at each commit.
    m_connection->execute("SET synchronous_commit = off");
  }

  PostgresConnection m_admin;
  std::string m_database;
  std::unique_ptr<PostgresConnection> m_connection;
};

bool skipped_without_server(const std::unique_ptr<TestDatabase>& database) {
  if (database)
    return false;
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string(ci) == "true")
    FAIL("DBTOOL_TEST_PG_URL is not set: CI must run the PostgreSQL tests");
  MESSAGE("skipped: DBTOOL_TEST_PG_URL is not set");
  return true;
}

// MODEL as PostgreSQL holds it: run in a scratch schema and read back until reading it
// again changes nothing (the server prints some expressions in a form that reads back
// as another text; see reconcile_postgres_expressions). Nothing if the server refuses
// the model (WHY says why) or it never settles.
std::optional<Schema> normalized(PostgresConnection& connection, const Schema& model,
                                 std::string* why = nullptr) {
  Schema current = model;
  for (int round = 0; round < 4; ++round) {
    connection.execute("BEGIN; CREATE SCHEMA norm; SET LOCAL search_path = norm, public");
    try {
      connection.execute(render_postgres_schema(current));
      Schema read = introspect_postgres(connection);
      connection.rollback();
      if (round > 0 && read == current)
        return read;
      current = std::move(read);
    } catch (const dbtool::Error& error) {
      connection.rollback();
      if (why != nullptr)
        *why = error.what();
      return std::nullopt;
    }
  }
  if (why != nullptr)
    *why = "the model never reads back the same";
  return std::nullopt;
}

// SCHEMA with each table's columns in name order: PostgreSQL cannot reorder columns.
Schema unordered(Schema schema) {
  for (auto& [name, table] : schema.tables)
    std::sort(table.columns.begin(), table.columns.end(),
              [](const Column& x, const Column& y) { return x.name < y.name; });
  return schema;
}

// The types a mutation may give a column, one of each family.
const std::vector<std::string>& mutation_types() {
  static const std::vector<std::string> types = {
      "integer", "bigint",      "smallint", "numeric(12,3)", "double precision",
      "text",    "varchar(40)", "boolean",  "date",          "timestamp",
      "jsonb",   "text[]"};
  return types;
}

// Whether PostgreSQL casts FROM to TO in ALTER COLUMN ... TYPE ... USING col::TO (the
// rows may still refuse): within a family of numbers, of texts, of dates, or through
// text.
bool castable(const std::string& from, const std::string& to) {
  const Kind a = kind_of(from), b = kind_of(to);
  auto number = [](Kind k) { return k == Kind::Integer || k == Kind::Decimal; };
  auto time = [](Kind k) {
    return k == Kind::Date || k == Kind::Timestamp || k == Kind::TimestampTz;
  };
  return a == b || a == Kind::Text || b == Kind::Text || (number(a) && number(b)) ||
         (time(a) && time(b)) || (a == Kind::Integer && b == Kind::Boolean) ||
         (a == Kind::Boolean && b == Kind::Integer);
}

bool names_column(const std::string& text, const std::string& column) {
  return text.find(column) != std::string::npos ||
         text.find(quote_postgres_name(column)) != std::string::npos;
}

// Whether anything but the column's own constraints needs COLUMN of TABLE: a view,
// a trigger, a generated column, another table's foreign key, a check.
bool needed(const Schema& schema, const Table& table, const std::string& column) {
  for (const auto& [name, view] : schema.views)
    if (names_column(view.sql, column))
      return true;
  for (const auto& [name, trigger] : schema.triggers)
    if (names_column(trigger.sql, column))
      return true;
  for (const auto& other : table.columns)
    if (other.generated && names_column(*other.generated, column))
      return true;
  for (const auto& check : table.checks)
    if (names_column(check.expression, column))
      return true;
  for (const auto& [name, other] : schema.tables)
    for (const auto& key : other.foreign_keys)
      if (key.ref_table == table.name)
        return true; // a parent's columns stay
  return false;
}

// One random change to MODEL (a normalised schema), as the SQLite differ test's
// mutations, and PostgreSQL's own: comments, constraint and index options, identity
// and sequence options, enum values, storage parameters, serial to bigserial.
// MODEL may turn out invalid: normalized() says so, and the caller tries again.
void mutate(Schema& model, std::mt19937& rng) {
  using namespace generator_detail;
  Random random(rng);
  std::vector<std::string> names;
  for (const auto& [name, table] : model.tables)
    names.push_back(name);
  const std::string name = random.pick(names);
  Table& table = model.tables.at(name);
  auto any_column = [&]() -> Column& {
    return table.columns[static_cast<std::size_t>(
        random.between(0, static_cast<int>(table.columns.size()) - 1))];
  };
  switch (random.between(0, 19)) {
  case 0: { // add a nullable column at the end, maybe with a default
    Column column;
    column.name = "added_" + std::to_string(random.between(1, 99));
    column.type = random.pick(mutation_types());
    if (random.chance(0.5))
      column.default_sql = postgres_default(kind_of(column.type), random.between(0, 24));
    table.columns.push_back(column);
    break;
  }
  case 1: { // drop a column nothing else needs, and its indexes and constraints
    std::vector<std::string> candidates;
    for (const auto& column : table.columns) {
      const bool keyed =
          table.primary_key &&
          std::find(table.primary_key->columns.begin(), table.primary_key->columns.end(),
                    column.name) != table.primary_key->columns.end();
      if (!keyed && table.columns.size() > 1 && !needed(model, table, column.name))
        candidates.push_back(column.name);
    }
    if (candidates.empty())
      break;
    const std::string column = random.pick(candidates);
    std::erase_if(table.columns, [&](const Column& c) { return c.name == column; });
    auto uses = [&](const std::vector<std::string>& columns) {
      return std::find(columns.begin(), columns.end(), column) != columns.end();
    };
    std::erase_if(table.unique_constraints,
                  [&](const auto& u) { return uses(u.columns) || uses(u.include); });
    std::erase_if(table.foreign_keys, [&](const auto& k) { return uses(k.columns); });
    std::erase_if(table.exclusions,
                  [&](const auto& x) { return names_column(x.definition, column); });
    if (table.primary_key && uses(table.primary_key->include))
      table.primary_key->include.clear();
    std::erase_if(table.indexes, [&](const auto& entry) {
      for (const auto& key : entry.second.keys)
        if (key.column == column || !key.expression.empty())
          return true;
      return entry.second.where.has_value() || uses(entry.second.include);
    });
    break;
  }
  case 2: { // change a column's type to one PostgreSQL casts it to
    Column& column = any_column();
    const std::string type = random.pick(mutation_types());
    if (!column.generated && column.identity.empty() && castable(column.type, type)) {
      column.type = type;
      if (column.default_sql && column.default_sql->rfind("nextval(", 0) != 0)
        column.default_sql = postgres_default(kind_of(type), random.between(0, 24));
      column.collation.clear();
    }
    break;
  }
  case 3: { // nullability, of one column
    Column& column = any_column();
    column.not_null = !column.not_null;
    break;
  }
  case 4: { // default
    Column& column = any_column();
    if (!column.generated && column.identity.empty() &&
        !(column.default_sql && column.default_sql->rfind("nextval(", 0) == 0))
      column.default_sql =
          random.chance(0.3)
              ? std::nullopt
              : std::optional(postgres_default(kind_of(column.type), random.between(0, 24)));
    break;
  }
  case 5: { // an index more
    Index index;
    index.name = "ix_mut_" + std::to_string(random.between(1, 999));
    const auto columns = plain_columns(table);
    if (columns.empty())
      break;
    index.keys.push_back({random.pick(columns), "", "", random.chance(0.3), {}, {}});
    index.comment = random.chance(0.2) ? "more" : "";
    table.indexes.emplace(index.name, index);
    break;
  }
  case 6: // an index less
    if (!table.indexes.empty())
      table.indexes.erase(table.indexes.begin());
    break;
  case 7: // foreign key actions, match and deferral
    for (auto& key : table.foreign_keys) {
      key.on_delete = random.pick(actions());
      if (random.chance(0.3))
        key.match = key.match.empty() ? "FULL" : "";
      if (random.chance(0.3)) {
        const int deferral = random.between(0, 2);
        key.deferrable = deferral == 1;
        key.deferrable_immediate = deferral == 2;
      }
    }
    break;
  case 8: // move a column: PostgreSQL keeps its order, and the differ must not mind
    if (table.columns.size() > 1)
      std::rotate(table.columns.begin(), table.columns.begin() + 1, table.columns.end());
    break;
  case 9: { // a table more
    std::mt19937 other(static_cast<unsigned>(random.between(1, 1 << 20)));
    const Schema extra = generate_schema(other, dbtool::config::Backend::Postgres);
    for (const auto& [extra_name, extra_table] : extra.tables) {
      if (model.tables.count(extra_name) != 0 || !extra_table.foreign_keys.empty())
        continue;
      model.tables.emplace(extra_name, extra_table);
      for (const auto& [enum_name, type] : extra.enums)
        model.enums.emplace(enum_name, type);
      break;
    }
    break;
  }
  case 10: { // a table less, when nothing refers to it
    bool referenced = model.tables.size() < 2;
    for (const auto& [view_name, view] : model.views)
      referenced = referenced || names_column(view.sql, name);
    for (const auto& [trigger_name, trigger] : model.triggers)
      referenced = referenced || trigger.table == name;
    for (const auto& [other_name, other] : model.tables)
      for (const auto& key : other.foreign_keys)
        referenced = referenced || (key.ref_table == name && other_name != name);
    if (!referenced)
      model.tables.erase(name);
    break;
  }
  case 11: { // a comment on the table, a column, an index or a named constraint
    const std::string text = random.pick(std::vector<std::string>{"", "now commented", "it's"});
    switch (random.between(0, 3)) {
    case 0:
      table.comment = text;
      break;
    case 1:
      any_column().comment = text;
      break;
    case 2:
      if (!table.indexes.empty())
        table.indexes.begin()->second.comment = text;
      break;
    default:
      if (!table.checks.empty())
        table.checks.front().comment = text;
      else if (table.primary_key)
        table.primary_key->comment = text;
      break;
    }
    break;
  }
  case 12: // unique constraints: NULLS NOT DISTINCT, DEFERRABLE
    for (auto& unique : table.unique_constraints) {
      unique.nulls_not_distinct = random.chance(0.5);
      const int deferral = random.between(0, 2);
      unique.deferrable = deferral == 1;
      unique.deferrable_immediate = deferral == 2;
    }
    break;
  case 13: // an identity's sequence options, or the identity toggled
    for (auto& column : table.columns)
      if (!column.identity.empty()) {
        if (random.chance(0.3))
          column.identity.clear(), column.sequence_options.clear();
        else
          column.sequence_options = random.pick(std::vector<std::string>{
              "", "INCREMENT BY 3", "START WITH 50", "INCREMENT BY 2 CACHE 4", "CYCLE"});
        break;
      } else if (column.type == "integer" && !column.generated && !column.default_sql &&
                 table.primary_key && table.primary_key->columns == std::vector{column.name}) {
        column.identity = random.chance(0.5) ? "ALWAYS" : "BY DEFAULT";
        break;
      }
    break;
  case 14: // an enum value added, or one removed (the type is then made again)
    if (!model.enums.empty()) {
      auto& values = model.enums.begin()->second.values;
      if (random.chance(0.6))
        values.insert(values.begin() + random.between(0, static_cast<int>(values.size())),
                      "v" + std::to_string(random.between(1, 99)));
      else if (values.size() > 2)
        values.erase(values.begin() + random.between(2, static_cast<int>(values.size()) - 1));
    }
    break;
  case 15: // storage parameters of the table or an index
    if (!table.indexes.empty() && random.chance(0.5))
      table.indexes.begin()->second.storage_parameters =
          random.chance(0.5) ? std::vector<std::string>{}
                             : std::vector<std::string>{"fillfactor=75"};
    else
      table.storage_parameters =
          random.chance(0.5)
              ? std::vector<std::string>{}
              : std::vector<std::string>{"fillfactor=85", "autovacuum_enabled=false"};
    break;
  case 16: // NO INHERIT, and a check more
    for (auto& check : table.checks)
      check.no_inherit = !check.no_inherit;
    if (random.chance(0.5)) {
      const Column& column = any_column();
      table.checks.push_back({"ck_mut_" + std::to_string(random.between(1, 999)),
                              postgres_predicate(kind_of(column.type), random.between(0, 11),
                                                 quote_postgres_name(column.name))});
    }
    break;
  case 17: // a view's rows, or a view dropped
    if (!model.views.empty()) {
      auto& view = model.views.begin()->second;
      if (random.chance(0.5))
        view.sql += view.sql.find("WHERE") == std::string::npos ? " WHERE 1 = 1" : " AND 2 = 2";
      else
        model.views.erase(model.views.begin());
    }
    break;
  case 18: // serial to bigserial (and back), a serial's sequence options
    for (auto& column : table.columns)
      if (column.default_sql && column.default_sql->rfind("nextval(", 0) == 0) {
        if (random.chance(0.5))
          column.type = column.type == "integer" ? "bigint" : "integer";
        else
          column.sequence_options =
              random.pick(std::vector<std::string>{"", "INCREMENT BY 4", "START WITH 9 CACHE 2"});
        break;
      }
    break;
  case 19: // a free sequence's options
    if (!model.sequences.empty()) {
      auto& sequence = model.sequences.begin()->second;
      sequence.increment = random.pick(std::vector<int>{1, 3, 10});
      sequence.options = random.pick(std::vector<std::string>{"", "CACHE 7", "CYCLE"});
    }
    break;
  }
}

// A pair (A, B) for SEED, both normalised: B a mutation of A, or (one seed in ten) an
// unrelated schema. Nothing when the server refuses them (WHY: the last reason).
std::optional<std::pair<Schema, Schema>> generated_pair(PostgresConnection& connection,
                                                        unsigned seed, std::string* why) {
  std::mt19937 rng(seed);
  const auto a =
      normalized(connection, generate_schema(rng, dbtool::config::Backend::Postgres), why);
  if (!a)
    return std::nullopt;
  std::optional<Schema> b;
  if (seed % 10 == 0)
    b = normalized(connection, generate_schema(rng, dbtool::config::Backend::Postgres), why);
  for (int attempt = 0; attempt < 5 && !b; ++attempt) {
    Schema mutated = *a;
    const int changes = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < changes; ++i)
      mutate(mutated, rng);
    b = normalized(connection, mutated, why);
  }
  if (!b)
    return std::nullopt;
  return std::make_pair(std::move(*a), std::move(*b));
}

// Literals of KIND's family, NULL first: few, so that foreign keys find their parents.
const std::vector<std::string>& values_of(Kind kind) {
  static const std::map<Kind, std::vector<std::string>> values = {
      {Kind::Integer, {"NULL", "1", "2", "3", "-1", "0"}},
      {Kind::Decimal, {"NULL", "1", "2.5", "-0.5", "3"}},
      {Kind::Text, {"NULL", "'a'", "'b'", "'it''s'", "''", "'x1'"}},
      {Kind::Boolean, {"NULL", "true", "false"}},
      {Kind::Date, {"NULL", "'2024-01-01'", "'2025-06-30'"}},
      {Kind::Time, {"NULL", "'10:00'", "'23:59:59'"}},
      {Kind::Timestamp, {"NULL", "'2024-01-01 10:00'", "'2025-06-30 12:00:01'"}},
      {Kind::TimestampTz, {"NULL", "'2024-01-01 10:00+00'", "'2025-06-30 12:00:01.5+02'"}},
      {Kind::Json, {"NULL", "'{}'", "'{\"k\": 1}'", "'[1, \"a\"]'"}},
      {Kind::Uuid,
       {"NULL", "'00000000-0000-0000-0000-000000000001'",
        "'00000000-0000-0000-0000-000000000002'"}},
      {Kind::Bytes, {"NULL", "'\\x00ff'", "''"}},
      {Kind::Array, {"NULL", "'{}'", "'{a,b}'", "'{x}'"}},
      {Kind::Enum, {"NULL", "'ok'", "'sad'"}}};
  return values.at(kind);
}

// Six rows per table, parents first, in one round trip: each INSERT in a block of its
// own, so that a row a constraint refuses is just not there.
void fill(PostgresConnection& connection, const Schema& schema, std::mt19937& rng) {
  generator_detail::Random random(rng);
  std::set<std::string> names;
  for (const auto& [name, table] : schema.tables)
    names.insert(name);
  std::string block = "DO $fill$ BEGIN\nSET CONSTRAINTS ALL IMMEDIATE;\n";
  for (const auto& name : parents_first(schema, names)) {
    const Table& table = schema.tables.at(name);
    std::vector<std::string> columns;
    for (const auto& column : table.columns)
      if (!column.generated)
        columns.push_back(quote_postgres_name(column.name));
    if (columns.empty())
      continue;
    for (int row = 0; row < 6; ++row) {
      std::vector<std::string> values;
      for (const auto& column : table.columns) {
        if (column.generated)
          continue;
        const bool counted = !column.identity.empty() ||
                             (column.default_sql && column.default_sql->rfind("nextval(", 0) == 0);
        values.push_back(counted ? std::to_string(row + 1)
                                 : random.pick(values_of(kind_of(column.type))));
      }
      block += "BEGIN INSERT INTO " + quote_postgres_name(name) + " (" +
               dbtool::util::join(columns, ", ") + ") OVERRIDING SYSTEM VALUE VALUES (" +
               dbtool::util::join(values, ", ") + "); EXCEPTION WHEN OTHERS THEN NULL; END;\n";
    }
  }
  connection.execute(block + "END $fill$");
}

// Per table of KEEP, its rows as text (the columns KEEP names), sorted: one query.
std::map<std::string, std::string>
rows(PostgresConnection& connection, const std::map<std::string, std::vector<std::string>>& keep) {
  std::map<std::string, std::string> out;
  if (keep.empty())
    return out;
  std::vector<std::string> parts;
  for (const auto& [name, columns] : keep) {
    std::vector<std::string> values;
    for (const auto& column : columns)
      values.push_back("coalesce(" + quote_postgres_name(column) + "::text, 'NULL') COLLATE \"C\"");
    const std::string row = "concat_ws('|', " + dbtool::util::join(values, ", ") + ")";
    parts.push_back("SELECT " + dbtool::util::sql_quote(name) + ", count(*) || ':' || " +
                    "coalesce(string_agg(" + row + ", ',' ORDER BY " + row + "), '') FROM " +
                    quote_postgres_name(name));
  }
  for (const auto& result : connection.query(dbtool::util::join(parts, " UNION ALL ")))
    out[result.at(0).value_or("")] = result.at(1).value_or("");
  return out;
}

// Runs SQL in one transaction, in one round trip; false (and ERROR set) when it fails,
// rolled back.
bool apply(PostgresConnection& connection, const std::string& sql, std::string& error) {
  try {
    connection.execute("BEGIN;\n" + sql + "COMMIT;");
    return true;
  } catch (const dbtool::Error& failure) {
    error = failure.what();
    connection.rollback();
    return false;
  }
}

// The live schema: a fresh one holding SCHEMA, with rows when RNG is given.
void build(PostgresConnection& connection, const Schema& schema, std::mt19937* rng) {
  connection.execute("DROP SCHEMA IF EXISTS live CASCADE; CREATE SCHEMA live; "
                     "SET search_path = live, public");
  connection.execute(render_postgres_schema(schema));
  if (rng != nullptr)
    fill(connection, schema, *rng);
}

} // namespace

TEST_CASE("PostgreSQL differ: 1,000 generated pairs migrate both ways, exactly, keeping rows") {
  const auto database = TestDatabase::open("dbtool_property");
  if (skipped_without_server(database))
    return;
  PostgresConnection& connection = database->connection();
  const auto started = std::chrono::steady_clock::now();

  int pairs = 0, applied = 0, refused_by_data = 0, refused_models = 0, failures = 0;
  std::string first_failures, every_failure, refusal;
  for (unsigned seed = 1; pairs < 1000 && seed < 3000; ++seed) {
    const auto pair = generated_pair(connection, seed, &refusal);
    if (!pair) {
      ++refused_models; // a model the server refuses (a default of the wrong type...)
      continue;
    }
    const auto& [a, b] = *pair;
    ++pairs;
    auto fail = [&](const std::string& what) {
      if (failures++ < 3)
        first_failures += "\nseed " + std::to_string(seed) + ": " + what;
      every_failure += "\nseed " + std::to_string(seed) + ": " + what.substr(0, what.find('\n'));
    };
    std::mt19937 rng(seed * 7919u);
    try {
      build(connection, a, &rng);
    } catch (const dbtool::Error& error) {
      fail(std::string("loading A: ") + error.what());
      continue;
    }
    // Columns that survive with their type keep their values (generated ones are
    // computed again).
    std::map<std::string, std::vector<std::string>> keep;
    for (const auto& [name, table] : a.tables) {
      const auto other = b.tables.find(name);
      if (other == b.tables.end())
        continue;
      for (const auto& column : table.columns)
        if (const Column* after = other->second.find_column(column.name);
            after && after->type == column.type && !column.generated && !after->generated)
          keep[name].push_back(column.name);
    }
    const auto before = rows(connection, keep);

    // A failed migration: the rows' doing when it leaves FROM as it was and runs on FROM
    // without rows; else the differ's.
    auto refused = [&](const Schema& from, const std::string& sql, const std::string& error,
                       const char* what) {
      if (!(unordered(introspect_postgres(connection)) == unordered(from))) {
        fail(std::string("a failed ") + what + " left the schema changed: " + error + "\n" + sql);
        return;
      }
      build(connection, from, nullptr);
      std::string again;
      if (apply(connection, sql, again))
        ++refused_by_data;
      else
        fail(std::string(what) + " fails without rows too: " + again + "\n" + sql);
    };

    const auto up = dbtool::diff::plan_migration(a, b, dbtool::config::Backend::Postgres).script;
    std::string error;
    if (!apply(connection, up.sql, error)) {
      refused(a, up.sql, error, "upgrade");
      continue;
    }
    const Schema upgraded = introspect_postgres(connection);
    if (!(unordered(upgraded) == unordered(b))) {
      fail("upgrade did not give B: " + describe_difference(unordered(upgraded), unordered(b)) +
           "\n" + up.sql);
      continue;
    }
    if (const auto again =
            dbtool::diff::compare_schemas(upgraded, b, dbtool::config::Backend::Postgres);
        !again.empty())
      fail("check is not clean after the upgrade: " + again.front().describe());
    if (rows(connection, keep) != before)
      fail("rows changed in surviving columns by the upgrade\n" + up.sql);

    const auto down = dbtool::diff::plan_migration(b, a, dbtool::config::Backend::Postgres).script;
    if (!apply(connection, down.sql, error)) {
      refused(b, down.sql, error, "downgrade");
      continue;
    }
    const Schema downgraded = introspect_postgres(connection);
    if (!(unordered(downgraded) == unordered(a))) {
      fail("downgrade did not give A: " + describe_difference(unordered(downgraded), unordered(a)) +
           "\n" + down.sql);
      continue;
    }
    if (rows(connection, keep) != before)
      fail("rows changed in surviving columns by the downgrade\n" + down.sql);
    ++applied;
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
          .count();
  INFO("every failure: ", every_failure);
  INFO("the first failures, whole: ", first_failures);
  INFO("the last model the server refused: ", refusal);
  MESSAGE("PostgreSQL differ: ", pairs, " pairs in ", seconds, " s: ", applied,
          " applied both ways, ", refused_by_data,
          " refused by their own rows (database unchanged; they run without rows), ", failures,
          " failures; ", refused_models, " generated models the server refused");
  CHECK(pairs == 1000);
  CHECK(failures == 0);
  // Most pairs must really migrate both ways, not be refused by their rows.
  CHECK(applied > pairs * 3 / 4);
}

// The generator's PostgreSQL schemas are the SQLite ones in PostgreSQL's terms: the
// same tables, columns and constraints for a seed, and the server takes nearly all.
TEST_CASE("PostgreSQL generator: the SQLite schemas, in PostgreSQL's terms") {
  int same_shape = 0, accepted = 0;
  const auto database = TestDatabase::open("dbtool_generator");
  for (unsigned seed = 1; seed <= 200; ++seed) {
    std::mt19937 sqlite_rng(seed), postgres_rng(seed);
    const Schema sqlite = generate_schema(sqlite_rng);
    const Schema postgres = generate_schema(postgres_rng, dbtool::config::Backend::Postgres);
    bool same = sqlite.tables.size() == postgres.tables.size() &&
                sqlite.views.size() == postgres.views.size() &&
                sqlite.triggers.size() == postgres.triggers.size();
    for (const auto& [name, table] : sqlite.tables) {
      const auto other = postgres.tables.find(name);
      if (other == postgres.tables.end()) {
        same = false;
        continue;
      }
      same = same && table.columns.size() == other->second.columns.size() &&
             table.unique_constraints.size() == other->second.unique_constraints.size() &&
             table.checks.size() == other->second.checks.size() &&
             table.indexes.size() == other->second.indexes.size() && !other->second.without_rowid &&
             !other->second.strict;
      for (const auto& column : other->second.columns)
        same = same && column.not_null_conflict.empty() && column.collation != "NOCASE" &&
               column.collation != "RTRIM";
    }
    same_shape += same ? 1 : 0;
    if (!same)
      MESSAGE("seed ", seed, ": the PostgreSQL schema is not the SQLite one's shape");
    if (database && normalized(database->connection(), postgres))
      ++accepted;
  }
  // Foreign keys whose column cannot take its parent's type are left out, so a seed
  // now and then differs in them alone; nothing else differs.
  CHECK(same_shape == 200);
  if (database)
    CHECK(accepted >= 180);
}
