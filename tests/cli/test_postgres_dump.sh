# `dbtool dump` on PostgreSQL: the sql format rebuilds schema, rows and sequence
# positions in an empty database (psql), with triggers created after the rows; jsonl
# writes every value as PostgreSQL's JSON; --table, --schema-only, --data-only, -o.
source "$(dirname "$0")/pg_lib.sh"

# A fingerprint of every table's rows (in the order of their text) and of the
# sequences' next values, to compare two databases.
fingerprint() {
  pg_sql "$1" "SELECT string_agg(x, E'\\n' ORDER BY x) FROM (
    SELECT 'parents ' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) AS x FROM parents t
    UNION ALL SELECT 'x ' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \"x\"\"; DROP TABLE y; --\" t
    UNION ALL SELECT 'always ' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM always_id t
    UNION ALL SELECT 'always next ' || nextval(pg_get_serial_sequence('always_id', 'id'))
    UNION ALL SELECT 'cjk ' || md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \"表\" t
    UNION ALL SELECT 'seq ' || nextval('invoice_numbers')
    UNION ALL SELECT 'identity ' || nextval(pg_get_serial_sequence('parents', 'id'))
    UNION ALL SELECT 'serial ' || nextval(pg_get_serial_sequence('\"x\"\"; DROP TABLE y; --\"', 'id'))) s"
}

test_case "dump --format sql rebuilds rows and sequence positions; triggers do not fire on load"
pg_project source
p=$project_dir
source_db=$pg_db
psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -f "$SOURCE_DIR/tests/cli/pg_every_feature.sql" >/dev/null
pg_sql "$source_db" "
INSERT INTO parents (code, \"Mixed Case\", \"order\", updated_at) VALUES
  ('a', 'Ab''c \\ d', 1, '2026-01-02 03:04:05.678901+05:30'),
  ('b', NULL, 20, '1999-12-31 23:59:59+00'),
  ('表', E'tab\\tnew\\nline', 0, 'infinity');
SELECT nextval('invoice_numbers'); SELECT nextval('invoice_numbers');
INSERT INTO \"x\"\"; DROP TABLE y; --\" (parent_id, feeling, tags, doc, amount, ratio, uid, raw, during)
VALUES (1, 'it''s fine', ARRAY['a', 'b c', 'd\"e', NULL], '{\"k\": [1, 2.50, null, \"x\"]}', 12345678.91, 'NaN',
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff10', '[2026-01-01, 2026-02-01)'),
       (2, 'sad', '{}', NULL, -0.01, '-Infinity', NULL, '', NULL),
       (NULL, 'ok', '{}', 'null', NULL, 1.5e-30, NULL, NULL, 'empty');
DELETE FROM \"x\"\"; DROP TABLE y; --\" WHERE feeling = 'sad';
INSERT INTO \"表\" VALUES (1, 'ü'), (2, '');
CREATE TABLE always_id (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
INSERT INTO always_id (v) VALUES ('one'), ('two'), ('three');
DELETE FROM always_id WHERE v = 'two';" >/dev/null
run "$p" dump
expect_rc 0
printf '%s\n' "$out" >"$TEST_TMP/dump.sql"
dump_sql=$out
expect_out "OVERRIDING SYSTEM VALUE" # always_id's identity values are kept as they are
run "$p" dump
expect_equal "$out" "$dump_sql" "a second dump is the same text (deterministic)"
before=$(fingerprint "$source_db") # (it advances the sequences once, as it will the copy's)
pg_project target
t=$project_dir
psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -f "$TEST_TMP/dump.sql" >/dev/null 2>"$TEST_TMP/load.err"
expect_equal "$?" "0" "psql loads the dump ($(head -c 300 "$TEST_TMP/load.err"))"
expect_equal "$(fingerprint "$pg_db")" "$before" "rows and sequences of the loaded dump"
# The touch trigger would have set updated_at to now() had it fired on the load.
expect_pg "$pg_db" "SELECT updated_at FROM parents WHERE code = 'b'" "1999-12-31 23:59:59+00"
run "$t" scan
scanned_target=$out
run "$p" scan
expect_equal "$scanned_target" "$out" "the loaded schema scans as the source"

test_case "dump --format jsonl: PostgreSQL's JSON for every value"
run "$p" dump --format jsonl --table "x\"; DROP TABLE y; --"
expect_rc 0
printf '%s\n' "$out" >"$TEST_TMP/x.jsonl"
lines=$("$PY" - "$TEST_TMP/x.jsonl" <<'PYEOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
header, data = rows[0], rows[1:]
print(header["table"], [c["name"] for c in header["columns"]].index("total") if "total" in [c["name"] for c in header["columns"]] else "no-generated")
print(len(data), data[0][3], data[0][4]["k"], data[0][5], data[0][6], data[0][8], data[1][4])
PYEOF
)
expect_equal "$lines" 'x"; DROP TABLE y; -- no-generated
2 ['"'"'a'"'"', '"'"'b c'"'"', '"'"'d"e'"'"', None] [1, 2.5, None, '"'"'x'"'"'] 12345678.91 NaN \x00ff10 None' "jsonl rows"

test_case "--schema-only, --data-only, --table, -o"
run "$p" dump --schema-only
expect_rc 0
expect_out "CREATE TABLE parents"
expect_no_out "INSERT INTO"
run "$p" dump --data-only --table parents
expect_rc 0
expect_out "INSERT INTO parents"
expect_no_out "CREATE TABLE"
expect_no_out "INSERT INTO \"表\""
run "$p" dump --table nope
expect_rc 3
expect_err "no table 'nope'"
run "$p" dump
dump_sql=$out
run "$p" dump -o "$TEST_TMP/out.sql"
expect_rc 0
expect_out "rows to"
expect_equal "$(cat "$TEST_TMP/out.sql")" "$dump_sql" "dump -o writes the same text"

test_case "seed on PostgreSQL: upsert by primary key, idempotent, all or nothing"
pg_project seeding
s=$project_dir
cp -r "$SOURCE_DIR/examples/postgres/migrations" "$s/"
run "$s" upgrade head
expect_rc 0
mkdir -p "$s/seeds"
cat >"$s/seeds/01_jobs.json" <<'JSON'
{"table": "jobs", "rows": [
  {"id": "j1", "request": {"prompt": "hi", "n": [1, 2]}, "status": "running", "progress": 0.25},
  {"id": "it's", "request": {}, "phase": null}
]}
JSON
cat >"$s/seeds/02_more.json" <<'JSON'
[{"table": "lessons", "rows": [{"job_id": "j1", "title": "first", "tags": "{a,\"b c\"}"}]},
 {"table": "llm_call_audit", "rows": [{"id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "job_id": "j1",
   "model": "m", "prompt_tokens": 3, "completion_tokens": 4, "cost": "0.000123",
   "started_at": "2026-01-01T10:00:00+02:00"}]}]
JSON
run "$s" seed
expect_rc 0
expect_pg "$pg_db" "SELECT id, request->>'prompt', request->'n'->>1, status, progress FROM jobs ORDER BY id" "it's|||queued|0
j1|hi|2|running|0.25"
expect_pg "$pg_db" "SELECT tags[2] FROM lessons" "b c"
expect_pg "$pg_db" "SELECT cost, started_at FROM llm_call_audit" "0.000123|2026-01-01 08:00:00+00"
run "$s" --json seed
expect_rc 0
json_eq "[d['inserted'], d['updated'], d['unchanged']]" "[0,0,4]"
sed -i 's/"running"/"done"/' "$s/seeds/01_jobs.json"
run "$s" --json seed
json_eq "[d['inserted'], d['updated'], d['unchanged']]" "[0,1,3]"
expect_pg "$pg_db" "SELECT status FROM jobs WHERE id = 'j1'" "done"
before=$(pg_sql "$pg_db" "SELECT string_agg(t::text, ',' ORDER BY t::text) FROM jobs t")
printf '{"table": "jobs", "rows": [{"id": "j9", "request": {}}, {"id": "j10", "request": {}, "progress": "lots"}]}' >"$TEST_TMP/bad.json"
run "$s" seed "$TEST_TMP/bad.json"
expect_rc 4
expect_err "bad.json"
expect_err "invalid input syntax for type double precision"
expect_one_line_error
printf '{"table": "jobs", "rows": [{"id": "j9", "request": {}, "nope": 1}]}' >"$TEST_TMP/bad2.json"
run "$s" seed "$TEST_TMP/bad2.json"
expect_rc 4
expect_err "column 'nope'"
run "$s" seed "$TEST_TMP/none.json"
expect_rc 3
printf '{"table": "missing", "rows": [{"id": 1}]}' >"$TEST_TMP/bad3.json"
run "$s" seed "$TEST_TMP/bad3.json"
expect_rc 3
expect_err "no table 'missing'"
expect_equal "$(pg_sql "$pg_db" "SELECT string_agg(t::text, ',' ORDER BY t::text) FROM jobs t")" "$before" "jobs after the failed seeds"

test_case "seed moves identity and serial sequences past the seeded keys, never backwards"
pg_project sequences
q=$project_dir
q_db=$pg_db
write_revision "$q" q1 "" "tables" "CREATE TABLE by_default (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE always (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE serials (id serial PRIMARY KEY, n bigserial NOT NULL, v text);
CREATE TABLE descending (id integer GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY -1 START WITH -1 MAXVALUE -1) PRIMARY KEY, v text);
CREATE TABLE \"Odd \"\"name\"\"\" (\"Key\" smallint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE still_empty (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text);
CREATE SEQUENCE shared;
CREATE TABLE borrowed (id integer PRIMARY KEY DEFAULT nextval('shared'), v text);
CREATE TABLE children (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  parent_id integer REFERENCES by_default (id) DEFERRABLE INITIALLY DEFERRED);" "-"
run "$q" upgrade head
expect_rc 0
cat >"$TEST_TMP/keys.json" <<'JSON'
[{"table": "by_default", "rows": [{"id": 3, "v": "three"}, {"id": 7, "v": "seven"}]},
 {"table": "always", "rows": [{"id": 2, "v": "two"}]},
 {"table": "serials", "rows": [{"id": 4, "n": 10, "v": "four"}]},
 {"table": "descending", "rows": [{"id": -3, "v": "minus three"}]},
 {"table": "Odd \"name\"", "rows": [{"Key": 9, "v": "nine"}]},
 {"table": "still_empty", "rows": []},
 {"table": "borrowed", "rows": [{"id": 5, "v": "five"}]}]
JSON
run "$q" seed "$TEST_TMP/keys.json"
expect_rc 0
# by_default, always, serials (two), descending, Odd "name"; not the empty table's, not
# the sequence borrowed has without owning it.
expect_out "Seeded 1 file: 7 inserted, 0 updated, 0 unchanged; 6 sequences advanced"
run "$q" --json seed "$TEST_TMP/keys.json"
expect_rc 0
json_eq "[d['inserted'], d['updated'], d['unchanged'], d['sequences_advanced']]" "[0,0,7,0]"
# The application's INSERTs without a key carry on after the seeded rows.
expect_pg "$q_db" "INSERT INTO by_default (v) VALUES ('app') RETURNING id" "8"
expect_pg "$q_db" "INSERT INTO always (v) VALUES ('app') RETURNING id" "3"
expect_pg "$q_db" "INSERT INTO serials (v) VALUES ('app') RETURNING id, n" "5|11"
expect_pg "$q_db" "INSERT INTO descending (v) VALUES ('app') RETURNING id" "-4"
expect_pg "$q_db" "INSERT INTO \"Odd \"\"name\"\"\" (v) VALUES ('app') RETURNING \"Key\"" "10"
expect_pg "$q_db" "INSERT INTO still_empty (v) VALUES ('app') RETURNING id" "1"
expect_pg "$q_db" "SELECT nextval('shared')" "1"
sequences() {
  pg_sql "$q_db" "SELECT string_agg(sequencename || '=' || coalesce(last_value::text, 'unused'), ',' ORDER BY sequencename) FROM pg_sequences"
}
rows() {
  pg_sql "$q_db" "SELECT (SELECT string_agg(t::text, ',' ORDER BY id) FROM by_default t) || (SELECT string_agg(t::text, ',' ORDER BY id) FROM always t)"
}
# The application deletes its newest row: the sequence stays ahead, and a seed whose
# largest key is behind it does not move it back.
pg_sql "$q_db" "DELETE FROM by_default WHERE id = 8" >/dev/null
before_sequences=$(sequences)
sed -i 's/"seven"/"SEVEN"/; s/"two"/"TWO"/' "$TEST_TMP/keys.json"
run "$q" seed "$TEST_TMP/keys.json"
expect_rc 0
expect_out "Seeded 1 file: 0 inserted, 2 updated, 5 unchanged"
expect_no_out "sequence"
expect_equal "$(sequences)" "$before_sequences" "sequences after a seed behind them"
expect_pg "$q_db" "SELECT v FROM always WHERE id = 2" "TWO"
expect_pg "$q_db" "INSERT INTO by_default (v) VALUES ('app') RETURNING id" "9"

test_case "a seed that fails moves no sequence (deferred constraints are checked first)"
before_sequences=$(sequences)
before_rows=$(rows)
printf '[{"table": "by_default", "rows": [{"id": 100, "v": "far"}]}, {"table": "always", "rows": [{"id": 50, "v": "far"}]},\n {"table": "children", "rows": [{"id": 1, "parent_id": 999}]}]' >"$TEST_TMP/deferred.json"
run "$q" seed "$TEST_TMP/deferred.json"
expect_rc 4
expect_err "checking the deferred constraints of the seeded rows: insert or update on table \"children\" violates foreign key constraint"
expect_one_line_error
expect_equal "$(sequences)" "$before_sequences" "sequences after the failed seed"
expect_equal "$(rows)" "$before_rows" "rows after the failed seed"

test_case "jsonl leaves dbtool's tables out unless --table names them; seed refuses them"
run "$q" dump --format jsonl --data-only
expect_rc 0
expect_no_out '"table":"dbtool_version"'
expect_no_out '"table":"dbtool_history"'
expect_out '"table":"by_default"'
run "$q" dump --format jsonl --data-only --table dbtool_version --table by_default -o "$TEST_TMP/with_version.jsonl"
expect_rc 0
expect_out "Wrote 2 tables,"
expect_equal "$(grep -A1 '"table":"dbtool_version"' "$TEST_TMP/with_version.jsonl")" '{"table":"dbtool_version","columns":[{"name":"version_num","type":"character varying(64)"}]}
["q1"]' "the version table, named"
run "$q" dump
expect_out "INSERT INTO dbtool_version (version_num) VALUES ('q1');"
sed -i 's/"q1"/"elsewhere"/' "$TEST_TMP/with_version.jsonl"
before_sequences=$(sequences)
before_rows=$(rows)
run "$q" seed "$TEST_TMP/with_version.jsonl"
expect_rc 3
expect_err "with_version.jsonl:5: table 'dbtool_version' is the project's version table, not fixture data"
expect_one_line_error
printf '{"table": "dbtool_history", "rows": [{"revision": "q1", "direction": "upgrade"}]}' >"$TEST_TMP/history.json"
run "$q" seed "$TEST_TMP/keys.json" "$TEST_TMP/history.json"
expect_rc 3
expect_err "history.json: table 'dbtool_history' is the project's history table"
run "$q" current
expect_out "q1 (head)"
expect_pg "$q_db" "SELECT count(*) FROM dbtool_history" "1"
expect_equal "$(sequences)" "$before_sequences" "sequences after the refused seeds"
expect_equal "$(rows)" "$before_rows" "rows after the refused seeds"

test_case "rows beside tables dbtool does not migrate: dump --data-only, jsonl and seed refuse only those they touch"
pg_project beside
b=$project_dir
beside_db=$pg_db
pg_sql "$beside_db" "CREATE TABLE plain (id int PRIMARY KEY, v text);
INSERT INTO plain VALUES (1, 'one');
CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO events VALUES (1, '2026-05-01');
CREATE TABLE secret (id int PRIMARY KEY); ALTER TABLE secret ENABLE ROW LEVEL SECURITY;" >/dev/null
run "$b" dump --data-only --table plain
expect_rc 0
expect_out "INSERT INTO plain (id, v) VALUES ('1', 'one');"
expect_no_out "events"
run "$b" dump --format jsonl --table plain
expect_rc 0
expect_out '[1, "one"]'
run "$b" dump --data-only --table plain --table secret
expect_rc 3
expect_err "table 'secret' has row-level security (ENABLE ROW LEVEL SECURITY): dbtool does not migrate row-level security yet"
expect_one_line_error
run "$b" dump --format jsonl
expect_rc 3
expect_err "table 'events' is partitioned (PARTITION BY RANGE (at)): dbtool does not migrate partitioned tables yet"
run "$b" dump --data-only --table events_2026
expect_rc 3
expect_err "table 'events_2026' is a partition of 'events' (PARTITION OF)"
run "$b" dump --schema-only --table plain
expect_rc 3
expect_err "table 'events' is partitioned"
printf '{"table": "plain", "rows": [{"id": 2, "v": "two"}]}' >"$TEST_TMP/plain.json"
run "$b" seed "$TEST_TMP/plain.json"
expect_rc 0
expect_pg "$beside_db" "SELECT string_agg(v, ',' ORDER BY id) FROM plain" "one,two"
printf '[{"table": "plain", "rows": [{"id": 3, "v": "three"}]}, {"table": "secret", "rows": [{"id": 1}]}]' >"$TEST_TMP/secret.json"
run "$b" seed "$TEST_TMP/secret.json"
expect_rc 3
expect_err "table 'secret' has row-level security"
expect_one_line_error
expect_pg "$beside_db" "SELECT string_agg(v, ',' ORDER BY id) FROM plain" "one,two"
expect_pg "$beside_db" "SELECT count(*) FROM secret" "0"

finish
