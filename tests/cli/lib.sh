# Helpers for the end-to-end tests: each test script sources this file, builds
# temporary projects, runs the real dbtool binary and checks its exit code, its
# output and the database afterwards. A script ends with `finish`, which prints
# "N passed, M failed" and fails when any check failed.
set -u

DBTOOL=$(realpath "${DBTOOL:?set DBTOOL to the dbtool binary}")
SOURCE_DIR=${DBTOOL_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dbtool-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT
unset DBTOOL_URL DATABASE_URL DBTOOL_CONFIG DBTOOL_ECHO DBTOOL_ENV
export NO_COLOR=1

passed=0
failed=0
current_test="(setup)"
out=""
err=""
rc=0

# Names the group of checks that follow, for failure messages.
test_case() { current_test=$1; }

pass() { passed=$((passed + 1)); }
fail() {
  failed=$((failed + 1))
  echo "FAIL [$current_test]: $*" >&2
  echo "  command: ${last_command:-}" >&2
  echo "  exit: $rc" >&2
  echo "  stdout: $(printf '%s' "$out" | head -c 2000)" >&2
  echo "  stderr: $(printf '%s' "$err" | head -c 2000)" >&2
}

# The backend the engine suites run against: sqlite (default), or postgres when
# DBTOOL_TEST_BACKEND=postgres (ctest registers those suites twice). On PostgreSQL each
# project gets a database of its own on the server DBTOOL_TEST_PG_URL names, and
# expect_sql asks it through psql; checks that only mean something on SQLite are
# wrapped in `on_sqlite`.
BACKEND=${DBTOOL_TEST_BACKEND:-sqlite}
if [ "$BACKEND" = postgres ]; then
  if [ -z "${DBTOOL_TEST_PG_URL:-}" ]; then
    [ "${CI:-}" = "true" ] && { echo "DBTOOL_TEST_PG_URL is not set: CI must run the PostgreSQL tests" >&2; exit 1; }
    echo "skipped: set DBTOOL_TEST_PG_URL (scripts/postgres-server start DIR prints one)" >&2
    exit 77
  fi
  PG_SERVER_URL=${DBTOOL_TEST_PG_URL%/*}
  trap 'for db in $(psql -X -At "$DBTOOL_TEST_PG_URL" -c "SELECT datname FROM pg_database WHERE datname LIKE '"'"'dbt\_$$\_%'"'"'" 2>/dev/null); do psql -X -q "$DBTOOL_TEST_PG_URL" -c "DROP DATABASE \"$db\" WITH (FORCE)" >/dev/null 2>&1; done; rm -rf "$TEST_TMP"' EXIT
fi
# The PostgreSQL database of the project in DIR.
pg_database_of() { echo "dbt_$$_$(printf '%s' "$1" | md5sum | cut -c1-12)"; }
on_sqlite() { [ "$BACKEND" = sqlite ]; }

# new_project NAME: an empty project (dbtool.toml, migrations/) under TEST_TMP; prints its path.
new_project() {
  local dir="$TEST_TMP/$1"
  mkdir -p "$dir/migrations"
  if [ "$BACKEND" = postgres ]; then
    local db
    db=$(pg_database_of "$dir")
    psql -X -q "$DBTOOL_TEST_PG_URL" -c "CREATE DATABASE \"$db\"" >/dev/null
    # The SQLite spellings the suites' checks use: group_concat and sqlite_schema
    # (kept out of the public schema, where dbtool looks).
    psql -X -q "$PG_SERVER_URL/$db" -c "CREATE SCHEMA test_compat;
      CREATE FUNCTION test_compat.gc(acc text, v text, sep text) RETURNS text LANGUAGE sql IMMUTABLE
        AS \$\$ SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v ELSE acc || sep || v END \$\$;
      CREATE AGGREGATE test_compat.group_concat(text, text) (SFUNC = test_compat.gc, STYPE = text);
      CREATE VIEW test_compat.sqlite_schema AS SELECT CASE c.relkind WHEN 'r' THEN 'table'
        WHEN 'i' THEN 'index' WHEN 'v' THEN 'view' END AS type, c.relname::text AS name
        FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace;" >/dev/null
    printf 'url = "%s/%s"\n' "$PG_SERVER_URL" "$db" >"$dir/dbtool.toml"
  else
    printf 'url = "sqlite:///data/app.db"\n' >"$dir/dbtool.toml"
  fi
  echo "$dir"
}

# write_revision DIR ID DOWN MESSAGE UPGRADE_SQL [DOWNGRADE_SQL] [EXTRA_HEADER_LINES]
# DOWNGRADE_SQL "-" means no downgrade section (irreversible).
write_revision() {
  local dir=$1 id=$2 down=$3 message=$4 up=$5 downsql=${6:-} extra=${7:-}
  {
    echo "-- revision: $id"
    echo "-- down_revision: $down"
    echo "-- message: $message"
    [ -n "$extra" ] && printf '%s\n' "$extra"
    echo
    echo "-- +upgrade"
    printf '%s\n' "$up"
    if [ "$downsql" != "-" ]; then
      echo
      echo "-- +downgrade"
      printf '%s\n' "$downsql"
    fi
  } >"$dir/migrations/${id}_rev.sql"
}

# linear_project NAME N: a project with N revisions r001..rNNN, each creating table tNNN.
linear_project() {
  local dir
  dir=$(new_project "$1")
  local previous="" i id
  for ((i = 1; i <= $2; i++)); do
    id=$(printf 'r%03d' "$i")
    write_revision "$dir" "$id" "$previous" "create t$i" \
      "CREATE TABLE t$i (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE t$i;"
    previous=$id
  done
  echo "$dir"
}

# run DIR ARGS...: runs dbtool in DIR; sets out, err and rc.
run() {
  local dir=$1
  shift
  last_command="(cd $dir && dbtool $*)"
  local o="$TEST_TMP/.out" e="$TEST_TMP/.err"
  (cd "$dir" && "$DBTOOL" "$@") >"$o" 2>"$e"
  rc=$?
  out=$(cat "$o")
  err=$(cat "$e")
}

expect_rc() {
  if [ "$rc" -eq "$1" ]; then pass; else fail "expected exit $1, got $rc"; fi
}
expect_out() {
  if [[ "$out" == *"$1"* ]]; then pass; else fail "stdout lacks '$1'"; fi
}
expect_no_out() {
  if [[ "$out" != *"$1"* ]]; then pass; else fail "stdout has '$1'"; fi
}
expect_err() {
  if [[ "$err" == *"$1"* ]]; then pass; else fail "stderr lacks '$1'"; fi
}
# The error is one line (no stack trace, no multi-line dump).
expect_one_line_error() {
  local lines
  lines=$(printf '%s\n' "$err" | grep -c . || true)
  if [ "$lines" -eq 1 ]; then pass; else fail "expected a one-line error, got $lines lines"; fi
}
# expect_sql DB QUERY EXPECTED: the query's output (sqlite3 CLI, '|' separated) equals EXPECTED.
# On PostgreSQL a project's data/app.db stands for the project's database (psql -At).
expect_sql() {
  local got
  got=$(run_sql "$1" "$2" 2>&1)
  if [ "$got" == "$3" ]; then pass; else fail "query '$2' gave '$got', expected '$3'"; fi
}
# run_sql DB SQL: runs SQL in DB (sqlite3, or psql for a project's database on PostgreSQL).
run_sql() {
  if [ "$BACKEND" = postgres ] && [[ "$1" == */data/app.db ]]; then
    PGOPTIONS="-c search_path=public,test_compat" \
      psql -X -q -At "$PG_SERVER_URL/$(pg_database_of "${1%/data/app.db}")" -c "$2"
  else
    sqlite3 "$1" "$2"
  fi
}
# expect_equal GOT EXPECTED WHAT
expect_equal() {
  if [ "$1" == "$2" ]; then pass; else fail "$3: got '$1', expected '$2'"; fi
}
# A fingerprint of a database file and its WAL, to prove a failed command left it alone.
db_fingerprint() {
  local f
  for f in "$1" "$1-wal"; do
    if [ -f "$f" ]; then sha256sum <"$f"; else echo "absent"; fi
  done
}

# Debian's python3 reads the JSON documents (the first python3 on PATH may be another build).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

# json_eq EXPR EXPECTED: stdout is exactly one JSON document, and the Python expression EXPR
# over it (named d) gives EXPECTED (strings as they are, anything else as compact JSON).
json_eq() {
  local got
  got=$(printf '%s' "$out" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
v = eval(sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
' "$1" 2>&1)
  expect_equal "$got" "$2" "JSON $1"
}

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
