# Several dbtool processes upgrading one database at once apply each revision exactly
# once (BEGIN IMMEDIATE and a re-read of the version table inside it), and a SIGKILL
# in the middle of a long revision leaves a sound file at the last completed revision.
source "$(dirname "$0")/lib.sh"

test_case "4 processes upgrade one database at once"
p=$(new_project concurrent)
write_revision "$p" c000 "" "ledger" "CREATE TABLE applied (revision TEXT NOT NULL, pid INTEGER);" "DROP TABLE applied;"
previous=c000
for ((i = 1; i <= 40; i++)); do
  id=$(printf 'c%03d' "$i")
  write_revision "$p" "$id" "$previous" "step $i" \
    "INSERT INTO applied (revision) VALUES ('$id');
CREATE TABLE t$i AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000) SELECT x FROM n;" \
    "DELETE FROM applied WHERE revision = '$id'; DROP TABLE t$i;"
  previous=$id
done
for k in 1 2 3 4; do
  (cd "$p" && "$DBTOOL" upgrade head >"$TEST_TMP/out$k" 2>"$TEST_TMP/err$k"; echo $? >"$TEST_TMP/rc$k") &
done
wait
for k in 1 2 3 4; do
  rc=$(cat "$TEST_TMP/rc$k")
  err=$(cat "$TEST_TMP/err$k")
  out=$(cat "$TEST_TMP/out$k")
  last_command="concurrent upgrade $k"
  expect_rc 0
done
expect_sql "$p/data/app.db" "SELECT count(*), count(DISTINCT revision) FROM applied" "40|40"
expect_sql "$p/data/app.db" "SELECT count(*) FROM dbtool_history WHERE direction = 'upgrade'" "41"
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "c040"
total_steps=$(cat "$TEST_TMP"/out? | grep -c '^upgrade c')
expect_equal "$total_steps" "41" "steps reported across the 4 processes"
expect_sql "$p/data/app.db" "PRAGMA integrity_check" "ok"

test_case "SIGKILL during a long revision"
k=$(new_project killed)
write_revision "$k" k001 "" "small" "CREATE TABLE small (id INTEGER PRIMARY KEY);" "DROP TABLE small;"
write_revision "$k" k002 k001 "long" "CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT);
INSERT INTO big (v) WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 200000) SELECT hex(randomblob(16)) FROM n;
CREATE TABLE total AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000000) SELECT sum(x) AS s FROM n;" \
  "DROP TABLE total; DROP TABLE big;"
write_revision "$k" k003 k002 "after" "CREATE TABLE later (id INTEGER);" "DROP TABLE later;"
(cd "$k" && exec "$DBTOOL" upgrade head >/dev/null 2>&1) &
victim=$!
# Wait until k001 is committed and k002 is running, then kill.
for _ in $(seq 1 100); do
  [ "$(sqlite3 "$k/data/app.db" "SELECT version_num FROM dbtool_version" 2>/dev/null)" = "k001" ] && break
  sleep 0.05
done
sleep 0.7
if kill -9 "$victim" 2>/dev/null; then pass; else fail "the upgrade finished before it could be killed"; fi
wait "$victim" 2>/dev/null
expect_sql "$k/data/app.db" "PRAGMA integrity_check" "ok"
expect_sql "$k/data/app.db" "SELECT version_num FROM dbtool_version" "k001"
expect_sql "$k/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name IN ('big', 'total', 'later')" "0"
run "$k" upgrade head
expect_rc 0
expect_sql "$k/data/app.db" "SELECT version_num FROM dbtool_version" "k003"
expect_sql "$k/data/app.db" "SELECT count(*) FROM big" "200000"
expect_sql "$k/data/app.db" "SELECT count(*) FROM dbtool_history WHERE revision = 'k002'" "1"

test_case "a database held by another writer: wait busy_timeout, then exit 4"
h=$(linear_project held 2)
printf '[sqlite]\nbusy_timeout_ms = 300\n' >>"$h/dbtool.toml"
run "$h" upgrade r001
expect_rc 0
mkfifo "$TEST_TMP/hold"
(sqlite3 "$h/data/app.db" <"$TEST_TMP/hold" >/dev/null 2>&1) &
holder=$!
exec 9>"$TEST_TMP/hold"
echo "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; INSERT INTO t1 (v) VALUES ('x');" >&9
sleep 0.3
run "$h" upgrade head
expect_rc 4
expect_err "database is locked"
expect_one_line_error
echo "ROLLBACK;" >&9
exec 9>&-
wait "$holder"
run "$h" upgrade head
expect_rc 0
expect_sql "$h/data/app.db" "SELECT version_num FROM dbtool_version" "r002"

finish
