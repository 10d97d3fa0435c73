# Regressions found in review: each case once broke; see the commit that fixed it.
source "$(dirname "$0")/lib.sh"

test_case "a transactional: false revision may run its own BEGIN and COMMIT"
p=$(new_project owntx)
write_revision "$p" r1 "" "own transaction" "BEGIN;
CREATE TABLE t (x);
COMMIT;" "DROP TABLE t;" "-- transactional: false"
run "$p" upgrade
expect_rc 0
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r1"

test_case "offline scripts survive a section that ends in a line comment"
o=$(new_project comment)
write_revision "$o" r1 "" "comment" "CREATE TABLE t (x) -- the t table" "DROP TABLE t -- gone"
run "$o" upgrade head --sql
expect_rc 0
printf '%s\n' "$out" >"$TEST_TMP/c.sql"
sqlite3 -bail "$TEST_TMP/c.db" <"$TEST_TMP/c.sql" >/dev/null
expect_equal "$?" "0" "sqlite3 -bail runs the script"
expect_sql "$TEST_TMP/c.db" "SELECT version_num FROM dbtool_version" "r1"

test_case "an unknown anchor of rev-N is refused before the database is made"
run "$o" upgrade nosuch-1
expect_rc 3
expect_err "unknown revision 'nosuch'"
expect_equal "$(ls "$o/data" 2>/dev/null)" "" "no database made"

test_case "label@head follows down_revision only, not depends_on"
l=$(new_project labels)
write_revision "$l" a1 "" "a1" "SELECT 1;" "" "-- branch_labels: alpha"
write_revision "$l" a2 "a1" "a2" "SELECT 1;" ""
write_revision "$l" b1 "" "b1" "SELECT 1;" "" "-- depends_on: a1"
write_revision "$l" b2 "b1" "b2" "SELECT 1;" ""
run "$l" upgrade alpha@head
expect_rc 0
expect_sql "$l/data/app.db" "SELECT group_concat(version_num) FROM dbtool_version" "a2"

test_case "seed: a clash on another UNIQUE key fails, nothing is lost"
s=$(new_project unique)
write_revision "$s" u1 "" "users" "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, n INTEGER);
INSERT INTO users VALUES (1, 'a@x', 0);" "DROP TABLE users;"
run "$s" upgrade
printf '{"table": "users", "rows": [{"id": 2, "email": "a@x", "n": 5}]}\n' >"$TEST_TMP/u.json"
run "$s" seed "$TEST_TMP/u.json"
expect_rc 4
expect_err "UNIQUE constraint failed: users.email"
expect_sql "$s/data/app.db" "SELECT count(*) FROM users" "1"

test_case "seed: a value the column converts is unchanged the second time"
printf '{"table": "users", "rows": [{"id": 1, "email": 7, "n": "5"}]}\n' >"$TEST_TMP/v.json"
run "$s" seed "$TEST_TMP/v.json"
expect_rc 0
expect_out "0 inserted, 1 updated, 0 unchanged"
run "$s" seed "$TEST_TMP/v.json"
expect_rc 0
expect_out "0 inserted, 0 updated, 1 unchanged"

test_case "dump keeps a virtual table and leaves its shadow tables out"
mkdir -p "$TEST_TMP/fts"
sqlite3 "$TEST_TMP/fts/a.db" "CREATE VIRTUAL TABLE f USING fts5(body); INSERT INTO f VALUES ('hello'), ('world');"
run "$o" --url "sqlite:///$TEST_TMP/fts/a.db" dump -o "$TEST_TMP/fts/d.sql"
expect_rc 0
expect_equal "$(grep -c 'f_data\|f_idx' "$TEST_TMP/fts/d.sql")" "0" "no shadow tables in the dump"
sqlite3 "$TEST_TMP/fts/b.db" <"$TEST_TMP/fts/d.sql"
expect_sql "$TEST_TMP/fts/b.db" "SELECT body FROM f WHERE f MATCH 'hello'" "hello"
run "$o" --url "sqlite:///$TEST_TMP/fts/a.db" scan --format sql
expect_no_out "f_data"

test_case "a non-transactional revision run twice at once leaves one version row"
n=$(new_project nontx_race)
write_revision "$n" r1 "" "t" "CREATE TABLE t (x);" "DROP TABLE t;"
write_revision "$n" r2 "r1" "slow" "CREATE TABLE IF NOT EXISTS slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 6000000) SELECT sum(x) AS s FROM c;" "DROP TABLE slow;" "-- transactional: false"
write_revision "$n" r3 "r2" "after" "CREATE TABLE after_t (x);" "DROP TABLE after_t;"
run "$n" upgrade r1
(cd "$n" && "$DBTOOL" upgrade head >/dev/null 2>&1) &
racer=$!
sleep 0.3
run "$n" upgrade r2
wait "$racer"
expect_sql "$n/data/app.db" "SELECT group_concat(version_num) FROM dbtool_version" "r3"
run "$n" downgrade -1
expect_rc 0
expect_sql "$n/data/app.db" "SELECT group_concat(version_num) FROM dbtool_version" "r2"

finish
