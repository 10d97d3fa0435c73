# status: every revision in graph order with its state (applied, stamped, edited,
# missing, pending) and when it was applied, a summary line, and the same as JSON; exit 0
# whatever it finds.
source "$(dirname "$0")/lib.sh"

# state_lines: "revision state" for each table row of the text output.
state_lines() {
  printf '%s\n' "$out" | awk -F'|' 'NF > 4 && $2 !~ /Revision/ { gsub(/ /, "", $2); gsub(/ /, "", $4); print $2, $4 }'
}

test_case "a new database: everything pending"
p=$(linear_project status 4)
run "$p" status
expect_rc 0
expect_equal "$(printf '%s\n' "$out" | sed -n 1p)" "Database: sqlite:///data/app.db (at base)" "first line"
expect_equal "$(printf '%s\n' "$out" | sed -n 2,4p)" "+----------+-----------+---------+------------+
| Revision | Message   | State   | Applied at |
+----------+-----------+---------+------------+" "table head"
expect_equal "$(state_lines)" "r001 pending
r002 pending
r003 pending
r004 pending" "states"
expect_equal "$(printf '%s\n' "$out" | tail -n 1)" "0 applied, 4 pending" "summary"

test_case "applied with the time the history table recorded, stamped, pending"
run "$p" upgrade r002
run "$p" stamp r003
run "$p" status
expect_rc 0
expect_equal "$(state_lines)" "r001 applied
r002 applied
r003 stamped
r004 pending" "states"
expect_out "(at r003)"
expect_equal "$(printf '%s\n' "$out" | tail -n 1)" "2 applied, 1 stamped, 1 pending" "summary"
applied_at=$(run_sql "$p/data/app.db" "SELECT applied_at FROM dbtool_history WHERE revision = 'r002'")
expect_out "| r002     | create t2 | applied | $applied_at |"
run "$p" --json status
expect_rc 0
json_eq 'd["command"]' "status"
json_eq 'd["current"]' '["r003"]'
json_eq '[(r["revision"], r["state"]) for r in d["revisions"]]' '[["r001","applied"],["r002","applied"],["r003","stamped"],["r004","pending"]]'
json_eq 'd["revisions"][1]["applied_at"]' "$applied_at"
json_eq 'd["revisions"][3]["applied_at"]' 'null'
json_eq 'd["revisions"][0]["file"]' "$p/migrations/r001_rev.sql"
json_eq 'd["summary"]' '{"applied":2,"edited":0,"missing":0,"pending":1,"stamped":1}'

test_case "an edited applied revision, and a version row whose file is gone"
sed -i 's/v TEXT/v TEXT, w TEXT/' "$p/migrations/r001_rev.sql"
run "$p" upgrade head --ignore-checksums
mv "$p/migrations/r004_rev.sql" "$TEST_TMP/r004_rev.sql"
# The graph stays sound (r004 was the head), and the version row r004 names no file (as
# after switching to a branch of the code without it): what lies below it is unknown
# to the graph, so the history table says which revisions were applied.
run "$p" status
expect_rc 0
expect_equal "$(state_lines)" "r001 edited
r002 applied
r003 stamped
r004 missing" "states"
expect_out "| r004     | create t4 | missing |"
expect_equal "$(printf '%s\n' "$out" | tail -n 1)" "1 applied, 1 stamped, 1 edited, 1 missing, 0 pending" "summary"
run "$p" --json status
expect_rc 0
json_eq '[r["state"] for r in d["revisions"]]' '["edited","applied","stamped","missing"]'
json_eq 'd["revisions"][3]["file"]' 'null'
json_eq 'd["revisions"][3]["message"]' "create t4"
json_eq 'd["summary"]["missing"]' '1'
run "$p" -q status
expect_rc 0
expect_equal "$out" "" "-q prints nothing"
mv "$TEST_TMP/r004_rev.sql" "$p/migrations/"

test_case "a revision downgraded since it was applied has no time"
run "$p" downgrade r003
expect_rc 0
run "$p" --json status
json_eq '[(r["revision"], r["state"], r["applied_at"]) for r in d["revisions"][2:]]' '[["r003","stamped","'"$(run_sql "$p/data/app.db" "SELECT applied_at FROM dbtool_history WHERE revision = 'r003'")"'"],["r004","pending",null]]'

test_case "a bad project is an error, and the database is not touched"
b=$(new_project broken)
write_revision "$b" b1 "nosuch" "orphan" "SELECT 1;" "SELECT 1;"
run "$b" status
expect_rc 3
expect_one_line_error
expect_err "nosuch"
expect_equal "$(ls "$b/data" 2>/dev/null)" "" "no database made"

finish
