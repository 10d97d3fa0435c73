// Property tests of the differ on generated pairs of schemas (A, B), each filled with
// generated rows: upgrade(A->B) gives exactly B and a clean check, downgrade gives A
// back, rows of surviving columns keep their values, and no row of any table (a
// child of a rebuilt parent included) is lost. Pairs are mostly B = a mutation of A,
// so that tables survive with changes; some are unrelated schemas.
#include "schema_generator.h"
#include "test_helpers.h"

#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/diff/schema_diff.h"
#include "dbtool/diff/sqlite_migration.h"
#include "dbtool/error.h"
#include "dbtool/schema/declared_schema.h"
#include "dbtool/schema/json_model.h"
#include "dbtool/schema/sqlite_introspector.h"
#include "dbtool/schema/sqlite_renderer.h"
#include "dbtool/util/strings.h"

#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <optional>
#include <random>

using namespace dbtool::schema;
using dbtool::db::SqliteConnection;

namespace {

std::optional<Schema> normalized(const Schema& model) {
  try {
    SqliteConnection connection{dbtool::config::SqliteOptions{}};
    connection.execute(render_sqlite_schema(model));
    return introspect_sqlite(connection);
  } catch (const dbtool::Error&) {
    return std::nullopt; // a mutation SQLite refuses: the caller tries another
  }
}

bool mentions(const Schema& schema, const std::string& table, const std::string& column) {
  const std::string needle = dbtool::util::sql_identifier(column);
  auto has = [&](const std::string& text) {
    return text.find(column) != std::string::npos || text.find(needle) != std::string::npos;
  };
  for (const auto& [name, view] : schema.views)
    if (has(view.sql))
      return true;
  for (const auto& [name, trigger] : schema.triggers)
    if (has(trigger.sql))
      return true;
  const Table& owner = schema.tables.at(table);
  for (const auto& check : owner.checks)
    if (has(check.expression))
      return true;
  for (const auto& other : owner.columns)
    if (other.generated && has(*other.generated))
      return true;
  for (const auto& [name, other] : schema.tables)
    for (const auto& key : other.foreign_keys)
      if (key.ref_table == table)
        return true; // a parent's columns stay
  return false;
}

// One random change to MODEL (which may turn out invalid; normalized() tells).
void mutate(Schema& model, std::mt19937& rng) {
  using namespace generator_detail;
  Random random(rng);
  std::vector<std::string> names;
  for (const auto& [name, table] : model.tables)
    names.push_back(name);
  const std::string name = random.pick(names);
  Table& table = model.tables.at(name);
  const int kind = random.between(0, 10);
  switch (kind) {
  case 0: { // add a nullable column at the end, maybe with a literal default
    Column column;
    column.name = "added_" + std::to_string(random.between(1, 99));
    column.type = table.strict ? "TEXT" : random.pick(plain_types());
    if (random.chance(0.5))
      column.default_sql = random.pick(std::vector<std::string>{"0", "'x'", "NULL", "-1"});
    table.columns.push_back(column);
    break;
  }
  case 1: { // drop a column nothing else needs
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const auto& column = table.columns[i];
      const bool keyed =
          table.primary_key &&
          std::find(table.primary_key->columns.begin(), table.primary_key->columns.end(),
                    column.name) != table.primary_key->columns.end();
      if (!keyed && table.columns.size() > 1 && !mentions(model, name, column.name))
        candidates.push_back(i);
    }
    if (candidates.empty())
      break;
    const std::string column = table.columns[random.pick(candidates)].name;
    table.columns.erase(std::find_if(table.columns.begin(), table.columns.end(),
                                     [&](const Column& c) { return c.name == column; }));
    auto uses = [&](const std::vector<std::string>& columns) {
      return std::find(columns.begin(), columns.end(), column) != columns.end();
    };
    std::erase_if(table.unique_constraints, [&](const auto& u) { return uses(u.columns); });
    std::erase_if(table.foreign_keys, [&](const auto& k) { return uses(k.columns); });
    std::erase_if(table.indexes, [&](const auto& entry) {
      for (const auto& key : entry.second.keys)
        if (key.column == column || !key.expression.empty())
          return true;
      return entry.second.where.has_value();
    });
    break;
  }
  case 2: { // change a column's type
    auto& column = table.columns[random.between(0, static_cast<int>(table.columns.size()) - 1)];
    if (!column.generated)
      column.type = table.strict ? random.pick(strict_types()) : random.pick(plain_types());
    break;
  }
  case 3: { // nullability
    auto& column = table.columns[random.between(0, static_cast<int>(table.columns.size()) - 1)];
    column.not_null = !column.not_null;
    break;
  }
  case 4: { // default
    auto& column = table.columns[random.between(0, static_cast<int>(table.columns.size()) - 1)];
    if (!column.generated)
      column.default_sql =
          random.chance(0.3) ? std::nullopt : std::optional<std::string>(random.pick(defaults()));
    break;
  }
  case 5: { // an index more
    Index index;
    index.name = "ix_mut_" + std::to_string(random.between(1, 999));
    const auto columns = plain_columns(table);
    if (columns.empty())
      break;
    index.keys.push_back({random.pick(columns), "", "", random.chance(0.3), {}, {}});
    table.indexes.emplace(index.name, index);
    break;
  }
  case 6: // an index less
    if (!table.indexes.empty())
      table.indexes.erase(table.indexes.begin());
    break;
  case 7: // foreign key actions
    for (auto& key : table.foreign_keys)
      key.on_delete = random.pick(actions());
    break;
  case 8: { // move a column: only a rebuild can do it
    if (table.columns.size() > 1)
      std::rotate(table.columns.begin(), table.columns.begin() + 1, table.columns.end());
    break;
  }
  case 9: { // a table more
    std::mt19937 other(static_cast<unsigned>(random.between(1, 1 << 20)));
    const Schema extra = generate_schema(other);
    for (const auto& [extra_name, extra_table] : extra.tables) {
      if (model.tables.count(extra_name) != 0 || !extra_table.foreign_keys.empty())
        continue;
      model.tables.emplace(extra_name, extra_table);
      break;
    }
    break;
  }
  case 10: { // a table less, when nothing refers to it
    bool referenced = !model.views.empty() || !model.triggers.empty() || model.tables.size() < 2;
    for (const auto& [other_name, other] : model.tables)
      for (const auto& key : other.foreign_keys)
        referenced = referenced || (key.ref_table == name && other_name != name);
    if (!referenced)
      model.tables.erase(name);
    break;
  }
  }
}

// Generated rows for every table, with enforcement off; rows breaking a foreign key
// are then deleted so that the data is consistent. False when that cannot be done
// (a generated trigger refuses the delete): the pair is skipped.
bool fill(SqliteConnection& connection, const Schema& schema, std::mt19937& rng) {
  generator_detail::Random random(rng);
  connection.set_foreign_keys(false);
  for (const auto& [name, table] : schema.tables) {
    std::vector<std::string> columns;
    for (const auto& column : table.columns)
      if (!column.generated)
        columns.push_back(quote_name(column.name));
    for (int row = 0; row < 6; ++row) {
      std::vector<std::string> values;
      for (std::size_t c = 0; c < columns.size(); ++c)
        values.push_back(random.pick(std::vector<std::string>{
            "NULL", std::to_string(row + 1), std::to_string(random.between(-5, 5)), "'a'",
            "'" + std::to_string(row) + "x'", "1.5", "x'0102'", "''"}));
      try {
        connection.execute("INSERT OR IGNORE INTO " + quote_name(name) + " (" +
                           dbtool::util::join(columns, ", ") + ") VALUES (" +
                           dbtool::util::join(values, ", ") + ")");
      } catch (const dbtool::Error&) {
        // a STRICT table refuses a value of the wrong type: that row is not made
      }
    }
  }
  for (int round = 0; round < 10; ++round) {
    const auto rows = connection.query("SELECT \"table\", rowid FROM pragma_foreign_key_check");
    if (rows.empty())
      break;
    for (const auto& row : rows) {
      const std::string table = quote_name(row.at(0).value_or(""));
      // A WITHOUT ROWID table has no rowid to name the row by: empty it.
      try {
        connection.execute(row.at(1) ? "DELETE FROM " + table + " WHERE rowid = " + *row.at(1)
                                     : "DELETE FROM " + table);
      } catch (const dbtool::Error&) {
        connection.set_foreign_keys(true);
        return false;
      }
    }
  }
  connection.set_foreign_keys(true);
  return connection.foreign_key_violations(1).empty();
}

// Rows per table, and the values of each column, for the columns in KEEP.
std::map<std::string, std::vector<std::string>>
snapshot(SqliteConnection& connection, const Schema& schema,
         const std::map<std::string, std::vector<std::string>>& keep) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [name, columns] : keep) {
    const Table& table = schema.tables.at(name);
    std::vector<std::string> quoted;
    for (const auto& column : columns)
      quoted.push_back("quote(" + quote_name(column) + ")");
    quoted.push_back("1");
    std::string order = "rowid";
    if (table.without_rowid && table.primary_key) {
      std::vector<std::string> keys;
      for (const auto& key : table.primary_key->columns)
        keys.push_back(quote_name(key));
      order = dbtool::util::join(keys, ", ");
    }
    auto& lines = out[name];
    for (const auto& row : connection.query("SELECT " + dbtool::util::join(quoted, " || '|' || ") +
                                            " FROM " + quote_name(name) + " ORDER BY " + order))
      lines.push_back(row.at(0).value_or("NULL"));
    // A changed key type may reorder rows: compare them as a multiset.
    std::sort(lines.begin(), lines.end());
  }
  return out;
}

bool apply(SqliteConnection& connection, const dbtool::diff::MigrationScript& script,
           std::string& error) {
  if (script.foreign_keys_off)
    connection.set_foreign_keys(false);
  try {
    dbtool::db::WriteTransaction transaction(connection);
    connection.execute(script.sql);
    const auto violations = connection.foreign_key_violations(1);
    if (!violations.empty())
      throw dbtool::Error(dbtool::ErrorKind::Database, "foreign key violation " + violations[0]);
    transaction.commit();
  } catch (const dbtool::Error& failure) {
    error = failure.what();
    connection.set_foreign_keys(true);
    return false;
  }
  connection.set_foreign_keys(true);
  return true;
}

// A generated pair (A, B) from RNG seeded with SEED: B a mutation of A (one to three
// changes), or now and then an unrelated schema; nothing when SQLite refuses what was
// generated.
std::optional<std::pair<Schema, Schema>> generated_pair(unsigned seed, std::mt19937& rng) {
  const auto a = normalized(generate_schema(rng));
  if (!a)
    return std::nullopt;
  std::optional<Schema> b;
  if (seed % 10 == 0)
    b = normalized(generate_schema(rng));
  else
    for (int attempt = 0; attempt < 5 && !b; ++attempt) {
      Schema mutated = *a;
      const int changes = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < changes; ++i)
        mutate(mutated, rng);
      b = normalized(mutated);
    }
  if (!b)
    return std::nullopt;
  return std::make_pair(*a, *b);
}

} // namespace

TEST_CASE("differ: 1,000 generated pairs migrate both ways, exactly, without losing rows") {
  int pairs = 0, applied = 0, refused_by_data = 0, failures = 0;
  std::string first_failure;
  for (unsigned seed = 1; pairs < 1000 && seed < 5000; ++seed) {
    std::mt19937 rng(seed);
    const auto pair = generated_pair(seed, rng);
    if (!pair)
      continue;
    const Schema* a = &pair->first;
    const Schema* b = &pair->second;
    ++pairs;
    auto fail = [&](const std::string& what) {
      if (failures++ == 0)
        first_failure = "seed " + std::to_string(seed) + ": " + what;
    };

    SqliteConnection connection{dbtool::config::SqliteOptions{}};
    connection.execute(render_sqlite_schema(*a));
    if (!fill(connection, *a, rng)) {
      --pairs;
      continue;
    }

    // Columns that survive with the same type keep their values.
    std::map<std::string, std::vector<std::string>> keep;
    for (const auto& [name, table] : a->tables) {
      const auto other = b->tables.find(name);
      if (other == b->tables.end())
        continue;
      std::vector<std::string> columns;
      for (const auto& column : table.columns) {
        const Column* after = other->second.find_column(column.name);
        if (after && after->type == column.type && !column.generated && !after->generated &&
            after->collation == column.collation)
          columns.push_back(column.name);
      }
      // A table that keeps no column keeps no rows either (its drops are marked
      // destructive); every other table must keep every row.
      if (!columns.empty())
        keep[name] = columns;
    }
    const auto before = snapshot(connection, *a, keep);

    const auto up_operations = dbtool::diff::compare_schemas(*a, *b);
    const auto up = dbtool::diff::render_sqlite_migration(*a, *b, up_operations);
    std::string error;
    if (!apply(connection, up, error)) {
      // Only the data may refuse (a new NOT NULL, UNIQUE or CHECK it breaks); then
      // nothing at all changed.
      const bool data_refused = error.find("constraint failed") != std::string::npos ||
                                error.find("foreign key violation") != std::string::npos ||
                                error.find("datatype mismatch") != std::string::npos ||
                                error.find("cannot store") != std::string::npos;
      if (!data_refused)
        fail("upgrade failed: " + error + "\n" + up.sql);
      else if (!(introspect_sqlite(connection) == *a))
        fail("a refused upgrade changed the schema");
      else
        ++refused_by_data;
      continue;
    }
    ++applied;
    const Schema after_up = introspect_sqlite(connection);
    if (!dbtool::diff::compare_schemas(after_up, *b).empty())
      fail("check not clean after upgrade: " +
           dbtool::diff::compare_schemas(after_up, *b).front().describe() + "\n" + up.sql);
    else if (!(after_up == *b))
      fail("upgrade result differs from B: " + describe_difference(after_up, *b) + "\n" + up.sql);
    if (snapshot(connection, *b, keep) != before)
      fail("rows changed or were lost by the upgrade\n" + up.sql);

    const auto down =
        dbtool::diff::render_sqlite_migration(*b, *a, dbtool::diff::compare_schemas(*b, *a));
    if (!apply(connection, down, error)) {
      const bool data_refused = error.find("constraint failed") != std::string::npos ||
                                error.find("foreign key violation") != std::string::npos ||
                                error.find("datatype mismatch") != std::string::npos;
      if (!data_refused)
        fail("downgrade failed: " + error + "\n" + down.sql);
      continue;
    }
    const Schema after_down = introspect_sqlite(connection);
    if (!dbtool::diff::compare_schemas(after_down, *a).empty() || !(after_down == *a))
      fail("downgrade result differs from A: " + describe_difference(after_down, *a) + "\n" +
           down.sql);
    if (snapshot(connection, *a, keep) != before)
      fail("rows changed or were lost by the downgrade\n" + down.sql);
  }
  INFO(first_failure);
  CHECK(pairs == 1000);
  CHECK(failures == 0);
  // Most pairs must really migrate, not be refused by their data.
  CHECK(applied > pairs * 3 / 4);
  MESSAGE("pairs: ", pairs, ", applied: ", applied, ", refused by their data: ", refused_by_data);
}

namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

} // namespace

// `check` takes a declared table from the live database's introspection when both have
// the same CREATE TABLE and CREATE INDEX texts (DeclaredModels). The property: for every
// pair, the models of B read with the live tables of a database built as A (or as B
// itself, where every table matches) are exactly the models read alone, whether B is
// declared as JSON or as SQL.
TEST_CASE("declared models: tables taken from the live database give the same schema") {
  int pairs = 0, failures = 0;
  std::string first_failure;
  for (unsigned seed = 1; pairs < 500 && seed < 5000; ++seed) {
    std::mt19937 rng(seed);
    const auto pair = generated_pair(seed, rng);
    if (!pair)
      continue;
    ++pairs;
    const auto& [a, b] = *pair;
    for (const Schema* live_model : {&a, &b}) {
      SqliteConnection database{dbtool::config::SqliteOptions{}};
      database.execute(render_sqlite_schema(*live_model));
      LiveSchema live;
      live.schema = introspect_sqlite(database, {}, &live.create_sql);
      for (const bool json : {true, false}) {
        dbtool::test::TempDir models;
        write_file(models.path() / (json ? "models.json" : "models.sql"),
                   json ? schema_to_json(b) : render_sqlite_schema(b));
        const Schema alone = load_declared_schema(models.path());
        const Schema with_live = load_declared_schema(models.path(), &live);
        if (!(alone == with_live) && failures++ == 0)
          first_failure = "seed " + std::to_string(seed) + (json ? " (json)" : " (sql)") + ": " +
                          describe_difference(alone, with_live);
      }
    }
  }
  INFO(first_failure);
  CHECK(pairs == 500);
  CHECK(failures == 0);
}

// The shortcut is taken: a live table whose texts match is used as the live database
// read it (here tampered with, to tell it from a loaded one); one whose texts differ,
// or whose index says DESC, is loaded. A column named "description" is no DESC.
TEST_CASE("declared models: which tables are taken from the live database") {
  const std::string sql = "CREATE TABLE same (id INTEGER PRIMARY KEY, description TEXT);\n"
                          "CREATE INDEX ix_same ON same (description);\n"
                          "CREATE TABLE other (id INTEGER PRIMARY KEY);\n"
                          "CREATE TABLE sorted (id INTEGER PRIMARY KEY, v TEXT);\n"
                          "CREATE INDEX ix_sorted ON sorted (v DESC);\n";
  SqliteConnection database{dbtool::config::SqliteOptions{}};
  database.execute(sql);
  LiveSchema live;
  live.schema = introspect_sqlite(database, {}, &live.create_sql);
  for (const char* name : {"same", "other", "sorted"})
    live.schema.tables.at(name).comment = "from the live database";
  dbtool::test::TempDir models;
  write_file(models.path() / "models.sql",
             sql.substr(0, sql.find("CREATE TABLE other")) +
                 "CREATE TABLE other (id INTEGER PRIMARY KEY, extra TEXT);\n" +
                 sql.substr(sql.find("CREATE TABLE sorted")));
  const Schema declared = load_declared_schema(models.path(), &live);
  CHECK(declared.tables.at("same").comment == "from the live database");
  CHECK(declared.tables.at("other").comment.empty());
  CHECK(declared.tables.at("other").columns.size() == 2);
  CHECK(declared.tables.at("sorted").comment.empty());
}
