// The JSON model format's naming conventions, against the names SQLAlchemy 1.4 gives the
// same MetaData (the expected names below are what SQLAlchemy's CreateTable and
// CreateIndex print for the equivalent tables), and its column defaults on both backends.
#include "dbtool/error.h"
#include "dbtool/schema/json_model.h"

#include <doctest/doctest.h>

#include <string>

using dbtool::config::Backend;
using dbtool::schema::schema_from_json_text;
using dbtool::schema::Table;

namespace {

const std::string children_model = R"j({
  "naming_convention": {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s_%(referred_column_0_name)s",
    "pk": "pk_%(table_name)s"
  },
  "tables": [
    {"name": "parents", "columns": [{"name": "id", "type": "integer", "primary_key": true}]},
    {
      "name": "children",
      "columns": [
        {"name": "id", "type": "integer", "primary_key": true},
        {"name": "a", "type": "integer"},
        {"name": "b", "type": "integer"},
        {"name": "parent_id", "type": "integer", "references": "parents.id"},
        {"name": "other_parent", "type": "integer"}
      ],
      "unique_constraints": [{"columns": ["a", "b"]}],
      "check_constraints": [{"name": "positive", "expression": "a > 0"}, {"expression": "b > 0"}],
      "foreign_keys": [{"columns": ["other_parent"], "references": {"table": "parents"}}],
      "indexes": [{"columns": ["a"]}]
    }
  ]
})j";

std::string error_of(const std::string& text) {
  try {
    (void)schema_from_json_text(text, "m.json");
  } catch (const dbtool::Error& error) {
    CHECK(error.kind() == dbtool::ErrorKind::Project);
    CHECK(error.file() == "m.json");
    return error.message();
  }
  FAIL("no error");
  return {};
}

} // namespace

TEST_CASE("naming conventions name constraints as SQLAlchemy does") {
  for (const Backend backend : {Backend::Sqlite, Backend::Postgres}) {
    const auto schema = schema_from_json_text(children_model, "m.json", backend);
    const Table& children = schema.tables.at("children");
    CHECK(children.primary_key->name == "pk_children");
    REQUIRE(children.unique_constraints.size() == 1);
    CHECK(children.unique_constraints[0].name == "uq_children_ab");
    REQUIRE(children.checks.size() == 2);
    CHECK(children.checks[0].name == "ck_children_positive"); // a named check, through the template
    CHECK(children.checks[1].name.empty());                   // unnamed: the template needs a name
    REQUIRE(children.foreign_keys.size() == 2);
    CHECK(children.foreign_keys[0].name == "fk_children_parent_id_parents_id");
    // No referenced column given: the parent's primary key is the one referred to.
    CHECK(children.foreign_keys[1].name == "fk_children_other_parent_parents_id");
    CHECK(children.indexes.count("ix_children_a") == 1);
  }
}

TEST_CASE("naming conventions: the _N_ and N forms, labels") {
  const auto schema = schema_from_json_text(R"j({
    "naming_convention": {"uq": "uq_%(table_name)s_%(column_0_N_name)s",
                          "ix": "ix_%(table_name)s_%(column_0N_label)s"},
    "tables": [{"name": "t", "columns": [{"name": "a", "type": "integer"},
                                          {"name": "b", "type": "integer"}],
                "unique_constraints": [{"columns": ["a", "b"]}],
                "indexes": [{"columns": ["a", "b"]}]}]})j",
                                            "m.json");
  const Table& t = schema.tables.at("t");
  CHECK(t.unique_constraints.at(0).name == "uq_t_a_b");
  CHECK(t.indexes.count("ix_t_t_at_b") == 1);
}

TEST_CASE("naming conventions: a name given without %(constraint_name)s in the template is kept") {
  const auto schema = schema_from_json_text(R"j({
    "naming_convention": {"uq": "uq_%(table_name)s_%(column_0_name)s"},
    "tables": [{"name": "t", "columns": [{"name": "a", "type": "integer"}],
                "unique_constraints": [{"name": "my_unique", "columns": ["a"]}]}]})j",
                                            "m.json");
  CHECK(schema.tables.at("t").unique_constraints.at(0).name == "my_unique");
}

TEST_CASE("naming conventions: an unknown token is an error naming it") {
  const std::string message = error_of(R"j({"naming_convention": {"ix": "ix_%(colum_0_name)s"},
    "tables": []})j");
  CHECK(message.find("naming_convention") != std::string::npos);
  CHECK(message.find("'ix'") != std::string::npos);
  CHECK(message.find("%(colum_0_name)s") != std::string::npos);
  CHECK(error_of(R"j({"naming_convention": {"fk": "fk_%(referred_column_1_name)s"}})j")
            .find("%(referred_column_1_name)s") != std::string::npos);
  CHECK(error_of(R"j({"naming_convention": {"xx": "x"}})j").find("unknown key 'xx'") !=
        std::string::npos);
}

TEST_CASE("column defaults: boolean spellings on each backend, numbers") {
  const std::string model = R"j({"tables": [{"name": "t", "columns": [
    {"name": "id", "type": "integer", "primary_key": true},
    {"name": "a", "type": "boolean", "default": true},
    {"name": "b", "type": "boolean", "default": "0"},
    {"name": "c", "type": "boolean", "default": "FALSE"},
    {"name": "d", "type": "integer", "default": 7},
    {"name": "e", "type": "boolean", "sqlite_type": "INT", "postgres_type": "smallint",
     "default": "1"}]}]})j";
  const auto lite = schema_from_json_text(model, "m.json", Backend::Sqlite).tables.at("t");
  CHECK(*lite.columns[1].default_sql == "1");
  CHECK(*lite.columns[2].default_sql == "0");
  CHECK(*lite.columns[3].default_sql == "FALSE"); // SQLite takes it as written
  CHECK(*lite.columns[4].default_sql == "7");
  CHECK(lite.columns[0].identity.empty());
  const auto pg = schema_from_json_text(model, "m.json", Backend::Postgres).tables.at("t");
  CHECK(*pg.columns[1].default_sql == "true");
  CHECK(*pg.columns[2].default_sql == "false");
  CHECK(*pg.columns[3].default_sql == "false");
  CHECK(*pg.columns[4].default_sql == "7");
  CHECK(*pg.columns[5].default_sql == "1");      // an exact type keeps its default as written
  CHECK(pg.columns[0].identity == "BY DEFAULT"); // the integer key numbers its rows
  CHECK(error_of(R"j({"tables": [{"name": "t", "columns": [
    {"name": "a", "type": "text", "default": ["x"]}]}]})j")
            .find("'default' must be") != std::string::npos);
}
