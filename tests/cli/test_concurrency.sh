# Several dbtool processes upgrading one database at once apply each revision exactly
# once (BEGIN IMMEDIATE and a re-read of the version table inside it), and a SIGKILL
# in the middle of a long revision leaves a sound file at the last completed revision.
# A database held by another writer, run or session makes dbtool wait --lock-timeout
# (SQLite's write lock, PostgreSQL's migration lock and tables), then exit 4 with one line. The PostgreSQL part
# runs when DBTOOL_TEST_PG_URL is set (under CI=true it must be). Also the short form of
# scripts/concurrency (docs/reliability.md has the 20-trial runs).
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

test_case "16 processes open a new database at once: none fails on the switch to WAL"
# Regression (docs/reliability.md): PRAGMA journal_mode = WAL could fail with
# SQLITE_BUSY at once, without the busy handler, while other processes opened the same
# new file; one process in about 100 such runs exited 4 "cannot open database: database
# is locked". Timing-dependent: these 25 rounds failed in 2 of 3 runs before the fix.
failures=0
for round in $(seq 1 25); do
  w=$(new_project "wal$round")
  write_revision "$w" w001 "" "one" "CREATE TABLE t (x);" "DROP TABLE t;"
  for k in $(seq 1 16); do
    (cd "$w" && "$DBTOOL" upgrade head >/dev/null 2>"$TEST_TMP/wal_err$k"; echo $? >"$TEST_TMP/wal_rc$k") &
  done
  wait
  for k in $(seq 1 16); do
    if [ "$(cat "$TEST_TMP/wal_rc$k")" != 0 ]; then
      failures=$((failures + 1))
      echo "  round $round, process $k: $(cat "$TEST_TMP/wal_err$k")" >&2
    fi
  done
  [ "$(sqlite3 "$w/data/app.db" "SELECT version_num FROM dbtool_version")" = w001 ] ||
    failures=$((failures + 1))
  rm -rf "$w"
done
expect_equal "$failures" "0" "processes that failed (or databases not at head) in 25 rounds of 16"

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

test_case "a database held by another writer: wait --lock-timeout, then exit 4"
# A run waits --lock-timeout for the write lock, as on PostgreSQL, not busy_timeout
# (which the old expectation here waited: issue 18 says a run must wait the former).
h=$(linear_project held 2)
printf '[sqlite]\nbusy_timeout_ms = 100\n' >>"$h/dbtool.toml"
run "$h" upgrade r001
expect_rc 0
mkfifo "$TEST_TMP/hold"
(sqlite3 "$h/data/app.db" <"$TEST_TMP/hold" >/dev/null 2>&1) &
holder=$!
exec 9>"$TEST_TMP/hold"
echo "PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; INSERT INTO t1 (v) VALUES ('x');" >&9
sleep 0.3
started=$(date +%s%N)
run "$h" --lock-timeout 0.6 upgrade head
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
expect_rc 4
expect_err "database is locked by another dbtool run or writer: $h/data/app.db (waited 0.6 s; --lock-timeout or lock_timeout_s sets how long)"
expect_one_line_error
if [ "$elapsed_ms" -ge 550 ] && [ "$elapsed_ms" -lt 4000 ]; then pass; else fail "waited $elapsed_ms ms for a 0.6 s timeout (busy_timeout is 100 ms)"; fi
# The same wait from dbtool.toml's top-level lock_timeout_s, without the flag.
sed -i '1i lock_timeout_s = 0.6' "$h/dbtool.toml"
started=$(date +%s%N)
run "$h" upgrade head
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
expect_rc 4
expect_err "(waited 0.6 s; --lock-timeout or lock_timeout_s sets how long)"
if [ "$elapsed_ms" -ge 550 ] && [ "$elapsed_ms" -lt 4000 ]; then pass; else fail "waited $elapsed_ms ms for lock_timeout_s = 0.6"; fi
sed -i '1d' "$h/dbtool.toml"
echo "ROLLBACK;" >&9
exec 9>&-
wait "$holder"
run "$h" upgrade head
expect_rc 0
expect_sql "$h/data/app.db" "SELECT version_num FROM dbtool_version" "r002"

test_case "two runs at once: the second waits --lock-timeout for the first, not busy_timeout"
w=$(new_project waiting)
printf '[sqlite]\nbusy_timeout_ms = 100\n' >>"$w/dbtool.toml"
write_revision "$w" w001 "" "quick" "CREATE TABLE quick (id INTEGER);" "DROP TABLE quick;"
# Seconds of work inside one write transaction (a table of its own: run twice, it fails).
write_revision "$w" w002 w001 "slow" "CREATE TABLE slow AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 20000000) SELECT sum(x) AS s FROM n;" "DROP TABLE slow;"
write_revision "$w" w003 w002 "after" "CREATE TABLE after_slow (id INTEGER);" "DROP TABLE after_slow;"
(cd "$w" && "$DBTOOL" upgrade head >"$TEST_TMP/first.out" 2>"$TEST_TMP/first.err"; echo $? >"$TEST_TMP/first.rc") &
first=$!
for _ in $(seq 1 200); do
  [ "$(sqlite3 "$w/data/app.db" "SELECT version_num FROM dbtool_version" 2>/dev/null)" = w001 ] && break
  sleep 0.05
done
sleep 0.3
# A short --lock-timeout gives up while the first run still holds the lock.
started=$(date +%s%N)
run "$w" --lock-timeout 0.5 upgrade head
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
expect_rc 4
expect_one_line_error
expect_err "database is locked by another dbtool run or writer: $w/data/app.db (waited 0.5 s;"
if kill -0 "$first" 2>/dev/null; then pass; else fail "the first run ended before the second gave up: the test proves nothing"; fi
if [ "$elapsed_ms" -ge 450 ]; then pass; else fail "gave up after $elapsed_ms ms, before its 0.5 s"; fi
# Reads do not wait for the lock.
run "$w" status
expect_rc 0
expect_out "(at w001)"
# The default --lock-timeout (60 s) outlasts the first run; busy_timeout (100 ms) would not.
(cd "$w" && "$DBTOOL" upgrade head >"$TEST_TMP/second.out" 2>"$TEST_TMP/second.err"; echo $? >"$TEST_TMP/second.rc") &
second=$!
sleep 0.3
if kill -0 "$first" 2>/dev/null; then pass; else fail "the first run ended before the second started waiting: the test proves nothing"; fi
wait "$first" "$second"
for k in first second; do
  rc=$(cat "$TEST_TMP/$k.rc")
  out=$(cat "$TEST_TMP/$k.out")
  err=$(cat "$TEST_TMP/$k.err")
  last_command="$k upgrade head"
  expect_rc 0
done
expect_equal "$(cat "$TEST_TMP/first.out" "$TEST_TMP/second.out" | grep -c '^upgrade w')" "3" "steps across both runs"
expect_sql "$w/data/app.db" "SELECT version_num FROM dbtool_version" "w003"
expect_sql "$w/data/app.db" "SELECT count(*) FROM dbtool_history WHERE direction = 'upgrade'" "3"

test_case "scripts/concurrency, short form: 8 processes x 50 revisions, 2 trials (SQLite)"
out=$("$SOURCE_DIR/scripts/concurrency" --trials 2 --processes 8 --revisions 50 --dbtool "$DBTOOL" 2>&1)
rc=$?
last_command="scripts/concurrency --trials 2 --processes 8 --revisions 50"
expect_rc 0
expect_out "concurrency sqlite 8x50, 2 trials: 2/2 consistent"

if [ -z "${DBTOOL_TEST_PG_URL:-}" ]; then
  if [ "${CI:-}" = "true" ]; then
    current_test="PostgreSQL part"
    fail "DBTOOL_TEST_PG_URL is not set: CI must run the PostgreSQL tests"
  else
    echo "PostgreSQL part skipped: set DBTOOL_TEST_PG_URL (scripts/postgres-server start DIR prints one)" >&2
  fi
  finish
  exit
fi

PG_BASE_URL=${DBTOOL_TEST_PG_URL%/*}
pg_dbs=()
trap 'for db in "${pg_dbs[@]}"; do psql -X -q "$DBTOOL_TEST_PG_URL" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1; done; rm -rf "$TEST_TMP"' EXIT
# pg_linear NAME N: linear_project on a fresh PostgreSQL database; sets dir and pg_db
# (not a $(...) call: the database must be remembered for the cleanup).
pg_linear() {
  dir=$(linear_project "$1" "$2")
  pg_db="dbtool_conc_$1_$$"
  psql -X -q "$DBTOOL_TEST_PG_URL" -c "CREATE DATABASE \"$pg_db\"" >/dev/null
  pg_dbs+=("$pg_db")
  printf 'url = "%s/%s"\n' "$PG_BASE_URL" "$pg_db" >"$dir/dbtool.toml"
}
pg_q() { psql -X -q -At "$PG_BASE_URL/$pg_db" -c "$1" 2>&1; }
# Advisory locks are the server's: the tests running beside this one (ctest -j2) take
# dbtool's key in databases of their own, so only this database's locks are counted.
pg_this_database="database = (SELECT oid FROM pg_database WHERE datname = current_database())"
# The advisory lock key a run takes: FNV-1a of "dbtool:<schema>.<version table>", as
# PostgresConnection::lock_for_run computes it (checked below against a live run).
pg_lock_key=$("$PY" -c '
h = 14695981039346656037
for c in b"dbtool:.dbtool_version":
    h = ((h ^ c) * 1099511628211) % 2**64
print(h - 2**64 if h >= 2**63 else h)')

# pg_hold SQL: another session (psql) runs SQL, then sleeps with its locks held until
# pg_release terminates it (which releases session and transaction locks alike).
pg_hold() {
  (PGAPPNAME=dbtool_test_holder psql -X -q "$PG_BASE_URL/$pg_db" -c "$1 SELECT pg_sleep(60);" >/dev/null 2>&1) &
  pg_holder=$!
  local i
  for i in $(seq 1 100); do
    [ "$(pg_q "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dbtool_test_holder' AND query LIKE '%pg_sleep(60)%' AND wait_event = 'PgSleep'")" = 1 ] && break
    sleep 0.05
  done
}
pg_release() {
  pg_q "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dbtool_test_holder'" >/dev/null
  wait "$pg_holder" 2>/dev/null
}

test_case "PostgreSQL: another session holds the advisory lock: wait --lock-timeout, then exit 4"
pg_linear advisory 2
a=$dir
run "$a" upgrade r001
expect_rc 0
pg_hold "SELECT pg_advisory_lock($pg_lock_key);"
expect_equal "$(pg_q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND $pg_this_database AND granted AND (classid::bigint << 32 | objid::bigint) = ($pg_lock_key & x'ffffffffffffffff'::bigint)")" 1 "the session holds dbtool's lock key"
started=$(date +%s%N)
run "$a" --lock-timeout 0.5 upgrade head
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
expect_rc 4
expect_err "another dbtool run holds the migration lock"
expect_err "waited 0.5 s"
expect_one_line_error
if [ "$elapsed_ms" -ge 400 ] && [ "$elapsed_ms" -lt 3000 ]; then pass; else fail "waited $elapsed_ms ms for a 0.5 s timeout"; fi
expect_equal "$(pg_q "SELECT version_num FROM dbtool_version")" "r001" "version after the refused run"
pg_release
run "$a" --lock-timeout 5 upgrade head
expect_rc 0
expect_equal "$(pg_q "SELECT version_num FROM dbtool_version")" "r002" "version once the lock is free"

test_case "PostgreSQL: another session holds a lock on the version table: wait --lock-timeout, then exit 4"
pg_linear versionlock 2
v=$dir
run "$v" upgrade r001
expect_rc 0
pg_hold "BEGIN; LOCK TABLE dbtool_version IN ACCESS EXCLUSIVE MODE;"
started=$(date +%s%N)
# timeout: before the fix dbtool waited for the table forever.
last_command="(cd $v && timeout 20 dbtool --lock-timeout 1 upgrade head)"
(cd "$v" && timeout 20 "$DBTOOL" --lock-timeout 1 upgrade head) >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
rc=$?
out=$(cat "$TEST_TMP/.out")
err=$(cat "$TEST_TMP/.err")
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
expect_rc 4
expect_err "another session holds a lock"
expect_err "waited 1 s"
expect_one_line_error
if [ "$elapsed_ms" -ge 900 ] && [ "$elapsed_ms" -lt 4000 ]; then pass; else fail "waited $elapsed_ms ms for a 1 s timeout"; fi
pg_release
expect_equal "$(pg_q "SELECT version_num FROM dbtool_version")" "r001" "version after the refused run"
expect_equal "$(pg_q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND $pg_this_database")" "0" "advisory locks left"
run "$v" --lock-timeout 5 upgrade head
expect_rc 0
expect_equal "$(pg_q "SELECT version_num FROM dbtool_version")" "r002" "version once the table is free"

test_case "PostgreSQL: a revision's own statement still waits for an application's lock"
pg_linear revisionwait 2
w=$dir
run "$w" upgrade r001
expect_rc 0
pg_hold "BEGIN; LOCK TABLE t1 IN ACCESS EXCLUSIVE MODE;"
write_revision "$w" r002 r001 "touches t1" "ALTER TABLE t1 ADD COLUMN w int;" "ALTER TABLE t1 DROP COLUMN w;"
(cd "$w" && "$DBTOOL" --lock-timeout 0.5 upgrade head >"$TEST_TMP/w.out" 2>&1; echo $? >"$TEST_TMP/w.rc") &
waiter=$!
sleep 1.5
# The revision waits past --lock-timeout (a table held by the application is not
# another dbtool run); it completes once the application lets go.
expect_equal "$(pg_q "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'ALTER TABLE t1%' AND wait_event_type = 'Lock'")" "1" "the revision's statement waiting"
pg_release
wait "$waiter"
rc=$(cat "$TEST_TMP/w.rc")
out=$(cat "$TEST_TMP/w.out")
expect_rc 0
expect_equal "$(pg_q "SELECT version_num FROM dbtool_version")" "r002" "version after the revision waited"

test_case "scripts/concurrency, short form: 8 processes x 50 revisions, 2 trials (PostgreSQL)"
out=$("$SOURCE_DIR/scripts/concurrency" --backend postgres --trials 2 --processes 8 --revisions 50 --dbtool "$DBTOOL" 2>&1)
rc=$?
last_command="scripts/concurrency --backend postgres --trials 2 --processes 8 --revisions 50"
expect_rc 0
expect_out "concurrency postgres 8x50, 2 trials: 2/2 consistent"

finish
