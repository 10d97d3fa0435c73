#include "dbtool/db/postgres/postgres_script.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using dbtool::db::controls_transaction;
using dbtool::db::split_postgres_script;

namespace {

std::vector<std::string> texts(std::string_view sql) {
  std::vector<std::string> out;
  for (const auto& statement : split_postgres_script(sql))
    out.emplace_back(statement.text);
  return out;
}

} // namespace

TEST_CASE("PostgreSQL scripts split at the semicolons that end statements") {
  CHECK(texts("SELECT 1; SELECT 2;") == std::vector<std::string>{"SELECT 1;", "SELECT 2;"});
  CHECK(texts("SELECT 1") == std::vector<std::string>{"SELECT 1"});
  CHECK(texts("  -- only a comment;\n /* and; another */ ").empty());
  CHECK(texts("SELECT ';', \"a;b\", E'it\\'s; fine', 'x'';y';") ==
        std::vector<std::string>{"SELECT ';', \"a;b\", E'it\\'s; fine', 'x'';y';"});
  CHECK(texts("SELECT 1 /* outer /* nested; */ still; */; SELECT 2;").size() == 2);
  CHECK(texts("SELECT 1; -- trailing; comment\nSELECT 2;").size() == 2);
}

TEST_CASE("dollar-quoted bodies keep their semicolons; $1 is no quote") {
  const std::string function = "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\n"
                               "BEGIN\n  RETURN 1; -- $$ inside\nEND;\n$body$;";
  CHECK(texts(function + "\nSELECT f();") == std::vector<std::string>{function, "SELECT f();"});
  CHECK(texts("DO $$ BEGIN PERFORM 1; END $$; SELECT 2;").size() == 2);
  CHECK(texts("PREPARE p AS SELECT $1::int; EXECUTE p(1);").size() == 2);
  CHECK(texts("SELECT a$b FROM t; SELECT 2;").size() == 2); // $ inside a name
}

TEST_CASE("semicolons inside parentheses (rule bodies) do not split") {
  CHECK(texts("CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); "
              "INSERT INTO b VALUES (2)); SELECT 1;")
            .size() == 2);
}

TEST_CASE("statement offsets point at their first token, past comments") {
  const std::string sql = "-- header\nSELECT 1;\n\n/* c */ SELECT 2;";
  const auto statements = split_postgres_script(sql);
  REQUIRE(statements.size() == 2);
  CHECK(sql.substr(statements[0].offset, 6) == "SELECT");
  CHECK(sql.substr(statements[1].offset, 8) == "SELECT 2");
}

TEST_CASE("unterminated quotes still split somewhere, never throw") {
  CHECK(texts("SELECT 'open; SELECT 2;").size() == 1);
  CHECK(texts("SELECT $$ open; SELECT 2;").size() == 1);
  CHECK(texts("SELECT \"open").size() == 1);
}

TEST_CASE("transaction control statements are recognised") {
  for (const char* yes : {"BEGIN;", "begin transaction isolation level serializable", "COMMIT",
                          "END", "ROLLBACK", "rollback work", "ABORT", "START TRANSACTION",
                          "PREPARE TRANSACTION 'x'", "COMMIT PREPARED 'x'", "/* c */ commit"}) {
    CAPTURE(std::string(yes));
    CHECK(controls_transaction(yes));
  }
  for (const char* no :
       {"ROLLBACK TO SAVEPOINT a", "rollback to a", "SAVEPOINT a", "RELEASE SAVEPOINT a",
        "PREPARE p AS SELECT 1", "SELECT 'BEGIN'", "CREATE TABLE begin_log (id int)", "ENDX"}) {
    CAPTURE(std::string(no));
    CHECK_FALSE(controls_transaction(no));
  }
}

TEST_CASE("dollar_quote_end and comment_end: where a body or a comment ends") {
  using dbtool::db::comment_end;
  using dbtool::db::dollar_quote_end;
  constexpr auto none = std::string_view::npos;
  CHECK(dollar_quote_end("$$a;b$$ x", 0) == 7);
  CHECK(dollar_quote_end("$f$ $$ $f$;", 0) == 10);
  CHECK(dollar_quote_end("$f$ never closed", 0) == 16);
  CHECK(dollar_quote_end("$1 + 2", 0) == none);
  CHECK(dollar_quote_end("$", 0) == none);
  CHECK(dollar_quote_end("$a b$", 0) == none); // a space ends no tag
  CHECK(comment_end("-- x\nSELECT", 0) == 4);
  CHECK(comment_end("-- to the end", 0) == 13);
  CHECK(comment_end("/* a /* b */ c */d", 0) == 17);
  CHECK(comment_end("/* open", 0) == 7);
}
