# check and revision --autogenerate: the differences between the declared models and
# the database, the revision that removes them (ALTER TABLE where SQLite can, a table
# rebuild otherwise), and that a rebuild of a parent table never loses child rows.
source "$(dirname "$0")/lib.sh"

# set_models DIR JSON: the project's only declared model file.
set_models() {
  mkdir -p "$1/schema"
  printf '%s\n' "$2" >"$1/schema/models.json"
}

test_case "the sample project is clean at head"
s="$TEST_TMP/sample"
mkdir -p "$s"
cp -r "$SOURCE_DIR/migrations" "$SOURCE_DIR/schema" "$SOURCE_DIR/dbtool.toml" "$s/"
run "$s" upgrade head
run "$s" check
expect_rc 0
expect_out "OK: the database matches the models"
run "$s" check --json
expect_rc 0
json_eq 'd["ok"]' 'true'
run "$s" revision --autogenerate -m "nothing"
expect_rc 0
expect_out "No changes"
expect_equal "$(ls "$s/migrations" | wc -l)" "$(ls "$SOURCE_DIR/migrations" | wc -l)" "no file for an empty diff"
run "$s" revision --autogenerate --empty -m "empty on purpose" --rev-id empty1
expect_rc 0
expect_out "Created revision empty1"

test_case "a database that is not at head is refused"
run "$s" downgrade -1
run "$s" check
expect_rc 3
expect_err "the database is not at head"
run "$s" revision --autogenerate -m "x"
expect_rc 3
expect_one_line_error

test_case "a rebuild of a parent table keeps every child row (ON DELETE CASCADE)"
p=$(new_project cascade)
write_revision "$p" c1 "" "parent and child" "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE, note TEXT);
INSERT INTO parent (id, name) VALUES (1, 'a'), (2, 'b');
INSERT INTO child (parent_id, note) VALUES (1, 'x'), (1, 'y'), (2, 'z');" "DROP TABLE child; DROP TABLE parent;"
run "$p" upgrade
expect_rc 0
set_models "$p" '{"tables": [
  {"name": "parent", "columns": [
    {"name": "id", "type": "integer", "primary_key": true},
    {"name": "name", "type": "text", "nullable": false, "default": "'"'"'?'"'"'"}]},
  {"name": "child", "columns": [
    {"name": "id", "type": "integer", "primary_key": true},
    {"name": "parent_id", "type": "integer", "nullable": false, "references": "parent.id", "on_delete": "CASCADE"},
    {"name": "note", "type": "text"}]}]}'
run "$p" check
expect_rc 1
expect_out "~ table parent: column name: NULL -> NOT NULL; column name: default none -> '?'"
run "$p" check --sql
expect_rc 1
expect_out "ALTER TABLE _dbtool_new_parent RENAME TO parent;"
run "$p" revision --autogenerate -m "parent name required" --rev-id c2
expect_rc 0
expect_out "Created revision c2"
expect_equal "$(grep -c '^-- foreign_keys: off' "$p/migrations/c2_parent_name_required.sql")" "1" "foreign_keys: off header"
run "$p" upgrade
expect_rc 0
expect_sql "$p/data/app.db" "SELECT count(*) FROM child" "3"
expect_sql "$p/data/app.db" "SELECT group_concat(name) FROM parent" "a,b"
expect_sql "$p/data/app.db" "PRAGMA foreign_key_check" ""
run "$p" check
expect_rc 0
run "$p" downgrade c1
expect_rc 0
expect_sql "$p/data/app.db" "SELECT count(*) FROM child" "3"
run "$p" upgrade --sql c1:head
expect_rc 0
expect_out "PRAGMA foreign_keys = OFF;"
expect_out "pragma_foreign_key_check"

test_case "ALTER TABLE where SQLite allows it, with data kept"
a=$(new_project alter)
write_revision "$a" a1 "" "t" "CREATE TABLE t (id INTEGER PRIMARY KEY, keep TEXT, gone TEXT);
INSERT INTO t (keep, gone) VALUES ('k1', 'g1');" "DROP TABLE t;"
run "$a" upgrade
set_models "$a" '{"tables": [{"name": "t", "columns": [
  {"name": "id", "type": "integer", "primary_key": true},
  {"name": "keep", "type": "text"},
  {"name": "added", "type": "integer", "nullable": false, "default": "7"}],
  "indexes": [{"name": "ix_t_keep", "columns": ["keep"]}]}]}'
run "$a" revision --autogenerate -m "alter" --rev-id a2
expect_rc 0
f="$a/migrations/a2_alter.sql"
expect_equal "$(grep -c 'ALTER TABLE t DROP COLUMN gone;' "$f")" "1" "drop column by ALTER"
expect_equal "$(grep -c 'ALTER TABLE t ADD COLUMN added INTEGER NOT NULL DEFAULT 7;' "$f")" "1" "add column by ALTER"
expect_equal "$(sed -n '/^-- +upgrade/,/^-- +downgrade/p' "$f" | grep -c 'WARNING: destructive')" "1" "destructive drop marked in the upgrade"
expect_equal "$(sed -n '/^-- +downgrade/,$p' "$f" | grep -c 'WARNING: destructive')" "1" "dropping the added column marked in the downgrade"
run "$a" upgrade
expect_rc 0
expect_sql "$a/data/app.db" "SELECT keep, added FROM t" "k1|7"
run "$a" check
expect_rc 0

test_case "a likely rename is named, not silently dropped"
r=$(new_project rename)
write_revision "$r" r1 "" "t" "CREATE TABLE old_name (id INTEGER PRIMARY KEY, v TEXT);" "DROP TABLE old_name;"
run "$r" upgrade
set_models "$r" '{"tables": [{"name": "new_name", "columns": [
  {"name": "id", "type": "integer", "primary_key": true}, {"name": "v", "type": "text"}]}]}'
run "$r" check
expect_rc 1
expect_out "+ table new_name [possible rename of table old_name]"
expect_out "- table old_name (destructive) [possible rename to table new_name]"

test_case "bad models: exit 3, nothing written"
set_models "$r" '{"tables": [{"name": "x", "columns": [{"name": "a", "type": "integer", "references": "missing.id"}]}]}'
before=$(ls "$r/migrations" | wc -l)
run "$r" revision --autogenerate -m "bad"
expect_rc 3
expect_err "foreign key references table 'missing'"
expect_equal "$(ls "$r/migrations" | wc -l)" "$before" "no revision written"

test_case "a large JSON model autogenerates, upgrades and checks clean"
# 200 tables, one value per line: over 64 KB, so the models are cut in two for two
# threads, and the scratch databases are loaded in two halves.
big_models() {
  local k
  printf '{\n  "tables": [\n'
  for ((k = 0; k < 200; k++)); do
    [ "$k" -gt 0 ] && printf '    ,\n'
    printf '    {\n      "name": "t%03d",\n      "columns": [\n' "$k"
    printf '        {\n          "name": "id",\n          "type": "integer",\n          "primary_key": true\n        },\n'
    printf '        {\n          "name": "name",\n          "type": "string(64)",\n          "nullable": false\n        },\n'
    printf '        {\n          "name": "note, \\"quoted\\" [x]",\n          "type": "text"\n        }'
    [ "$k" -gt 0 ] && printf ',\n        {\n          "name": "parent_id",\n          "type": "integer",\n          "references": "t%03d.id"\n        }' $((k - 1))
    printf '\n      ],\n      "indexes": [\n        {\n          "name": "ix_t%03d_name",\n          "columns": [\n            "name"\n          ]\n        }\n      ]\n    }\n' "$k"
  done
  printf '  ]\n}\n'
}
b=$(new_project big)
big_models >"$TEST_TMP/big.json"
set_models "$b" "$(cat "$TEST_TMP/big.json")"
expect_equal "$(($(wc -c <"$b/schema/models.json") > 65536))" 1 "the model is over 64 KB"
run "$b" revision --autogenerate -m "two hundred tables"
expect_rc 0
expect_out "Created revision"
expect_equal "$(grep -c '^CREATE TABLE' "$b"/migrations/*.sql)" 200 "CREATE TABLE statements written"
expect_equal "$(grep -c '^CREATE INDEX' "$b"/migrations/*.sql)" 200 "CREATE INDEX statements written"
run "$b" upgrade head
expect_rc 0
expect_sql "$b/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name LIKE 't%'" 200
expect_sql "$b/data/app.db" "SELECT \"table\" || '.' || \"to\" FROM pragma_foreign_key_list('t199')" "t198.id"
run "$b" check
expect_rc 0
expect_out "OK: the database matches the models"

test_case "an error late in a large JSON model names its line"
line=$(grep -n '"name": "t190"' "$b/schema/models.json" | cut -d: -f1)
sed -i "${line}s/\"name\"/, \"name\"/" "$b/schema/models.json"
before=$(db_fingerprint "$b/data/app.db")
run "$b" check
expect_rc 3
expect_err "models.json:$line: invalid JSON at column"
expect_one_line_error
expect_equal "$(db_fingerprint "$b/data/app.db")" "$before" "the database is unchanged"

test_case "models that declare nothing never drop every table unasked"
e=$(new_project empty_models)
cp "$SOURCE_DIR"/migrations/*.sql "$e/migrations/"
mkdir -p "$e/schema"
run "$e" upgrade head
expect_rc 0
before=$(db_fingerprint "$e/data/app.db")
run "$e" check
expect_rc 3
expect_err "the models declare nothing, so every table of the database (3) would be dropped"
expect_err "--allow-empty-models"
expect_one_line_error
run "$e" revision --autogenerate -m "drop everything"
expect_rc 3
expect_equal "$(ls "$e/migrations" | wc -l)" "6" "no revision written"
expect_equal "$(db_fingerprint "$e/data/app.db")" "$before" "the database is unchanged"
run "$e" check --allow-empty-models
expect_rc 1
expect_out "- table reports (destructive)"
run "$e" revision --autogenerate --allow-empty-models -m "drop everything" --rev-id dropall
expect_rc 0
expect_out "Created revision dropall"

test_case "a schema folder that is missing or cannot be read is an error, never no models"
u=$(new_project unreadable_models)
cp "$SOURCE_DIR"/migrations/*.sql "$u/migrations/"
run "$u" upgrade head
expect_rc 0
before=$(db_fingerprint "$u/data/app.db")
rm -rf "$u/schema"
run "$u" check
expect_rc 3
expect_err "$u/schema: schema folder not found"
expect_one_line_error
printf 'not a folder\n' >"$u/schema"
run "$u" revision --autogenerate -m "from a file"
expect_rc 3
expect_err "schema folder not found"
expect_equal "$(ls "$u/migrations" | wc -l)" "6" "no revision written"
rm "$u/schema"
# Permissions mean nothing to root, who reads a chmod 000 folder.
if [ "$(id -u)" -ne 0 ]; then
  mkdir "$u/schema"
  chmod 000 "$u/schema"
  run "$u" check
  expect_rc 3
  expect_err "cannot read the schema folder"
  chmod 755 "$u/schema"
fi
expect_equal "$(db_fingerprint "$u/data/app.db")" "$before" "the database is unchanged"

finish
