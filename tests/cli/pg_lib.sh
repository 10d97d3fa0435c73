# Helpers for the end-to-end tests on PostgreSQL. DBTOOL_TEST_PG_URL is a superuser's
# URL on a server the tests may use (scripts/postgres-server starts one; .ci/run
# does). Without it the suite is skipped (exit 77, which ctest reports as skipped);
# under CI=true a missing server fails instead.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ -z "${DBTOOL_TEST_PG_URL:-}" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "DBTOOL_TEST_PG_URL is not set: CI must run the PostgreSQL tests" >&2
    exit 1
  fi
  echo "skipped: set DBTOOL_TEST_PG_URL (scripts/postgres-server start DIR prints one)" >&2
  exit 77
fi
command -v psql >/dev/null || { echo "psql is missing (apt-get install postgresql-client)" >&2; exit 1; }

PG_ADMIN_URL=$DBTOOL_TEST_PG_URL
PG_BASE_URL=${PG_ADMIN_URL%/*} # without the database
PG_PASSWORD=$(printf '%s' "$PG_ADMIN_URL" | sed -E 's|^[a-z]+://[^:/@]*:([^@]*)@.*|\1|')
pg_databases=()

cleanup_pg() {
  local db
  for db in "${pg_databases[@]}"; do
    psql -q "$PG_ADMIN_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
  done
  rm -rf "$TEST_TMP"
}
trap cleanup_pg EXIT

# pg_project NAME: a project whose url is a fresh database of its own; prints its path
# and sets pg_db (the database's name) and pg_url.
pg_project() {
  local dir="$TEST_TMP/$1"
  pg_db="dbtool_$1_$$_$RANDOM"
  psql -q "$PG_ADMIN_URL" -c "CREATE DATABASE \"$pg_db\"" >/dev/null
  pg_databases+=("$pg_db")
  pg_url="$PG_BASE_URL/$pg_db"
  mkdir -p "$dir/migrations"
  printf 'url = "%s"\n' "$pg_url" >"$dir/dbtool.toml"
  project_dir=$dir
}

# pg_sql DB QUERY: psql's unaligned, tuples-only output ('|' between columns).
pg_sql() {
  psql -X -q -At "$PG_BASE_URL/$1" -c "$2" 2>&1
}

# expect_pg DB QUERY EXPECTED
expect_pg() {
  local got
  got=$(pg_sql "$1" "$2")
  if [ "$got" == "$3" ]; then pass; else fail "query '$2' gave '$got', expected '$3'"; fi
}

# The password appears in no output of the last command.
expect_no_password() {
  if [[ "$out$err" != *"$PG_PASSWORD"* ]]; then pass; else fail "the password was printed"; fi
}
