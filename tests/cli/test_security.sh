# Security: nothing is written outside the project's folders whatever a message, id or
# label says; a symlink planted where a dump is written is replaced, never followed;
# new files respect the umask; injection attempts in names are quoted or refused.
source "$(dirname "$0")/lib.sh"

test_case "a message cannot steer the revision file out of migrations/"
p=$(new_project traversal)
run "$p" revision -m "../../etc/passwd"
expect_rc 0
expect_equal "$(ls "$p/migrations" | wc -l)" "1" "files in migrations/"
expect_equal "$(find "$TEST_TMP" -name '*passwd*' -not -path "$p/migrations/*" | wc -l)" "0" "files elsewhere"
run "$p" revision -m x --rev-id ../../x
expect_rc 2
expect_one_line_error
run "$p" revision -m x --branch-label "../y"
expect_rc 2
run "$p" revision -m x --rev-id "a/b"
expect_rc 2
expect_equal "$(ls "$p/migrations" | wc -l)" "1" "files in migrations/ after the refused ones"

test_case "dump -o replaces a planted symlink, never writes through it"
d=$(new_project symlink)
write_revision "$d" a1 "" "t" "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('x');" "DROP TABLE t;"
run "$d" upgrade head
printf 'precious\n' >"$TEST_TMP/precious.txt"
ln -s "$TEST_TMP/precious.txt" "$d/out.sql"
run "$d" dump -o "$d/out.sql"
expect_rc 0
expect_equal "$(cat "$TEST_TMP/precious.txt")" "precious" "the symlink's target"
if [ -L "$d/out.sql" ]; then fail "out.sql is still a symlink"; else pass; fi
expect_equal "$(grep -c '^INSERT INTO t ' "$d/out.sql")" "1" "rows of t in the dump written in its place"

test_case "new files respect the umask"
u=$(new_project umask)
(umask 077 && cd "$u" && "$DBTOOL" revision -m private --rev-id p1 >/dev/null)
expect_equal "$(stat -c %a "$u"/migrations/p1_*.sql)" "600" "revision file mode under umask 077"
(umask 022 && cd "$u" && "$DBTOOL" revision -m public --rev-id p2 --head p1 >/dev/null)
expect_equal "$(stat -c %a "$u"/migrations/p2_*.sql)" "644" "revision file mode under umask 022"
run "$u" upgrade head
(umask 077 && cd "$u" && "$DBTOOL" dump -o "$u/private.sql" >/dev/null)
expect_equal "$(stat -c %a "$u/private.sql")" "600" "dump file mode under umask 077"
(umask 022 && cd "$u" && "$DBTOOL" dump -o "$u/public.sql" >/dev/null)
expect_equal "$(stat -c %a "$u/public.sql")" "644" "dump file mode under umask 022"

test_case "injection in --table and seed names is quoted or refused"
i=$(new_project injection)
write_revision "$i" a1 "" "t" "CREATE TABLE victim (id INTEGER PRIMARY KEY); INSERT INTO victim VALUES (1);
CREATE TABLE \"x\"\"; DROP TABLE victim; --\" (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE victim;"
run "$i" upgrade head
run "$i" dump --table "victim; DROP TABLE victim; --"
expect_rc 3
expect_err "no table"
run "$i" dump --table "x\"; DROP TABLE victim; --"
expect_rc 0
printf '{"table": "x\\"; DROP TABLE victim; --", "rows": [{"id": 1, "v": "'"'"'); DROP TABLE victim; --"}]}' >"$TEST_TMP/inject.json"
run "$i" seed "$TEST_TMP/inject.json"
expect_rc 0
expect_sql "$i/data/app.db" "SELECT count(*) FROM victim" "1"
expect_sql "$i/data/app.db" "SELECT v FROM \"x\"\"; DROP TABLE victim; --\"" "'); DROP TABLE victim; --"
run "$i" scan --table "x\"; DROP TABLE victim; --"
expect_rc 0
expect_sql "$i/data/app.db" "SELECT count(*) FROM victim" "1"

test_case "a revision message with SQL in it is data, not SQL"
m=$(new_project message)
write_revision "$m" a1 "" "'); DROP TABLE dbtool_version; --" "CREATE TABLE t (id INTEGER);" "DROP TABLE t;"
run "$m" upgrade head
expect_rc 0
expect_sql "$m/data/app.db" "SELECT message FROM dbtool_history" "'); DROP TABLE dbtool_version; --"
expect_sql "$m/data/app.db" "SELECT version_num FROM dbtool_version" "a1"

finish
