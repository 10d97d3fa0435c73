# stamp: sets the version table without running any revision SQL, online and offline,
# on linear and branched graphs, with --purge for a version table that names unknown ids.
source "$(dirname "$0")/lib.sh"

# versions DB: the version rows, sorted, comma-separated.
versions() {
  sqlite3 "$1" "SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM dbtool_version ORDER BY 1)" 2>&1
}
# tables DB: the tables of DB, sorted, comma-separated.
tables() {
  sqlite3 "$1" "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY 1)" 2>&1
}
# history_rows DB: revision:direction of each history row, in order.
history_rows() {
  sqlite3 "$1" "SELECT group_concat(revision || ':' || direction, ' ') FROM (SELECT revision, direction FROM dbtool_history ORDER BY id)" 2>&1
}

test_case "stamp head on a new database writes no schema"
p=$(linear_project linear 4)
p=$(cd "$p" && pwd -P)
db="$p/data/app.db"
run "$p" stamp head
expect_rc 0
expect_out "stamp r004, create t4"
expect_out "Stamped the database at r004"
expect_equal "$(versions "$db")" "r004" "version rows"
expect_equal "$(tables "$db")" "dbtool_history,dbtool_version" "tables: only version and history"
expect_equal "$(history_rows "$db")" "r004:stamp" "history rows"
expect_sql "$db" "SELECT count(*) FROM dbtool_history WHERE message = 'create t4' AND length(checksum) = 64 AND applied_at LIKE '20%Z' AND duration_ms >= 0" "1"
# The recorded checksum is the revision's checksum, as show reports it.
run "$p" --json show r004
sum=$(printf '%s' "$out" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["checksum"])')
expect_sql "$db" "SELECT checksum FROM dbtool_history WHERE revision = 'r004'" "$sum"
run "$p" current
expect_rc 0
expect_equal "$out" "r004 (head)" "current after stamp"
run "$p" upgrade
expect_rc 0
expect_out "Nothing to do"
expect_equal "$(tables "$db")" "dbtool_history,dbtool_version" "upgrade after stamp head runs nothing"

test_case "stamp a revision, base, relative targets"
run "$p" stamp r002
expect_rc 0
expect_equal "$(versions "$db")" "r002" "stamped down to r002"
run "$p" stamp base
expect_rc 0
expect_out "Stamped the database at base"
expect_equal "$(versions "$db")" "" "stamp base empties the version table"
expect_equal "$(history_rows "$db")" "r004:stamp r002:stamp base:stamp" "history rows"
run "$p" current
expect_equal "$out" "" "current at base"
run "$p" stamp +2
expect_rc 0
expect_equal "$(versions "$db")" "r002" "stamp +2 from base"
run "$p" stamp +1
expect_rc 0
expect_equal "$(versions "$db")" "r003" "stamp +1"
run "$p" stamp -2
expect_rc 0
expect_equal "$(versions "$db")" "r001" "stamp -2"
run "$p" stamp r001+3
expect_rc 0
expect_equal "$(versions "$db")" "r004" "stamp r001+3"
run "$p" stamp r004-2
expect_rc 0
expect_equal "$(versions "$db")" "r002" "stamp r004-2"
run "$p" stamp r00
expect_rc 3
expect_one_line_error
run "$p" stamp +9
expect_rc 3
expect_one_line_error
expect_equal "$(versions "$db")" "r002" "failed stamps change nothing"
expect_equal "$(tables "$db")" "dbtool_history,dbtool_version" "still no schema"
expect_sql "$db" "SELECT count(*) FROM dbtool_history WHERE direction <> 'stamp'" "0"

test_case "stamp then upgrade runs only what lies above the stamp"
run "$p" upgrade
expect_rc 0
expect_out "upgrade r003"
expect_out "upgrade r004"
expect_no_out "upgrade r001"
expect_equal "$(tables "$db")" "dbtool_history,dbtool_version,t3,t4" "only t3 and t4 created"
expect_equal "$(versions "$db")" "r004" "at head"
# Stamping down over applied revisions leaves their tables alone.
run "$p" stamp r001
expect_rc 0
expect_equal "$(tables "$db")" "dbtool_history,dbtool_version,t3,t4" "stamp drops nothing"

test_case "stamp --json"
run "$p" --json stamp r003
expect_rc 0
json_eq 'd["command"]' "stamp"
json_eq 'd["before"]' '["r001"]'
json_eq 'd["after"]' '["r003"]'
json_eq '[(s["revision"], s["direction"]) for s in d["steps"]]' '[["r003","stamp"]]'
json_eq 'd["steps"][0]["file"]' "$p/migrations/r003_rev.sql"
run "$p" --json stamp base
expect_rc 0
json_eq 'd["after"]' '[]'

test_case "stamp on a branched graph"
b=$(new_project branched)
b=$(cd "$b" && pwd -P)
bdb="$b/data/app.db"
write_revision "$b" base1 "" "base" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
write_revision "$b" left1 "base1" "left" "CREATE TABLE l (id INTEGER PRIMARY KEY);" "DROP TABLE l;" "-- branch_labels: left"
write_revision "$b" left2 "left1" "left two" "CREATE TABLE l2 (id INTEGER PRIMARY KEY);" "DROP TABLE l2;"
write_revision "$b" right1 "base1" "right" "CREATE TABLE r (id INTEGER PRIMARY KEY);" "DROP TABLE r;"
run "$b" stamp head
expect_rc 3
expect_one_line_error
expect_err "left2"
expect_err "right1"
expect_equal "$(ls "$b/data" 2>/dev/null)" "" "no database made by a refused stamp"
run "$b" stamp left1 right1
expect_rc 0
expect_equal "$(versions "$bdb")" "left1,right1" "two targets, two rows"
expect_equal "$(history_rows "$bdb")" "left1:stamp right1:stamp" "one history row per target"
run "$b" stamp heads
expect_rc 0
expect_equal "$(versions "$bdb")" "left2,right1" "stamp heads"
run "$b" stamp left1
expect_rc 0
expect_equal "$(versions "$bdb")" "left1,right1" "a target replaces the row on its own branch only"
run "$b" stamp base
run "$b" stamp left@head
expect_rc 0
expect_equal "$(versions "$bdb")" "left2" "label@head"
run "$b" stamp right1
expect_rc 0
expect_equal "$(versions "$bdb")" "left2,right1" "a row on an unrelated branch stays"
run "$b" stamp base1
expect_rc 0
expect_equal "$(versions "$bdb")" "base1" "stamping a common ancestor replaces both rows"
run "$b" stamp left1 left2
expect_rc 0
expect_equal "$(versions "$bdb")" "left2" "an ancestor of another target is no row of its own"
run "$b" stamp left1 right1
run "$b" stamp -1
expect_rc 3
expect_one_line_error
expect_err "ambiguous"
expect_equal "$(versions "$bdb")" "left1,right1" "unchanged by an ambiguous stamp"
expect_equal "$(tables "$bdb")" "dbtool_history,dbtool_version" "no schema from any stamp"

test_case "--purge clears a version table that names an unknown revision"
sqlite3 "$bdb" "DELETE FROM dbtool_version; INSERT INTO dbtool_version VALUES ('ffff0000')"
before=$(db_fingerprint "$bdb")
run "$b" stamp heads
expect_rc 3
expect_one_line_error
expect_err "ffff0000"
expect_equal "$(db_fingerprint "$bdb")" "$before" "database unchanged without --purge"
run "$b" stamp --purge left2
expect_rc 0
expect_equal "$(versions "$bdb")" "left2" "purged and stamped"
expect_sql "$bdb" "SELECT revision || ':' || direction FROM dbtool_history ORDER BY id DESC LIMIT 1" "left2:stamp"
sqlite3 "$bdb" "INSERT INTO dbtool_version VALUES ('ffff0000'), ('eeee0000')"
run "$b" stamp --purge base
expect_rc 0
expect_equal "$(versions "$bdb")" "" "purged to base"
run "$b" current
expect_rc 0
expect_equal "$out" "" "current after purge"
# --purge also empties rows that are known, whatever branch they are on.
run "$b" stamp heads
run "$b" stamp --purge left1
expect_rc 0
expect_equal "$(versions "$bdb")" "left1" "--purge drops the unrelated right1 row too"

test_case "stamp --sql prints a script that sqlite3 runs"
o=$(new_project offline)
o=$(cd "$o" && pwd -P)
cp "$b"/migrations/*.sql "$o/migrations/"
run "$o" stamp --sql heads
expect_rc 0
expect_out "BEGIN;"
expect_out "COMMIT;"
expect_out "INSERT INTO \"dbtool_version\""
expect_no_out "CREATE TABLE l "
expect_equal "$(ls "$o/data" 2>/dev/null)" "" "--sql touches no database"
printf '%s\n' "$out" >"$TEST_TMP/stamp_heads.sql"
sqlite3 "$TEST_TMP/offline.db" <"$TEST_TMP/stamp_heads.sql" >/dev/null 2>&1
expect_equal "$(versions "$TEST_TMP/offline.db")" "left2,right1" "offline stamp heads"
expect_equal "$(tables "$TEST_TMP/offline.db")" "dbtool_history,dbtool_version" "offline stamp writes no schema"
expect_sql "$TEST_TMP/offline.db" "SELECT group_concat(x, ' ') FROM (SELECT revision || ':' || direction AS x FROM dbtool_history ORDER BY 1)" \
  "left2:stamp right1:stamp"
expect_sql "$TEST_TMP/offline.db" "SELECT count(*) FROM dbtool_history WHERE direction = 'stamp' AND length(checksum) = 64 AND applied_at LIKE '20%Z'" "2"
# The same stamp online gives the same rows.
run "$o" stamp heads
expect_rc 0
expect_equal "$(versions "$o/data/app.db")" "$(versions "$TEST_TMP/offline.db")" "online and offline agree"
run "$o" stamp --sql left1
expect_rc 0
printf '%s\n' "$out" >"$TEST_TMP/stamp_left1.sql"
sqlite3 "$TEST_TMP/offline.db" <"$TEST_TMP/stamp_left1.sql" >/dev/null 2>&1
expect_equal "$(versions "$TEST_TMP/offline.db")" "left1" "offline stamp of one revision"
run "$o" stamp --sql base
expect_rc 0
printf '%s\n' "$out" >"$TEST_TMP/stamp_base.sql"
sqlite3 "$TEST_TMP/offline.db" <"$TEST_TMP/stamp_base.sql" >/dev/null 2>&1
expect_equal "$(versions "$TEST_TMP/offline.db")" "" "offline stamp base"
expect_equal "$(history_rows "$TEST_TMP/offline.db" | awk '{print $NF}')" "base:stamp" "offline stamp base history row"
run "$o" stamp --sql head
expect_rc 3
expect_one_line_error
run "$o" stamp --sql nosuch1
expect_rc 3
expect_one_line_error
expect_err "nosuch1"

test_case "stamp --sql takes a from:to range"
# README.md "Targets": for --sql a from:to range is accepted wherever a target is taken.
run "$p" stamp --sql r002:r003
expect_rc 0
printf '%s\n' "$out" >"$TEST_TMP/stamp_range.sql"
sqlite3 "$TEST_TMP/range.db" "CREATE TABLE dbtool_version (version_num VARCHAR(64) NOT NULL PRIMARY KEY); INSERT INTO dbtool_version VALUES ('r002')"
sqlite3 "$TEST_TMP/range.db" <"$TEST_TMP/stamp_range.sql" >/dev/null 2>&1
expect_equal "$(versions "$TEST_TMP/range.db")" "r003" "offline stamp r002:r003"

finish
