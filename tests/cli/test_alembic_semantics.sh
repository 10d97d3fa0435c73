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
  local dir spec id down deps ledger="CREATE TABLE IF NOT EXISTS ledger (n INTEGER PRIMARY KEY, x TEXT);"
  dir=$(new_project "$1")
  shift
  for spec in "$@"; do
    IFS=: read -r id down deps <<<"$spec"
    write_revision "$dir" "$id" "$down" "$id" \
      "$ledger INSERT INTO ledger (x) VALUES ('+$id');" "$ledger INSERT INTO ledger (x) VALUES ('-$id');" \
      "-- depends_on: $deps"
  done
  echo "$dir"
}

test_case "depends_on: a row stands for its dependencies (a, b <- a dep, c <- b)"
p=$(graph rows1 a: b::a c:b)
run "$p" upgrade c
expect_rc 0
expect_equal "$(rows "$p")" "c" "rows after upgrade c (not a,c)"
expect_equal "$(ran "$p")" "+a +b +c" "ran"
run "$p" downgrade -1
expect_rc 0
expect_equal "$(rows "$p")" "b" "rows after downgrade -1"
run "$p" downgrade -1
expect_rc 0
expect_equal "$(rows "$p")" "a" "b's row gives way to its dependency"
expect_equal "$(ran "$p")" "-c -b" "ran"
run "$p" upgrade c
expect_equal "$(ran "$p")" "+b +c" "a is not run twice"

test_case "stamp c; downgrade b leaves a and b (a, b roots, c <- b depends_on a)"
p=$(graph stamp1 a: b: c:b:a)
run "$p" stamp c
expect_rc 0
expect_equal "$(rows "$p")" "c" "rows after stamp c"
run "$p" downgrade b
expect_rc 0
expect_equal "$(ran "$p")" "-c" "only c reverted"
expect_equal "$(rows "$p")" "a,b" "rows after downgrade b"
run "$p" upgrade heads
expect_rc 0
expect_equal "$(ran "$p")" "+c" "the next upgrade runs c only, a not a second time"
expect_equal "$(rows "$p")" "c" "rows at heads"

test_case "stamp b (b depends_on a): downgrade -1 reverts b only; downgrade a is refused"
p=$(graph minus1 a: b::a)
run "$p" stamp b
expect_rc 0
run "$p" downgrade -1
expect_rc 0
expect_equal "$(ran "$p")" "-b" "only b reverted"
expect_equal "$(rows "$p")" "a" "rows after downgrade -1"
run "$p" stamp b
before=$(db_fingerprint "$p/data/app.db")
run "$p" downgrade a
expect_rc 3
expect_one_line_error
expect_err "cannot downgrade to a (a): no applied revision descends from it through down_revision; it is applied because b depends on it"
expect_equal "$(db_fingerprint "$p/data/app.db")" "$before" "database after the refused downgrade"
expect_equal "$(rows "$p")" "b" "still at b, not at base"

test_case "downgrade to a reverts its children, not what only depends on it"
# a root, b root depends_on a, c <- a, d <- b depends_on c
p=$(graph children1 a: b::a c:a d:b:c)
run "$p" upgrade d
expect_rc 0
expect_equal "$(rows "$p")" "d" "rows at d"
ran "$p" >/dev/null
run "$p" downgrade a
expect_rc 0
expect_equal "$(ran "$p")" "-d -c" "d and c reverted"
expect_equal "$(rows "$p")" "b" "b kept (and a under it)"
run "$p" --json downgrade base
expect_rc 0
json_eq '[s["revision"] for s in d["steps"]]' '["b","a"]'
expect_equal "$(rows "$p")" "" "base"

test_case "relative targets count in the command's direction"
p=$(graph relative1 a: b:a)
run "$p" upgrade b
before=$(db_fingerprint "$p/data/app.db")
run "$p" upgrade -4
expect_rc 2
expect_one_line_error
expect_err "upgrade -4: a relative upgrade counts up (+N); to go down, downgrade -4"
run "$p" upgrade -1
expect_rc 2
run "$p" downgrade +1
expect_rc 2
expect_one_line_error
expect_err "downgrade +1: a relative downgrade counts down (-N); to go up, upgrade +1"
run "$p" upgrade --sql -1
expect_rc 2
expect_equal "$(db_fingerprint "$p/data/app.db")" "$before" "database after the refused commands"
# An anchored target below the database is fine, as in Alembic: nothing to do.
run "$p" upgrade b-1
expect_rc 0
expect_out "Nothing to do"

test_case "downgrade -N walks the current head's line; a root it depends on stays"
# z root, a root depends_on z, b <- a: from b, -2 reaches base on b's line only.
p=$(graph line1 z: a::z b:a)
run "$p" upgrade b
expect_rc 0
expect_equal "$(rows "$p")" "b" "rows at b"
ran "$p" >/dev/null
run "$p" downgrade -2
expect_rc 0
expect_equal "$(ran "$p")" "-b -a" "b and a reverted"
expect_equal "$(rows "$p")" "z" "z stays, now a row of its own"
run "$p" upgrade b
expect_equal "$(ran "$p")" "+a +b" "z is not run twice"
run "$p" downgrade base
expect_rc 0
expect_equal "$(ran "$p")" "-b -a -z" "base reverts everything"

test_case "a row that lies below another is kept, as Alembic keeps it (r2 <- r1 depends_on r0)"
# Reverting r2 gives back both of its version parents: r1, and r0, which r2 depends on
# directly. Alembic writes the same two rows, though r0 is below r1.
p=$(graph below1 r0: r1:r0 r2:r1:r0)
run "$p" upgrade r2
expect_equal "$(rows "$p")" "r2" "rows at r2"
run "$p" downgrade r1
expect_rc 0
expect_equal "$(rows "$p")" "r0,r1" "rows after downgrade r1"
# Stamping a revision that is a row already changes nothing.
run "$p" stamp r0
expect_rc 0
expect_equal "$(rows "$p")" "r0,r1" "rows after stamp r0"
run "$p" current
expect_equal "$out" "r0
r1" "current lists both rows"
run "$p" upgrade heads
expect_rc 0
expect_equal "$(rows "$p")" "r2" "back at r2"
expect_equal "$(ran "$p")" "+r0 +r1 +r2 -r2 +r2" "each step ran once"

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
