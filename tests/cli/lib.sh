# Helpers for the end-to-end tests: each test script sources this file, builds
# temporary projects, runs the real dbtool binary and checks its exit code, its
# output and the database afterwards. A script ends with `finish`, which prints
# "N passed, M failed" and fails when any check failed.
set -u

DBTOOL=$(realpath "${DBTOOL:?set DBTOOL to the dbtool binary}")
SOURCE_DIR=${DBTOOL_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/dbtool-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT
unset DBTOOL_URL DATABASE_URL DBTOOL_CONFIG DBTOOL_ECHO
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

# new_project NAME: an empty project (dbtool.toml, migrations/) under TEST_TMP; prints its path.
new_project() {
  local dir="$TEST_TMP/$1"
  mkdir -p "$dir/migrations"
  printf 'url = "sqlite:///data/app.db"\n' >"$dir/dbtool.toml"
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
expect_sql() {
  local got
  got=$(sqlite3 "$1" "$2" 2>&1)
  if [ "$got" == "$3" ]; then pass; else fail "query '$2' gave '$got', expected '$3'"; fi
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
