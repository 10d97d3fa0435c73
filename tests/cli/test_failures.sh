# A failing statement rolls its revision back and names the file and line; an
# irreversible revision stops a downgrade before anything changes; revisions that
# must run outside a transaction do, and others cannot end the runner's transaction.
source "$(dirname "$0")/lib.sh"

test_case "a failure in revision 3 of 5 leaves the database at 2"
p=$(linear_project fail3 5)
cat >"$p/migrations/r003_rev.sql" <<'SQL'
-- revision: r003
-- down_revision: r002
-- message: create t3, then fail

-- +upgrade
CREATE TABLE t3 (id INTEGER PRIMARY KEY, v TEXT);
INSERT INTO t3 (v) VALUES ('half');

-- the next statement fails
INSERT INTO missing_table VALUES (1);
CREATE TABLE never (id INTEGER);

-- +downgrade
DROP TABLE t3;
SQL
run "$p" upgrade head
expect_rc 4
expect_err "r003_rev.sql:10: revision r003 (upgrade) failed: no such table: missing_table"
expect_one_line_error
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r002"
expect_sql "$p/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name IN ('t3', 'never', 't4')" "0"
expect_sql "$p/data/app.db" "SELECT count(*) FROM dbtool_history WHERE revision = 'r003'" "0"
expect_sql "$p/data/app.db" "PRAGMA integrity_check" "ok"

test_case "a failed upgrade reports what it committed: text, -v and --json"
# The steps are printed as they complete, so the committed ones are on stdout when the
# error comes; the error says where the database is.
expect_equal "$(printf '%s\n' "$out" | sed 's/ ([0-9]* ms)$//')" "upgrade r001, create t1
upgrade r002, create t2" "stdout of the failed upgrade"
expect_err "; rolled back; the database is at r002 (this run committed 2 revisions before it)"
rm -rf "$p/data"
run "$p" -v upgrade head
expect_rc 4
expect_out "upgrade r001, create t1"
expect_out "upgrade r002, create t2"
expect_no_out "r003"
expect_no_out "Done"
expect_one_line_error
rm -rf "$p/data"
run "$p" --json upgrade head
expect_rc 4
expect_equal "$out" "" "stdout under --json (the error document holds it all)"
out=$err
json_eq 'd["error"]["kind"]' "database"
json_eq 'd["error"]["line"]' "10"
json_eq '[s["revision"] for s in d["error"]["steps"]]' '["r001","r002"]'
json_eq 'd["error"]["after"]' '["r002"]'
json_eq 'd["error"]["before"]' '[]'
json_eq 'd["error"]["command"]' "upgrade"
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r002"
# From r002, nothing is committed before the failure.
run "$p" --json upgrade head
expect_rc 4
out=$err
json_eq 'd["error"]["steps"]' '[]'
json_eq 'd["error"]["after"]' '["r002"]'
json_eq '"the database is still at r002" in d["error"]["message"]' 'true'
run "$p" -q upgrade head
expect_rc 4
expect_equal "$out" "" "stdout under -q"
expect_err "the database is still at r002"

test_case "the same failure under --single-transaction leaves the database at base"
rm -rf "$p/data"
run "$p" upgrade head --single-transaction
expect_rc 4
expect_err "r003_rev.sql:10:"
expect_err "; nothing of this run was committed (--single-transaction): the database is still at base"
expect_equal "$out" "" "no step printed: none was committed"
expect_sql "$p/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'" "0"
run "$p" --json upgrade head --single-transaction
expect_rc 4
out=$err
json_eq 'd["error"]["steps"]' '[]'
json_eq 'd["error"]["after"]' '[]'

test_case "a syntax error is reported at its statement's line"
s=$(new_project syntax)
write_revision "$s" s1 "" "bad syntax" "CREATE TABLE ok1 (id INTEGER);
CREATE TABLE ok2 (id INTEGER);
CREAT TABLE broken (id INTEGER);" "DROP TABLE ok2; DROP TABLE ok1;"
run "$s" upgrade
expect_rc 4
expect_err "s1_rev.sql:8: revision s1 (upgrade) failed: near \"CREAT\": syntax error"
expect_sql "$s/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'ok%'" "0"

test_case "an irreversible revision stops the downgrade before it changes anything"
i=$(linear_project irreversible 3)
write_revision "$i" r002 r001 "no way back" "CREATE TABLE t2 (id INTEGER);" "-"
run "$i" upgrade head
expect_rc 0
before=$(db_fingerprint "$i/data/app.db")
run "$i" downgrade base
expect_rc 3
expect_err "revision r002 is irreversible"
expect_err "r002_rev.sql"
expect_equal "$(db_fingerprint "$i/data/app.db")" "$before" "database after a refused downgrade"
run "$i" downgrade r002
expect_rc 0
expect_sql "$i/data/app.db" "SELECT version_num FROM dbtool_version" "r002"

test_case "transactional: false runs statements that cannot run in a transaction"
n=$(linear_project nontx 2)
write_revision "$n" r003 r002 "vacuum" "VACUUM;" "VACUUM;" "-- transactional: false"
run "$n" upgrade head
expect_rc 0
expect_sql "$n/data/app.db" "SELECT version_num FROM dbtool_version" "r003"
run "$n" downgrade r002
expect_rc 0
expect_sql "$n/data/app.db" "SELECT version_num FROM dbtool_version" "r002"
run "$n" upgrade head --single-transaction
expect_rc 3
expect_err "cannot run inside --single-transaction"
run "$n" upgrade head --sql
expect_rc 0
expect_out "VACUUM;
BEGIN;"

test_case "VACUUM in a transactional revision fails cleanly"
v=$(new_project vacuum)
write_revision "$v" v1 "" "vacuum in tx" "CREATE TABLE a (id INTEGER); VACUUM;" "DROP TABLE a;"
run "$v" upgrade
expect_rc 4
expect_err "v1_rev.sql"
expect_sql "$v/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name = 'a'" "0"

test_case "a transactional revision cannot commit the runner's transaction"
c=$(new_project commit)
write_revision "$c" c1 "" "sneaky commit" "CREATE TABLE a (id INTEGER);
COMMIT;
CREATE TABLE b (id INTEGER);" "DROP TABLE a;"
run "$c" upgrade
expect_rc 4
expect_err "c1_rev.sql:7: revision c1 (upgrade) failed: transaction control statement"
expect_sql "$c/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'b')" "0"

test_case "a downgrade that fails rolls back and keeps the version"
d=$(linear_project downfail 2)
write_revision "$d" r002 r001 "bad downgrade" "CREATE TABLE t2 (id INTEGER);" "DROP TABLE t2;
DROP TABLE no_such_table;"
run "$d" upgrade head
expect_rc 0
run "$d" downgrade base
expect_rc 4
expect_err "r002_rev.sql:"
expect_err "(downgrade) failed: no such table: no_such_table"
expect_err "; the database is still at r002"
run "$d" --json downgrade base
expect_rc 4
out=$err
json_eq 'd["error"]["command"]' "downgrade"
json_eq 'd["error"]["steps"]' '[]'
json_eq 'd["error"]["after"]' '["r002"]'
expect_sql "$d/data/app.db" "SELECT version_num FROM dbtool_version" "r002"
expect_sql "$d/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name = 't2'" "1"

finish
