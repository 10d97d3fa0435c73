# scan: the live schema as the model JSON, as SQL that rebuilds it, and as diagrams;
# --models reads the declared models the same way; both round trips hold, awkward
# names included; bad models are project errors naming file and line.
source "$(dirname "$0")/lib.sh"

test_case "the sample project: the models equal the migrated database"
s="$TEST_TMP/sample"
mkdir -p "$s"
cp -r "$SOURCE_DIR/migrations" "$SOURCE_DIR/schema" "$SOURCE_DIR/dbtool.toml" "$s/"
run "$s" upgrade head
expect_rc 0
run "$s" scan --format sql
expect_rc 0
live_sql=$out
expect_out 'CREATE TABLE configs ('
expect_out 'CREATE INDEX ix_reports_created_at ON reports (created_at);'
expect_no_out 'dbtool_version'
run "$s" scan --models --format sql
expect_rc 0
expect_equal "$out" "$live_sql" "declared models rendered as SQL"
run "$s" scan --format json
expect_rc 0
json_eq '[t["name"] for t in d["tables"]]' '["configs","reports","settings"]'
json_eq '[c["type"] for c in d["tables"][1]["columns"]]' '["integer","text","text","timestamp"]'
run "$s" scan --format mermaid
expect_rc 0
expect_out "erDiagram"
expect_out "INTEGER id PK"
run "$s" scan --format dot --table reports
expect_rc 0
expect_out 'digraph schema {'
expect_out '"reports" [label="{reports|* id : INTEGER'
expect_no_out '"configs"'
run "$s" scan --table nope
expect_rc 2
expect_err "no table 'nope'"
run "$s" scan --format yaml
expect_rc 2

test_case "every feature and awkward names survive scan's SQL and JSON"
p=$(new_project awkward)
write_revision "$p" a1 "" "awkward" "$(cat <<'SQL'
CREATE TABLE "order" (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  "group" TEXT NOT NULL COLLATE NOCASE DEFAULT 'a''b',
  "my col" VARCHAR(20) CHECK (length("my col") > 0),
  total NUMERIC(10,2) DEFAULT (1 + 2),
  doubled INTEGER GENERATED ALWAYS AS (id * 2) STORED,
  CONSTRAINT uq_order_group UNIQUE ("group", "my col")
);
CREATE TABLE "x""; DROP TABLE y; --" (
  a INTEGER NOT NULL,
  b TEXT NOT NULL,
  "čaj" BLOB,
  CONSTRAINT pk_x PRIMARY KEY (a, b),
  CONSTRAINT fk_x_order FOREIGN KEY (a) REFERENCES "order" (id) ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED,
  CHECK (a BETWEEN 1 AND 10)
) WITHOUT ROWID;
CREATE TABLE strict_t (k INTEGER PRIMARY KEY, v ANY, w TEXT) STRICT;
CREATE UNIQUE INDEX ix_order_lower ON "order" (lower("group") DESC, total COLLATE RTRIM) WHERE total IS NOT NULL;
CREATE VIEW big_orders AS SELECT id, total FROM "order" WHERE total > 100;
CREATE TRIGGER trg_order AFTER INSERT ON "order" BEGIN UPDATE "order" SET total = 0 WHERE id = new.id AND total IS NULL; END;
SQL
)" "-"
run "$p" upgrade
expect_rc 0
run "$p" scan --format sql
expect_rc 0
first_sql=$out
printf '%s\n' "$out" >"$TEST_TMP/awkward.sql"
sqlite3 "$TEST_TMP/rebuilt.db" <"$TEST_TMP/awkward.sql"
expect_equal "$?" "0" "scan's SQL runs in sqlite3"
run "$p" --url "sqlite:///$TEST_TMP/rebuilt.db" scan --format sql
expect_equal "$out" "$first_sql" "scan of the rebuilt database"
run "$p" scan --format json
expect_rc 0
json_eq '[c.get("collation") for c in d["tables"][0]["columns"]]' '[null,"NOCASE",null,null,null]'
json_eq 'd["tables"][0]["columns"][4]["generated"]' '{"expression":"id * 2","stored":true}'
json_eq 'd["tables"][0]["columns"][0].get("autoincrement")' 'true'
# Tables come in name order: "order", strict_t, then the injection-shaped name.
json_eq '[t["name"] for t in d["tables"]]' '["order","strict_t","x\"; DROP TABLE y; --"]'
json_eq 'd["tables"][2]["foreign_keys"][0]["deferrable"]' 'true'
json_eq 'd["tables"][2]["foreign_keys"][0]["on_update"]' 'SET NULL'
json_eq 'd["tables"][2]["primary_key"]' '{"columns":["a","b"],"name":"pk_x"}'
json_eq 'd["tables"][2]["without_rowid"]' 'true'
json_eq 'd["tables"][1]["strict"]' 'true'
mkdir -p "$p/schema"
printf '%s\n' "$out" >"$p/schema/models.json"
run "$p" scan --models --format sql
expect_rc 0
expect_equal "$out" "$first_sql" "models made by scan --format json, read back"

test_case "bad models are project errors that name the file and line"
b=$(new_project badmodels)
mkdir -p "$b/schema"
printf '{\n  "tables": [\n    {"name": "a",, }\n  ]\n}\n' >"$b/schema/bad.json"
run "$b" scan --models
expect_rc 3
expect_err "schema/bad.json:3: invalid JSON at column"
expect_one_line_error
printf '{"tables": [{"name": "a", "columns": [{"name": "x", "type": "varchar2"}]}]}' >"$b/schema/bad.json"
run "$b" scan --models
expect_rc 3
expect_err "bad.json:1: table 'a' column 'x': unknown type 'varchar2'"
printf '{"tables": [{"name": "a", "columns": [{"name": "x", "type": "integer", "references": "nope.id"}]}]}' >"$b/schema/bad.json"
run "$b" scan --models
expect_rc 3
expect_err "table 'a': foreign key references table 'nope', which is not declared"
printf '{"tables": [{"name": "a", "columns": [{"name": "x", "type": "integer"}, {"name": "X", "type": "text"}]}]}' >"$b/schema/bad.json"
run "$b" scan --models
expect_rc 3
expect_err "column 'X' is declared twice"
printf '{"tables": [{"name": "a", "columns": [{"name": "x", "type": "integer"}]}]}' >"$b/schema/a.json"
rm "$b/schema/bad.json"
printf 'CREATE TABLE b (id INTEGER);\n\nCREATE TABLE a (id INTEGER);\n' >"$b/schema/b.sql"
run "$b" scan --models
expect_rc 3
expect_err "schema/b.sql:3: 'a' is declared twice (also in $b/schema/a.json)"
printf 'CREATE TABLE b (id INTEGER);\nCREATE TABLE c (id INTEGR PRIMARY KEY, x NOT A TYPE (;\n' >"$b/schema/b.sql"
run "$b" scan --models
expect_rc 3
expect_err "schema/b.sql:2: SQLite rejects this model:"
expect_one_line_error

finish
