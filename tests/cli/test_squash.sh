# dbtool squash FROM TO -m MSG: one revision (with TO's id) replaces a linear run; it
# builds the same schema, databases at TO stay valid, and every refusal leaves the
# files and the database as they were. Runs on SQLite and (DBTOOL_TEST_BACKEND=postgres)
# on PostgreSQL.
source "$(dirname "$0")/lib.sh"

# A project: s1 creates a parent, s2 a child with a foreign key, s3 an index and a
# column, s4 a view, s5 drops a column (a rebuild on SQLite).
squash_project() {
  local p
  p=$(new_project "$1")
  write_revision "$p" s1 "" "parents" "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL, legacy TEXT);" "DROP TABLE parent;"
  write_revision "$p" s2 s1 "children" "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE, label TEXT);" "DROP TABLE child;"
  write_revision "$p" s3 s2 "index and column" "CREATE INDEX ix_child_parent ON child (parent_id);
ALTER TABLE parent ADD COLUMN rank INTEGER NOT NULL DEFAULT 0;" "DROP INDEX ix_child_parent;
ALTER TABLE parent DROP COLUMN rank;"
  write_revision "$p" s4 s3 "view" "CREATE VIEW named AS SELECT id, name FROM parent;" "DROP VIEW named;"
  write_revision "$p" s5 s4 "drop legacy" "ALTER TABLE parent DROP COLUMN legacy;" "ALTER TABLE parent ADD COLUMN legacy TEXT;"
  echo "$p"
}

# schema_of DIR: the schema a fresh database gets from DIR's revisions (dbtool's own scan).
schema_of() {
  (cd "$1" && "$DBTOOL" scan --format json)
}

test_case "squash s2..s4: same schema from base, databases at s4 stay valid"
p=$(squash_project squashed)
reference=$(squash_project reference)
run "$reference" upgrade head
expect_rc 0
expected_schema=$(schema_of "$reference")
run "$p" upgrade s4
expect_rc 0
run_sql "$p/data/app.db" "INSERT INTO parent (id, name, rank) VALUES (1, 'p', 2); INSERT INTO child (id, parent_id, label) VALUES (10, 1, 'c');" >/dev/null
run "$p" squash s2 s4 -m "children, index, view"
expect_rc 0
expect_out "Squashed 3 revisions (s2..s4) into s4"
expect_equal "$(ls "$p/migrations" | sort | tr '\n' ' ')" "s1_rev.sql s4_children_index_view.sql s5_rev.sql " "revision files after the squash"
expect_equal "$(grep '^-- squashes:' "$p/migrations/s4_children_index_view.sql")" "-- squashes: s2, s3" "squashes header"
expect_equal "$(grep '^-- down_revision:' "$p/migrations/s4_children_index_view.sql")" "-- down_revision: s1" "new parent"
run "$p" validate
expect_rc 0
run "$p" history
expect_out "s1 -> s4"
expect_out "s4 -> s5 (head)"
run "$p" upgrade head
expect_rc 0
expect_sql "$p/data/app.db" "SELECT id, parent_id, label FROM child" "10|1|c"
expect_equal "$(schema_of "$p")" "$expected_schema" "schema of the database at s4 upgraded to head"
# A fresh database built through the squashed revision has exactly the same schema.
fresh=$(new_project fresh)
cp "$p"/migrations/*.sql "$fresh/migrations/"
run "$fresh" upgrade head
expect_rc 0
expect_equal "$(schema_of "$fresh")" "$expected_schema" "schema of a fresh database through the squash"
run "$fresh" downgrade base
expect_rc 0
expect_sql "$fresh/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name IN ('parent', 'child', 'named')" "0"

test_case "--json lists what was replaced"
j=$(squash_project json)
run "$j" --json squash s1 s3 -m "first three"
expect_rc 0
json_eq 'd["replaced"]' '["s1","s2","s3"]'
json_eq 'd["revision"]' 's3'
json_eq 'd["removed"][0].endswith("s1_rev.sql")' 'true'

test_case "a database inside the run: refused, nothing changed"
q=$(squash_project inside)
run "$q" upgrade s3
expect_rc 0
before=$(ls "$q/migrations" | sort | tr '\n' ' ')
run "$q" squash s2 s4 -m "no"
expect_rc 3
expect_err "the database is at s3, inside s2..s4"
expect_one_line_error
expect_equal "$(ls "$q/migrations" | sort | tr '\n' ' ')" "$before" "files after a refused squash"
expect_sql "$q/data/app.db" "SELECT version_num FROM dbtool_version" "s3"

test_case "a database left at a squashed revision is told what happened"
l=$(squash_project left)
run "$l" squash s2 s4 -m "later"
expect_rc 0
# Another database (here: a stamp written by hand) still at s3.
l2=$(new_project left_db)
cp "$l"/migrations/*.sql "$l2/migrations/"
run "$l2" stamp s1
expect_rc 0
run_sql "$l2/data/app.db" "UPDATE dbtool_version SET version_num = 's3'" >/dev/null
run "$l2" upgrade head
expect_rc 3
expect_err "the database is at revision s3, which \`dbtool squash\` folded into s4"
expect_one_line_error

test_case "data statements: refused unless --force"
d=$(squash_project data)
write_revision "$d" s6 s5 "fill" "INSERT INTO parent (id, name) VALUES (1, 'seeded');" "DELETE FROM parent WHERE id = 1;"
before=$(cat "$d"/migrations/*.sql | sha256sum)
run "$d" squash s4 s6 -m "with data"
expect_rc 3
expect_err "revision s6"
expect_err "runs a data statement"
expect_err "INSERT INTO parent"
expect_one_line_error
expect_equal "$(cat "$d"/migrations/*.sql | sha256sum)" "$before" "files after a refused squash"
run "$d" squash s4 s6 -m "with data" --force
expect_rc 0
expect_equal "$(grep -c seeded "$d/migrations/s6_with_data.sql")" "0" "the forced squash drops the data statement"

test_case "not a linear run: a branch, a dependency, an unknown or reversed range"
b=$(squash_project branch)
write_revision "$b" x1 s2 "side branch" "CREATE TABLE side (id INTEGER);" "DROP TABLE side;"
run "$b" squash s1 s4 -m "no"
expect_rc 3
expect_err "revision s2 has another child, x1"
run "$b" squash s1 nope -m "no"
expect_rc 3
expect_err "nope"
run "$b" squash s4 s2 -m "no"
expect_rc 3
expect_err "revision s4 is not an ancestor of s2"
run "$b" squash s3 s3 -m "no"
expect_rc 3
expect_err "nothing to squash"
dep=$(squash_project depends)
write_revision "$dep" y1 s5 "needs s3" "CREATE TABLE y (id INTEGER);" "DROP TABLE y;" "-- depends_on: s3"
run "$dep" squash s2 s4 -m "no"
expect_rc 3
expect_err "revision y1 depends on s3, which the squash would remove"
run "$dep" squash s2 s4
expect_rc 2

test_case "a revision that fails on the scratch database names its file and line"
f=$(squash_project failing)
write_revision "$f" s6 s5 "broken" "CREATE TABLE ok (id INTEGER);
CREATE TABLE broken (id INTEGER REFERENCES);" "-"
run "$f" squash s5 s6 -m "no"
expect_rc 3
expect_err "s6_rev.sql:"
expect_err "revision s6 fails on a scratch database"
expect_one_line_error

test_case "a squash whose files cannot be written or renamed changes nothing"
w=$(squash_project unwritable)
run "$w" upgrade head
expect_rc 0
fingerprint() { (cd "$1/migrations" && find . -mindepth 1 -printf '%p %y %s\n' | sort && find . -type f -exec sha256sum {} + | sort); }
# The new revision is first written beside, under a hidden name: make that impossible.
mkdir -p "$w/migrations/.dbtool-squash-s4.tmp/x"
before=$(fingerprint "$w")
run "$w" squash s2 s4 -m "children, index, view"
expect_rc 3
expect_err ".dbtool-squash-s4.tmp: cannot write: Is a directory; nothing was changed"
expect_one_line_error
expect_equal "$(fingerprint "$w")" "$before" "files after a failed write"
rm -r "$w/migrations/.dbtool-squash-s4.tmp"
# Written and swapped for s4's file, it cannot take its own name: everything is put back.
mkdir -p "$w/migrations/s4_children_index_view.sql/x"
before=$(fingerprint "$w")
run "$w" squash s2 s4 -m "children, index, view"
expect_rc 3
expect_err "cannot rename s4_rev.sql to s4_children_index_view.sql"
expect_err "; nothing was changed"
expect_one_line_error
expect_equal "$(fingerprint "$w")" "$before" "files after a failed rename"
run "$w" validate
expect_rc 0
rm -r "$w/migrations/s4_children_index_view.sql"
# A migrations folder the user cannot write to (root writes anyway: run as nobody).
as_user=()
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
  setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
  as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
  chmod 755 "$TEST_TMP"
  chown -R nobody:nogroup "$w"
fi
if [ "$(id -u)" -ne 0 ] || [ ${#as_user[@]} -gt 0 ]; then
  chmod 555 "$w/migrations"
  before=$(fingerprint "$w")
  last_command="(cd $w && dbtool squash s2 s4 -m ...) with migrations/ read-only"
  (cd "$w" && "${as_user[@]}" "$DBTOOL" squash s2 s4 -m "children, index, view") >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
  rc=$?
  out=$(cat "$TEST_TMP/.out")
  err=$(cat "$TEST_TMP/.err")
  expect_rc 3
  expect_err "cannot write: Permission denied; nothing was changed"
  expect_one_line_error
  expect_equal "$(fingerprint "$w")" "$before" "files after a squash into a read-only folder"
  chmod 755 "$w/migrations"
else
  echo "skipped: a read-only migrations/ needs a non-root user or setpriv" >&2
fi
run "$w" squash s2 s4 -m "children, index, view"
expect_rc 0
expect_equal "$(ls "$w/migrations" | sort | tr '\n' ' ')" "s1_rev.sql s4_children_index_view.sql s5_rev.sql " "files once the squash can run"

test_case "an irreversible revision keeps the squash irreversible"
i=$(squash_project irreversible)
write_revision "$i" s6 s5 "one way" "CREATE TABLE oneway (id INTEGER);" "-"
run "$i" squash s5 s6 -m "one way too"
expect_rc 0
expect_equal "$(grep -c -- '-- +downgrade' "$i/migrations/s6_one_way_too.sql")" "0" "no downgrade section"

finish
