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

test_case "the same failure under --single-transaction leaves the database at base"
rm -rf "$p/data"
run "$p" upgrade head --single-transaction
expect_rc 4
expect_err "r003_rev.sql:10:"
expect_sql "$p/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'" "0"

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
expect_sql "$d/data/app.db" "SELECT version_num FROM dbtool_version" "r002"
expect_sql "$d/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name = 't2'" "1"

finish
