# upgrade, downgrade and current on linear and branched projects: the database
# afterwards, the version and history tables, and the offline --sql script.
source "$(dirname "$0")/lib.sh"

test_case "upgrade head on a linear project"
p=$(linear_project linear 5)
run "$p" upgrade head
expect_rc 0
expect_out "upgrade r005, create t5"
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r005"
expect_sql "$p/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name LIKE 't%'" "5"
expect_sql "$p/data/app.db" "SELECT group_concat(revision || ':' || direction, ' ') FROM dbtool_history ORDER BY id" \
  "r001:upgrade r002:upgrade r003:upgrade r004:upgrade r005:upgrade"
expect_sql "$p/data/app.db" "SELECT count(*) FROM dbtool_history WHERE length(checksum) = 64 AND applied_at LIKE '20%Z' AND duration_ms >= 0" "5"
expect_sql "$p/data/app.db" "PRAGMA journal_mode" "wal"
run "$p" current
expect_rc 0
expect_equal "$out" "r005 (head)" "current"

test_case "upgrade again does nothing"
run "$p" upgrade
expect_rc 0
expect_out "Nothing to do"
expect_sql "$p/data/app.db" "SELECT count(*) FROM dbtool_history" "5"

test_case "downgrade -2, then to a revision, then base"
run "$p" downgrade -2
expect_rc 0
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r003"
expect_sql "$p/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name IN ('t4','t5')" "0"
run "$p" downgrade r001
expect_rc 0
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r001"
run "$p" downgrade base
expect_rc 0
expect_sql "$p/data/app.db" "SELECT count(*) FROM dbtool_version" "0"
expect_sql "$p/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name LIKE 't%'" "0"
run "$p" current
expect_rc 0
expect_equal "$out" "" "current at base"

test_case "relative and partial upgrades"
run "$p" upgrade +2
expect_rc 0
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r002"
run "$p" upgrade r002+2
expect_rc 0
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r004"
run "$p" upgrade r004
expect_rc 0
expect_out "Nothing to do"
run "$p" downgrade r004-3
expect_rc 0
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r001"
run "$p" upgrade +9
expect_rc 3
expect_err "goes past head r005"

test_case "--single-transaction"
run "$p" upgrade head --single-transaction
expect_rc 0
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r005"

test_case "--json"
run "$p" downgrade -1 --json
expect_rc 0
expect_out '"command": "downgrade"'
expect_out '"revision": "r005"'
run "$p" current --json
expect_rc 0
expect_out '"revision": "r004"'

test_case "branches and merges keep several heads as Alembic does"
b=$(new_project branchy)
write_revision "$b" base1 "" "base" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
write_revision "$b" left1 "base1" "left" "CREATE TABLE l (id INTEGER PRIMARY KEY);" "DROP TABLE l;" "-- branch_labels: left"
write_revision "$b" right1 "base1" "right" "CREATE TABLE r (id INTEGER PRIMARY KEY);" "DROP TABLE r;"
run "$b" upgrade head
expect_rc 3
expect_err "several heads (left1, right1)"
expect_equal "$(ls "$b/data" 2>/dev/null)" "" "no database made by a refused upgrade"
run "$b" upgrade left@head
expect_rc 0
expect_sql "$b/data/app.db" "SELECT group_concat(version_num) FROM dbtool_version" "left1"
run "$b" upgrade heads
expect_rc 0
expect_sql "$b/data/app.db" "SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM dbtool_version ORDER BY 1)" "left1,right1"
run "$b" current
expect_out "left1 (head)"
expect_out "right1 (head)"
# The state at base1 has neither branch: both are reverted.
run "$b" downgrade left1-1
expect_rc 0
expect_sql "$b/data/app.db" "SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM dbtool_version ORDER BY 1)" "base1"
expect_sql "$b/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name IN ('l', 'r')" "0"
run "$b" upgrade heads
run "$b" merge heads -m "join" --rev-id merge1
expect_rc 0
expect_out "Created merge revision merge1"
run "$b" upgrade head
expect_rc 0
expect_sql "$b/data/app.db" "SELECT group_concat(version_num) FROM dbtool_version" "merge1"
run "$b" downgrade -1
expect_rc 0
expect_sql "$b/data/app.db" "SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM dbtool_version ORDER BY 1)" "left1,right1"

test_case "offline --sql runs as it is and leaves the database where online would"
o=$(linear_project offline 4)
run "$o" upgrade head --sql
expect_rc 0
expect_out "BEGIN;"
expect_out "INSERT INTO \"dbtool_version\""
expect_equal "$(ls "$o/data" 2>/dev/null)" "" "--sql touches no database"
printf '%s\n' "$out" >"$TEST_TMP/up.sql"
sqlite3 "$TEST_TMP/offline.db" <"$TEST_TMP/up.sql" >/dev/null
expect_sql "$TEST_TMP/offline.db" "SELECT version_num FROM dbtool_version" "r004"
expect_sql "$TEST_TMP/offline.db" "SELECT count(*) FROM sqlite_schema WHERE name LIKE 't%'" "4"
run "$o" upgrade r002:head --sql
expect_rc 0
expect_no_out "CREATE TABLE t1 "
expect_out "CREATE TABLE t3 "
run "$o" downgrade head:r002 --sql
expect_rc 0
printf '%s\n' "$out" >"$TEST_TMP/down.sql"
sqlite3 "$TEST_TMP/offline.db" <"$TEST_TMP/down.sql" >/dev/null
expect_sql "$TEST_TMP/offline.db" "SELECT version_num FROM dbtool_version" "r002"
expect_sql "$TEST_TMP/offline.db" "SELECT count(*) FROM sqlite_schema WHERE name LIKE 't%'" "2"
run "$o" downgrade base --sql
expect_rc 2
expect_err "needs a range"

finish
