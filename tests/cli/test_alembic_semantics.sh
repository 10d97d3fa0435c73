# Alembic's exact semantics, pinned without Alembic: the version rows each command
# leaves (depends_on included), which revisions a downgrade reverts, relative targets in
# the wrong direction, and header keys that must never read as comments. Every expected
# row set here is what Alembic 1.8 writes for the same graph and commands (checked side
# by side when these tests were written; test_alembic_compat.sh hands a table dbtool
# wrote to Alembic itself).
source "$(dirname "$0")/lib.sh"

# rows DIR: the version rows of the project's database, sorted, comma-separated.
rows() {
  run_sql "$1/data/app.db" "SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM dbtool_version ORDER BY 1) v" 2>&1
}
# ran DIR: the revisions whose SQL ran since the last call, in order ("+a -b" = upgrade a,
# downgrade b), from the ledger every revision of these projects writes.
ran() {
  local got
  got=$(run_sql "$1/data/app.db" "SELECT group_concat(x, ' ') FROM (SELECT x FROM ledger ORDER BY n) v" 2>&1)
  run_sql "$1/data/app.db" "DELETE FROM ledger" >/dev/null 2>&1
  echo "$got"
}
# graph NAME SPEC...: a project whose revisions only write to the ledger. Each SPEC is
# ID:DOWN[:DEPENDS_ON] with comma-separated lists; prints the project's path.
graph() {
  local dir spec id down deps
  dir=$(new_project "$1")
  shift
  write_revision "$dir" ledger0 "" "the ledger" \
    "CREATE TABLE ledger (n INTEGER PRIMARY KEY, x TEXT);" "-"
  for spec in "$@"; do
    IFS=: read -r id down deps <<<"$spec"
    write_revision "$dir" "$id" "$down" "$id" \
      "INSERT INTO ledger (x) VALUES ('+$id');" "INSERT INTO ledger (x) VALUES ('-$id');" \
      "-- depends_on: $deps"
  done
  # The ledger is a root of its own, applied first and never reverted.
  run "$dir" upgrade ledger0
  echo "$dir"
}

test_case "header keys: another spelling of a known key is an error, not a new root"
h=$(new_project headers)
write_revision "$h" h1 "" "first" "CREATE TABLE h1 (id INTEGER);" "DROP TABLE h1;"
cat >"$h/migrations/h2_rev.sql" <<'SQL'
-- revision: h2
-- down-revision: h1
-- message: second

-- +upgrade
CREATE TABLE h2 (id INTEGER);
SQL
run "$h" heads
expect_rc 3
expect_one_line_error
expect_err "h2_rev.sql:2: header key 'down-revision' must be written 'down_revision'"
sed -i 's/^-- down-revision:/-- Down_Revision:/' "$h/migrations/h2_rev.sql"
run "$h" upgrade heads
expect_rc 3
expect_one_line_error
expect_err "h2_rev.sql:2: header key 'Down_Revision' must be written 'down_revision'"
expect_equal "$(ls "$h/data" 2>/dev/null)" "" "no database made"
sed -i 's/^-- Down_Revision:/-- down_revision:/' "$h/migrations/h2_rev.sql"
run "$h" heads
expect_rc 0
expect_equal "$out" "h2 (head)" "one head once the key is spelt right"

finish
