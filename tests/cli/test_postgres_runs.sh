# PostgreSQL runs: an adopted Alembic version table (varchar(32)) and revision ids that
# do not fit it; the session settings a run applies (statement_timeout, and lock_timeout
# for the revisions' statements); status.
# Needs the server DBTOOL_TEST_PG_URL names (skipped without it unless CI=true).
export DBTOOL_TEST_BACKEND=postgres
source "$(dirname "$0")/lib.sh"

# psql_in DIR SQL: runs SQL in the project's database.
psql_in() {
  psql -X -q -At "$PG_SERVER_URL/$(pg_database_of "$1")" -c "$2" 2>&1
}
rows() {
  psql_in "$1" "SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version"
}

long_id=r_0123456789abcdef0123456789abcdef0123 # 38 characters
id32=r_0123456789abcdef0123456789abcd         # 32 characters

test_case "an adopted Alembic table (varchar(32)) refuses longer ids before anything runs"
p=$(new_project adopted)
printf 'version_table = "alembic_version"\n' >>"$p/dbtool.toml"
psql_in "$p" "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))" >/dev/null
write_revision "$p" a1 "" "short" "CREATE TABLE t_a1 (id INTEGER);" "DROP TABLE t_a1;"
write_revision "$p" "$id32" a1 "thirty-two" "CREATE TABLE t_32 (id INTEGER);" "DROP TABLE t_32;"
write_revision "$p" "$long_id" "$id32" "long" "CREATE TABLE t_long (id INTEGER);" "DROP TABLE t_long;"
run "$p" upgrade heads
expect_rc 3
expect_one_line_error
expect_err "revision id $long_id has 38 characters, more than alembic_version.version_num holds (varchar(32), as Alembic makes it); nothing was changed"
expect_err 'ALTER TABLE "alembic_version" ALTER COLUMN version_num TYPE varchar(64)'
expect_equal "$(rows "$p")" "" "no row written"
expect_equal "$(psql_in "$p" "SELECT count(*) FROM pg_tables WHERE tablename LIKE 't\_%'")" "0" "no revision ran"
run "$p" upgrade "$id32"
expect_rc 0
expect_equal "$(rows "$p")" "$id32" "an id of 32 characters fits"
run "$p" stamp "$long_id"
expect_rc 3
expect_err "revision id $long_id has 38 characters"
expect_equal "$(rows "$p")" "$id32" "the refused stamp changed nothing"
psql_in "$p" 'ALTER TABLE "alembic_version" ALTER COLUMN version_num TYPE varchar(64)' >/dev/null
run "$p" upgrade heads
expect_rc 0
expect_equal "$(rows "$p")" "$long_id" "once widened"
run "$p" downgrade base
expect_rc 0
expect_equal "$(rows "$p")" "" "at base"

test_case "a table dbtool makes holds 64 characters"
q=$(new_project own)
printf 'version_table = "alembic_version"\n' >>"$q/dbtool.toml"
write_revision "$q" "$long_id" "" "long" "CREATE TABLE t_long (id INTEGER);" "DROP TABLE t_long;"
run "$q" upgrade heads
expect_rc 0
expect_equal "$(psql_in "$q" "SELECT character_maximum_length FROM information_schema.columns WHERE table_name = 'alembic_version' AND column_name = 'version_num'")" "64" "version_num width"

test_case "--statement-timeout and [postgres] statement_timeout_s: SET for the run's session"
t=$(new_project timeouts)
write_revision "$t" s1 "" "create" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
write_revision "$t" s2 s1 "sleeps" "SELECT pg_sleep(2);
CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;"
started=$(date +%s%N)
run "$t" --statement-timeout 0.3 upgrade head
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
expect_rc 4
expect_one_line_error
expect_err "s2_rev.sql:"
expect_err "revision s2 (upgrade) failed: canceling statement due to statement timeout; rolled back; the database is at s1"
if [ "$elapsed_ms" -lt 1800 ]; then pass; else fail "the statement ran $elapsed_ms ms under a 0.3 s statement_timeout"; fi
psql_in "$t" "SELECT version_num FROM dbtool_version" >"$TEST_TMP/v"
expect_equal "$(cat "$TEST_TMP/v")" "s1" "version after the timeout"
printf '[postgres]\nstatement_timeout_s = 0.3\n' >>"$t/dbtool.toml"
run "$t" upgrade head
expect_rc 4
expect_err "canceling statement due to statement timeout"
# The flag wins over the file; 0 is PostgreSQL's "no limit".
run "$t" --statement-timeout 0 upgrade head
expect_rc 0
expect_equal "$(psql_in "$t" "SELECT version_num FROM dbtool_version")" "s2" "version with no limit"

test_case "--statement-lock-timeout: a revision's statement gives up on an application's lock"
l=$(new_project locks)
write_revision "$l" k1 "" "create" "CREATE TABLE t1 (id INTEGER);" "DROP TABLE t1;"
run "$l" upgrade k1
expect_rc 0
write_revision "$l" k2 k1 "touches t1" "ALTER TABLE t1 ADD COLUMN w INTEGER;" "ALTER TABLE t1 DROP COLUMN w;"
(PGAPPNAME=dbtool_runs_holder psql -X -q "$PG_SERVER_URL/$(pg_database_of "$l")" -c "BEGIN; LOCK TABLE t1 IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(60);" >/dev/null 2>&1) &
holder=$!
for _ in $(seq 1 100); do
  [ "$(psql_in "$l" "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'dbtool_runs_holder' AND wait_event = 'PgSleep'")" = 1 ] && break
  sleep 0.05
done
started=$(date +%s%N)
run "$l" --statement-lock-timeout 0.5 upgrade head
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
expect_rc 4
expect_one_line_error
expect_err "k2_rev.sql:"
expect_err "revision k2 (upgrade) failed: canceling statement due to lock timeout; rolled back"
if [ "$elapsed_ms" -ge 400 ] && [ "$elapsed_ms" -lt 5000 ]; then pass; else fail "waited $elapsed_ms ms under a 0.5 s statement lock timeout"; fi
printf '[postgres]\nstatement_lock_timeout_s = 0.5\n' >>"$l/dbtool.toml"
run "$l" upgrade head
expect_rc 4
expect_err "canceling statement due to lock timeout"
expect_equal "$(psql_in "$l" "SELECT version_num FROM dbtool_version")" "k1" "version while the table is held"
psql_in "$l" "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dbtool_runs_holder'" >/dev/null
wait "$holder" 2>/dev/null
run "$l" upgrade head
expect_rc 0
expect_equal "$(psql_in "$l" "SELECT version_num FROM dbtool_version")" "k2" "version once the table is free"

test_case "status on PostgreSQL"
st=$(linear_project pgstatus 3)
run "$st" upgrade r001
run "$st" stamp r002
run "$st" --json status
expect_rc 0
json_eq '[(r["revision"], r["state"]) for r in d["revisions"]]' '[["r001","applied"],["r002","stamped"],["r003","pending"]]'
json_eq 'd["revisions"][0]["applied_at"]' "$(psql_in "$st" "SELECT applied_at FROM dbtool_history WHERE revision = 'r001'")"
run "$st" status
expect_rc 0
expect_out "| r002     | create t2 | stamped |"
expect_equal "$(printf '%s\n' "$out" | tail -n 1)" "1 applied, 1 stamped, 1 pending" "summary"

finish
