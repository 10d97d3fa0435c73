// The hand parsers of CREATE TABLE / INDEX / VIEW text and the SQL tokenizer, on the
// hardest texts SQLite accepts: comments everywhere, every quoting style, names and
// strings holding the characters the parsers split on, constraints in every order.
#include "dbtool/schema/create_statement.h"
#include "dbtool/schema/sql_tokens.h"

#include "dbtool/db/sqlite/sqlite_connection.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace dbtool::schema;

namespace {

std::vector<std::string> texts(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& token : tokens)
    out.emplace_back(token.text);
  return out;
}

std::vector<std::string> column_names(const ParsedCreateTable& table) {
  std::vector<std::string> out;
  for (const auto& column : table.columns)
    out.push_back(column.name);
  return out;
}

// Every CREATE text used below must be one SQLite accepts: the parsers rely on that.
// Index texts get a table t to index.
void accepted_by_sqlite(const std::string& sql, bool with_table_t = false) {
  dbtool::db::SqliteConnection connection{dbtool::config::SqliteOptions{}};
  INFO(sql);
  CHECK_NOTHROW(connection.execute(
      std::string("CREATE TABLE p (id INTEGER PRIMARY KEY, a, b, UNIQUE (a, b));"
                  "CREATE TABLE \"we\"\"ird, (p)\" (id INTEGER PRIMARY KEY);") +
      (with_table_t ? "CREATE TABLE t (a, b, c, \"my col\", name, x);" : "") + sql));
}

} // namespace

// ---------------------------------------------------------------- tokenizer

TEST_CASE("tokenize_sql: kinds, quoted values and offsets") {
  const std::string sql =
      "SELECT \"a\"\"b\", [c d], `e``f`, 'it''s', x'00ff', 12.5e-3, .5, ?1, :name, @v, $w -- c\n"
      "/* block, ( */ a.b || c <= d >= e <> f != g == h << i >> j -> k ->> l";
  const auto tokens = tokenize_sql(sql);
  REQUIRE(tokens.size() >= 20);
  CHECK(tokens[0].kind == Token::Kind::Word);
  CHECK(tokens[0].is_word("SELECT"));
  CHECK(tokens[0].offset == 0);
  CHECK(tokens[1].kind == Token::Kind::QuotedName);
  CHECK(tokens[1].text == "\"a\"\"b\"");
  CHECK(tokens[1].value == "a\"b");
  CHECK(tokens[1].offset == 7);
  CHECK(tokens[2].is_punct(','));
  CHECK(tokens[3].kind == Token::Kind::QuotedName);
  CHECK(tokens[3].value == "c d");
  CHECK(tokens[5].kind == Token::Kind::QuotedName);
  CHECK(tokens[5].value == "e`f");
  CHECK(tokens[7].kind == Token::Kind::String);
  CHECK(tokens[7].text == "'it''s'");
  CHECK(tokens[7].value == "it's");
  CHECK(tokens[9].kind == Token::Kind::Blob);
  CHECK(tokens[9].text == "x'00ff'");
  CHECK(tokens[11].kind == Token::Kind::Number);
  CHECK(tokens[11].text == "12.5e-3");
  CHECK(tokens[13].kind == Token::Kind::Number);
  CHECK(tokens[13].text == ".5");
  CHECK(tokens[15].kind == Token::Kind::Variable);
  CHECK(tokens[15].text == "?1");
  CHECK(tokens[17].text == ":name");
  CHECK(tokens[19].text == "@v");
  CHECK(tokens[21].text == "$w");
  CHECK(tokens[21].kind == Token::Kind::Variable);
  const auto all = texts(tokens);
  const std::vector<std::string> rest(all.begin() + 22, all.end());
  CHECK(rest == std::vector<std::string>{"a", ".",  "b", "||", "c", "<=",  "d", ">=",
                                         "e", "<>", "f", "!=", "g", "==",  "h", "<<",
                                         "i", ">>", "j", "->", "k", "->>", "l"});
}

TEST_CASE("tokenize_sql: comments and quotes hide each other") {
  // A comment marker inside a string or a quoted name is text; a quote inside a comment
  // is comment.
  const auto tokens = tokenize_sql("'a -- b' \"c /* d\" -- 'e\n /* \"f */ [g -- h] `i /* j`");
  REQUIRE(tokens.size() == 4);
  CHECK(tokens[0].value == "a -- b");
  CHECK(tokens[1].value == "c /* d");
  CHECK(tokens[2].value == "g -- h");
  CHECK(tokens[3].value == "i /* j");
  // Brackets do not double their closing bracket; other quotes do.
  const auto bracket = tokenize_sql("[a\"b] \"[x]\"");
  REQUIRE(bracket.size() == 2);
  CHECK(bracket[0].value == "a\"b");
  CHECK(bracket[1].value == "[x]");
}

TEST_CASE("tokenize_sql: unicode names, keywords in any case, unterminated input") {
  const auto tokens = tokenize_sql("čaj 表 sElEcT");
  REQUIRE(tokens.size() == 3);
  CHECK(tokens[0].kind == Token::Kind::Word);
  CHECK(tokens[0].name() == "čaj");
  CHECK(tokens[1].name() == "表");
  CHECK(tokens[2].is_word("SELECT"));
  CHECK_FALSE(tokens[2].is_word("SELEC"));
  CHECK_FALSE(tokenize_sql("\"SELECT\"")[0].is_word("SELECT")); // a quoted name is no keyword
  // Never an error, whatever the input.
  CHECK(tokenize_sql("'unterminated").size() == 1);
  CHECK(tokenize_sql("\"unterminated").size() == 1);
  CHECK(tokenize_sql("[unterminated").size() == 1);
  CHECK(tokenize_sql("a /* unterminated").size() == 1);
  CHECK(tokenize_sql("-- only a comment").empty());
  CHECK(tokenize_sql("").empty());
  const std::string with_nul("a\0b", 3);
  CHECK(tokenize_sql(with_nul).size() >= 2);
}

TEST_CASE("canonical_sql: spacing rules") {
  CHECK(canonical_sql("length( name )>0") == "length(name) > 0");
  CHECK(canonical_sql("x  BETWEEN 1\n AND\t10") == "x BETWEEN 1 AND 10");
  CHECK(canonical_sql("f ( a , b )") == "f(a, b)");
  CHECK(canonical_sql("t . c") == "t.c");
  CHECK(canonical_sql("a IN(1,2)") == "a IN (1, 2)");
  CHECK(canonical_sql("NOT(a)") == "NOT (a)");
  CHECK(canonical_sql("(a+b)*2") == "(a + b) * 2");
  CHECK(canonical_sql("a AND(b OR(c))") == "a AND (b OR (c))");
  CHECK(canonical_sql("EXISTS(SELECT 1)") == "EXISTS (SELECT 1)");
  CHECK(canonical_sql("CAST( x AS INTEGER )") == "CAST(x AS INTEGER)");
  CHECK(canonical_sql("a||'(,)'") == "a || '(,)'");
  CHECK(canonical_sql("\"my col\" IS NOT NULL") == "\"my col\" IS NOT NULL");
}

TEST_CASE("canonical_sql: comments, line breaks and white space do not matter") {
  const std::string a = "lower( name ) /* why */ = 'x' -- trailing\n AND b<>1";
  const std::string b = "lower(name)=\n'x' AND\n\n b <> 1";
  CHECK(canonical_sql(a) == canonical_sql(b));
  CHECK(canonical_sql(a) == "lower(name) = 'x' AND b <> 1");
  // White space inside strings and quoted names is kept.
  CHECK(canonical_sql("'a  b' = \"c  d\"") == "'a  b' = \"c  d\"");
  CHECK(canonical_sql("'a  b'") != canonical_sql("'a b'"));
}

TEST_CASE("canonical_sql: a range of tokens") {
  const auto tokens = tokenize_sql("CHECK ( a > 0 ) , b");
  CHECK(canonical_sql(tokens, 2, 5) == "a > 0");
  CHECK(canonical_sql(tokens, 0, 6) == "CHECK (a > 0)");
  CHECK(canonical_sql(tokens, 3, 3).empty());
  CHECK(canonical_sql(tokens, 6, 100) == ", b"); // END past the tokens is clamped
}

TEST_CASE("canonical_sql is idempotent and keeps the tokens") {
  for (const char* sql :
       {"SELECT a, b FROM \"my table\" WHERE (x IS NOT NULL) AND lower(name) LIKE 'a%'",
        "CASE WHEN a>1 THEN 'x' ELSE NULL END", "a->>'$.b' = ?1 OR c->'d' IS NULL",
        "-1 + +2 * (3 - -4)", "x NOT IN (SELECT y FROM z)", "t.\"a\".b COLLATE NOCASE"}) {
    INFO(sql);
    const auto once = canonical_sql(sql);
    CHECK(canonical_sql(once) == once);
    CHECK(texts(tokenize_sql(once)) == texts(tokenize_sql(sql)));
  }
}

TEST_CASE("canonical_sql: white space next to a number does not matter") {
  // "0x1e-5" is 0x1e minus 5 for SQLite: three tokens, like "0x1e - 5".
  CHECK(canonical_sql("0x1e-5") == canonical_sql("0x1e - 5"));
  CHECK(canonical_sql("1-2") == canonical_sql("1 - 2"));
  CHECK(canonical_sql("1e-5") == "1e-5");
}

// ---------------------------------------------------------------- CREATE TABLE

TEST_CASE("parse_create_table: quoted names of every style, with commas and parens") {
  const std::string sql = "CREATE TABLE \"we\"\"ird, (t)\" (\n"
                          "  \"a,(b\" INT,\n"
                          "  [c)d] TEXT,\n"
                          "  `e\"f` BLOB,\n"
                          "  'g' int,\n"
                          "  \"x\"\"; DROP TABLE y; --\" TEXT,\n"
                          "  čaj TEXT, 表 INT, \"order\" INT, [group] INT\n"
                          ")";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  CHECK(column_names(table) == std::vector<std::string>{"a,(b", "c)d", "e\"f", "g",
                                                        "x\"; DROP TABLE y; --", "čaj", "表",
                                                        "order", "group"});
  CHECK(table.checks.empty());
  CHECK(table.uniques.empty());
  CHECK(table.foreign_keys.empty());
  CHECK_FALSE(table.without_rowid);
  CHECK_FALSE(table.strict);
  CHECK(table.primary_key_name.empty());
  CHECK_FALSE(table.autoincrement);
}

TEST_CASE("parse_create_table: quoted keywords are column names, not constraints") {
  const std::string sql = "CREATE TABLE t (\"constraint\" INT, [primary] INT, `unique` TEXT, "
                          "'check' INT, \"foreign\" INT, key INT, \"PRIMARY KEY\" INT CHECK "
                          "(\"PRIMARY KEY\" > 0))";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  CHECK(column_names(table) == std::vector<std::string>{"constraint", "primary", "unique", "check",
                                                        "foreign", "key", "PRIMARY KEY"});
  CHECK(table.primary_key_name.empty());
  CHECK(table.uniques.empty());
  CHECK(table.foreign_keys.empty());
  REQUIRE(table.checks.size() == 1);
  CHECK(table.checks[0].expression == "\"PRIMARY KEY\" > 0");
}

TEST_CASE("parse_create_table: comments anywhere") {
  const std::string sql = "CREATE /* a */ TABLE -- b\n t /* ( */ ( -- (\n"
                          "  a /* , */ INTEGER -- ,\n"
                          "    /* x */ PRIMARY /* y */ KEY -- z\n"
                          "    AUTOINCREMENT, -- ) \n"
                          "  b TEXT /* CHECK (b > 0) */ COLLATE /* c */ NOCASE,\n"
                          "  -- CONSTRAINT not_this CHECK (1)\n"
                          "  CONSTRAINT /* n */ \"ck b\" CHECK ( /* in */ length(b) > 0 -- ok\n )\n"
                          ") /* WITHOUT ROWID */ -- STRICT";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  CHECK(column_names(table) == std::vector<std::string>{"a", "b"});
  CHECK(table.autoincrement);
  CHECK(table.columns[1].collation == "NOCASE");
  REQUIRE(table.checks.size() == 1);
  CHECK(table.checks[0].name == "ck b");
  CHECK(table.checks[0].expression == "length(b) > 0");
  CHECK_FALSE(table.without_rowid);
  CHECK_FALSE(table.strict);
}

TEST_CASE("parse_create_table: strings and nested parens in CHECK and DEFAULT") {
  const std::string sql =
      "CREATE TABLE t (\n"
      "  a TEXT DEFAULT 'x, (y'')' CHECK (a <> ')' AND (length(a) > (1 + (2)))),\n"
      "  b NUMERIC(10, 2) DEFAULT ((1 + 2) * (3)) CONSTRAINT \"b, pos\" CHECK (b >= 0),\n"
      "  c DEFAULT -1 CHECK (c IN (-1, 0, 1)),\n"
      "  d DEFAULT CURRENT_TIMESTAMP,\n"
      "  e DEFAULT x'00' CHECK (typeof(e) IN ('blob', 'null')),\n"
      "  CHECK ((a || ',') <> '(,)'),\n"
      "  CONSTRAINT [ck)] CHECK (c BETWEEN -1 AND 1)\n"
      ")";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  CHECK(column_names(table) == std::vector<std::string>{"a", "b", "c", "d", "e"});
  REQUIRE(table.checks.size() == 6);
  CHECK(table.checks[0].name.empty());
  CHECK(table.checks[0].expression == "a <> ')' AND (length(a) > (1 + (2)))");
  CHECK(table.checks[1].name == "b, pos");
  CHECK(table.checks[1].expression == "b >= 0");
  CHECK(table.checks[2].expression == "c IN (- 1, 0, 1)");
  CHECK(table.checks[3].expression == "typeof(e) IN ('blob', 'null')");
  CHECK(table.checks[4].name.empty());
  CHECK(table.checks[4].expression == "(a || ',') <> '(,)'");
  CHECK(table.checks[5].name == "ck)");
  CHECK(table.checks[5].expression == "c BETWEEN - 1 AND 1");
}

TEST_CASE("parse_create_table: column constraints in every order, each named") {
  const std::string sql =
      "CREATE TABLE t (\n"
      "  id INTEGER CONSTRAINT pk_t PRIMARY KEY ASC ON CONFLICT ROLLBACK AUTOINCREMENT "
      "CONSTRAINT nn NOT NULL,\n"
      "  a TEXT CONSTRAINT ck_a CHECK (a > '') CONSTRAINT uq_a UNIQUE ON CONFLICT IGNORE "
      "CONSTRAINT df DEFAULT 'z' CONSTRAINT co COLLATE RTRIM NOT NULL,\n"
      "  b CONSTRAINT fk_b REFERENCES p (id) ON DELETE SET NULL NOT NULL COLLATE NOCASE "
      "UNIQUE CHECK (b <> 0) DEFAULT (0),\n"
      "  c NULL COLLATE \"NOCASE\" DEFAULT 1 UNIQUE CONSTRAINT fk_c REFERENCES p ON UPDATE "
      "CASCADE DEFERRABLE INITIALLY DEFERRED\n"
      ")";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  CHECK(column_names(table) == std::vector<std::string>{"id", "a", "b", "c"});
  CHECK(table.primary_key_name == "pk_t");
  CHECK(table.autoincrement);
  CHECK(table.columns[0].collation.empty());
  CHECK(table.columns[1].collation == "RTRIM");
  CHECK(table.columns[2].collation == "NOCASE");
  CHECK(table.columns[3].collation == "NOCASE");
  REQUIRE(table.uniques.size() == 3);
  CHECK(table.uniques[0] == UniqueConstraint{"uq_a", {"a"}, "IGNORE"});
  CHECK(table.primary_key_conflict == "ROLLBACK");
  CHECK(table.uniques[1] == UniqueConstraint{"", {"b"}, {}});
  CHECK(table.uniques[2] == UniqueConstraint{"", {"c"}, {}});
  REQUIRE(table.checks.size() == 2);
  CHECK(table.checks[0] == CheckConstraint{"ck_a", "a > ''"});
  CHECK(table.checks[1] == CheckConstraint{"", "b <> 0"});
  REQUIRE(table.foreign_keys.size() == 2);
  CHECK(table.foreign_keys[0].name == "fk_b");
  CHECK(table.foreign_keys[0].columns == std::vector<std::string>{"b"});
  CHECK(table.foreign_keys[0].ref_table == "p");
  CHECK_FALSE(table.foreign_keys[0].deferrable);
  CHECK(table.foreign_keys[1].name == "fk_c");
  CHECK(table.foreign_keys[1].columns == std::vector<std::string>{"c"});
  CHECK(table.foreign_keys[1].deferrable);
}

TEST_CASE("parse_create_table: a constraint name applies to the next constraint only") {
  const std::string sql = "CREATE TABLE t (a CONSTRAINT n1 NOT NULL CHECK (a > 0) "
                          "CONSTRAINT n2 DEFAULT 3 UNIQUE)";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  REQUIRE(table.checks.size() == 1);
  CHECK(table.checks[0].name.empty());
  REQUIRE(table.uniques.size() == 1);
  CHECK(table.uniques[0].name.empty());
}

TEST_CASE("parse_create_table: table constraints, named and not") {
  const std::string sql =
      "CREATE TABLE \"c t\" (\n"
      "  a INT, b TEXT, \"x, y\" INT, [z] INT,\n"
      "  CONSTRAINT \"pk, c\" PRIMARY KEY (a, b DESC) ON CONFLICT ABORT,\n"
      "  UNIQUE (b COLLATE NOCASE, \"x, y\"),\n"
      "  CONSTRAINT uq2 UNIQUE ([z]),\n"
      "  FOREIGN KEY (\"x, y\", z) REFERENCES p (a, b) ON DELETE CASCADE ON UPDATE SET DEFAULT "
      "MATCH SIMPLE DEFERRABLE INITIALLY DEFERRED,\n"
      "  CONSTRAINT \"fk\"\"2\" FOREIGN KEY (a) REFERENCES \"we\"\"ird, (p)\" ON DELETE RESTRICT "
      "NOT DEFERRABLE INITIALLY DEFERRED,\n"
      "  CONSTRAINT fk3 FOREIGN KEY (z) REFERENCES p DEFERRABLE INITIALLY IMMEDIATE,\n"
      "  FOREIGN KEY (b) REFERENCES p (id) DEFERRABLE,\n"
      "  CONSTRAINT ck CHECK (a <> z), CHECK (b IS NOT NULL)\n"
      ")";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  CHECK(column_names(table) == std::vector<std::string>{"a", "b", "x, y", "z"});
  CHECK(table.primary_key_name == "pk, c");
  CHECK_FALSE(table.autoincrement);
  REQUIRE(table.uniques.size() == 2);
  CHECK(table.uniques[0] == UniqueConstraint{"", {"b", "x, y"}, {}});
  CHECK(table.uniques[1] == UniqueConstraint{"uq2", {"z"}, {}});
  REQUIRE(table.foreign_keys.size() == 4);
  CHECK(table.foreign_keys[0].name.empty());
  CHECK(table.foreign_keys[0].columns == std::vector<std::string>{"x, y", "z"});
  CHECK(table.foreign_keys[0].ref_table == "p");
  CHECK(table.foreign_keys[0].deferrable);
  CHECK(table.foreign_keys[1].name == "fk\"2");
  CHECK(table.foreign_keys[1].ref_table == "we\"ird, (p)");
  CHECK_FALSE(table.foreign_keys[1].deferrable);
  CHECK(table.foreign_keys[2].name == "fk3");
  CHECK_FALSE(table.foreign_keys[2].deferrable);
  CHECK(table.foreign_keys[3].columns == std::vector<std::string>{"b"});
  CHECK_FALSE(table.foreign_keys[3].deferrable);
  REQUIRE(table.checks.size() == 2);
  CHECK(table.checks[0] == CheckConstraint{"ck", "a <> z"});
  CHECK(table.checks[1] == CheckConstraint{"", "b IS NOT NULL"});
}

TEST_CASE("parse_create_table: column and table foreign keys keep declaration order") {
  const std::string sql = "CREATE TABLE t (a REFERENCES p, b, c CONSTRAINT second REFERENCES p "
                          "(id), FOREIGN KEY (b) REFERENCES p)";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  REQUIRE(table.foreign_keys.size() == 3);
  CHECK(table.foreign_keys[0].columns == std::vector<std::string>{"a"});
  CHECK(table.foreign_keys[1].columns == std::vector<std::string>{"c"});
  CHECK(table.foreign_keys[1].name == "second");
  CHECK(table.foreign_keys[2].columns == std::vector<std::string>{"b"});
}

TEST_CASE("parse_create_table: DEFERRABLE after other column constraints still applies") {
  // SQLite's grammar has the deferrable clause as a column constraint of its own; it
  // applies to the column's foreign key wherever it stands.
  const std::string sql = "CREATE TABLE t (x REFERENCES p NOT NULL DEFERRABLE INITIALLY DEFERRED)";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  REQUIRE(table.foreign_keys.size() == 1);
  CHECK(table.foreign_keys[0].deferrable);
}

TEST_CASE("parse_create_table: AUTOINCREMENT in a table PRIMARY KEY constraint") {
  const std::string sql =
      "CREATE TABLE t (id INTEGER, v, CONSTRAINT k PRIMARY KEY (id AUTOINCREMENT))";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  CHECK(table.primary_key_name == "k");
  CHECK(table.autoincrement);
}

TEST_CASE("parse_create_table: generated columns") {
  const std::string sql = "CREATE TABLE t (\n"
                          "  a INT, b TEXT,\n"
                          "  c INT GENERATED ALWAYS AS ( a * 2 ) STORED,\n"
                          "  d GENERATED ALWAYS AS (a + (length(b) * 3)) VIRTUAL NOT NULL,\n"
                          "  e TEXT AS (b || ',)') ,\n"
                          "  f AS (lower(b)) STORED CHECK (f <> ''),\n"
                          "  g INT NOT NULL CONSTRAINT gen GENERATED ALWAYS AS (-a) UNIQUE\n"
                          ")";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  REQUIRE(table.columns.size() == 7);
  CHECK_FALSE(table.columns[0].generated);
  CHECK_FALSE(table.columns[1].generated);
  CHECK(table.columns[2].generated == "a * 2");
  CHECK(table.columns[2].generated_stored);
  CHECK(table.columns[3].generated == "a + (length(b) * 3)");
  CHECK_FALSE(table.columns[3].generated_stored);
  CHECK(table.columns[4].generated == "b || ',)'");
  CHECK_FALSE(table.columns[4].generated_stored);
  CHECK(table.columns[5].generated == "lower(b)");
  CHECK(table.columns[5].generated_stored);
  CHECK(table.columns[6].generated == "- a");
  CHECK_FALSE(table.columns[6].generated_stored);
  REQUIRE(table.checks.size() == 1);
  CHECK(table.checks[0].expression == "f <> ''");
  REQUIRE(table.uniques.size() == 1);
  CHECK(table.uniques[0].columns == std::vector<std::string>{"g"});
}

TEST_CASE("parse_create_table: WITHOUT ROWID, STRICT, both, in any case") {
  const std::string base = "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)";
  {
    const auto table = parse_create_table(base + " WITHOUT ROWID");
    CHECK(table.without_rowid);
    CHECK_FALSE(table.strict);
  }
  {
    const auto table = parse_create_table(base + " STRICT");
    CHECK_FALSE(table.without_rowid);
    CHECK(table.strict);
  }
  for (const char* options : {" WITHOUT ROWID, STRICT", " strict ,without rowid",
                              "\n-- c\nWITHOUT /* x */ ROWID,\nSTRICT"}) {
    INFO(options);
    accepted_by_sqlite(base + options);
    const auto table = parse_create_table(base + options);
    CHECK(table.without_rowid);
    CHECK(table.strict);
  }
  // Words inside the parentheses are no table options.
  const std::string inside = "CREATE TABLE t (\"rowid\" INT, strict TEXT, \"without\" INT)";
  accepted_by_sqlite(inside);
  const auto table = parse_create_table(inside);
  CHECK_FALSE(table.without_rowid);
  CHECK_FALSE(table.strict);
  CHECK(column_names(table) == std::vector<std::string>{"rowid", "strict", "without"});
}

TEST_CASE("parse_create_table: IF NOT EXISTS, schema-qualified names, TEMP") {
  for (const char* sql :
       {"CREATE TABLE IF NOT EXISTS main.\"x(y\" (a INTEGER PRIMARY KEY, b)",
        "CREATE TEMP TABLE temp.[x(y] (a INTEGER PRIMARY KEY, b)",
        "create temporary table if not exists \"temp\".`x(y` (a INTEGER PRIMARY KEY, b)"}) {
    INFO(sql);
    accepted_by_sqlite(sql);
    const auto table = parse_create_table(sql);
    CHECK(column_names(table) == std::vector<std::string>{"a", "b"});
  }
}

TEST_CASE("parse_create_table: types with several words and parens") {
  const std::string sql = "CREATE TABLE t (a UNSIGNED BIG INT NOT NULL, b NUMERIC( 10 , 2 ) "
                          "COLLATE RTRIM, c DOUBLE PRECISION, d VARCHAR(20) DEFAULT 'v', e)";
  accepted_by_sqlite(sql);
  const auto table = parse_create_table(sql);
  CHECK(column_names(table) == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(table.columns[1].collation == "RTRIM");
  CHECK(table.checks.empty());
  CHECK(table.uniques.empty());
}

TEST_CASE("parse_create_table: CREATE TABLE AS SELECT has nothing to parse") {
  const auto table = parse_create_table("CREATE TABLE t AS SELECT 1 AS a");
  CHECK(table.columns.empty());
}

// ---------------------------------------------------------------- CREATE INDEX

TEST_CASE("parse_create_index: column keys, expressions, COLLATE, DESC and WHERE") {
  const std::string sql =
      "CREATE UNIQUE INDEX IF NOT EXISTS main.\"ix, (on)\" ON \"t\" (\n"
      "  a, \"my col\" COLLATE NOCASE DESC, lower( name ) ASC, (b + c) COLLATE RTRIM, -- k\n"
      "  substr(name, 1, 2) /* , */\n"
      ") WHERE x IS NOT NULL AND (a > 0) -- end";
  accepted_by_sqlite(sql, true);
  const auto index = parse_create_index(sql);
  REQUIRE(index.keys.size() == 5);
  CHECK(index.keys[0].expression == "a");
  CHECK(index.keys[0].trailing_collation.empty());
  // ASC/DESC go; a trailing COLLATE stays in the text and is also reported apart.
  CHECK(index.keys[1].expression == "\"my col\" COLLATE NOCASE");
  CHECK(index.keys[1].trailing_collation == "NOCASE");
  CHECK(index.keys[1].without_collation == "\"my col\"");
  CHECK(index.keys[2].expression == "lower(name)");
  CHECK(index.keys[2].trailing_collation.empty());
  CHECK(index.keys[3].expression == "(b + c) COLLATE RTRIM");
  CHECK(index.keys[3].trailing_collation == "RTRIM");
  CHECK(index.keys[3].without_collation == "b + c"); // one pair of parentheses removed
  CHECK(index.keys[4].expression == "substr(name, 1, 2)");
  CHECK(index.keys[4].trailing_collation.empty());
  CHECK(index.where == "x IS NOT NULL AND (a > 0)");
}

TEST_CASE("parse_create_index: no WHERE, a table named like a keyword, quoted ON") {
  const std::string sql = "CREATE INDEX \"on\" ON [we\"ird, (p)] (id DESC)";
  const auto index = parse_create_index(sql);
  REQUIRE(index.keys.size() == 1);
  CHECK(index.keys[0].expression == "id");
  CHECK_FALSE(index.where);
}

TEST_CASE("parse_create_index: COLLATE that binds inside the expression") {
  // "a * 2 COLLATE x" is a * (2 COLLATE x): the parser reports the trailing name and the
  // text without it; only index_xinfo can tell which it was.
  const std::string sql = "CREATE INDEX i ON t (a * 2 COLLATE NOCASE, (a || b) COLLATE \"rtrim\" "
                          "DESC, (a) + (b) COLLATE BINARY, ((a)) COLLATE NOCASE)";
  accepted_by_sqlite(sql, true);
  const auto index = parse_create_index(sql);
  REQUIRE(index.keys.size() == 4);
  CHECK(index.keys[0].expression == "a * 2 COLLATE NOCASE");
  CHECK(index.keys[0].trailing_collation == "NOCASE");
  CHECK(index.keys[0].without_collation == "a * 2");
  CHECK(index.keys[1].expression == "(a || b) COLLATE \"rtrim\"");
  CHECK(index.keys[1].trailing_collation == "rtrim");
  CHECK(index.keys[1].without_collation == "a || b");
  // "(a) + (b)" starts and ends with parentheses that are not one pair.
  CHECK(index.keys[2].without_collation == "(a) + (b)");
  CHECK(index.keys[3].without_collation == "(a)");
}

TEST_CASE("parse_create_index: strings holding parens, commas and keywords") {
  const std::string sql =
      "CREATE INDEX i ON t (coalesce(a, ') DESC, ('), b || 'COLLATE' DESC) WHERE b <> 'WHERE ('";
  accepted_by_sqlite(sql, true);
  const auto index = parse_create_index(sql);
  REQUIRE(index.keys.size() == 2);
  CHECK(index.keys[0].expression == "coalesce(a, ') DESC, (')");
  CHECK(index.keys[1].expression == "b || 'COLLATE'");
  CHECK(index.keys[1].trailing_collation.empty());
  CHECK(index.where == "b <> 'WHERE ('");
}

// ---------------------------------------------------------------- CREATE VIEW

TEST_CASE("parse_view_select") {
  CHECK(parse_view_select("CREATE VIEW v AS SELECT a,b FROM t WHERE a>1") ==
        "SELECT a, b FROM t WHERE a > 1");
  CHECK(parse_view_select("CREATE VIEW IF NOT EXISTS main.\"as\" (x, \"as\") AS\n"
                          "  -- comment AS\n  SELECT a AS x, b AS \"as\" FROM t") ==
        "SELECT a AS x, b AS \"as\" FROM t");
  CHECK(parse_view_select("create temp view [v AS w] as /* as */ select 1") == "select 1");
  CHECK(parse_view_select("CREATE VIEW v AS WITH c AS (SELECT 1 AS x) SELECT x FROM c") ==
        "WITH c AS (SELECT 1 AS x) SELECT x FROM c");
}

TEST_CASE("parse_view_columns") {
  CHECK(parse_view_columns("CREATE VIEW v AS SELECT (1) AS x").empty());
  CHECK(parse_view_columns("CREATE VIEW v AS SELECT a FROM (SELECT 1 AS a)").empty());
  CHECK(parse_view_columns("CREATE VIEW IF NOT EXISTS main.\"v (x)\" ( \"a, b\", [c)] , `d` ) "
                           "/* ( */ AS SELECT 1, 2, 3") ==
        std::vector<std::string>{"a, b", "c)", "d"});
  CHECK(parse_view_columns("create temp view v(x) as select 1") == std::vector<std::string>{"x"});
}
