// Round trips of the schema model: SQL rendered from a model, executed and introspected,
// gives the model back; so does the JSON model format, as a document and as text. Random
// schemas from schema_generator.h cover the combinations; hand-written ones pin the
// details. Then the declared-schema loader: files combined, and every error it reports.
#include "schema_generator.h"
#include "test_helpers.h"

#include "dbtool/db/sqlite/sqlite_connection.h"
#include "dbtool/error.h"
#include "dbtool/schema/create_statement.h"
#include "dbtool/schema/declared_schema.h"
#include "dbtool/schema/json_model.h"
#include "dbtool/schema/sqlite_introspector.h"
#include "dbtool/schema/sqlite_renderer.h"
#include "dbtool/util/strings.h"

#include <nlohmann/json.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

using namespace dbtool::schema;
using dbtool::db::SqliteConnection;

namespace {

// Executes SQL in a fresh in-memory database and introspects it.
Schema load(const std::string& sql) {
  SqliteConnection connection{dbtool::config::SqliteOptions{}};
  connection.execute(sql);
  return introspect_sqlite(connection);
}

// The column names SQLite reports for a table or view after executing SQL.
std::vector<std::string> column_names_in(const std::string& sql, const std::string& object) {
  SqliteConnection connection{dbtool::config::SqliteOptions{}};
  connection.execute(sql);
  std::vector<std::string> names;
  for (const auto& row : connection.query("SELECT name FROM pragma_table_info(" +
                                          dbtool::util::sql_quote(object) + ")"))
    names.push_back(row.at(0).value_or(""));
  return names;
}

// A failure of one round-trip property, remembered with the first seed that shows it.
struct Failures {
  int count = 0;
  unsigned first_seed = 0;
  std::string first_sql;
  std::string first_difference;
  void add(unsigned seed, const std::string& sql, const std::string& difference) {
    if (count++ == 0) {
      first_seed = seed;
      first_sql = sql;
      first_difference = difference;
    }
  }
  void report(const char* property) const {
    INFO(std::string(property));
    INFO("failing seeds: ", count, "; first seed: ", first_seed);
    INFO("difference: ", first_difference);
    INFO("rendered SQL:\n", first_sql);
    CHECK(count == 0);
  }
};

// The difference between A and the model got by executing render(M) and introspecting.
std::string through_sqlite(const Schema& expected, const Schema& model, std::string& sql) {
  sql = render_sqlite_schema(model);
  try {
    return describe_difference(expected, load(sql));
  } catch (const std::exception& error) {
    return std::string("SQLite rejects the rendered SQL: ") + error.what();
  }
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// load_declared_schema of a folder whose models.sql is TEXT.
Schema load_declared_schema_of(const std::string& text) {
  dbtool::test::TempDir dir;
  write_file(dir.path() / "models.sql", text);
  return load_declared_schema(dir.path());
}

// Runs load_declared_schema expecting a project error; returns it.
dbtool::Error load_error(const std::filesystem::path& folder) {
  try {
    load_declared_schema(folder);
  } catch (const dbtool::Error& error) {
    return error;
  }
  FAIL("load_declared_schema did not fail");
  return dbtool::Error(dbtool::ErrorKind::Usage, "unreachable");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace

// ---------------------------------------------------------------- random schemas

// For seeds 1..600: G = generate_schema(seed); A = introspect(execute(render(G))).
//   G is valid (SQLite accepts render(G)) and already normalised (A == G);
//   (a) introspect(execute(render(A))) == A;
//   (b) M = schema_from_json(schema_to_json(A)): M == A and introspect(execute(render(M))) == A;
//   (c) the same through the JSON text (dump, then schema_from_json_text).
// Each property reports how many seeds break it, the first such seed, what differs and
// the SQL (or JSON) involved.
TEST_CASE("random schemas: generated, rendered, introspected and JSON round trips agree") {
  Failures rejected, normalised, sql_trip, layout, json_model, json_trip, idempotent_json,
      text_model, text_trip, declared;
  dbtool::test::TempDir models;
  int cases = 0;
  for (unsigned seed = 1; seed <= 600; ++seed) {
    std::mt19937 rng(seed);
    const Schema generated = generate_schema(rng);
    const std::string first_sql = render_sqlite_schema(generated);
    Schema a;
    try {
      a = load(first_sql);
    } catch (const std::exception& error) {
      rejected.add(seed, first_sql, error.what());
      continue;
    }
    ++cases;
    if (const auto difference = describe_difference(generated, a); !difference.empty())
      normalised.add(seed, first_sql, difference);

    // Introspection is deterministic: SQL text already executed need not run again. In
    // particular when A == G, render(A) is the text that gave A, and (a) holds at once.
    std::map<std::string, Schema> introspected{{first_sql, a}};
    auto through = [&](const Schema& model, Failures& failures) {
      const std::string sql = render_sqlite_schema(model);
      std::string difference;
      try {
        auto found = introspected.find(sql);
        if (found == introspected.end())
          found = introspected.emplace(sql, load(sql)).first;
        difference = describe_difference(a, found->second);
      } catch (const std::exception& error) {
        difference = std::string("SQLite rejects the rendered SQL: ") + error.what();
      }
      if (!difference.empty())
        failures.add(seed, sql, difference);
    };
    // (a) SQL: render(A) executed and introspected is A.
    through(a, sql_trip);

    // (b) JSON document, laid out exactly as nlohmann lays it out.
    const std::string document = schema_to_json(a);
    try {
      const auto parsed = nlohmann::ordered_json::parse(document);
      if (parsed.dump(2) != document)
        layout.add(seed, document, parsed.dump(2));
      const Schema from_json = schema_from_json_text(document, "seed.json");
      if (const auto difference = describe_difference(a, from_json); !difference.empty())
        json_model.add(seed, document, difference);
      through(from_json, json_trip);
      if (const auto again = schema_to_json(from_json); again != document)
        idempotent_json.add(seed, document, again);

      // (c) The same document without indentation.
      const std::string compact = parsed.dump();
      const Schema from_text = schema_from_json_text(compact, "seed.json");
      if (const auto difference = describe_difference(a, from_text); !difference.empty())
        text_model.add(seed, compact, difference);
      through(from_text, text_trip);

      // (d) The document as a project's schema/models.json: load_declared_schema writes
      // JSON models into sqlite_schema in bulk, not through CREATE statements.
      write_file(models.path() / "models.json", document);
      if (const auto difference = describe_difference(a, load_declared_schema(models.path()));
          !difference.empty())
        declared.add(seed, document, difference);
    } catch (const std::exception& error) {
      json_model.add(seed, document, std::string("reading the JSON threw: ") + error.what());
    }
  }
  CHECK(cases >= 500);
  rejected.report("SQLite accepts render_sqlite_schema(generated)");
  normalised.report("introspect(render(generated)) == generated");
  sql_trip.report("(a) introspect(render(A)) == A");
  layout.report("schema_to_json(A) == nlohmann::ordered_json::parse(it).dump(2)");
  json_model.report("(b) schema_from_json(schema_to_json(A)) == A");
  json_trip.report("(b) introspect(render(schema_from_json(schema_to_json(A)))) == A");
  idempotent_json.report("schema_to_json(schema_from_json(J)) == J");
  text_model.report("(c) schema_from_json_text(compact schema_to_json(A)) == A");
  text_trip.report("(c) introspect(render(schema_from_json_text(...))) == A");
  declared.report("(d) load_declared_schema(folder with schema_to_json(A)) == A");
}

// The same random schemas written the way people write SQL: column constraints, other
// orders, quoting styles and keyword case, comments everywhere. Introspection must not
// care: it gives the generated model.
TEST_CASE("random schemas: any spelling of the SQL introspects to the same model") {
  Failures rejected, different, declared;
  dbtool::test::TempDir models;
  for (unsigned seed = 1; seed <= 400; ++seed) {
    std::mt19937 rng(seed);
    const Schema generated = generate_schema(rng);
    std::mt19937 spelling_rng(seed * 7919u);
    const std::string sql = render_alternative_sql(generated, spelling_rng);
    Schema introspected;
    try {
      introspected = load(sql);
    } catch (const std::exception& error) {
      rejected.add(seed, sql, error.what());
      continue;
    }
    if (const auto difference = describe_difference(generated, introspected); !difference.empty())
      different.add(seed, sql, difference);
    // The same SQL as a project's schema/models.sql: load_declared_schema writes its
    // CREATE TABLE and CREATE INDEX statements into sqlite_schema in bulk.
    write_file(models.path() / "models.sql", sql);
    try {
      if (const auto difference =
              describe_difference(introspected, load_declared_schema(models.path()));
          !difference.empty())
        declared.add(seed, sql, difference);
    } catch (const std::exception& error) {
      declared.add(seed, sql, std::string("load_declared_schema threw: ") + error.what());
    }
  }
  rejected.report("SQLite accepts render_alternative_sql(generated)");
  different.report("introspect(render_alternative_sql(generated)) == generated");
  declared.report("load_declared_schema(folder with render_alternative_sql(generated)) == it");
}

TEST_CASE("random schemas: the generator covers every feature") {
  int awkward = 0, without_rowid = 0, strict = 0, both = 0, autoincrement = 0, composite = 0,
      named_pk = 0, generated_stored = 0, generated_virtual = 0, deferrable = 0, composite_fk = 0,
      named_fk = 0, expression_keys = 0, partial = 0, descending = 0, collated_keys = 0,
      unique_indexes = 0, named_checks = 0, uniques = 0, views = 0, triggers = 0, defaults = 0,
      collations = 0, view_columns = 0, collated_expressions = 0;
  std::set<std::string> actions;
  for (unsigned seed = 1; seed <= 600; ++seed) {
    std::mt19937 rng(seed);
    const Schema schema = generate_schema(rng);
    views += static_cast<int>(schema.views.size());
    for (const auto& [name, view] : schema.views)
      view_columns += !view.columns.empty();
    triggers += static_cast<int>(schema.triggers.size());
    for (const auto& [name, table] : schema.tables) {
      awkward += quote_name(name) != name;
      without_rowid += table.without_rowid;
      strict += table.strict;
      both += table.strict && table.without_rowid;
      if (table.primary_key) {
        autoincrement += table.primary_key->autoincrement;
        composite += table.primary_key->columns.size() > 1;
        named_pk += !table.primary_key->name.empty();
      }
      for (const auto& column : table.columns) {
        generated_stored += column.generated && column.generated_stored;
        generated_virtual += column.generated && !column.generated_stored;
        defaults += column.default_sql.has_value();
        collations += !column.collation.empty();
      }
      for (const auto& key : table.foreign_keys) {
        deferrable += key.deferrable;
        composite_fk += key.columns.size() > 1;
        named_fk += !key.name.empty();
        actions.insert(key.on_delete);
        actions.insert(key.on_update);
      }
      for (const auto& check : table.checks)
        named_checks += !check.name.empty();
      uniques += static_cast<int>(table.unique_constraints.size());
      for (const auto& [index_name, index] : table.indexes) {
        partial += index.where.has_value();
        unique_indexes += index.unique;
        for (const auto& key : index.keys) {
          expression_keys += !key.expression.empty();
          descending += key.descending;
          collated_keys += !key.collation.empty();
          collated_expressions += !key.expression.empty() && !key.collation.empty();
        }
      }
    }
  }
  for (int count : {awkward,
                    without_rowid,
                    strict,
                    both,
                    autoincrement,
                    composite,
                    named_pk,
                    generated_stored,
                    generated_virtual,
                    deferrable,
                    composite_fk,
                    named_fk,
                    expression_keys,
                    partial,
                    descending,
                    collated_keys,
                    unique_indexes,
                    named_checks,
                    uniques,
                    views,
                    triggers,
                    defaults,
                    collations,
                    view_columns,
                    collated_expressions})
    CHECK(count >= 5);
  CHECK(actions.size() == 5);
}

// ---------------------------------------------------------------- hand-written schemas

namespace {

const char* const every_feature_sql = R"sql(
CREATE TABLE "my table" (
  "id" INTEGER CONSTRAINT "pk my" PRIMARY KEY AUTOINCREMENT,
  "order" TEXT NOT NULL DEFAULT 'it''s' COLLATE nocase CONSTRAINT "ck order" CHECK (length("order") > 0),
  "we""ird" NUMERIC(10,2) DEFAULT -1 CHECK ("we""ird" BETWEEN -10 AND 10),
  čaj REAL DEFAULT (1 + 2),
  created DATETIME DEFAULT CURRENT_TIMESTAMP,
  "x""; DROP TABLE y; --" TEXT COLLATE RTRIM UNIQUE,
  doubled AS ("we""ird" * 2) STORED,
  lowered TEXT GENERATED ALWAYS AS (lower( "order" )) VIRTUAL,
  nada UNSIGNED BIG INT DEFAULT NULL,
  CONSTRAINT "uq, pair" UNIQUE ("order", čaj)
);
CREATE TABLE 表 (
  a INTEGER NOT NULL,
  b TEXT,
  "group" INT,
  CONSTRAINT pk_x PRIMARY KEY (a, b),
  CONSTRAINT "fk my" FOREIGN KEY ("group") REFERENCES "my table" (id)
    ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
  FOREIGN KEY (a) REFERENCES "my table" ON DELETE SET DEFAULT ON UPDATE RESTRICT
) WITHOUT ROWID;
CREATE TABLE "select" (
  k INT PRIMARY KEY, a INTEGER, b TEXT, v ANY,
  FOREIGN KEY (a, b) REFERENCES 表 (a, b) ON DELETE NO ACTION
) STRICT;
CREATE TABLE both_options (k TEXT PRIMARY KEY, n INT CHECK (n >= 0)) WITHOUT ROWID, STRICT;
CREATE UNIQUE INDEX "ix my" ON "my table" (
  "order" DESC, lower("x""; DROP TABLE y; --") COLLATE NOCASE, čaj COLLATE BINARY
) WHERE "order" IS NOT NULL;
CREATE INDEX ix_collate ON "my table" ("x""; DROP TABLE y; --" COLLATE NOCASE);
CREATE INDEX ix_same ON "my table" ("order" COLLATE NOCASE, doubled);
CREATE VIEW "my view" AS SELECT id, "order" FROM "my table" WHERE čaj > 0;
CREATE TRIGGER "trg; x" AFTER INSERT ON "my table"
BEGIN
  UPDATE "my table" SET čaj = 1 WHERE id = NEW.id;
END;
)sql";

} // namespace

TEST_CASE("every feature with awkward names: introspected fields") {
  const Schema schema = load(every_feature_sql);
  REQUIRE(schema.tables.size() == 4);
  REQUIRE(schema.tables.count("my table") == 1);
  const Table& my = schema.tables.at("my table");
  REQUIRE(my.columns.size() == 9);
  CHECK(my.columns[0].name == "id");
  CHECK(my.columns[0].type == "INTEGER");
  CHECK(my.is_rowid_alias("id"));
  REQUIRE(my.primary_key);
  CHECK(my.primary_key->name == "pk my");
  CHECK(my.primary_key->columns == std::vector<std::string>{"id"});
  CHECK(my.primary_key->autoincrement);

  const Column& order = my.columns[1];
  CHECK(order.name == "order");
  CHECK(order.not_null);
  CHECK(order.default_sql == "'it''s'");
  CHECK(order.collation == "NOCASE");
  CHECK_FALSE(order.generated);
  CHECK(my.columns[2].name == "we\"ird");
  CHECK(my.columns[2].type == "NUMERIC(10,2)");
  CHECK(my.columns[2].default_sql == "-1");
  CHECK(my.columns[3].name == "čaj");
  CHECK(my.columns[3].default_sql == "1 + 2");
  CHECK(my.columns[4].default_sql == "CURRENT_TIMESTAMP");
  CHECK(my.columns[5].name == "x\"; DROP TABLE y; --");
  CHECK(my.columns[5].collation == "RTRIM");
  CHECK(my.columns[6].generated == "\"we\"\"ird\" * 2");
  CHECK(my.columns[6].generated_stored);
  CHECK(my.columns[6].type.empty());
  CHECK(my.columns[7].generated == "lower(\"order\")");
  CHECK_FALSE(my.columns[7].generated_stored);
  CHECK(my.columns[8].type == "UNSIGNED BIG INT");
  CHECK(my.columns[8].default_sql == "NULL");

  REQUIRE(my.checks.size() == 2);
  CHECK(my.checks[0] == CheckConstraint{"ck order", "length(\"order\") > 0"});
  CHECK(my.checks[1] == CheckConstraint{"", "\"we\"\"ird\" BETWEEN - 10 AND 10"});
  REQUIRE(my.unique_constraints.size() == 2);
  CHECK(my.unique_constraints[0] == UniqueConstraint{"", {"x\"; DROP TABLE y; --"}, {}});
  CHECK(my.unique_constraints[1] == UniqueConstraint{"uq, pair", {"order", "čaj"}, {}});
  CHECK_FALSE(my.without_rowid);
  CHECK_FALSE(my.strict);

  REQUIRE(my.indexes.size() == 3);
  const Index& ix = my.indexes.at("ix my");
  CHECK(ix.unique);
  REQUIRE(ix.keys.size() == 3);
  CHECK(ix.keys[0] == IndexKey{"order", "", "", true, {}, {}});
  CHECK(ix.keys[1] == IndexKey{"", "lower(\"x\"\"; DROP TABLE y; --\")", "NOCASE", false, {}, {}});
  CHECK(ix.keys[2] == IndexKey{"čaj", "", "", false, {}, {}}); // BINARY is the column's default
  CHECK(ix.where == "\"order\" IS NOT NULL");
  const Index& collate = my.indexes.at("ix_collate");
  REQUIRE(collate.keys.size() == 1);
  CHECK(collate.keys[0].collation == "NOCASE"); // the column's is RTRIM
  CHECK_FALSE(collate.unique);
  CHECK_FALSE(collate.where);
  const Index& same = my.indexes.at("ix_same");
  REQUIRE(same.keys.size() == 2);
  CHECK(same.keys[0].collation.empty()); // the column's own
  CHECK(same.keys[1].column == "doubled");

  const Table& cjk = schema.tables.at("表");
  CHECK(cjk.without_rowid);
  CHECK_FALSE(cjk.strict);
  REQUIRE(cjk.primary_key);
  CHECK(cjk.primary_key->name == "pk_x");
  CHECK(cjk.primary_key->columns == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(cjk.primary_key->autoincrement);
  CHECK(cjk.columns[1].not_null); // WITHOUT ROWID key columns are NOT NULL
  CHECK_FALSE(cjk.is_rowid_alias("a"));
  REQUIRE(cjk.foreign_keys.size() == 2);
  const ForeignKey& first = cjk.foreign_keys[0];
  CHECK(first.name == "fk my");
  CHECK(first.columns == std::vector<std::string>{"group"});
  CHECK(first.ref_table == "my table");
  CHECK(first.ref_columns == std::vector<std::string>{"id"});
  CHECK(first.on_delete == "CASCADE");
  CHECK(first.on_update == "SET NULL");
  CHECK(first.deferrable);
  const ForeignKey& second = cjk.foreign_keys[1];
  CHECK(second.name.empty());
  CHECK(second.columns == std::vector<std::string>{"a"});
  CHECK(second.ref_columns.empty());
  CHECK(second.on_delete == "SET DEFAULT");
  CHECK(second.on_update == "RESTRICT");
  CHECK_FALSE(second.deferrable);

  const Table& select = schema.tables.at("select");
  CHECK(select.strict);
  CHECK_FALSE(select.without_rowid);
  REQUIRE(select.foreign_keys.size() == 1);
  CHECK(select.foreign_keys[0].columns == std::vector<std::string>{"a", "b"});
  CHECK(select.foreign_keys[0].ref_columns == std::vector<std::string>{"a", "b"});
  CHECK(select.foreign_keys[0].on_delete == "NO ACTION");
  CHECK_FALSE(select.is_rowid_alias("k")); // INT is not INTEGER

  const Table& both = schema.tables.at("both_options");
  CHECK(both.strict);
  CHECK(both.without_rowid);
  REQUIRE(both.checks.size() == 1);
  CHECK(both.checks[0].expression == "n >= 0");

  REQUIRE(schema.views.count("my view") == 1);
  CHECK(schema.views.at("my view").sql == "SELECT id, \"order\" FROM \"my table\" WHERE čaj > 0");
  REQUIRE(schema.triggers.count("trg; x") == 1);
  CHECK(schema.triggers.at("trg; x").table == "my table");
  CHECK(schema.triggers.at("trg; x").sql ==
        "CREATE TRIGGER \"trg; x\" AFTER INSERT ON \"my table\" BEGIN UPDATE \"my table\" SET "
        "čaj = 1 WHERE id = NEW.id ; END");
}

TEST_CASE("every feature with awkward names: render and JSON round trips") {
  const Schema a = load(every_feature_sql);
  std::string sql;
  INFO(render_sqlite_schema(a));
  CHECK(through_sqlite(a, a, sql) == "");
  const auto document = schema_to_json(a);
  INFO(document);
  CHECK(nlohmann::ordered_json::parse(document).dump(2) == document);
  CHECK(describe_difference(a, schema_from_json_text(document, "x.json")) == "");
  CHECK(through_sqlite(a, schema_from_json_text(document, "x.json"), sql) == "");
}

TEST_CASE("a model built by hand renders to SQL that gives it back") {
  Schema schema;
  Table parent;
  parent.name = "x\"; DROP TABLE y; --";
  parent.columns = {
      Column{"id", "INTEGER", false, std::nullopt, "", std::nullopt, false, {}, {}, {}},
      Column{"my col", "VARCHAR(20)", true, "'a, (b)'", "NOCASE", std::nullopt, false, {}, {}, {}},
      Column{"select", "", false, std::nullopt, "", "\"my col\" || 'x'", true, {}, {}, {}}};
  parent.primary_key = PrimaryKey{"", {"id"}, true, {}};
  parent.checks = {CheckConstraint{"where", "length(\"my col\") > 0"}};
  parent.unique_constraints = {UniqueConstraint{"group", {"my col", "select"}, {}}};
  Index index;
  index.name = "čaj";
  index.unique = true;
  index.keys = {IndexKey{"my col", "", "RTRIM", true, {}, {}},
                IndexKey{"", "upper(\"my col\")", "", false, {}, {}}};
  index.where = "id > 10";
  parent.indexes.emplace(index.name, index);
  Table child;
  child.name = "表";
  child.columns = {Column{"a", "INT", true, "0", "", std::nullopt, false, {}, {}, {}},
                   Column{"b", "TEXT", true, std::nullopt, "", std::nullopt, false, {}, {}, {}}};
  child.primary_key = PrimaryKey{"pk 表", {"b", "a"}, false, {}};
  child.foreign_keys = {
      ForeignKey{"fk", {"a"}, parent.name, {"id"}, "CASCADE", "SET DEFAULT", true},
      ForeignKey{"", {"a"}, parent.name, {}, "RESTRICT", "NO ACTION", false}};
  child.without_rowid = true;
  child.strict = true;
  schema.tables.emplace(child.name, child);
  schema.tables.emplace(parent.name, parent);
  schema.views.emplace("v", View{"v", "SELECT a AS \"the a\" FROM 表 WHERE b IN ('(', ')')", {}});
  schema.triggers.emplace(
      "t", Trigger{"t", "表",
                   canonical_sql("CREATE TRIGGER t BEFORE DELETE ON 表 WHEN OLD.a > 0 BEGIN "
                                 "SELECT RAISE(ABORT, 'no; never'); END")});
  const std::string sql = render_sqlite_schema(schema);
  INFO(sql);
  // Parents come before their children.
  CHECK(sql.find("CREATE TABLE \"x\"\"; DROP TABLE y; --\"") < sql.find("CREATE TABLE \"表\""));
  std::string again;
  CHECK(through_sqlite(schema, schema, again) == "");
  CHECK(describe_difference(schema, schema_from_json_text(schema_to_json(schema), "m.json")) == "");
}

TEST_CASE("quote_name quotes only what needs it") {
  CHECK(quote_name("plain_name1") == "plain_name1");
  CHECK(quote_name("order") == "\"order\"");
  CHECK(quote_name("ORDER") == "\"ORDER\"");
  CHECK(quote_name("my table") == "\"my table\"");
  CHECK(quote_name("we\"ird") == "\"we\"\"ird\"");
  CHECK(quote_name("1st") == "\"1st\"");
  CHECK(quote_name("") == "\"\"");
  CHECK(quote_name("čaj") == "\"čaj\"");
  for (const char* name : {"order", "my table", "we\"ird", "1st", "čaj", "表",
                           "x\"; DROP TABLE y; --", "[x]", "`y`", "a.b", "key", "rowid"}) {
    INFO(name);
    const std::string quoted = quote_name(name); // the tokens view it
    const auto tokens = tokenize_sql(quoted);
    REQUIRE(tokens.size() == 1);
    CHECK(tokens[0].is_name());
    CHECK((tokens[0].kind == Token::Kind::QuotedName ? tokens[0].value : tokens[0].text) == name);
  }
}

TEST_CASE("introspection leaves out sqlite_ tables, virtual tables and excluded tables") {
  SqliteConnection connection{dbtool::config::SqliteOptions{}};
  connection.execute("CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT);"
                     "CREATE TABLE dbtool_version (v TEXT);"
                     "CREATE INDEX ix_version ON dbtool_version (v);"
                     "INSERT INTO a DEFAULT VALUES;"
                     "ANALYZE;");
  const Schema schema = introspect_sqlite(connection, {"dbtool_version"});
  CHECK(schema.tables.size() == 1);
  CHECK(schema.tables.count("a") == 1);
}

// ---------------------------------------------------------------- known hard cases

TEST_CASE("a view's column list survives the round trip") {
  const std::string sql = "CREATE TABLE t (a, b);\nCREATE VIEW v (x, y) AS SELECT a, b FROM t;";
  const Schema a = load(sql);
  const std::string rendered = render_sqlite_schema(a);
  INFO(rendered);
  CHECK(column_names_in(rendered, "v") == std::vector<std::string>{"x", "y"});
}

TEST_CASE("AUTOINCREMENT in a table PRIMARY KEY constraint is introspected") {
  const Schema a = load("CREATE TABLE t (id INTEGER, v TEXT, PRIMARY KEY (id AUTOINCREMENT));");
  REQUIRE(a.tables.at("t").primary_key);
  CHECK(a.tables.at("t").primary_key->autoincrement);
}

TEST_CASE("DEFERRABLE after another column constraint is introspected") {
  const Schema a = load("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE c (x REFERENCES p NOT NULL DEFERRABLE INITIALLY DEFERRED);");
  REQUIRE(a.tables.at("c").foreign_keys.size() == 1);
  CHECK(a.tables.at("c").foreign_keys[0].deferrable);
}

TEST_CASE("an index key expression keeps the collation the model gives it") {
  // "a || b COLLATE NOCASE" is a || (b COLLATE NOCASE) to SQLite: the key itself is
  // BINARY. A model asking for a NOCASE key over an expression must get one.
  dbtool::test::TempDir dir;
  write_file(dir.path() / "m.json", R"j({"tables": [{"name": "t", "columns": [
    {"name": "a", "type": "text"}, {"name": "b", "type": "text"}],
    "indexes": [{"name": "ix", "columns": [{"expression": "a || b", "collation": "NOCASE"}]}]}]})j");
  const Schema schema = load_declared_schema(dir.path());
  const Index& index = schema.tables.at("t").indexes.at("ix");
  REQUIRE(index.keys.size() == 1);
  CHECK(index.keys[0].collation == "NOCASE");
  // The same through the model and the renderer directly.
  Schema model;
  Table table;
  table.name = "t";
  table.columns = {Column{"a", "TEXT", false, std::nullopt, "", std::nullopt, false, {}, {}, {}}};
  table.indexes.emplace(
      "ix", Index{"ix", false, {IndexKey{"", "a * 2", "NOCASE", true, {}, {}}}, {}, {}});
  model.tables.emplace("t", table);
  INFO(render_sqlite_schema(model));
  std::string sql;
  CHECK(through_sqlite(model, model, sql) == "");
}

TEST_CASE("DEFERRABLE in a later column applies to the last foreign key, as in SQLite") {
  // SQLite applies a column's deferrable clause to the table's most recent foreign key,
  // whichever column declared it: here a's, so a violation waits for COMMIT.
  const std::string sql = "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
                          "CREATE TABLE c (a REFERENCES p, b INT DEFERRABLE INITIALLY DEFERRED);";
  SqliteConnection connection{dbtool::config::SqliteOptions{}};
  connection.execute(sql);
  connection.execute("PRAGMA foreign_keys = ON; BEGIN; INSERT INTO c (a) VALUES (5);");
  connection.execute("ROLLBACK;"); // no error before COMMIT: the key is deferred
  const Schema a = introspect_sqlite(connection);
  REQUIRE(a.tables.at("c").foreign_keys.size() == 1);
  CHECK(a.tables.at("c").foreign_keys[0].deferrable);
  CHECK(parse_create_table("CREATE TABLE c (a REFERENCES p, b INT DEFERRABLE INITIALLY DEFERRED)")
            .foreign_keys.at(0)
            .deferrable);
}

// Behaviour SQLite enforces must survive introspect + render, or the differ cannot see
// it change: each SQL below is executed as written and as re-rendered from its model, and
// the same statements must succeed or fail alike.
//
// KNOWN GAP, kept failing on purpose (should_fail): the model does not yet hold a
// collation inside a UNIQUE constraint or the INTEGER PRIMARY KEY DESC quirk (no rowid
// alias), so those two cases are lost in a re-render (ON CONFLICT clauses, the third,
// now pass). When the model learns them this test passes, doctest reports it, and
// should_fail goes.
TEST_CASE("a re-rendered schema enforces what the original did" * doctest::should_fail()) {
  struct Case {
    const char* what;
    const char* sql;
    const char* probe; // succeeds on one of the two, fails on the other, if they differ
  };
  const Case cases[] = {
      {"UNIQUE with a collation", "CREATE TABLE t (a TEXT, UNIQUE (a COLLATE NOCASE));",
       "INSERT INTO t VALUES ('x'); INSERT INTO t VALUES ('X');"},
      {"INTEGER PRIMARY KEY DESC is no rowid alias",
       "CREATE TABLE t (id INTEGER PRIMARY KEY DESC, v TEXT);",
       "INSERT INTO t (id, v) VALUES ('not a number', 'x');"},
      {"ON CONFLICT REPLACE",
       "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT UNIQUE ON CONFLICT REPLACE);",
       "INSERT INTO t VALUES (1, 'x'); INSERT INTO t VALUES (2, 'x');"},
      {"a plain schema", "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT NOT NULL UNIQUE);",
       "INSERT INTO t VALUES (1, 'x'); INSERT INTO t VALUES (2, 'x');"},
  };
  for (const auto& c : cases) {
    CAPTURE(std::string(c.what));
    const Schema model = load(c.sql);
    const std::string rendered = render_sqlite_schema(model);
    CAPTURE(rendered);
    SqliteConnection original{dbtool::config::SqliteOptions{}};
    original.execute(c.sql);
    SqliteConnection again{dbtool::config::SqliteOptions{}};
    again.execute(rendered);
    bool original_fails = false, again_fails = false;
    try {
      original.execute(c.probe);
    } catch (const dbtool::Error&) {
      original_fails = true;
    }
    try {
      again.execute(c.probe);
    } catch (const dbtool::Error&) {
      again_fails = true;
    }
    CHECK(again_fails == original_fails);
  }
}

TEST_CASE("views that use later views and triggers on views render in a working order") {
  const std::string sql = "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT);\n"
                          "CREATE VIEW a_first AS SELECT a FROM z_last;\n"
                          "CREATE VIEW z_last AS SELECT a, b FROM t;\n"
                          "CREATE TRIGGER instead INSTEAD OF INSERT ON z_last BEGIN "
                          "INSERT INTO t (b) VALUES (NEW.b); END;";
  const Schema a = load(sql);
  std::string rendered;
  CHECK(through_sqlite(a, a, rendered) == "");
  CHECK(a.triggers.at("instead").table == "z_last");
}

TEST_CASE("introspection does not depend on how the CREATE text was spelled") {
  // The same schema written two ways (case of keywords aside, which the text keeps).
  const Schema a =
      load("CREATE TABLE t (id INTEGER PRIMARY KEY, n TEXT COLLATE NOCASE CHECK (length(n)>0), "
           "p REFERENCES t ON DELETE CASCADE);\nCREATE INDEX i ON t (lower(n) DESC) WHERE n IS NOT "
           "NULL;");
  const Schema b =
      load("CREATE TABLE t (\n  id INTEGER,\n  n TEXT /* c */ COLLATE \"NOCASE\",\n  p,\n"
           "  PRIMARY KEY (id),\n  CHECK ( length( n ) > 0 ),\n  FOREIGN KEY (p) REFERENCES t\n"
           "    ON DELETE CASCADE\n);\n"
           "CREATE INDEX i ON t (\n  lower( n ) DESC\n) WHERE n\n IS NOT NULL;");
  CHECK(describe_difference(a, b) == "");
}

// ---------------------------------------------------------------- declared schemas

TEST_CASE("declared schema: .sql and .json files combine") {
  dbtool::test::TempDir dir;
  write_file(dir.path() / "10_users.sql",
             "-- users\nCREATE TABLE users (\n  id INTEGER PRIMARY KEY,\n"
             "  \"e mail\" TEXT NOT NULL UNIQUE COLLATE NOCASE\n);\n");
  write_file(dir.path() / "20_posts.json", R"json({
  "naming_convention": {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
                        "ix": "ix_%(table_name)s_%(column_0_name)s"},
  "mixins": {"stamps": [{"name": "created", "type": "datetime", "nullable": false,
                          "default": "CURRENT_TIMESTAMP"}]},
  "tables": [{
    "name": "posts",
    "columns": [
      {"name": "id", "type": "integer", "primary_key": true, "autoincrement": true},
      {"name": "author", "type": "integer", "references": "users.id", "on_delete": "cascade"},
      {"name": "title", "type": "string(200)", "nullable": false},
      {"name": "price", "type": "numeric(10, 2)"},
      {"mixin": "stamps"}
    ],
    "check_constraints": [{"name": "ck_title", "expression": "length( title )>0"}],
    "indexes": [{"columns": ["author", {"expression": "lower(title)", "desc": true}],
                 "where": "author IS NOT NULL"}]
  }],
  "views": [{"name": "titles", "sql": "SELECT title FROM posts"}]
})json");
  write_file(dir.path() / "30_more.sql",
             "CREATE INDEX ix_users_mail ON users (\"e mail\");\n"
             "CREATE VIEW authors AS SELECT DISTINCT author FROM posts;\n");
  write_file(dir.path() / "notes.txt", "CREATE TABLE ignored (x);");
  const Schema schema = load_declared_schema(dir.path());
  CHECK(schema.tables.size() == 2);
  CHECK(schema.views.size() == 2);
  REQUIRE(schema.tables.count("posts") == 1);
  const Table& posts = schema.tables.at("posts");
  REQUIRE(posts.columns.size() == 5);
  CHECK(posts.columns[2].type == "VARCHAR(200)");
  CHECK(posts.columns[2].not_null);
  CHECK(posts.columns[3].type == "NUMERIC(10,2)");
  CHECK(posts.columns[4].name == "created");
  CHECK(posts.columns[4].default_sql == "CURRENT_TIMESTAMP");
  REQUIRE(posts.primary_key);
  CHECK(posts.primary_key->autoincrement);
  REQUIRE(posts.foreign_keys.size() == 1);
  CHECK(posts.foreign_keys[0].name == "fk_posts_author_users");
  CHECK(posts.foreign_keys[0].on_delete == "CASCADE");
  CHECK(posts.foreign_keys[0].ref_columns == std::vector<std::string>{"id"});
  REQUIRE(posts.checks.size() == 1);
  CHECK(posts.checks[0] == CheckConstraint{"ck_title", "length(title) > 0"});
  REQUIRE(posts.indexes.size() == 1);
  const Index& index = posts.indexes.begin()->second;
  CHECK(index.name == "ix_posts_author");
  REQUIRE(index.keys.size() == 2);
  CHECK(index.keys[1].expression == "lower(title)");
  CHECK(index.keys[1].descending);
  CHECK(index.where == "author IS NOT NULL");
  const Table& users = schema.tables.at("users");
  CHECK(users.indexes.count("ix_users_mail") == 1);
  REQUIRE(users.unique_constraints.size() == 1);
  CHECK(users.columns[1].collation == "NOCASE");
  // What was loaded is what the same SQL gives in a database.
  std::string sql;
  CHECK(through_sqlite(schema, schema, sql) == "");
}

TEST_CASE("declared schema: a table declared twice names both files") {
  SUBCASE("two .sql files") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.sql", "CREATE TABLE t (x);\n");
    write_file(dir.path() / "b.sql", "CREATE TABLE other (x);\n\nCREATE TABLE T (y);\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "b.sql"));
    CHECK(contains(error.what(), "a.sql"));
    CHECK(error.line() == 3);
  }
  SUBCASE(".sql then .json") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.sql", "CREATE TABLE t (x);\n");
    write_file(dir.path() / "b.json",
               R"j({"tables": [{"name": "t", "columns": [{"name": "x", "type": "text"}]}]})j");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "b.json"));
    CHECK(contains(error.what(), "a.sql"));
  }
  SUBCASE(".json then .sql") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.json",
               R"j({"tables": [{"name": "t", "columns": [{"name": "x", "type": "text"}]}]})j");
    write_file(dir.path() / "b.sql", "CREATE TABLE t (x);\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "b.sql"));
    CHECK(contains(error.what(), "a.json"));
  }
}

TEST_CASE("declared schema: a table declared twice names both files, however quoted") {
  // SQLite's "table X already exists" spells X as the second statement wrote it.
  for (const std::string quoted : {"\"my table\"", "[my table]", "`my table`", "\"we\"\"ird\"",
                                   "[we\"ird]", "\"MY TABLE\"", "\"order\""}) {
    CAPTURE(quoted);
    dbtool::test::TempDir dir;
    const bool weird = quoted.find("ird") != std::string::npos;
    const bool keyword = quoted.find("order") != std::string::npos;
    write_file(dir.path() / "a.sql", std::string("CREATE TABLE ") +
                                         (weird     ? "\"we\"\"ird\""
                                          : keyword ? "\"order\""
                                                    : "\"my table\"") +
                                         " (x);\n");
    write_file(dir.path() / "b.sql", "CREATE TABLE " + quoted + " (y);\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "b.sql"));
    CHECK(contains(error.what(), "a.sql"));
  }
}

TEST_CASE("declared schema: other objects declared twice") {
  SUBCASE("a table twice in one JSON file") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "one.json", R"j({"tables": [
      {"name": "t", "columns": [{"name": "x", "type": "text"}]},
      {"name": "t", "columns": [{"name": "y", "type": "text"}]}]})j");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "one.json"));
    CHECK(contains(error.message(), "twice"));
  }
  SUBCASE("a view in two .sql files") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.sql", "CREATE VIEW v AS SELECT 1;\n");
    write_file(dir.path() / "b.sql", "\n\nCREATE VIEW v AS SELECT 2;\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "b.sql:3"));
    CHECK(contains(error.what(), "a.sql"));
  }
}

TEST_CASE("declared schema: SQL models load in bulk as SQLite would execute them") {
  // Statements the bulk load splits (a trigger whose body has ';' and CASE ... END)
  // and those it leaves to SQLite (IF NOT EXISTS, TEMP-less views after their tables).
  const std::string sql =
      "create table \"Order\" (id integer primary key, \"group\" text unique, n int check (n > 0))"
      " strict;\n"
      "-- a comment; with a semicolon\n"
      "CREATE UNIQUE INDEX \"ix; odd\" ON \"Order\" (lower(\"group\") DESC) WHERE n > 1;\n"
      "create view v as select id, case when n > 1 then 'big;' else 'small' end as size from "
      "\"Order\";\n"
      "CREATE TABLE IF NOT EXISTS later (x REFERENCES \"Order\" ON DELETE CASCADE);\n"
      "CREATE TRIGGER tr AFTER INSERT ON \"Order\" BEGIN\n"
      "  UPDATE \"Order\" SET n = CASE WHEN NEW.n > 5 THEN 5 ELSE NEW.n END;\n"
      "  INSERT INTO later VALUES (NEW.id);\n"
      "END;\n"
      "CREATE INDEX ix_later ON later (x)";
  dbtool::test::TempDir dir;
  write_file(dir.path() / "models.sql", sql);
  const Schema declared = load_declared_schema(dir.path());
  CHECK(describe_difference(load(sql), declared) == "");
  CHECK(declared.tables.count("Order") == 1);
  CHECK(declared.tables.at("Order").indexes.count("ix; odd") == 1);
  CHECK(declared.views.count("v") == 1);
  CHECK(declared.triggers.count("tr") == 1);
  CHECK(declared.tables.at("later").indexes.count("ix_later") == 1);
}

TEST_CASE("declared schema: SQL objects declared twice are errors, loaded in bulk or not") {
  SUBCASE("an index in two .sql files") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.sql", "CREATE TABLE t (x);\nCREATE INDEX i ON t (x);\n");
    write_file(dir.path() / "b.sql", "CREATE TABLE u (y);\n\nCREATE INDEX i ON u (y);\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "b.sql:3"));
    CHECK(contains(error.what(), "a.sql"));
  }
  SUBCASE("a table and an index of one name") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.sql", "CREATE TABLE t (x);\nCREATE INDEX t ON t (x);\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "a.sql:2"));
  }
  SUBCASE("a table in two spellings of its name") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.sql", "CREATE TABLE Users (x);\n");
    write_file(dir.path() / "b.sql", "CREATE TABLE \"users\" (y);\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "b.sql:1"));
  }
  SUBCASE("an index on a missing column") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.sql", "CREATE TABLE t (x);\n\nCREATE INDEX i ON t (nope);\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "a.sql:3"));
    CHECK(contains(error.message(), "nope"));
  }
}

TEST_CASE("declared schema: SQL that SQLite rejects names the file and the statement's line") {
  dbtool::test::TempDir dir;
  write_file(dir.path() / "a.sql", "CREATE TABLE fine (x);\n");
  write_file(dir.path() / "b.sql",
             "CREATE TABLE ok (x);\n-- a comment\n\nCREATE TABLE bad (x INT,, y);\n");
  const auto error = load_error(dir.path());
  CHECK(error.kind() == dbtool::ErrorKind::Project);
  CHECK(contains(error.what(), "b.sql"));
  CHECK(error.line() == 4);
  CHECK(contains(error.what(), ":4:"));
}

TEST_CASE("declared schema: duplicate columns") {
  SUBCASE("in SQL") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "d.sql", "\nCREATE TABLE t (a INT, A TEXT);\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "d.sql"));
    CHECK(error.line() == 2);
    CHECK(contains(error.message(), "duplicate column"));
  }
  SUBCASE("in JSON") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "d.json", R"j({"tables": [{"name": "t", "columns": [
      {"name": "a", "type": "integer"}, {"name": "A", "type": "text"}]}]})j");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "d.json"));
    CHECK(contains(error.message(), "'t'"));
    CHECK(contains(error.message(), "twice"));
  }
  SUBCASE("validate_schema") {
    Schema schema;
    Table table;
    table.name = "t";
    table.columns = {Column{"a", "INT", false, std::nullopt, "", std::nullopt, false, {}, {}, {}},
                     Column{"a", "TEXT", false, std::nullopt, "", std::nullopt, false, {}, {}, {}}};
    schema.tables.emplace("t", table);
    try {
      validate_schema(schema);
      FAIL("no error");
    } catch (const dbtool::Error& error) {
      CHECK(error.kind() == dbtool::ErrorKind::Project);
      CHECK(contains(error.message(), "'t'"));
    }
  }
}

TEST_CASE("declared schema: JSON of the wrong shape names the file") {
  for (const char* text :
       {"[]", "{\"tables\": {}}", "{\"tables\": [1]}", "{\"tables\": [{\"name\": \"t\"}]}",
        "{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"type\": 5}]}]}",
        "{\"tables\": [{\"name\": \"t\", \"columns\": [{\"mixin\": \"none\"}]}]}",
        "{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"type\": \"text\"}], "
        "\"indexes\": [{\"columns\": []}]}]}",
        "{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"type\": \"text\", "
        "\"references\": \"nodot\"}]}]}",
        "{\"tables\": [{\"name\": \"t\", \"colums\": []}]}", "{\"views\": [{\"name\": \"v\"}]}",
        "{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"type\": \"text\", "
        "\"on_delete\": \"explode\", \"references\": \"t.a\"}]}]}"}) {
    CAPTURE(text);
    dbtool::test::TempDir dir;
    write_file(dir.path() / "shape.json", text);
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "shape.json"));
  }
}

TEST_CASE("declared schema: invalid JSON names the file, line and column") {
  dbtool::test::TempDir dir;
  write_file(dir.path() / "broken.json", "{\n  \"tables\": [\n    {\"name\": \"t\",, }\n  ]\n}\n");
  const auto error = load_error(dir.path());
  CHECK(error.kind() == dbtool::ErrorKind::Project);
  CHECK(contains(error.what(), "broken.json"));
  CHECK(error.line() == 3);
  INFO(error.message());
  CHECK(contains(error.message(), "column 18")); // the second comma
  // The same through schema_from_json_text.
  try {
    schema_from_json_text("[1,\n2,\n  x]", "f.json");
    FAIL("no error");
  } catch (const dbtool::Error& e) {
    CHECK(e.kind() == dbtool::ErrorKind::Project);
    CHECK(e.file() == "f.json");
    CHECK(e.line() == 3);
    CHECK(contains(e.message(), "column 3"));
  }
}

// A JSON model of COUNT tables (each with a few columns, an index and a foreign key to
// the one before), one value per line.
nlohmann::json many_tables_model(int count) {
  nlohmann::json model = {{"naming_convention", {{"ix", "ix_%(table_name)s_%(column_0_name)s"}}},
                          {"tables", nlohmann::json::array()}};
  for (int k = 0; k < count; ++k) {
    nlohmann::json columns = {{{"name", "id"}, {"type", "integer"}, {"primary_key", true}},
                              {{"name", "name"}, {"type", "string(64)"}, {"nullable", false}},
                              {{"name", "note, \"quoted\" [x]"}, {"type", "text"}}};
    if (k > 0)
      columns.push_back({{"name", "parent_id"},
                         {"type", "integer"},
                         {"references", "t" + std::to_string(k - 1) + ".id"}});
    model["tables"].push_back({{"name", "t" + std::to_string(k)},
                               {"columns", columns},
                               {"indexes", {{{"columns", {"name"}}}}}});
  }
  return model;
}

TEST_CASE("declared schema: a large JSON model reads as a compact one, errors name their place") {
  const nlohmann::json model = many_tables_model(200);
  const std::string large = model.dump(2);
  const std::string compact = model.dump();
  const Schema read = schema_from_json_text(large, "large.json");
  CHECK(read.tables.size() == 200);
  CHECK(read.tables.at("t199").foreign_keys.at(0).ref_table == "t198");
  CHECK(read.tables.at("t0").indexes.count("ix_t0_name") == 1);
  CHECK(schema_to_json(read) == schema_to_json(schema_from_json_text(compact, "compact.json")));

  // Errors late in the file are reported with their line, or their table.
  auto error_of = [](const std::string& text) {
    try {
      schema_from_json_text(text, "large.json");
    } catch (const dbtool::Error& error) {
      return error;
    }
    FAIL("no error");
    return dbtool::Error(dbtool::ErrorKind::Project, "no error");
  };
  SUBCASE("invalid JSON late in the file: its line and column") {
    std::string broken = large;
    const auto at = broken.rfind("\"t190\"");
    REQUIRE(at != std::string::npos);
    broken.insert(at, ",");
    const int line = 1 + static_cast<int>(std::count(broken.begin(), broken.begin() + at, '\n'));
    const auto error = error_of(broken);
    CHECK(error.line() == line);
    CHECK(contains(error.message(), "invalid JSON at column"));
  }
  // The line of the "{" of table K in a dump(2), where each table opens a line of its own.
  auto table_line = [](const std::string& text, std::size_t k) {
    std::istringstream lines(text);
    std::string line;
    std::size_t seen = 0;
    for (int number = 1; std::getline(lines, line); ++number)
      if (line == "    {" && seen++ == k)
        return number;
    return 0;
  };
  SUBCASE("the first bad table in document order, at its line") {
    nlohmann::json bad = model;
    bad["tables"][180]["columns"][1]["type"] = "varchar2(1)";
    auto error = error_of(bad.dump(2));
    CHECK(contains(error.message(), "'t180'"));
    CHECK(error.line() == table_line(bad.dump(2), 180));
    bad["tables"][20]["columns"][1]["type"] = "varchar2(2)";
    error = error_of(bad.dump(2));
    CHECK(contains(error.message(), "'t20'"));
    CHECK(error.line() == table_line(bad.dump(2), 20));
    CHECK(error.line() > 1);
  }
  SUBCASE("a table declared twice, far apart: the line of the second") {
    nlohmann::json twice = model;
    twice["tables"][190]["name"] = "t3";
    const auto error = error_of(twice.dump(2));
    CHECK(contains(error.message(), "'t3'"));
    CHECK(contains(error.message(), "declared twice"));
    CHECK(error.line() == table_line(twice.dump(2), 190));
  }
  SUBCASE("a table declared twice in another case: one table to SQLite") {
    nlohmann::json twice = model;
    twice["tables"][190]["name"] = "T3";
    const auto error = error_of(twice.dump(2));
    CHECK(contains(error.message(), "'T3'"));
    CHECK(contains(error.message(), "declared twice"));
    CHECK(error.line() == table_line(twice.dump(2), 190));
    // PostgreSQL's names keep their case: two tables.
    const Schema postgres =
        schema_from_json_text(twice.dump(2), "pg.json", dbtool::config::Backend::Postgres);
    CHECK(postgres.tables.count("T3") == 1);
    CHECK(postgres.tables.count("t3") == 1);
  }
}

TEST_CASE("declared schema: a JSON model's error is on its table's line, whatever the text") {
  // Brackets and escaped quotes inside strings, a mixin named like the list, a one-line
  // table and a compact one: the third table of "tables" begins on line 7.
  const std::string text = R"j({"mixins": {"tables": [{"name": "x", "type": "text"}]},
 "tables": [
  {"name": "a", "columns": [{"name": "id", "type": "integer",
    "default": "'{[\"],'"}]}, {"name": "b", "columns": [{"mixin": "tables"}]}
  ,

  {"name": "c", "columns": [{"name": "id", "type": "integr"}]}]})j";
  try {
    schema_from_json_text(text, "m.json");
    FAIL("no error");
  } catch (const dbtool::Error& error) {
    CHECK(contains(error.message(), "'c'"));
    CHECK(contains(error.message(), "integr"));
    CHECK(error.file() == "m.json");
    CHECK(error.line() == 7);
  }
}

TEST_CASE("declared schema: an unknown generic type names the file, table and column") {
  dbtool::test::TempDir dir;
  write_file(dir.path() / "types.json", R"j({"tables": [{"name": "t", "columns": [
    {"name": "id", "type": "integer", "primary_key": true},
    {"name": "odd", "type": "varchar2(10)"}]}]})j");
  const auto error = load_error(dir.path());
  CHECK(error.kind() == dbtool::ErrorKind::Project);
  CHECK(contains(error.what(), "types.json"));
  CHECK(contains(error.message(), "varchar2(10)"));
  CHECK(contains(error.message(), "'t'"));
  CHECK(contains(error.message(), "'odd'"));
  // And the mapping itself.
  CHECK(sqlite_type_for("string(20)") == "VARCHAR(20)");
  CHECK(sqlite_type_for("numeric(10, 2)") == "NUMERIC(10,2)");
  CHECK(sqlite_type_for(" Integer ") == "INTEGER");
  CHECK_THROWS_AS(sqlite_type_for("array(integer)"), dbtool::Error);
  CHECK_THROWS_AS(sqlite_type_for("string(x)"), dbtool::Error);
  CHECK_THROWS_AS(sqlite_type_for("nonsense"), dbtool::Error);
}

TEST_CASE("declared schema: a foreign key to a missing table or column names it") {
  SUBCASE("missing table, SQL") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.sql", "CREATE TABLE c (p INT REFERENCES nowhere (id));\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.message(), "'c'"));
    CHECK(contains(error.message(), "nowhere"));
  }
  SUBCASE("missing column, JSON") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.json", R"j({"tables": [
      {"name": "p", "columns": [{"name": "id", "type": "integer", "primary_key": true}]},
      {"name": "c", "columns": [{"name": "p", "type": "integer", "references": "p.nope"}]}]})j");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.message(), "'c'"));
    CHECK(contains(error.message(), "nope"));
  }
  SUBCASE("a parent without a primary key, no columns named") {
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.sql", "CREATE TABLE p (x);\nCREATE TABLE c (y REFERENCES p);\n");
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.message(), "'c'"));
  }
  SUBCASE("a missing folder") {
    dbtool::test::TempDir dir;
    const auto error = load_error(dir.path() / "nope");
    CHECK(error.kind() == dbtool::ErrorKind::Project);
  }
}

// JSON models are written into sqlite_schema in bulk; when SQLite rejects the whole,
// the files are executed one by one so that the error names the file and the reason.
TEST_CASE("declared schema: JSON models that SQLite rejects name the file and SQLite's reason") {
  struct Case {
    const char* what;
    const char* model;
    const char* reason;
  };
  const Case cases[] = {
      {"a default that is no expression",
       R"j({"tables": [{"name": "t", "columns": [
         {"name": "a", "type": "integer", "default": "1 +"}]}]})j",
       "syntax error"},
      {"a default that is not constant",
       R"j({"tables": [{"name": "t", "columns": [
         {"name": "a", "type": "integer", "default": "a + 1"}]}]})j",
       "is not constant"},
      {"a check with a syntax error",
       R"j({"tables": [{"name": "t", "columns": [{"name": "a", "type": "integer"}],
         "check_constraints": [{"name": "c", "expression": "a >"}]}]})j",
       "syntax error"},
      {"a STRICT table with a type STRICT does not know",
       R"j({"tables": [{"name": "t", "strict": true, "columns": [
         {"name": "a", "type": "text", "sqlite_type": "VARCHAR(10)"}]}]})j",
       "unknown datatype"},
      {"a trigger on a table nobody declared",
       R"j({"tables": [{"name": "t", "columns": [{"name": "a", "type": "integer"}]}],
         "triggers": [{"name": "tr", "table": "nope",
           "sql": "CREATE TRIGGER tr AFTER INSERT ON nope BEGIN SELECT 1; END"}]})j",
       "no such table"},
  };
  for (const auto& c : cases) {
    INFO(std::string(c.what));
    dbtool::test::TempDir dir;
    write_file(dir.path() / "a.json",
               R"j({"tables": [{"name": "fine", "columns": [{"name": "x", "type": "text"}]}]})j");
    write_file(dir.path() / "b.json", c.model);
    const auto error = load_error(dir.path());
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(contains(error.what(), "b.json"));
    INFO(std::string(error.what()));
    CHECK(contains(error.message(), c.reason));
  }
}

TEST_CASE("declared schema: a table in two JSON files, spelled in another case") {
  dbtool::test::TempDir dir;
  write_file(dir.path() / "a.json",
             R"j({"tables": [{"name": "Users", "columns": [{"name": "x", "type": "text"}]}]})j");
  write_file(dir.path() / "b.json",
             R"j({"tables": [{"name": "users", "columns": [{"name": "y", "type": "text"}]}]})j");
  const auto error = load_error(dir.path());
  CHECK(error.kind() == dbtool::ErrorKind::Project);
  CHECK(contains(error.what(), "b.json"));
  CHECK(contains(error.message(), "a.json"));
  CHECK(contains(error.message(), "twice"));
}

namespace {

// The tables of many random schemas, renamed apart: a model of at least MINIMUM tables.
Schema many_random_tables(std::size_t minimum) {
  Schema big;
  for (unsigned seed = 1; big.tables.size() < minimum; ++seed) {
    std::mt19937 rng(seed);
    Schema a;
    try {
      a = load(render_sqlite_schema(generate_schema(rng)));
    } catch (const std::exception&) {
      continue;
    }
    const std::string prefix = "s" + std::to_string(seed) + "_";
    for (auto [name, table] : a.tables) {
      table.name = prefix + name;
      for (auto& key : table.foreign_keys)
        key.ref_table = prefix + key.ref_table;
      std::map<std::string, Index> indexes;
      for (auto [index_name, index] : table.indexes) {
        index.name = prefix + index_name;
        indexes.emplace(index.name, std::move(index));
      }
      table.indexes = std::move(indexes);
      big.tables.emplace(table.name, std::move(table));
    }
  }
  return big;
}

} // namespace

// A large model goes into sqlite_schema in one bulk load; the result must be what
// executing its CREATE statements one by one gives.
TEST_CASE("declared schema: a large JSON model loads in bulk and equals the executed one") {
  const Schema big = many_random_tables(300);
  const Schema expected = load(render_sqlite_schema(big));
  REQUIRE(describe_difference(big, expected) == "");
  dbtool::test::TempDir dir;
  write_file(dir.path() / "models.json", schema_to_json(big));
  CHECK(describe_difference(expected, load_declared_schema(dir.path())) == "");
}

// When SQLite rejects the bulk load, the models are executed one statement at a time:
// the error names the file and the line of the object that SQLite rejects.
TEST_CASE("declared schema: SQLite rejecting a JSON model names the file, line and table") {
  dbtool::test::TempDir dir;
  write_file(dir.path() / "a.sql", "CREATE TABLE first (id INTEGER PRIMARY KEY);\n");
  write_file(dir.path() / "b.json", R"j({
  "tables": [
    {"name": "fine", "columns": [{"name": "id", "type": "integer", "primary_key": true}]},
    {
      "name": "broken",
      "columns": [{"name": "x", "type": "integer", "default": "nonsense("}]
    }
  ]
})j");
  const auto error = load_error(dir.path());
  CHECK(error.kind() == dbtool::ErrorKind::Project);
  CHECK(contains(error.file(), "b.json"));
  CHECK(error.line() == 5);
  CHECK(contains(error.message(), "table 'broken'"));
  CHECK(contains(error.message(), "SQLite rejects this model"));
}

TEST_CASE("declared schema: a SQL model rejected by SQLite names the file and line") {
  dbtool::test::TempDir dir;
  write_file(dir.path() / "a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);\n\nCREATE TABLE b (x "
                                   "INTEGER DEFAULT (nonsense();\n");
  const auto error = load_error(dir.path());
  CHECK(contains(error.file(), "a.sql"));
  CHECK(error.line() == 3);
}

// Found by a user: the index was lost when CREATE INDEX spelled its table in another
// case (SQLite writes the table's own name; the models' bulk load wrote the spelling).
TEST_CASE("introspection: an index on a table spelled in another case is kept") {
  SqliteConnection connection{dbtool::config::SqliteOptions{}};
  connection.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT);"
                     "CREATE INDEX ix_sku ON PRODUCTS (sku)");
  const Schema schema = introspect_sqlite(connection);
  REQUIRE(schema.tables.count("products") == 1);
  CHECK(schema.tables.at("products").indexes.count("ix_sku") == 1);
  dbtool::test::TempDir dir;
  write_file(dir.path() / "m.sql", "CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT);\n"
                                   "CREATE INDEX ix_sku ON PRODUCTS (sku);\n");
  CHECK(describe_difference(schema, load_declared_schema(dir.path())) == "");
}

// Found by fuzz_sql_model: SQLite's execution ends a script at a NUL byte, but the
// bulk load's tokenizer read on and created what came after it.
TEST_CASE("declared schema: a NUL byte ends a SQL model as it ends SQLite's execution") {
  // The input fuzz_sql_model found (tests/fuzz/corpus/fuzz_sql_model/nul-byte-ends-the-script),
  // in hexadecimal.
  const std::string hex =
      "3b202d2d2220ff62435245415445205441424c452022782222636363633b2044524f50205441424c4520793b"
      "202d2d222028696420494e5445474552205052494d00000000000000024155544f494e4352454d454e542c20"
      "61205445585420434f4c4c415445204e4fbabeab45205441424c4520227822223b2044524f50205441424c45"
      "20793b202d2d222028696420494e544547455220505249415445205649455720287620286129204153205345"
      "454f4e20434f54202827612cffffffffffffffff2028622927292c2062204153202861207c7c202778272920"
      "53544f5245442c20434f4e53545241494e5420632043ffffffffffffffffffffffffffffffffffffffffffff"
      "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
      "ffffffffffffffffffffffffffffffff4845434b20286c656e677468286129203e2030696420444553432c20"
      "6c6f77657228696429204341534529205748455245206964203e203053432c206c6f7765722869642920434f"
      "4c4c415445204e4f4341534529205748455245206964203e20303b0a43524541544520564945572076202861"
      "292041532053454c45435420696420baadb0004947adae3bffff260000004352b720703b0a00000000000000"
      "0052494747455220747220414654455220494e53455254204f4e207020424547494e2053454c454345415445"
      "203e3e3e3e3e3e3e3e3e3e3e3e3e3e545420313b20454e443b410a424c452070ffffffff45";
  std::string found;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    found += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  for (const std::string& text :
       {found, std::string("CREATE TABLE a (x);\n-- \0\nCREATE VIEW v AS SELECT 1;\n", 52),
        std::string("CREATE TABLE a (x);\0CREATE VIEW v AS SELECT 1;\n", 47)}) {
    REQUIRE(text.find('\0') != std::string::npos);
    Schema executed;
    try {
      SqliteConnection connection{dbtool::config::SqliteOptions{}};
      connection.execute_script(text, 1);
      executed = introspect_sqlite(connection);
    } catch (const dbtool::Error&) {
      CHECK_THROWS_AS(load_declared_schema_of(text), dbtool::Error);
      continue;
    }
    CHECK(describe_difference(executed, load_declared_schema_of(text)) == "");
  }
}

// Found by fuzz_json_model: nlohmann reports a number it cannot hold with out_of_range,
// not parse_error; it escaped as an unknown error (exit 4, no file).
TEST_CASE("a JSON model with a number out of range is a project error naming the file") {
  for (const char* text :
       {"{\"tables\": [{\"name\": \"t\", \"columns\": [{\"name\": \"a\", \"type\": "
        "\"integer\", \"default\": 1e999}]}]}",
        "2222222222222227e666666666666666666867\n2"}) {
    try {
      (void)schema_from_json_text(text, "big.json");
      FAIL("no error");
    } catch (const dbtool::Error& error) {
      CHECK(error.kind() == dbtool::ErrorKind::Project);
      CHECK(error.file() == "big.json");
      CHECK(contains(error.message(), "number overflow"));
    }
  }
}

namespace {

// parents_first as it was first written (recursive, with a set of names done): the
// oracle for the iterative one.
std::vector<std::string> parents_first_recursively(const Schema& schema,
                                                   const std::set<std::string>& names) {
  std::vector<std::string> order;
  std::set<std::string> done;
  std::multimap<std::string, std::string> by_lower_name;
  for (const auto& name : names)
    by_lower_name.emplace(dbtool::util::to_lower(name), name);
  std::function<void(const std::string&)> visit = [&](const std::string& name) {
    if (!done.insert(name).second)
      return;
    const auto found = schema.tables.find(name);
    if (found != schema.tables.end())
      for (const auto& key : found->second.foreign_keys) {
        const auto [first, last] = by_lower_name.equal_range(dbtool::util::to_lower(key.ref_table));
        for (auto other = first; other != last; ++other)
          visit(other->second);
      }
    order.push_back(name);
  };
  for (const auto& name : names)
    visit(name);
  return order;
}

} // namespace

TEST_CASE("parents_first: parents before children, cycles broken where they close") {
  for (unsigned seed = 1; seed <= 500; ++seed) {
    std::mt19937 rng(seed);
    const int tables = 1 + static_cast<int>(rng() % 12);
    Schema schema;
    std::set<std::string> names;
    for (int t = 0; t < tables; ++t) {
      Table table;
      table.name = (rng() % 4 == 0 ? "T" : "t") + std::to_string(t);
      const int keys = static_cast<int>(rng() % 4);
      for (int k = 0; k < keys; ++k) {
        ForeignKey key;
        const int target = static_cast<int>(rng() % (tables + 1)); // == tables: not among NAMES
        key.ref_table = (rng() % 2 == 0 ? "t" : "T") + std::to_string(target);
        table.foreign_keys.push_back(key);
      }
      if (rng() % 5 != 0)
        names.insert(table.name);
      schema.tables.emplace(table.name, table);
    }
    INFO("seed " << seed);
    CHECK(parents_first(schema, names) == parents_first_recursively(schema, names));
  }
  // A chain of 100,000 tables does not overflow the stack.
  Schema chain;
  std::set<std::string> all;
  for (int t = 0; t < 100000; ++t) {
    Table table;
    table.name = "c" + std::to_string(t);
    if (t > 0) {
      ForeignKey key;
      key.ref_table = "c" + std::to_string(t - 1);
      table.foreign_keys.push_back(key);
    }
    all.insert(table.name);
    chain.tables.emplace(table.name, std::move(table));
  }
  const auto order = parents_first(chain, all);
  REQUIRE(order.size() == 100000);
  CHECK(order.front() == "c0");
  CHECK(order.back() == "c99999");
}
