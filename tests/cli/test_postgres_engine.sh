# The migration engine on a real PostgreSQL server: upgrade, downgrade, stamp,
# current and history; transactional DDL per revision and --single-transaction;
# transactional: false for CREATE INDEX CONCURRENTLY; errors with file and line;
# the session advisory lock (8 processes at once, --lock-timeout, a killed run);
# connection failures with libpq's reason and no password; offline scripts for psql.
source "$(dirname "$0")/pg_lib.sh"

test_case "upgrade, current, history, downgrade and stamp"
pg_project basics
p=$project_dir
write_revision "$p" a001 "" "users" \
  "CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
INSERT INTO users (name) VALUES ('ada'), ('grace');" "DROP TABLE users;"
write_revision "$p" a002 a001 "a function with semicolons in its body" \
  "CREATE FUNCTION user_count() RETURNS bigint LANGUAGE plpgsql AS \$body\$
BEGIN
  -- a comment; with a semicolon
  RETURN (SELECT count(*) FROM users);
END;
\$body\$;
COMMENT ON TABLE users IS 'it''s; tricky';" "DROP FUNCTION user_count();"
write_revision "$p" a003 a002 "jobs" \
  "CREATE TABLE jobs (id text PRIMARY KEY, request jsonb NOT NULL, progress double precision DEFAULT 0, tags text[]);
INSERT INTO jobs VALUES ('j1', '{\"a\": [1, 2]}', 0.5, ARRAY['x', 'y;z']);" "DROP TABLE jobs;"
run "$p" upgrade head
expect_rc 0
expect_out "upgrade a003"
expect_pg "$pg_db" "SELECT user_count()" "2"
expect_pg "$pg_db" "SELECT request->'a'->>1, tags[2] FROM jobs" "2|y;z"
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "a003"
expect_pg "$pg_db" "SELECT count(*) FROM dbtool_history WHERE direction = 'upgrade'" "3"
expect_pg "$pg_db" "SELECT count(*) FROM dbtool_history WHERE applied_at ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'" "3"
run "$p" current
expect_rc 0
expect_out "a003 (head)"
run "$p" --json history
expect_rc 0
json_eq "len(d['revisions'])" "3"
run "$p" downgrade a001
expect_rc 0
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "a001"
expect_pg "$pg_db" "SELECT to_regclass('jobs') IS NULL, to_regprocedure('user_count()') IS NULL" "t|t"
run "$p" stamp a003
expect_rc 0
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "a003"
expect_pg "$pg_db" "SELECT count(*) FROM dbtool_history WHERE direction = 'stamp'" "1"
run "$p" downgrade base
expect_rc 4 # jobs does not exist: stamping moved the rows, not the schema
expect_err "a003_rev.sql"
expect_err 'table "jobs" does not exist'
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "a003"

test_case "a failing statement names its file and line and rolls the revision back"
pg_project failing
p=$project_dir
write_revision "$p" f001 "" "ok" "CREATE TABLE ok (id int);" "DROP TABLE ok;"
write_revision "$p" f002 f001 "bad" "CREATE TABLE half (id int);
INSERT INTO half VALUES (1),
  (2),
  ('x');" "DROP TABLE half;"
run "$p" upgrade head
expect_rc 4
expect_err "f002_rev.sql:9:"
expect_err 'invalid input syntax for type integer: "x"'
expect_err "rolled back"
expect_one_line_error
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "f001"
expect_pg "$pg_db" "SELECT to_regclass('half') IS NULL" "t"

test_case "--single-transaction rolls the whole run back"
pg_project single
p=$project_dir
write_revision "$p" s001 "" "one" "CREATE TABLE one (id int);" "DROP TABLE one;"
write_revision "$p" s002 s001 "two" "CREATE TABLE two (id int);" "DROP TABLE two;"
write_revision "$p" s003 s002 "three" "SELECT 1/0;" "SELECT 1;"
run "$p" upgrade head --single-transaction
expect_rc 4
expect_err "s003_rev.sql:6:"
expect_err "division by zero"
expect_pg "$pg_db" "SELECT to_regclass('one') IS NULL, to_regclass('dbtool_version') IS NULL" "t|t"

test_case "transaction control in a transactional revision is refused"
pg_project control
p=$project_dir
write_revision "$p" c001 "" "commits" "CREATE TABLE c (id int);
COMMIT;" "DROP TABLE c;"
run "$p" upgrade head
expect_rc 4
expect_err "c001_rev.sql:7:"
expect_err "transactional: false"
expect_pg "$pg_db" "SELECT to_regclass('c') IS NULL" "t"

test_case "CREATE INDEX CONCURRENTLY: refused in a transaction, run by transactional: false"
pg_project concurrently
p=$project_dir
write_revision "$p" i001 "" "table" "CREATE TABLE big (id int, v text);
INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 1000) g;" "DROP TABLE big;"
write_revision "$p" i002 i001 "index" "CREATE INDEX CONCURRENTLY big_v ON big (v);" \
  "DROP INDEX CONCURRENTLY big_v;"
run "$p" upgrade head
expect_rc 4
expect_err "i002_rev.sql:6:"
expect_err "cannot run inside a transaction block"
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "i001"
write_revision "$p" i002 i001 "index" "CREATE INDEX CONCURRENTLY big_v ON big (v);
CREATE INDEX CONCURRENTLY big_id ON big (id);" \
  "DROP INDEX CONCURRENTLY big_id;
DROP INDEX CONCURRENTLY big_v;" "-- transactional: false"
run "$p" upgrade head
expect_rc 0
expect_pg "$pg_db" "SELECT count(*) FROM pg_indexes WHERE tablename = 'big' AND indexname IN ('big_v', 'big_id')" "2"
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "i002"
run "$p" downgrade i001
expect_rc 0
expect_pg "$pg_db" "SELECT count(*) FROM pg_indexes WHERE tablename = 'big'" "0"

test_case "8 processes upgrade one database at once: each revision exactly once"
pg_project eight
p=$project_dir
write_revision "$p" e000 "" "ledger" "CREATE TABLE applied (revision text NOT NULL);" "DROP TABLE applied;"
previous=e000
for ((i = 1; i <= 30; i++)); do
  id=$(printf 'e%03d' "$i")
  write_revision "$p" "$id" "$previous" "step $i" \
    "INSERT INTO applied VALUES ('$id');
CREATE TABLE t$i AS SELECT g FROM generate_series(1, 2000) g;" \
    "DELETE FROM applied WHERE revision = '$id'; DROP TABLE t$i;"
  previous=$id
done
for k in 1 2 3 4 5 6 7 8; do
  (cd "$p" && "$DBTOOL" upgrade head >"$TEST_TMP/out$k" 2>"$TEST_TMP/err$k"; echo $? >"$TEST_TMP/rc$k") &
done
wait
for k in 1 2 3 4 5 6 7 8; do
  rc=$(cat "$TEST_TMP/rc$k")
  err=$(cat "$TEST_TMP/err$k")
  out=$(cat "$TEST_TMP/out$k")
  last_command="concurrent upgrade $k"
  expect_rc 0
done
expect_pg "$pg_db" "SELECT count(*), count(DISTINCT revision) FROM applied" "30|30"
expect_pg "$pg_db" "SELECT count(*) FROM dbtool_history WHERE direction = 'upgrade'" "31"
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "e030"
total_steps=$(cat "$TEST_TMP"/out? | grep -c '^upgrade e')
expect_equal "$total_steps" "31" "steps reported across the 8 processes"

test_case "--lock-timeout: a second run waits for the first, then gives up with a clear message"
pg_project locked
p=$project_dir
write_revision "$p" l001 "" "slow" "SELECT pg_sleep(3); CREATE TABLE slow (id int);" "DROP TABLE slow;"
(cd "$p" && exec "$DBTOOL" upgrade head >"$TEST_TMP/slow.out" 2>&1) &
slow=$!
for _ in $(seq 1 100); do
  [ "$(pg_sql "$pg_db" "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")" = "1" ] && break
  sleep 0.05
done
started=$(date +%s%N)
run "$p" --lock-timeout 0.5 upgrade head
elapsed_ms=$((($(date +%s%N) - started) / 1000000))
expect_rc 4
expect_err "another dbtool run holds the migration lock"
expect_err "waited 0.5 s"
expect_one_line_error
expect_no_password
if [ "$elapsed_ms" -ge 400 ] && [ "$elapsed_ms" -lt 2500 ]; then pass; else fail "waited $elapsed_ms ms for a 0.5 s timeout"; fi
run "$p" --lock-timeout 30 upgrade head # waits for the first run, then finds nothing to do
expect_rc 0
wait "$slow"
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "l001"
expect_pg "$pg_db" "SELECT count(*) FROM dbtool_history" "1"

test_case "a killed run leaves the last committed revision and releases the lock"
pg_project killed
p=$project_dir
write_revision "$p" k001 "" "small" "CREATE TABLE small (id int);" "DROP TABLE small;"
write_revision "$p" k002 k001 "long" "CREATE TABLE big AS SELECT g FROM generate_series(1, 1000) g;
SELECT pg_sleep(30);" "DROP TABLE big;"
(cd "$p" && exec "$DBTOOL" upgrade head >/dev/null 2>&1) &
victim=$!
for _ in $(seq 1 200); do
  [ "$(pg_sql "$pg_db" "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(30)%'")" = "1" ] && break
  sleep 0.05
done
if kill -9 "$victim" 2>/dev/null; then pass; else fail "the upgrade ended before it could be killed"; fi
wait "$victim" 2>/dev/null
write_revision "$p" k002 k001 "long" "CREATE TABLE big AS SELECT g FROM generate_series(1, 1000) g;" "DROP TABLE big;"
run "$p" --lock-timeout 10 upgrade head
expect_rc 0
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "k002"
expect_pg "$pg_db" "SELECT count(*) FROM big" "1000"
expect_pg "$pg_db" "SELECT count(*) FROM dbtool_history WHERE revision = 'k002'" "1"

test_case "connection failures: exit 4, libpq's reason on one line, no password"
pg_project connect
p=$project_dir
host_port=${PG_BASE_URL#*@}
run "$p" --url "postgresql://dbtool:not-the-password@$host_port/$pg_db" current
expect_rc 4
expect_err "password authentication failed"
expect_err "dbtool:***@"
expect_one_line_error
[[ "$err" != *not-the-password* ]] && pass || fail "the wrong password was printed"
run "$p" --url "$PG_BASE_URL/no_such_database_here" current
expect_rc 4
expect_err 'database "no_such_database_here" does not exist'
expect_one_line_error
expect_no_password
run "$p" --url "postgresql://dbtool:secret@127.0.0.1:1/x" current
expect_rc 4
expect_err "Connection refused"
expect_one_line_error
[[ "$err" != *secret* ]] && pass || fail "the password was printed"
psql -q "$PG_ADMIN_URL" -c "DROP ROLE IF EXISTS dbtool_reader; CREATE ROLE dbtool_reader LOGIN PASSWORD 'reader-pw'" >/dev/null 2>&1
pg_sql "$pg_db" "REVOKE CREATE ON SCHEMA public FROM PUBLIC" >/dev/null
write_revision "$p" p001 "" "t" "CREATE TABLE t (id int);" "DROP TABLE t;"
run "$p" --url "postgresql://dbtool_reader:reader-pw@$host_port/$pg_db" upgrade head
expect_rc 4
expect_err "permission denied for schema public"
expect_one_line_error
[[ "$err" != *reader-pw* ]] && pass || fail "the password was printed"
run "$p" --echo --json current
expect_rc 0
expect_no_password

test_case "offline --sql: a script psql runs as it is, to the same rows"
pg_project offline
p=$project_dir
write_revision "$p" o001 "" "one" "CREATE TABLE one (id int);" "DROP TABLE one;"
write_revision "$p" o002 o001 "two" "CREATE TABLE two (id int);" "DROP TABLE two;"
run "$p" upgrade head --sql
expect_rc 0
printf '%s\n' "$out" >"$TEST_TMP/offline.sql"
psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -f "$TEST_TMP/offline.sql" >/dev/null 2>"$TEST_TMP/psql.err"
expect_equal "$?" "0" "psql ran the offline script ($(head -c 300 "$TEST_TMP/psql.err"))"
expect_pg "$pg_db" "SELECT version_num FROM dbtool_version" "o002"
expect_pg "$pg_db" "SELECT count(*) FROM dbtool_history WHERE direction = 'upgrade'" "2"
run "$p" current
expect_out "o002 (head)"

test_case "[postgres] schema: the project's tables live in that schema"
pg_project schema
p=$project_dir
pg_sql "$pg_db" "CREATE SCHEMA app" >/dev/null
printf '[postgres]\nschema = "app"\n' >>"$p/dbtool.toml"
write_revision "$p" x001 "" "in app" "CREATE TABLE things (id int);" "DROP TABLE things;"
run "$p" upgrade head
expect_rc 0
expect_pg "$pg_db" "SELECT count(*) FROM pg_tables WHERE schemaname = 'app' AND tablename IN ('things', 'dbtool_version', 'dbtool_history')" "3"
expect_pg "$pg_db" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" "0"
run "$p" current
expect_out "x001 (head)"

test_case "examples/postgres: upgrade, use, downgrade"
pg_project example
p=$project_dir
cp -r "$SOURCE_DIR/examples/postgres/migrations" "$p/"
run "$p" upgrade head
expect_rc 0
expect_out "Done: the database is at e03d7a2c9f48"
pg_sql "$pg_db" "INSERT INTO jobs (id, request) VALUES ('j1', '{\"prompt\": \"hi\"}');
INSERT INTO lessons (job_id, title, tags) VALUES ('j1', 'first', ARRAY['a', 'b']);
INSERT INTO llm_call_audit (job_id, model, prompt_tokens, completion_tokens, started_at)
  VALUES ('j1', 'm', 10, 20, now());
UPDATE jobs SET status = 'done', progress = 1 WHERE id = 'j1';" >/dev/null
expect_pg "$pg_db" "SELECT status, progress, updated_at > created_at OR updated_at = created_at FROM jobs" "done|1|t"
expect_pg "$pg_db" "SELECT count(*) FROM lessons WHERE tags @> ARRAY['b']" "1"
expect_pg "$pg_db" "SELECT indexdef LIKE '%USING btree (job_id, started_at DESC)%' FROM pg_indexes WHERE indexname = 'llm_call_audit_job_idx'" "t"
expect_pg "$pg_db" "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'llm_call_audit_job_idx' AND i.indisvalid" "1"
pg_sql "$pg_db" "UPDATE jobs SET status = 'lost'" >/dev/null
expect_pg "$pg_db" "SELECT status FROM jobs" "done"
run "$p" downgrade base
expect_rc 0
expect_pg "$pg_db" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'dbtool%'" "0"
expect_pg "$pg_db" "SELECT count(*) FROM pg_proc WHERE proname = 'jobs_touch'" "0"

test_case "examples/postgres: onboarding an existing database with stamp head"
pg_project onboard
p=$project_dir
cp -r "$SOURCE_DIR/examples/postgres/migrations" "$p/"
# The tables exist already, made without dbtool (here by psql from the revisions' SQL).
for f in "$p"/migrations/*.sql; do
  sed -n '/^-- +upgrade/,/^-- +downgrade/p' "$f" | grep -v '^-- +' >>"$TEST_TMP/existing.sql"
done
psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -f "$TEST_TMP/existing.sql" >/dev/null 2>&1
expect_pg "$pg_db" "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'" "3"
pg_sql "$pg_db" "INSERT INTO jobs (id, request) VALUES ('keep', '{}')" >/dev/null
run "$p" upgrade head --sql >/dev/null
run "$p" stamp head
expect_rc 0
run "$p" current
expect_out "e03d7a2c9f48 (head)"
expect_pg "$pg_db" "SELECT count(*) FROM dbtool_history WHERE direction = 'stamp'" "1"
expect_pg "$pg_db" "SELECT id FROM jobs" "keep"
write_revision "$p" f1a2b3c4d5e6 e03d7a2c9f48 "jobs get an owner" \
  "ALTER TABLE jobs ADD COLUMN owner text;" "ALTER TABLE jobs DROP COLUMN owner;"
run "$p" upgrade head
expect_rc 0
expect_out "upgrade f1a2b3c4d5e6"
expect_no_out "upgrade 3c1f0a9b2d41"
expect_pg "$pg_db" "SELECT id, owner IS NULL FROM jobs" "keep|t"

finish
