# Moving data from SQLite to PostgreSQL (issue 18): `dbtool dump --format jsonl` of a
# SQLite database seeds a PostgreSQL database with the equivalent schema directly. The
# rowid column of a SQLite table without INTEGER PRIMARY KEY is left out where the
# target has none; 0/1 go into boolean, JSON text into json and jsonb, SQLite's
# zone-less UTC timestamps (and unix times) into timestamp and timestamptz, reals
# exactly into double precision and numeric, blobs into bytea. Every row is compared,
# and a second seed changes nothing.
source "$(dirname "$0")/pg_lib.sh"

test_case "a SQLite project's jsonl dump seeds the equivalent PostgreSQL schema"
src="$TEST_TMP/sqlite_source"
mkdir -p "$src/migrations"
printf 'url = "sqlite:///data/app.db"\n' >"$src/dbtool.toml"
write_revision "$src" l1 "" "schema" "CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  price REAL,
  amount NUMERIC,
  quantity INTEGER,
  active BOOLEAN NOT NULL DEFAULT 1,
  attributes JSON,
  payload JSON,
  created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
  happened_at TIMESTAMP,
  picture BLOB,
  note TEXT
);
CREATE TABLE tags (label TEXT NOT NULL, weight REAL);
CREATE TABLE pairs (a TEXT NOT NULL, b INTEGER NOT NULL, v TEXT, PRIMARY KEY (a, b));" "DROP TABLE pairs; DROP TABLE tags; DROP TABLE items;"
run "$src" upgrade head
expect_rc 0
run_sql "$src/data/app.db" "
INSERT INTO items VALUES
  (1, 'plain', 0.1, 19.99, 9007199254740993, 1, '{\"a\": [1, 2.5, null], \"b\": \"x\"}', '{\"keep\":  \"spacing\", \"k\": 1}',
   '2024-02-29 23:59:59', '2024-01-02 03:04:05', X'00ff10', NULL),
  (2, 'it''s \"quoted\" — ünïcode 表', -2.5e-300, 0.5, -3, 0, '[]', 'null',
   '2024-01-02T03:04:05.123', '2024-06-01 12:00:00.5', X'', 'line
break'),
  (3, 'nulls', NULL, NULL, NULL, 1, NULL, NULL, '1999-12-31 23:59:59', NULL, NULL, NULL),
  (4, 'unix time', 12345678.5, 1e20, 0, 0, '{\"nested\": {\"deep\": [true, false]}}', '[1,2]',
   '2000-01-01 00:00:00', 1700000000, X'deadbeef', ''),
  (5, 'with a zone', 5.0, 7, 42, 1, '{}', '{}', '2024-03-01 10:00:00', '2024-06-01 12:00:00+02:00', NULL, 'z');
INSERT INTO tags (label, weight) VALUES ('a', 1.5), ('b', NULL), ('c', 0.25);
DELETE FROM tags WHERE label = 'b';
INSERT INTO tags (label, weight) VALUES ('d', -1.0);
INSERT INTO pairs VALUES ('x', 1, 'one'), ('x', 2, NULL), ('y', 1, 'three');"
run "$src" dump --format jsonl --data-only --table items --table tags --table pairs -o "$TEST_TMP/data.jsonl"
expect_rc 0
expect_out "Wrote 3 tables, 11 rows"
expect_equal "$(grep -c '"name":"rowid"' "$TEST_TMP/data.jsonl")" "2" "tags and pairs dump their rowids"

pg_project target
t=$project_dir
target_db=$pg_db
# A server whose sessions are not in UTC: zone-less SQLite timestamps must still be UTC.
pg_sql "$target_db" "ALTER DATABASE \"$target_db\" SET timezone = 'America/New_York'" >/dev/null
write_revision "$t" p1 "" "schema" "CREATE TABLE items (
  id integer PRIMARY KEY,
  name text NOT NULL,
  price double precision,
  amount numeric(30, 4),
  quantity bigint,
  active boolean NOT NULL DEFAULT true,
  attributes jsonb,
  payload json,
  created_at timestamp NOT NULL DEFAULT now(),
  happened_at timestamptz,
  picture bytea,
  note text
);
CREATE TABLE tags (label text NOT NULL, weight real);
CREATE TABLE pairs (a text NOT NULL, b integer NOT NULL, v text, PRIMARY KEY (a, b));" "DROP TABLE pairs; DROP TABLE tags; DROP TABLE items;"
run "$t" upgrade head
expect_rc 0
run "$t" seed "$TEST_TMP/data.jsonl"
expect_rc 0
expect_out "Seeded 1 file: 11 inserted, 0 updated, 0 unchanged"

# Every row of both sides as JSON, compared value by value in Python.
sqlite_rows() {
  "$PY" - "$src/data/app.db" <<'PYEOF'
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
out = {}
for table, order in (("items", "id"), ("tags", "label"), ("pairs", "a, b")):
    cursor = db.execute(f"SELECT * FROM {table} ORDER BY {order}")
    names = [d[0] for d in cursor.description]
    out[table] = [dict(zip(names, [v.hex() if isinstance(v, bytes) else v for v in row])) for row in cursor]
print(json.dumps(out))
PYEOF
}
postgres_rows() {
  pg_sql "$target_db" "SELECT json_build_object(
    'items', (SELECT json_agg(json_build_object('id', id, 'name', name, 'price', price::text,
      'amount', amount::text, 'quantity', quantity, 'active', active, 'attributes', attributes,
      'payload', payload::text, 'created_at', created_at::text,
      'happened_at', to_char(happened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),
      'picture', encode(picture, 'hex'), 'note', note) ORDER BY id) FROM items),
    'tags', (SELECT json_agg(json_build_object('label', label, 'weight', weight::text) ORDER BY label) FROM tags),
    'pairs', (SELECT json_agg(json_build_object('a', a, 'b', b, 'v', v) ORDER BY a, b) FROM pairs))"
}
compare_rows() {
  "$PY" - "$1" "$2" <<'PYEOF'
import datetime, decimal, json, sys
sqlite, postgres = json.loads(sys.argv[1]), json.loads(sys.argv[2])
problems = []
def utc(value):
    # What a SQLite timestamp means: text without a zone is UTC; a number is unix time.
    if value is None:
        return None
    if isinstance(value, (int, float)):
        moment = datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    else:
        moment = datetime.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
def same_number(a, b):
    return (a is None and b is None) or (a is not None and b is not None and
                                         decimal.Decimal(repr(a)) == decimal.Decimal(b))
for table in ("items", "tags", "pairs"):
    left, right = sqlite[table], postgres[table]
    if len(left) != len(right):
        problems.append(f"{table}: {len(left)} rows in SQLite, {len(right)} in PostgreSQL")
        continue
    for l, r in zip(left, right):
        for column, value in l.items():
            got = r[column]
            if column in ("price", "weight"):
                ok = same_number(value, got)
            elif column == "amount":
                ok = same_number(value, got)
            elif column == "active":
                ok = got is (value == 1)
            elif column == "attributes":
                ok = (value is None and got is None) or json.loads(value) == got
            elif column == "happened_at":
                ok = utc(value) == got
            elif column == "created_at":
                # timestamp: the same wall time, T or space, fraction as written.
                ok = value.replace("T", " ") == got
            else:
                ok = value == got
            if not ok:
                problems.append(f"{table} {l}: {column} {value!r} became {got!r}")
print("\n".join(problems) or "same")
PYEOF
}
before_rows=$(postgres_rows)
expect_equal "$(compare_rows "$(sqlite_rows)" "$before_rows")" "same" "every row in PostgreSQL"
expect_pg "$target_db" "SELECT payload::text FROM items WHERE id = 1" '{"keep":  "spacing", "k": 1}'
expect_pg "$target_db" "SELECT amount FROM items WHERE id = 1" "19.9900"
expect_pg "$target_db" "SELECT to_char(happened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM items WHERE id = 4" "2023-11-14 22:13:20"

test_case "seeding the same dump again changes nothing"
run "$t" seed "$TEST_TMP/data.jsonl"
expect_rc 0
expect_out "0 inserted, 0 updated, 11 unchanged (nothing to change)"
expect_equal "$(postgres_rows)" "$before_rows" "rows after the second seed"

test_case "a changed SQLite row updates its PostgreSQL row; a new one is inserted"
run_sql "$src/data/app.db" "UPDATE items SET payload = '{\"k\": 2}', active = 0, happened_at = '2025-05-05 05:05:05' WHERE id = 1;
UPDATE pairs SET v = 'uno' WHERE a = 'x' AND b = 1;
INSERT INTO tags (label, weight) VALUES ('e', 2.0);"
run "$src" dump --format jsonl --data-only --table items --table tags --table pairs -o "$TEST_TMP/data.jsonl"
expect_rc 0
run "$t" --json seed "$TEST_TMP/data.jsonl"
expect_rc 0
json_eq "[d['inserted'], d['updated'], d['unchanged']]" "[1,2,9]"
expect_equal "$(compare_rows "$(sqlite_rows)" "$(postgres_rows)")" "same" "every row after the changes"

test_case "rowid: kept by a SQLite rowid table, left out by a WITHOUT ROWID one"
w="$TEST_TMP/without_rowid"
mkdir -p "$w/data"
printf 'url = "sqlite:///data/app.db"\n' >"$w/dbtool.toml"
sqlite3 "$w/data/app.db" "CREATE TABLE tags (label TEXT PRIMARY KEY, weight REAL) WITHOUT ROWID;
CREATE TABLE pairs (a TEXT NOT NULL, b INTEGER NOT NULL, v TEXT, PRIMARY KEY (a, b));"
run "$w" seed "$TEST_TMP/data.jsonl"
expect_rc 3
expect_err "no table 'items'"
"$PY" -c '
import json, sys
table = None
for line in sys.stdin:
    row = json.loads(line)
    if isinstance(row, dict):
        table = row["table"]
    if table != "items":
        print(line, end="")' <"$TEST_TMP/data.jsonl" >"$TEST_TMP/no_items.jsonl"
run "$w" seed "$TEST_TMP/no_items.jsonl"
expect_rc 0
expect_out "7 inserted"
expect_sql "$w/data/app.db" "SELECT group_concat(label || '=' || weight, ' ') FROM (SELECT * FROM tags ORDER BY label)" "a=1.5 c=0.25 d=-1.0 e=2.0"
# pairs is a rowid table there: its rowids come along.
expect_sql "$w/data/app.db" "SELECT group_concat(rowid || a || b, ' ') FROM pairs" "$(sqlite3 "$src/data/app.db" "SELECT group_concat(rowid || a || b, ' ') FROM pairs")"
run "$w" seed "$TEST_TMP/no_items.jsonl"
expect_out "0 inserted, 0 updated, 7 unchanged"

test_case "values PostgreSQL cannot take name the file, the row and the column"
printf '{"table":"items","columns":[{"name":"id","type":"INTEGER"},{"name":"name","type":"TEXT"},{"name":"active","type":"BOOLEAN"}]}\n[9,"bad bool",2]\n' >"$TEST_TMP/bad.jsonl"
before=$(postgres_rows)
run "$t" seed "$TEST_TMP/bad.jsonl"
expect_rc 4
expect_err "bad.jsonl:2: table items, row: invalid input syntax for type boolean: \"2\""
expect_one_line_error
expect_equal "$(postgres_rows)" "$before" "rows after the failed seed"

finish
