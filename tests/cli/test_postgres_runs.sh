# PostgreSQL runs: an adopted Alembic version table (varchar(32)) and revision ids that
# do not fit it; the session settings a run applies (statement_timeout, lock_timeout).
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
