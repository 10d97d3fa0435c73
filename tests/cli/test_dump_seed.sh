# dump (sql and jsonl) and seed: values that break naive dumpers survive dump -> load ->
# dump byte for byte, seed is an idempotent upsert in one transaction, and bad input
# changes nothing.
source "$(dirname "$0")/lib.sh"

p=$(new_project values)
db="$p/data/app.db"
mkdir -p "$p/data"
sqlite3 "$db" <<'SQL'
CREATE TABLE t (id INTEGER PRIMARY KEY, a, b TEXT, c REAL, d INTEGER, e BLOB);
INSERT INTO t (a, b, c, d, e) VALUES
  (NULL, '', 0.1, 9223372036854775807, X''),
  ('NULL', 'it''s', -0.0, -9223372036854775808, X'00ff00'),
  ('line' || char(10) || 'tab' || char(9) || 'end', 'a' || char(0) || 'b', 1e308, 'abc', NULL),
  (CAST(X'fffe41' AS TEXT), 'čaj 表', 5e-324, 42, X'deadbeef'),
  (5, 'x', 5, 1.5, 'text in blob'),
  (-0.0, '"quoted"\slash', 1e999, -1e999, 2.0),
  (1e999, 'last', -1e999, 0, 0.5);
CREATE TABLE nr (k TEXT PRIMARY KEY, v) WITHOUT ROWID;
INSERT INTO nr VALUES ('b', 2), ('a', 1);
CREATE TABLE g (x INTEGER, y INTEGER GENERATED ALWAYS AS (x * 2) STORED);
INSERT INTO g (rowid, x) VALUES (10, 1), (20, 2);
CREATE TABLE "we""ird name" ("col one" TEXT, "select" INT, parent INTEGER REFERENCES t (id));
INSERT INTO "we""ird name" VALUES ('v', 1, 1);
CREATE INDEX ix_t_b ON t (b);
CREATE VIEW v AS SELECT id, b FROM t;
CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, v TEXT);
INSERT INTO auto (v) VALUES ('a'), ('b');
DELETE FROM auto WHERE v = 'b';
SQL

test_case "sql: dump -> sqlite3 -> dump is byte-identical"
run "$p" dump
expect_rc 0
printf '%s\n' "$out" >"$TEST_TMP/one.sql"
expect_out "PRAGMA foreign_keys=OFF;"
expect_out "CAST(X'fffe41' AS TEXT)"
expect_out "1e999"
expect_no_out "GENERATED ALWAYS AS (x * 2) STORED);
INSERT INTO g (rowid, x, y)"
sqlite3 "$TEST_TMP/two.db" <"$TEST_TMP/one.sql"
run "$p" --url "sqlite:///$TEST_TMP/two.db" dump
printf '%s\n' "$out" >"$TEST_TMP/two.sql"
expect_equal "$(cmp "$TEST_TMP/one.sql" "$TEST_TMP/two.sql" && echo same)" "same" "second sql dump"
q="SELECT id, typeof(a), quote(a), typeof(b), hex(b), typeof(c), quote(c), typeof(d), quote(d), typeof(e), quote(e) FROM t ORDER BY id"
expect_equal "$(sqlite3 "$TEST_TMP/two.db" "$q")" "$(sqlite3 "$db" "$q")" "storage classes and values"
expect_equal "$(sqlite3 "$TEST_TMP/two.db" "SELECT rowid, x, y FROM g")" "$(sqlite3 "$db" "SELECT rowid, x, y FROM g")" "rowids and generated columns"
expect_sql "$TEST_TMP/two.db" "SELECT seq FROM sqlite_sequence WHERE name = 'auto'" "2"
run "$p" dump -o "$TEST_TMP/file.sql"
expect_rc 0
expect_out "Wrote 5 tables, 13 rows"
expect_equal "$(cmp "$TEST_TMP/one.sql" "$TEST_TMP/file.sql" && echo same)" "same" "dump -o writes the same bytes"

test_case "jsonl: dump -> seed -> dump is byte-identical"
run "$p" dump --format jsonl -o "$TEST_TMP/one.jsonl"
expect_rc 0
expect_equal "$(head -c 2 "$TEST_TMP/one.jsonl")" '{"' "jsonl starts with a header object"
expect_equal "$(grep -c '"\$text"' "$TEST_TMP/one.jsonl")" "2" "tagged text: NUL byte and invalid UTF-8"
run "$p" dump --schema-only -o "$TEST_TMP/schema.sql"
sqlite3 "$TEST_TMP/three.db" <"$TEST_TMP/schema.sql"
run "$p" --url "sqlite:///$TEST_TMP/three.db" seed "$TEST_TMP/one.jsonl"
expect_rc 0
expect_out "inserted"
run "$p" --url "sqlite:///$TEST_TMP/three.db" dump --format jsonl -o "$TEST_TMP/three.jsonl"
expect_equal "$(cmp "$TEST_TMP/one.jsonl" "$TEST_TMP/three.jsonl" && echo same)" "same" "second jsonl dump"
run "$p" --url "sqlite:///$TEST_TMP/three.db" seed "$TEST_TMP/one.jsonl" --json
expect_rc 0
json_eq '[d["inserted"], d["updated"]]' '[0,0]'

test_case "seed: JSON files, upsert, idempotent, all or nothing"
s=$(new_project seeding)
write_revision "$s" s1 "" "tables" "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE configs (name TEXT PRIMARY KEY, kind TEXT NOT NULL, payload TEXT);" "-"
run "$s" upgrade
mkdir -p "$s/seeds"
cat >"$s/seeds/01_settings.json" <<'JSON'
{"table": "settings", "rows": [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}
JSON
cat >"$s/seeds/02_configs.json" <<'JSON'
[{"table": "configs", "rows": [{"name": "c1", "kind": "k", "payload": {"nested": [1, 2]}}]}]
JSON
run "$s" seed
expect_rc 0
expect_out "Seeded 2 files: 3 inserted, 0 updated, 0 unchanged"
expect_sql "$s/data/app.db" "SELECT payload FROM configs" '{"nested":[1,2]}'
run "$s" seed
expect_rc 0
expect_out "0 inserted, 0 updated, 3 unchanged (nothing to change)"
printf '{"table": "settings", "rows": [{"key": "a", "value": "changed"}]}\n' >"$s/seeds/01_settings.json"
run "$s" seed --json
expect_rc 0
json_eq '[d["inserted"], d["updated"], d["unchanged"]]' '[0,1,1]'
expect_sql "$s/data/app.db" "SELECT value FROM settings WHERE key = 'a'" "changed"

test_case "seed: a number out of range is bad input naming the file and line (found by fuzzing)"
printf '{"table": "settings", "rows": [{"key": "big", "value": 1e999}]}' >"$TEST_TMP/big.json"
run "$s" seed "$TEST_TMP/big.json"
expect_rc 3
expect_err "big.json: invalid JSON"
expect_err "number overflow"
expect_one_line_error
printf '{"table":"settings","columns":[{"name":"key","type":"TEXT"},{"name":"value","type":"TEXT"}]}\n["big", 1e999]\n' >"$TEST_TMP/big.jsonl"
run "$s" seed "$TEST_TMP/big.jsonl"
expect_rc 3
expect_err "big.jsonl:2: invalid JSON"
expect_one_line_error

test_case "seed: bad rows change nothing"
before=$(db_fingerprint "$s/data/app.db")
printf '{"table": "settings", "rows": [{"key": "z", "value": "9"}, {"key": "y", "nope": 1}]}\n' >"$TEST_TMP/bad1.json"
run "$s" seed "$TEST_TMP/bad1.json"
expect_rc 4
expect_err "bad1.json: table settings, row 2, column 'nope': no such column in table settings"
expect_one_line_error
printf '{"table": "settings", "rows": [{"key": "z", "value": "9"}, {"key": "y", "value": null}]}\n' >"$TEST_TMP/bad2.json"
run "$s" seed "$s/seeds/01_settings.json" "$TEST_TMP/bad2.json"
expect_rc 4
expect_err "bad2.json: table settings, row 2: NOT NULL constraint failed: settings.value"
printf '{"table": "nope", "rows": []}\n' >"$TEST_TMP/bad3.json"
run "$s" seed "$TEST_TMP/bad3.json"
expect_rc 3
expect_err "no table 'nope'"
expect_sql "$s/data/app.db" "SELECT count(*) FROM settings WHERE key IN ('z', 'y')" "0"
expect_equal "$(db_fingerprint "$s/data/app.db")" "$before" "database after failed seeds"

test_case "seed reads each table as the introspector does: case, generated columns, virtual tables"
r=$(new_project reading)
write_revision "$r" r1 "" "tables" "CREATE TABLE Items (id INTEGER PRIMARY KEY, price REAL, doubled REAL GENERATED ALWAYS AS (price * 2) VIRTUAL);
CREATE TABLE notes (body TEXT NOT NULL);
CREATE VIRTUAL TABLE docs USING fts5(title, body);" "-"
run "$r" upgrade
expect_rc 0
printf '{"table": "ITEMS", "rows": [{"ID": 1, "Price": 2.5}]}\n' >"$TEST_TMP/case.json"
run "$r" seed "$TEST_TMP/case.json"
expect_rc 0
expect_out "1 inserted"
expect_sql "$r/data/app.db" "SELECT id, price, doubled FROM Items" "1|2.5|5.0"
printf '{"table": "items", "rows": [{"id": 2, "doubled": 1}]}\n' >"$TEST_TMP/generated.json"
run "$r" seed "$TEST_TMP/generated.json"
expect_rc 4
expect_err "generated.json: table Items, row 1, column 'doubled': is generated and cannot be seeded"
expect_one_line_error
# A rowid table keeps the rowids a dump gives it; a virtual table (FTS5) loads through its module.
run_sql "$r/data/app.db" "INSERT INTO notes (rowid, body) VALUES (7, 'seven'), (9, 'nine');
INSERT INTO docs (rowid, title, body) VALUES (3, 'hello', 'world'), (5, 'other', 'text');" >/dev/null
run "$r" dump --format jsonl --data-only --table notes --table docs -o "$TEST_TMP/virtual.jsonl"
expect_rc 0
run_sql "$r/data/app.db" "DELETE FROM notes; DELETE FROM docs;" >/dev/null
run "$r" seed "$TEST_TMP/virtual.jsonl"
expect_rc 0
expect_out "4 inserted"
expect_sql "$r/data/app.db" "SELECT group_concat(rowid || ':' || body, ' ') FROM notes" "7:seven 9:nine"
expect_sql "$r/data/app.db" "SELECT rowid, title FROM docs WHERE docs MATCH 'world'" "3|hello"
run "$r" seed "$TEST_TMP/virtual.jsonl"
expect_rc 0
expect_out "0 inserted, 0 updated, 4 unchanged"

test_case "seed: a folder or an unreadable file is named, with nothing changed"
mkdir -p "$TEST_TMP/folder.json"
run "$r" seed "$TEST_TMP/folder.json"
expect_rc 3
expect_err "folder.json: cannot read seed file: it is a folder"
expect_one_line_error
run "$r" seed "$TEST_TMP/missing.jsonl"
expect_rc 3
expect_err "missing.jsonl: cannot read seed file: No such file or directory"
printf '{"table":"notes","columns":["rowid","body"]}\n[1,{"$blob":"not base64!"}]\n' >"$TEST_TMP/tagged.jsonl"
run "$r" seed "$TEST_TMP/tagged.jsonl"
expect_rc 3
expect_err "tagged.jsonl:2: a tagged value: invalid base64"
expect_one_line_error
expect_sql "$r/data/app.db" "SELECT count(*) FROM notes" "2"

test_case "jsonl leaves the version and history tables out unless --table names them; sql keeps them"
run "$s" dump --format jsonl --data-only -o "$TEST_TMP/all.jsonl"
expect_rc 0
expect_out "Wrote 2 tables, 3 rows"
expect_equal "$(grep -c '"table":"dbtool_' "$TEST_TMP/all.jsonl")" "0" "dbtool's tables in the jsonl dump"
run "$s" dump --format jsonl --data-only --table dbtool_version -o "$TEST_TMP/version.jsonl"
expect_rc 0
expect_out "Wrote 1 table, 1 row"
expect_equal "$(cat "$TEST_TMP/version.jsonl")" '{"table":"dbtool_version","columns":[{"name":"rowid","type":"INTEGER"},{"name":"version_num","type":"VARCHAR(64)"}]}
[1,"s1"]' "the version table, named"
run "$s" dump --format jsonl --schema-only --table settings --table dbtool_history
expect_rc 0
expect_out '"table":"dbtool_history"'
run "$s" dump
expect_out "INSERT INTO dbtool_version (rowid, version_num) VALUES (1,'s1');"
expect_out "INSERT INTO dbtool_history ("

test_case "seed refuses rows for the version or history table, naming file and table, changing nothing"
before=$(db_fingerprint "$s/data/app.db")
run "$s" seed "$TEST_TMP/all.jsonl" "$TEST_TMP/version.jsonl"
expect_rc 3
expect_err "version.jsonl:1: table 'dbtool_version' is the project's version table, not fixture data: seeding it would move the database to another revision"
expect_one_line_error
# Rows for another table come first in the file, and the history table matches as SQLite
# matches names (without regard to case): still nothing is written.
printf '[{"table": "settings", "rows": [{"key": "new", "value": "1"}]},\n {"table": "DBTOOL_History", "rows": []}]\n' >"$TEST_TMP/history.json"
run "$s" seed "$TEST_TMP/history.json"
expect_rc 3
expect_err "history.json: table 'DBTOOL_History' is the project's history table, not fixture data"
expect_one_line_error
# The files are read before the write lock is taken: while another process holds it, the
# refusal still comes at once (a seed that waited would time out: exit 4).
printf 'url = "sqlite:///data/app.db"\n[sqlite]\nbusy_timeout_ms = 100\n' >"$s/impatient.toml"
"$PY" - "$s/data/app.db" "$TEST_TMP/locked" <<'PYEOF' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[2], "w").close()
while os.path.exists(sys.argv[2]):
    time.sleep(0.05)
db.execute("ROLLBACK")
PYEOF
holder=$!
for _ in $(seq 200); do [ -f "$TEST_TMP/locked" ] && break; sleep 0.05; done
run "$s" -c impatient.toml seed "$TEST_TMP/history.json"
expect_rc 3
expect_err "history.json: table 'DBTOOL_History' is the project's history table"
run "$s" -c impatient.toml seed "$s/seeds/01_settings.json"
expect_rc 4 # (the lock is held: a seed that writes waits for it)
rm -f "$TEST_TMP/locked"
wait "$holder"
run "$s" --json seed "$TEST_TMP/version.jsonl"
expect_rc 3
expect_equal "$(printf '%s' "$err" | "$PY" -c 'import json, sys; e = json.load(sys.stdin)["error"]; print(e["kind"], e["file"].endswith("version.jsonl"), e["line"])')" "project True 1" "the JSON error"
expect_equal "$(db_fingerprint "$s/data/app.db")" "$before" "database after the refused seeds"
run "$s" current
expect_out "s1 (head)"
# The tables are the configured ones: under another version_table name, dbtool_version
# is a table like any other, and the configured one is refused.
printf 'url = "sqlite:///data/app.db"\nversion_table = "app_version"\n' >"$s/other.toml"
run "$s" -c other.toml dump --format jsonl --data-only
expect_out '"table":"dbtool_version"'
expect_no_out '"table":"dbtool_history"'
printf '{"table": "app_version", "rows": [{"version_num": "x"}]}' >"$TEST_TMP/app_version.json"
run "$s" -c other.toml seed "$TEST_TMP/app_version.json"
expect_rc 3
expect_err "table 'app_version' is the project's version table"
expect_equal "$(db_fingerprint "$s/data/app.db")" "$before" "database after the refused seeds"
# Only a block's own "table" names its table (the last, as the load reads it): not one
# inside another object of the block.
printf '{"table": "dbtool_version", "rows": [{"key": "from_seed", "value": "1"}], "table": "settings",\n "note": {"table": "dbtool_history"}}\n' >"$TEST_TMP/nested.json"
run "$s" seed "$TEST_TMP/nested.json"
expect_rc 0
expect_out "Seeded 1 file: 1 inserted"
expect_sql "$s/data/app.db" "SELECT value FROM settings WHERE key = 'from_seed'" "1"

test_case "dump: bad input"
run "$p" dump --table nope
expect_rc 3
expect_err "no table 'nope'"
run "$p" dump -o "$TEST_TMP/no/such/dir/out.sql"
expect_rc 4
expect_err "$TEST_TMP/no/such/dir/out.sql"
expect_equal "$(ls "$TEST_TMP/no" 2>/dev/null)" "" "no partial file"
run "$p" dump --schema-only --data-only
expect_rc 2

test_case "dump -o: a write that fails mid-dump leaves no partial file, and the old dump as it was"
big=$(new_project bigdump)
mkdir -p "$big/data" "$TEST_TMP/limited"
sqlite3 "$big/data/app.db" "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 40000)
INSERT INTO t (v) SELECT printf('%.60d', x) FROM n;"
printf 'the previous dump\n' >"$TEST_TMP/limited/out.sql"
# Files may not grow past 1 MiB (SIGXFSZ ignored: the write fails with EFBIG); the
# database is 4 MB already, and only read.
last_command="(ulimit -f 1024; dbtool dump -o out.sql)"
(cd "$big" && trap '' XFSZ && ulimit -f 1024 && "$DBTOOL" dump -o "$TEST_TMP/limited/out.sql") \
  >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
rc=$?
out=$(cat "$TEST_TMP/.out")
err=$(cat "$TEST_TMP/.err")
expect_rc 4
expect_err "$TEST_TMP/limited/out.sql: cannot write the dump: File too large"
expect_one_line_error
expect_equal "$(ls -A "$TEST_TMP/limited")" "out.sql" "files beside the target"
expect_equal "$(cat "$TEST_TMP/limited/out.sql")" "the previous dump" "the previous dump"
run "$big" dump -o "$TEST_TMP/limited/out.sql"
expect_rc 0
expect_equal "$(grep -c '^INSERT INTO t ' "$TEST_TMP/limited/out.sql")" "40000" "rows in the dump without the limit"
run "$p" dump --format xml
expect_rc 2

finish
