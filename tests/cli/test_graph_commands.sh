# The commands that read and extend the revision graph: heads, branches, history, show,
# current, revision and merge, in human form and with --json.
source "$(dirname "$0")/lib.sh"

# expect_lines EXPECTED: stdout is exactly EXPECTED.
expect_lines() { expect_equal "$out" "$1" "stdout"; }
count_files() { ls "$1/migrations" | grep -c '\.sql$'; }

test_case "history of a linear project: newest first, Alembic's line format"
p=$(linear_project linear 3)
p=$(cd "$p" && pwd -P)
run "$p" history
expect_rc 0
expect_lines "r002 -> r003 (head), create t3
r001 -> r002, create t2
<base> -> r001, create t1"
expect_equal "$(ls "$p")" "$(printf 'dbtool.toml\nmigrations')" "history opens no database"
run "$p" history -r base:head
expect_rc 0
expect_lines "r002 -> r003 (head), create t3
r001 -> r002, create t2
<base> -> r001, create t1"
run "$p" history -r r002:
expect_rc 0
expect_lines "r002 -> r003 (head), create t3
r001 -> r002, create t2"
run "$p" history -r :r002
expect_rc 0
expect_lines "r001 -> r002, create t2
<base> -> r001, create t1"
run "$p" history -r r002:r002
expect_rc 0
expect_lines "r001 -> r002, create t2"
run "$p" history -r r002:r003
expect_rc 0
expect_lines "r002 -> r003 (head), create t3
r001 -> r002, create t2"

test_case "history relative to the database: current:, :current, --indicate-current"
run "$p" upgrade r002
expect_rc 0
run "$p" history -r current:
expect_rc 0
expect_lines "r002 -> r003 (head), create t3
r001 -> r002, create t2"
run "$p" history -r :current
expect_rc 0
expect_lines "r001 -> r002, create t2
<base> -> r001, create t1"
run "$p" history -r -1:current
expect_rc 0
expect_lines "r001 -> r002, create t2
<base> -> r001, create t1"
run "$p" history --indicate-current
expect_rc 0
expect_lines "r002 -> r003 (head), create t3
r001 -> r002 (current), create t2
<base> -> r001, create t1"
run "$p" history -i -r current:
expect_rc 0
expect_lines "r002 -> r003 (head), create t3
r001 -> r002 (current), create t2"
run "$p" --json history --indicate-current
expect_rc 0
json_eq 'd["command"]' "history"
json_eq '[r["revision"] for r in d["revisions"]]' '["r003","r002","r001"]'
json_eq '[r["is_current"] for r in d["revisions"]]' '[false,true,false]'
json_eq '[r["is_head"] for r in d["revisions"]]' '[true,false,false]'
json_eq '[r["down_revisions"] for r in d["revisions"]]' '[["r002"],["r001"],[]]'
json_eq 'd["revisions"][0]["message"]' "create t3"
json_eq 'd["revisions"][0]["path"]' "$p/migrations/r003_rev.sql"
json_eq 'sorted(d["revisions"][0])' '["branch_labels","created","depends_on","down_revisions","is_branch_point","is_current","is_head","is_merge_point","message","path","reversible","revision","transactional"]'
run "$p" --json history -r r002:
expect_rc 0
json_eq '[r["revision"] for r in d["revisions"]]' '["r003","r002"]'
json_eq '"is_current" in d["revisions"][0]' 'false'

test_case "history --verbose"
run "$p" history --verbose -r r003:
expect_rc 0
expect_out "Revision: r003 (head)"
expect_out "Parent: r002"
expect_out "Path: $p/migrations/r003_rev.sql"
expect_out "    create t3"
expect_no_out "r001"
run "$p" history --verbose --indicate-current -r r002:r002
expect_rc 0
expect_out "Revision: r002 (current)"
expect_out "Parent: r001"

test_case "an inverted range is an error, as in Alembic"
run "$p" history -r r003:r001
expect_rc 3
expect_one_line_error
expect_err "r003"
expect_err "r001"
run "$p" history -r head:base
expect_rc 3
expect_one_line_error

test_case "current and current --verbose"
run "$p" current
expect_rc 0
expect_lines "r002"
run "$p" current --verbose
expect_rc 0
expected_url=$(sed -n 's/^url = "\(.*\)"$/\1/p' "$p/dbtool.toml" | sed -E 's|(://[^:/@]*):[^@]*@|\1:***@|')
expect_out "Current revision(s) for $expected_url:"
expect_out "Revision: r002"
expect_out "Parent: r001"
expect_out "Path: $p/migrations/r002_rev.sql"
expect_out "    create t2"
run "$p" -v current
expect_rc 0
expect_out "Revision: r002"
run "$p" upgrade
run "$p" current
expect_lines "r003 (head)"
run "$p" --json current
expect_rc 0
json_eq 'd["command"]' "current"
json_eq 'd["url"]' "$expected_url"
json_eq '[r["revision"] for r in d["current"]]' '["r003"]'
json_eq 'd["current"][0]["is_head"]' 'true'

test_case "a branched graph: heads, branches, history markers"
b=$(new_project branched)
b=$(cd "$b" && pwd -P)
write_revision "$b" 1a2b3c4d5e6f "" "base" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
write_revision "$b" 2b3c4d5e6f70 "1a2b3c4d5e6f" "left" "CREATE TABLE l (id INTEGER PRIMARY KEY);" "DROP TABLE l;" "-- branch_labels: left"
write_revision "$b" 3c4d5e6f7081 "1a2b3c4d5e6f" "right" "CREATE TABLE r (id INTEGER PRIMARY KEY);" "-"
run "$b" heads
expect_rc 0
expect_lines "2b3c4d5e6f70 (head)
3c4d5e6f7081 (head)"
run "$b" --json heads
expect_rc 0
json_eq 'd["command"]' "heads"
json_eq '[h["revision"] for h in d["heads"]]' '["2b3c4d5e6f70","3c4d5e6f7081"]'
json_eq '[h["branch_labels"] for h in d["heads"]]' '[["left"],[]]'
json_eq '[h["reversible"] for h in d["heads"]]' '[true,false]'
run "$b" heads --verbose
expect_rc 0
expect_out "Revision: 2b3c4d5e6f70 (head)"
expect_out "Branch labels: left"
expect_out "Irreversible: no downgrade section"
run "$b" branches
expect_rc 0
expect_lines "<base> -> 1a2b3c4d5e6f (branchpoint), base
  -> 2b3c4d5e6f70 (head), left
  -> 3c4d5e6f7081 (head), right"
run "$b" --json branches
expect_rc 0
json_eq 'd["command"]' "branches"
json_eq '[(x["revision"], x["children"], x["is_branch_point"]) for x in d["branch_points"]]' '[["1a2b3c4d5e6f",["2b3c4d5e6f70","3c4d5e6f7081"],true]]'
run "$b" history
expect_rc 0
expect_equal "$(printf '%s\n' "$out" | tail -n 1)" "<base> -> 1a2b3c4d5e6f (branchpoint), base" "oldest last"
expect_out "1a2b3c4d5e6f -> 2b3c4d5e6f70 (head), left"
expect_out "1a2b3c4d5e6f -> 3c4d5e6f7081 (head), right"
expect_equal "$(printf '%s\n' "$out" | wc -l)" "3" "history lines"
run "$b" history -r left:
expect_rc 0
expect_lines "1a2b3c4d5e6f -> 2b3c4d5e6f70 (head), left"
run "$p" branches
expect_rc 0
expect_lines ""
run "$p" --json branches
json_eq 'd["branch_points"]' '[]'

test_case "show: whole revision, prefixes, labels, --json"
run "$b" show 2b3c
expect_rc 0
expect_out "Revision: 2b3c4d5e6f70 (head)"
expect_out "Parent: 1a2b3c4d5e6f"
expect_out "Branch labels: left"
expect_out "Path: $b/migrations/2b3c4d5e6f70_rev.sql"
expect_out "    left"
expect_out "-- +upgrade
CREATE TABLE l (id INTEGER PRIMARY KEY);"
expect_out "-- +downgrade
DROP TABLE l;"
run "$b" show left
expect_rc 0
expect_out "Revision: 2b3c4d5e6f70 (head)"
run "$b" show left@head
expect_rc 0
expect_out "Revision: 2b3c4d5e6f70"
run "$b" show 3c4d5e6f7081
expect_rc 0
expect_out "Irreversible: no downgrade section"
expect_no_out "-- +downgrade"
run "$b" show 1a2b3c4d5e6f
expect_rc 0
expect_out "Revision: 1a2b3c4d5e6f (branchpoint)"
expect_out "Parent: <base>"
run "$b" show 1a2
expect_rc 3
expect_one_line_error
expect_err "at least 4 characters"
run "$b" show head
expect_rc 3
expect_one_line_error
expect_err "2b3c4d5e6f70, 3c4d5e6f7081"
run "$b" show heads
expect_rc 3
expect_one_line_error
run "$b" show base
expect_rc 3
expect_one_line_error
run "$b" --json show 2b3c
expect_rc 0
json_eq 'd["revision"]' "2b3c4d5e6f70"
json_eq 'd["down_revisions"]' '["1a2b3c4d5e6f"]'
json_eq 'd["branch_labels"]' '["left"]'
json_eq 'd["message"]' "left"
json_eq 'd["transactional"]' 'true'
json_eq '"CREATE TABLE l (id INTEGER PRIMARY KEY);" in d["upgrade"] and "DROP" not in d["upgrade"]' 'true'
json_eq 'd["downgrade"].strip()' "DROP TABLE l;"
# The checksum is the SHA-256 of the upgrade section, recomputed here from the file.
sum=$("$PY" -c '
import hashlib, sys
text = open(sys.argv[1], newline="").read()
up = text.split("-- +upgrade\n", 1)[1].split("-- +downgrade\n", 1)[0]
print(hashlib.sha256(up.replace("\r\n", "\n").encode()).hexdigest())' "$b/migrations/2b3c4d5e6f70_rev.sql")
json_eq 'd["checksum"]' "$sum"
json_eq 'len(d["checksum"])' '64'
run "$b" --json show 3c4d
expect_rc 0
json_eq 'd["downgrade"]' 'null'
json_eq 'd["reversible"]' 'false'
json_eq 'd["upgrade"].strip()' "CREATE TABLE r (id INTEGER PRIMARY KEY);"

test_case "revision -m on a single head writes the documented header"
run "$p" revision -m "Add reports: table & index!" --rev-id 3f2a9c1b7d4e
expect_rc 0
f="$p/migrations/3f2a9c1b7d4e_add_reports_table_index.sql"
expect_out "Created revision 3f2a9c1b7d4e at $f"
expect_equal "$(test -f "$f" && echo yes)" "yes" "file named <id>_<slug>.sql"
expect_equal "$(sed -n 1,3p "$f")" "-- revision: 3f2a9c1b7d4e
-- down_revision: r003
-- message: Add reports: table & index!" "header start"
expect_equal "$(sed -n 4p "$f" | grep -cE '^-- created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$')" "1" "created line"
expect_equal "$(sed -n '5,$p' "$f" | sed 's/[[:space:]]*$//')" "-- branch_labels:
-- depends_on:
-- transactional: true

-- +upgrade

-- +downgrade" "rest of the file"
expect_equal "$(grep -c '[[:space:]]$' "$f")" "0" "no trailing white space in a generated file"
run "$p" history -r r003:
expect_rc 0
expect_lines "r003 -> 3f2a9c1b7d4e (head), Add reports: table & index!
r002 -> r003, create t3"
run "$p" upgrade
expect_rc 0
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "3f2a9c1b7d4e"

test_case "revision: random ids, --json, refusals"
run "$p" --json revision -m "second one"
expect_rc 0
json_eq 'd["command"]' "revision"
json_eq 'd["down_revisions"]' '["3f2a9c1b7d4e"]'
new_id=$(printf '%s' "$out" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["revision"])')
expect_equal "$(printf '%s' "$new_id" | grep -cE '^[0-9a-f]{12}$')" "1" "default id: 12 hex digits"
json_eq 'd["path"]' "$p/migrations/${new_id}_second_one.sql"
run "$p" heads
expect_lines "$new_id (head)"
n=$(count_files "$p")
run "$p" revision -m "again" --rev-id "$new_id"
expect_rc 3
expect_one_line_error
expect_err "$new_id"
expect_err "already exists"
run "$p" revision -m "again" --rev-id r001
expect_rc 3
expect_err "r001"
run "$p" revision -m "bad id" --rev-id "bad-id"
expect_rc 2
expect_one_line_error
expect_err "bad-id"
run "$p" revision -m "bad label" --branch-label "no good"
expect_rc 2
expect_one_line_error
run "$p" revision -m "two
lines"
expect_rc 2
expect_one_line_error
run "$p" revision -m "unknown parent" --head nosuch1
expect_rc 3
expect_err "nosuch1"
run "$p" revision -m "unknown dependency" --depends-on nosuch1
expect_rc 3
expect_err "nosuch1"
run "$p" --json revision -m "x" --rev-id r002
expect_rc 3
expect_equal "$(printf '%s' "$err" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["error"]["kind"])' 2>&1)" "project" "JSON error kind"
expect_equal "$(count_files "$p")" "$n" "no file written by a refused revision"
expect_equal "$(ls -A "$p/migrations" | grep -c '^\.')" "0" "no temporary file left behind"

test_case "revision with several heads, --head, --splice, --head base"
n=$(count_files "$b")
run "$b" revision -m "where"
expect_rc 3
expect_one_line_error
expect_err "2b3c4d5e6f70"
expect_err "3c4d5e6f7081"
expect_equal "$(count_files "$b")" "$n" "no file written"
run "$b" revision -m "on left" --head 2b3c --rev-id left2
expect_rc 0
expect_equal "$(sed -n 2p "$b/migrations/left2_on_left.sql")" "-- down_revision: 2b3c4d5e6f70" "parent from --head prefix"
run "$b" revision -m "on left again" --head left@head --rev-id left3
expect_rc 0
expect_equal "$(sed -n 2p "$b/migrations/left3_on_left_again.sql")" "-- down_revision: left2" "parent from label@head"
run "$b" revision -m "not a head" --head 1a2b3c4d5e6f --rev-id spliced
expect_rc 3
expect_one_line_error
expect_err "1a2b3c4d5e6f"
expect_err "--splice"
expect_equal "$(test -e "$b/migrations/spliced_not_a_head.sql" && echo yes || echo no)" "no" "nothing written"
run "$b" revision -m "spliced" --head 1a2b3c4d5e6f --splice --rev-id spliced
expect_rc 0
expect_equal "$(sed -n 2p "$b/migrations/spliced_spliced.sql")" "-- down_revision: 1a2b3c4d5e6f" "spliced parent"
run "$b" revision -m "new root" --head base --rev-id root2 --branch-label other
expect_rc 0
expect_equal "$(sed -n 2p "$b/migrations/root2_new_root.sql" | sed 's/[[:space:]]*$//')" "-- down_revision:" "a new root has no parent"
expect_equal "$(sed -n 5p "$b/migrations/root2_new_root.sql")" "-- branch_labels: other" "branch label written"
run "$b" revision -m "depends" --head other@head --depends-on 3c4d --rev-id dep1
expect_rc 0
expect_equal "$(sed -n 2p "$b/migrations/dep1_depends.sql")" "-- down_revision: root2" "parent from the label"
expect_equal "$(sed -n 6p "$b/migrations/dep1_depends.sql")" "-- depends_on: 3c4d5e6f7081" "dependency written as a full id"
run "$b" --json heads
expect_rc 0
json_eq 'sorted(h["revision"] for h in d["heads"])' '["3c4d5e6f7081","dep1","left3","spliced"]'
run "$b" history -r other:
expect_rc 0
expect_lines "root2 -> dep1 (head), depends
<base> -> root2, new root"
run "$b" show dep1
expect_out "Depends on: 3c4d5e6f7081"
run "$b" show other
expect_out "Revision: root2"
# The written files load back: the whole graph upgrades. 3c4d5e6f7081 is a head, but
# dep1 depends on it, so dep1's row stands for it, as in Alembic (which writes the same
# rows for this graph).
run "$b" upgrade heads
expect_rc 0
expect_sql "$b/data/app.db" "SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM dbtool_version ORDER BY 1) v" \
  "dep1,left3,spliced"
run "$b" current
expect_no_out "3c4d5e6f7081"
run "$b" upgrade heads
expect_rc 0
expect_out "Nothing to do"

test_case "merge"
m=$(new_project merging)
m=$(cd "$m" && pwd -P)
write_revision "$m" base1 "" "base" "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
write_revision "$m" left1 "base1" "left" "CREATE TABLE l (id INTEGER PRIMARY KEY);" "DROP TABLE l;"
write_revision "$m" right1 "base1" "right" "CREATE TABLE r (id INTEGER PRIMARY KEY);" "DROP TABLE r;"
write_revision "$m" third1 "base1" "third" "CREATE TABLE t (id INTEGER PRIMARY KEY);" "DROP TABLE t;"
run "$m" merge left1 base1 -m "pointless"
expect_rc 3
expect_one_line_error
expect_err "base1"
expect_err "left1"
run "$m" merge left1 left1 -m "one"
expect_rc 3
expect_one_line_error
run "$m" merge left1 -m "one"
expect_rc 3
expect_one_line_error
run "$m" merge left1 nosuch1 -m "unknown"
expect_rc 3
expect_err "nosuch1"
expect_equal "$(count_files "$m")" "4" "no file written by a refused merge"
run "$m" merge left1 rig -m "short prefix"
expect_rc 3
expect_err "at least 4 characters"
# Parents may be named by unique prefixes; the file names them in full.
run "$m" merge left righ -m "join two" --rev-id join2
expect_rc 0
expect_out "Created merge revision join2 at $m/migrations/join2_join_two.sql"
expect_equal "$(sed -n 2p "$m/migrations/join2_join_two.sql")" "-- down_revision: left1, right1" "merge parents"
run "$m" history -r join2:
expect_rc 0
expect_lines "left1, right1 -> join2 (head) (mergepoint), join two"
run "$m" --json merge heads -m "join all" --rev-id joinall
expect_rc 0
json_eq 'd["command"]' "merge"
json_eq 'd["revision"]' "joinall"
json_eq 'sorted(d["down_revisions"])' '["join2","third1"]'
json_eq 'd["path"]' "$m/migrations/joinall_join_all.sql"
run "$m" heads
expect_rc 0
expect_lines "joinall (head) (mergepoint)"
run "$m" merge heads -m "nothing to merge"
expect_rc 3
expect_one_line_error
run "$m" merge joinall join2 -m "with ancestor"
expect_rc 3
expect_one_line_error
expect_err "join2"
expect_err "joinall"
run "$m" --json show joinall
json_eq 'd["is_merge_point"]' 'true'
run "$m" upgrade
expect_rc 0
expect_sql "$m/data/app.db" "SELECT version_num FROM dbtool_version" "joinall"
expect_sql "$m/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'l', 'r', 't')" "4"

finish
