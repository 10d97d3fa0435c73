// Property tests of the PostgreSQL differ on generated pairs of schemas (A, B), on a
// real server (DBTOOL_TEST_PG_URL; skipped without one, required under CI=true): in a
// database at A filled with rows, plan_migration(A, B) gives exactly B and
// plan_migration(B, A) gives A back (column order aside: PostgreSQL appends a column it adds),
// and the rows of surviving tables keep their count and their unchanged columns'
// values. B is a mutation of A: columns added, dropped, widened, made NOT NULL or
// nullable, defaults, indexes, unique and check constraints, foreign key actions,
// enum values, identities, tables and views added or dropped.
#include "dbtool/db/postgres/postgres_connection.h"
#include "dbtool/diff/migration.h"
#include "dbtool/error.h"
#include "dbtool/schema/json_model.h"
#include "dbtool/schema/postgres_introspector.h"
#include "dbtool/schema/postgres_renderer.h"
#include "dbtool/util/strings.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <random>
#include <unistd.h>

using namespace dbtool::schema;
using dbtool::db::PostgresConnection;

namespace {

class Random {
 public:
  explicit Random(unsigned seed) : m_engine(seed) {}
  int between(int low, int high) { return std::uniform_int_distribution<int>(low, high)(m_engine); }
  bool chance(double p) { return std::bernoulli_distribution(p)(m_engine); }
  template <typename T> const T& pick(const std::vector<T>& items) {
    return items.at(static_cast<std::size_t>(between(0, static_cast<int>(items.size()) - 1)));
  }

 private:
  std::mt19937 m_engine;
};

struct TypeInfo {
  std::string type;
  std::string default_sql;
  bool numeric;
};

const std::vector<TypeInfo>& column_types() {
  static const std::vector<TypeInfo> types = {{"integer", "0", true},
                                              {"bigint", "7", true},
                                              {"text", "'x'", false},
                                              {"character varying(20)", "'y'", false},
                                              {"numeric(10,2)", "1.5", true},
                                              {"boolean", "false", false},
                                              {"timestamp with time zone", "now()", false},
                                              {"jsonb", "'{}'", false},
                                              {"uuid", "gen_random_uuid()", false},
                                              {"text[]", "'{}'", false},
                                              {"double precision", "0.5", true},
                                              {"date", "CURRENT_DATE", false}};
  return types;
}

// Widening changes PostgreSQL makes without losing a row's value.
std::optional<std::string> widened(const std::string& type) {
  if (type == "integer")
    return "bigint";
  if (type == "character varying(20)")
    return "text";
  if (type == "numeric(10,2)")
    return "numeric(14,3)";
  if (type == "text")
    return "character varying(200)";
  return std::nullopt;
}

bool is_key_column(const Table& table, const std::string& column) {
  if (table.primary_key &&
      std::find(table.primary_key->columns.begin(), table.primary_key->columns.end(), column) !=
          table.primary_key->columns.end())
    return true;
  for (const auto& key : table.foreign_keys)
    if (std::find(key.columns.begin(), key.columns.end(), column) != key.columns.end())
      return true;
  return false;
}

Column make_column(Random& random, const std::string& name, const Schema& schema) {
  Column column;
  column.name = name;
  auto types = column_types();
  if (!schema.enums.empty())
    types.push_back({"mood", "'ok'", false});
  const TypeInfo& info = random.pick(types);
  column.type = info.type;
  if (random.chance(0.4))
    column.default_sql = info.default_sql;
  column.not_null = column.default_sql && random.chance(0.5);
  return column;
}

Schema generate(Random& random) {
  Schema schema;
  if (random.chance(0.4))
    schema.enums.emplace("mood", EnumType{"mood", {"sad", "ok"}});
  const int tables = random.between(1, 4);
  for (int t = 0; t < tables; ++t) {
    Table table;
    table.name = "t" + std::to_string(t);
    Column id;
    id.name = "id";
    id.type = "integer";
    id.not_null = true;
    if (random.chance(0.5))
      id.identity = "BY DEFAULT";
    table.columns.push_back(id);
    table.primary_key = PrimaryKey{"", {"id"}, false, {}};
    const int columns = random.between(1, 5);
    for (int c = 0; c < columns; ++c)
      table.columns.push_back(make_column(random, "c" + std::to_string(c), schema));
    if (t > 0 && random.chance(0.5)) {
      Column parent;
      parent.name = "parent_id";
      parent.type = "integer";
      table.columns.push_back(parent);
      ForeignKey key;
      key.columns = {"parent_id"};
      key.ref_table = "t" + std::to_string(random.between(0, t - 1));
      key.ref_columns = {"id"};
      key.on_delete = random.pick(std::vector<std::string>{"NO ACTION", "CASCADE", "SET NULL"});
      table.foreign_keys.push_back(key);
    }
    for (const auto& column : table.columns) {
      if (column.name == "id" || column.name == "parent_id")
        continue;
      const bool numeric = column.type == "integer" || column.type == "bigint" ||
                           column.type == "numeric(10,2)" || column.type == "double precision";
      if (numeric && random.chance(0.25))
        table.checks.push_back(
            {table.name + "_" + column.name + "_check", column.name + " > '-1'::integer"});
      if (random.chance(0.2) && column.type != "jsonb" && column.type != "text[]" &&
          column.type != "boolean" && column.type != "mood")
        table.unique_constraints.push_back(
            {table.name + "_" + column.name + "_key", {column.name}, {}});
      if (random.chance(0.3) && column.type != "jsonb") {
        Index index;
        index.name = "ix_" + table.name + "_" + column.name;
        IndexKey key;
        key.column = column.name;
        key.descending = random.chance(0.3);
        index.keys.push_back(key);
        if (column.type == "text[]")
          index.method = "gin", index.keys[0].descending = false;
        else if (random.chance(0.3))
          index.where = "(" + column.name + " IS NOT NULL)";
        table.indexes.emplace(index.name, index);
      }
    }
    schema.tables.emplace(table.name, std::move(table));
  }
  if (random.chance(0.3))
    schema.views.emplace("v0", View{"v0", "SELECT id FROM t0 WHERE id > 1", {}, false});
  return schema;
}

// B: one to three changes of A.
Schema mutate(const Schema& a, Random& random) {
  Schema b = a;
  const int changes = random.between(1, 3);
  for (int n = 0; n < changes; ++n) {
    auto& table =
        std::next(b.tables.begin(), random.between(0, static_cast<int>(b.tables.size()) - 1))
            ->second;
    std::vector<std::size_t> plain; // columns free to change
    for (std::size_t i = 0; i < table.columns.size(); ++i)
      if (!is_key_column(table, table.columns[i].name))
        plain.push_back(i);
    switch (random.between(0, 11)) {
    case 0: // add a column
      table.columns.push_back(make_column(random, "n" + std::to_string(random.between(0, 999)), b));
      break;
    case 1: // drop a column (and what names it)
      if (!plain.empty()) {
        const std::string name = table.columns[random.pick(plain)].name;
        table.columns.erase(std::remove_if(table.columns.begin(), table.columns.end(),
                                           [&](const Column& c) { return c.name == name; }),
                            table.columns.end());
        std::erase_if(table.checks,
                      [&](const CheckConstraint& c) { return c.expression.find(name + " ") == 0; });
        std::erase_if(table.unique_constraints,
                      [&](const UniqueConstraint& u) { return u.columns[0] == name; });
        std::erase_if(table.indexes,
                      [&](const auto& item) { return item.second.keys[0].column == name; });
      }
      break;
    case 2: // widen a type
      if (!plain.empty()) {
        auto& column = table.columns[random.pick(plain)];
        if (const auto wider = widened(column.type)) {
          column.type = *wider;
          std::erase_if(table.checks, [&](const CheckConstraint& c) {
            return c.expression.find(column.name + " ") == 0;
          });
        }
      }
      break;
    case 3: // nullability (rows hold values everywhere)
      if (!plain.empty()) {
        auto& column = table.columns[random.pick(plain)];
        column.not_null = !column.not_null;
      }
      break;
    case 4: // a default
      if (!plain.empty()) {
        auto& column = table.columns[random.pick(plain)];
        for (const auto& info : column_types())
          if (info.type == column.type)
            column.default_sql =
                column.default_sql ? std::nullopt : std::optional(info.default_sql);
      }
      break;
    case 5: // an index added or dropped
      if (!table.indexes.empty() && random.chance(0.5)) {
        table.indexes.erase(table.indexes.begin());
      } else if (!plain.empty()) {
        const auto& column = table.columns[random.pick(plain)];
        if (column.type != "jsonb" && column.type != "text[]") {
          Index index;
          index.name = "ix_" + table.name + "_" + column.name + "_m";
          IndexKey key;
          key.column = column.name;
          index.keys.push_back(key);
          table.indexes.emplace(index.name, index);
        }
      }
      break;
    case 6: // a unique constraint added or dropped (row values are distinct)
      if (!table.unique_constraints.empty())
        table.unique_constraints.pop_back();
      else if (!plain.empty()) {
        const auto& column = table.columns[random.pick(plain)];
        if (column.type != "jsonb" && column.type != "text[]" && column.type != "boolean" &&
            column.type != "mood")
          table.unique_constraints.push_back(
              {table.name + "_" + column.name + "_uq", {column.name}, {}});
      }
      break;
    case 7: // a check dropped
      if (!table.checks.empty())
        table.checks.pop_back();
      break;
    case 8: // a foreign key's action
      for (auto& key : table.foreign_keys)
        key.on_delete = key.on_delete == "CASCADE" ? "SET NULL" : "CASCADE";
      break;
    case 9: // an enum value, or the enum made
      if (!b.enums.empty())
        b.enums.begin()->second.values.insert(b.enums.begin()->second.values.begin() + 1, "meh");
      break;
    case 10: { // a table added
      Table fresh;
      fresh.name = "x" + std::to_string(random.between(0, 999));
      Column id;
      id.name = "id";
      id.type = "bigint";
      id.not_null = true;
      id.identity = "ALWAYS";
      fresh.columns = {id, make_column(random, "c0", b)};
      fresh.primary_key = PrimaryKey{"", {"id"}, false, {}};
      b.tables.emplace(fresh.name, fresh);
      break;
    }
    case 11: // identity toggled, or the view dropped
      if (!b.views.empty()) {
        b.views.clear();
      } else {
        auto& id = table.columns[0];
        id.identity = id.identity.empty() ? "BY DEFAULT" : "";
      }
      break;
    }
  }
  return b;
}

// The model as PostgreSQL holds it, through a scratch schema; nothing if it refuses.
std::optional<Schema> normalized(PostgresConnection& connection, const Schema& model) {
  connection.execute("BEGIN; CREATE SCHEMA norm; SET LOCAL search_path = norm, public");
  try {
    connection.execute_script(render_postgres_schema(model), 1);
    Schema schema = introspect_postgres(connection);
    connection.rollback();
    return schema;
  } catch (const dbtool::Error&) {
    connection.rollback();
    return std::nullopt;
  }
}

// A schema's JSON with columns in name order (PostgreSQL appends what it adds).
std::string unordered(Schema schema) {
  for (auto& [name, table] : schema.tables)
    std::sort(table.columns.begin(), table.columns.end(),
              [](const Column& x, const Column& y) { return x.name < y.name; });
  return schema_to_json(schema, dbtool::config::Backend::Postgres);
}

std::string literal(const std::string& type, int row) {
  const std::string r = std::to_string(row + 1);
  if (type == "integer" || type == "bigint")
    return r;
  if (type == "numeric(10,2)" || type == "double precision")
    return r + ".25";
  if (type == "boolean")
    return row % 2 == 0 ? "true" : "false";
  if (type == "timestamp with time zone")
    return "'2026-01-0" + r + " 10:00:00+00'";
  if (type == "jsonb")
    return "'{\"r\": " + r + "}'";
  if (type == "uuid")
    return "'00000000-0000-0000-0000-00000000000" + r + "'";
  if (type == "text[]")
    return "'{a," + r + "}'";
  if (type == "date")
    return "'2026-02-0" + r + "'";
  if (type == "mood")
    return "'ok'";
  return "'v" + r + "'";
}

// Three rows per table, parents first (tables are named in creation order).
std::string rows_for(const Schema& schema) {
  std::string sql;
  for (const auto& [name, table] : schema.tables)
    for (int row = 0; row < 3; ++row) {
      std::vector<std::string> names, values;
      for (const auto& column : table.columns) {
        if (column.generated)
          continue;
        names.push_back(column.name);
        values.push_back(column.name == "parent_id" ? std::to_string(row + 1)
                         : column.name == "id"      ? std::to_string(row + 1)
                                                    : literal(column.type, row));
      }
      sql += "INSERT INTO " + quote_postgres_name(name) + " (" + dbtool::util::join(names, ", ") +
             ") OVERRIDING SYSTEM VALUE VALUES (" + dbtool::util::join(values, ", ") + ");\n";
    }
  return sql;
}

// Per surviving table: the row count, and the text of each column both keep unchanged.
std::map<std::string, std::string> row_values(PostgresConnection& connection, const Schema& a,
                                              const Schema& b) {
  std::map<std::string, std::string> out;
  for (const auto& [name, table] : a.tables) {
    const auto other = b.tables.find(name);
    if (other == b.tables.end())
      continue;
    std::vector<std::string> kept;
    for (const auto& column : table.columns)
      for (const auto& same : other->second.columns)
        if (same.name == column.name && same.type == column.type)
          kept.push_back("coalesce(" + quote_postgres_name(column.name) + "::text, 'NULL')");
    const std::string list = kept.empty() ? "''" : dbtool::util::join(kept, " || '|' || ");
    out[name] = connection
                    .query("SELECT count(*) || ':' || coalesce(string_agg(" + list +
                           ", ',' ORDER BY id), '') FROM " + quote_postgres_name(name))
                    .at(0)
                    .at(0)
                    .value_or("");
  }
  return out;
}

} // namespace

TEST_CASE("PostgreSQL differ: 200 generated pairs migrate both ways and keep rows") {
  const char* url = std::getenv("DBTOOL_TEST_PG_URL");
  if (url == nullptr || *url == '\0') {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true")
      FAIL("DBTOOL_TEST_PG_URL is not set: CI must run the PostgreSQL tests");
    MESSAGE("skipped: DBTOOL_TEST_PG_URL is not set");
    return;
  }
  const auto admin_url = dbtool::config::DatabaseUrl::parse(url);
  const std::string database = "dbtool_property_" + std::to_string(getpid());
  PostgresConnection admin(admin_url, {});
  admin.execute("DROP DATABASE IF EXISTS " + database);
  admin.execute("CREATE DATABASE " + database);
  struct Drop {
    PostgresConnection& admin;
    std::string database;
    ~Drop() {
      try {
        admin.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      } catch (...) {
      }
    }
  } drop{admin, database};
  const std::string base = std::string(url).substr(0, std::string(url).rfind('/'));
  PostgresConnection connection(dbtool::config::DatabaseUrl::parse(base + "/" + database), {});

  int cases = 0, refused = 0, refused_by_data = 0, applied = 0, failures = 0;
  std::string first_failure;
  for (unsigned seed = 1; cases < 200 && seed < 2000; ++seed) {
    Random random(seed);
    const Schema generated_a = generate(random);
    const Schema generated_b = mutate(generated_a, random);
    const auto a = normalized(connection, generated_a);
    const auto b = normalized(connection, generated_b);
    if (!a || !b) {
      ++refused; // a combination PostgreSQL refuses (e.g. a default of the wrong type)
      continue;
    }
    ++cases;
    auto fail = [&](const std::string& what) {
      if (failures++ < 3)
        first_failure += "\nseed " + std::to_string(seed) + ": " + what;
    };
    connection.execute("DROP SCHEMA IF EXISTS live CASCADE; CREATE SCHEMA live; "
                       "SET search_path = live, public");
    try {
      connection.execute_script(render_postgres_schema(*a) + rows_for(*a), 1);
    } catch (const dbtool::Error& error) {
      fail(std::string("loading A with rows: ") + error.what());
      continue;
    }
    const auto before = row_values(connection, *a, *b);
    const auto up = dbtool::diff::plan_migration(*a, *b, dbtool::config::Backend::Postgres).script;
    try {
      connection.execute("BEGIN");
      connection.execute_script(up.sql, 1);
      connection.commit();
    } catch (const dbtool::Error& error) {
      // The rows may forbid the change (a NOT NULL, a UNIQUE over equal defaults): the
      // migration must then fail as a whole and leave A as it was.
      connection.rollback();
      if (unordered(introspect_postgres(connection)) == unordered(*a))
        ++refused_by_data;
      else
        fail(std::string("a failed upgrade left the schema changed: ") + error.what());
      continue;
    }
    const Schema upgraded = introspect_postgres(connection);
    if (unordered(upgraded) != unordered(*b)) {
      fail("upgrade did not give B\n" + up.sql);
      continue;
    }
    if (!dbtool::diff::compare_schemas(upgraded, *b, dbtool::config::Backend::Postgres).empty())
      fail("a database at B still differs from B");
    if (row_values(connection, *a, *b) != before)
      fail("rows changed in surviving columns\n" + up.sql);
    const auto down =
        dbtool::diff::plan_migration(*b, *a, dbtool::config::Backend::Postgres).script;
    try {
      connection.execute("BEGIN");
      connection.execute_script(down.sql, 1);
      connection.commit();
    } catch (const dbtool::Error& error) {
      connection.rollback();
      if (unordered(introspect_postgres(connection)) == unordered(*b))
        ++refused_by_data;
      else
        fail(std::string("a failed downgrade left the schema changed: ") + error.what());
      continue;
    }
    if (unordered(introspect_postgres(connection)) != unordered(*a))
      fail("downgrade did not give A\n" + down.sql);
    else
      ++applied;
  }
  INFO("first failures: ", first_failure);
  MESSAGE("PostgreSQL differ: ", cases, " pairs: ", applied, " applied both ways, ",
          refused_by_data, " refused by their own rows (database unchanged), ", failures,
          " failures; ", refused, " generated models PostgreSQL refused");
  CHECK(cases >= 200);
  CHECK(applied >= 180);
  CHECK(failures == 0);
}
