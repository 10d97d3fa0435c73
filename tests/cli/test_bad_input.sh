# Bad input of every kind: each gets its documented exit code (2 usage, 3 project,
# 4 database), a one-line error that names the file and line or the revision, a
# JSON error under --json, and leaves the database byte-identical.
source "$(dirname "$0")/lib.sh"

# expect_json_error KIND FILE LINE [MESSAGE_PART]: stderr is exactly one line holding
# {"error": {"kind", "message", "file", "line"}}; FILE and LINE "-" mean null. stdout is empty.
expect_json_error() {
  local got
  got=$(printf '%s' "$err" | "$PY" -c '
import json, sys
lines = [l for l in sys.stdin.read().split("\n") if l.strip()]
if len(lines) != 1:
    print("%d lines on stderr" % len(lines)); sys.exit()
try:
    doc = json.loads(lines[0])
except ValueError as e:
    print("not JSON: %s" % e); sys.exit()
if list(doc) != ["error"] or sorted(doc["error"]) != ["file", "kind", "line", "message"]:
    print("wrong shape: %s" % sorted(doc.get("error", doc))); sys.exit()
e = doc["error"]
part = sys.argv[1]
ok = isinstance(e["message"], str) and part in e["message"] and "\n" not in e["message"]
print("%s|%s|%s|%s" % (e["kind"], "-" if e["file"] is None else e["file"],
                       "-" if e["line"] is None else e["line"], "message ok" if ok else "message: " + repr(e["message"])))
' "${4:-}" 2>&1)
  expect_equal "$got" "$1|$2|$3|message ok" "JSON error"
  expect_equal "$out" "" "stdout under a --json error"
}

# A project at r002 of three revisions: every bad input below must leave its database alone.
p=$(linear_project bad 3)
p=$(cd "$p" && pwd -P)
db="$p/data/app.db"
run "$p" upgrade r002
expect_rc 0
expect_sql "$db" "SELECT version_num FROM dbtool_version" "r002"
before=$(db_fingerprint "$db")

# expect_refused RC NEEDLE...: exit RC, one line on stderr holding every NEEDLE, nothing on
# stdout, and the database byte-identical.
expect_refused() {
  local code=$1 needle
  shift
  expect_rc "$code"
  expect_one_line_error
  for needle in "$@"; do expect_err "$needle"; done
  expect_equal "$out" "" "stdout of a failed command"
  expect_equal "$(db_fingerprint "$db")" "$before" "database unchanged"
}

# malformed NAME LINE NEEDLE CONTENT: with revision file NAME holding CONTENT, upgrade and
# (with --json) downgrade fail with exit 3 naming NAME:LINE; the file is removed afterwards.
malformed() {
  local name=$1 line=$2 needle=$3 file="$p/migrations/$1"
  printf '%s' "$4" >"$file"
  run "$p" upgrade
  expect_refused 3 "$file:$line: " "$needle"
  run "$p" --json downgrade base
  expect_rc 3
  expect_json_error project "$file" "$line" "$needle"
  rm -f "$file"
}

test_case "malformed revision headers"
malformed zz_norev.sql 1 "missing '-- revision:' header" $'-- down_revision: r003\n-- message: no id\n\n-- +upgrade\nSELECT 1;\n'
malformed zz_nomarker.sql 1 "missing '-- +upgrade' marker" $'-- revision: nomark1\n-- down_revision: r003\n-- message: no marker\n'
malformed zz_empty.sql 1 "missing '-- revision:' header" ''
malformed zz_downfirst.sql 5 "'-- +downgrade' before '-- +upgrade'" \
  $'-- revision: downfirst1\n-- down_revision: r003\n-- message: swapped\n\n-- +downgrade\nDROP TABLE x;\n\n-- +upgrade\nCREATE TABLE x (id INTEGER);\n'
malformed zz_sqlfirst.sql 4 "SQL before the '-- +upgrade' marker" \
  $'-- revision: sqlfirst1\n-- down_revision: r003\n\nCREATE TABLE x (id INTEGER);\n-- +upgrade\nSELECT 1;\n'
malformed zz_typo.sql 2 "unknown header key 'down_revison'" \
  $'-- revision: typo1\n-- down_revison: r003\n-- message: typo\n\n-- +upgrade\nSELECT 1;\n'
malformed zz_maybe.sql 4 "transactional must be true or false, not 'maybe'" \
  $'-- revision: maybe1\n-- down_revision: r003\n-- message: maybe\n-- transactional: maybe\n\n-- +upgrade\nSELECT 1;\n'
malformed zz_dash.sql 1 "invalid revision id 'bad-id'" $'-- revision: bad-id\n-- down_revision: r003\n\n-- +upgrade\nSELECT 1;\n'
malformed zz_space.sql 1 "invalid revision id 'bad id'" $'-- revision: bad id\n-- down_revision: r003\n\n-- +upgrade\nSELECT 1;\n'
malformed zz_long.sql 1 "invalid revision id" "-- revision: $(printf 'a%.0s' {1..65})"$'\n-- down_revision: r003\n\n-- +upgrade\nSELECT 1;\n'
malformed zz_badparent.sql 2 "invalid revision id 'r00\$' in down_revision" \
  $'-- revision: badparent1\n-- down_revision: r00$\n\n-- +upgrade\nSELECT 1;\n'
malformed zz_dupkey.sql 4 "duplicate header key 'message'" \
  $'-- revision: dupkey1\n-- down_revision: r003\n-- message: one\n-- message: two\n\n-- +upgrade\nSELECT 1;\n'
malformed zz_twoup.sql 6 "second '-- +upgrade' marker" \
  $'-- revision: twoup1\n-- down_revision: r003\n\n-- +upgrade\nSELECT 1;\n-- +upgrade\nSELECT 2;\n'
malformed zz_self.sql 1 "names itself as down_revision" $'-- revision: self1\n-- down_revision: self1\n\n-- +upgrade\nSELECT 1;\n'

# graph_error NEEDLE...: upgrade fails with exit 3 naming NEEDLEs; the database is unchanged.
graph_error() {
  run "$p" upgrade
  expect_refused 3 "$@"
  run "$p" --json heads
  expect_rc 3
}

test_case "duplicate revision id in two files names both"
write_revision "$p" dupe "r001" "duplicate" "SELECT 1;" "SELECT 1;"
sed -i 's/^-- revision: dupe$/-- revision: r002/' "$p/migrations/dupe_rev.sql"
graph_error "duplicate revision id r002" "$p/migrations/r002_rev.sql" "$p/migrations/dupe_rev.sql"
rm "$p/migrations/dupe_rev.sql"

test_case "cycle"
write_revision "$p" cyca "cycb" "a" "SELECT 1;"
write_revision "$p" cycb "cyca" "b" "SELECT 1;"
graph_error "cycle" "$p/migrations/cyc"
rm "$p"/migrations/cyc*

test_case "missing parent"
write_revision "$p" orphan1 "nope1234" "orphan" "SELECT 1;"
graph_error "$p/migrations/orphan1_rev.sql: " "orphan1" "nope1234"
rm "$p/migrations/orphan1_rev.sql"

test_case "depends_on naming an unknown revision"
write_revision "$p" dep1 "r003" "dep" "SELECT 1;" "SELECT 1;" "-- depends_on: zzzz9999"
graph_error "$p/migrations/dep1_rev.sql: " "dep1" "zzzz9999"
rm "$p/migrations/dep1_rev.sql"

test_case "duplicate branch label"
write_revision "$p" laba "r003" "a" "SELECT 1;" "SELECT 1;" "-- branch_labels: feature"
write_revision "$p" labb "r003" "b" "SELECT 1;" "SELECT 1;" "-- branch_labels: feature"
graph_error "branch label 'feature'" "$p/migrations/laba_rev.sql" "$p/migrations/labb_rev.sql"
rm "$p"/migrations/lab*

test_case "branch label equal to a revision id"
write_revision "$p" labc "r003" "c" "SELECT 1;" "SELECT 1;" "-- branch_labels: r001"
graph_error "$p/migrations/labc_rev.sql" "'r001'"
rm "$p/migrations/labc_rev.sql"

test_case "down_revision naming the same parent twice"
write_revision "$p" twice1 "r001, r001" "twice" "SELECT 1;"
graph_error "$p/migrations/twice1_rev.sql" "r001"
rm "$p/migrations/twice1_rev.sql"

test_case "missing migrations folder"
mv "$p/migrations" "$p/migrations.away"
run "$p" upgrade
expect_refused 3 "$p/migrations" "not found"
mv "$p/migrations.away" "$p/migrations"

test_case "ambiguous and short prefixes, unknown targets"
write_revision "$p" abcd1111 "r003" "x" "SELECT 1;" "SELECT 1;"
write_revision "$p" abcd2222 "abcd1111" "y" "SELECT 1;" "SELECT 1;"
for args in "upgrade abcd" "downgrade abcd" "show abcd" "stamp abcd" "upgrade abcd+1" "history -r abcd:"; do
  run "$p" $args
  expect_refused 3 "ambiguous" "'abcd'" "abcd1111" "abcd2222"
done
run "$p" --json upgrade abcd
expect_rc 3
expect_json_error project - - "ambiguous revision prefix 'abcd'"
rm "$p"/migrations/abcd*
# r001..r003 share "r00", but a prefix needs 4 characters.
for args in "upgrade r00" "downgrade r00" "show r00" "stamp r00"; do
  run "$p" $args
  expect_refused 3 "'r00'" "at least 4 characters"
done
for args in "upgrade nosuch1" "downgrade nosuch1" "stamp nosuch1" "show nosuch1" "history -r nosuch1:" \
  "history -r :nosuch1" "upgrade nosuch1@head" "upgrade nosuch1+1" "downgrade nosuch1-1" "stamp r002 nosuch1"; do
  run "$p" $args
  expect_refused 3 "'nosuch1'"
done
run "$p" upgrade r001@tail
expect_refused 3 "r001@tail"
run "$p" upgrade r001+x
expect_refused 3 "r001+x"
run "$p" upgrade +9
expect_refused 3 "+9" "past head r003"
run "$p" downgrade -5
expect_refused 3 "-5" "below base"
run "$p" downgrade r003
expect_refused 3 "r003" "not applied"
run "$p" --json stamp nosuch1
expect_rc 3
expect_json_error project - - "unknown revision 'nosuch1'"

test_case "usage errors: unknown commands and flags, missing arguments"
run "$p" frobnicate
expect_refused 2 "frobnicate"
run "$p" upgrade --frobnicate
expect_refused 2 "--frobnicate"
run "$p" --frobnicate current
expect_refused 2 "--frobnicate"
run "$p" upgrade head extra
expect_refused 2 "extra"
run "$p" downgrade
expect_refused 2 "TARGET"
run "$p" stamp
expect_refused 2 "TARGET"
run "$p" show
expect_refused 2 "REV"
run "$p" revision
expect_refused 2 "--message"
expect_equal "$(ls "$p/migrations" | wc -l)" "3" "no revision file written"
run "$p" merge heads
expect_refused 2 "--message"
run "$p" revision -m
expect_refused 2 "message"
run "$p" history -r r001
expect_refused 2 "FROM:TO"
# A range is offline syntax: online it is a usage error that says so.
run "$p" downgrade head:base
expect_refused 2 "'head:base') needs --sql"
run "$p" upgrade r001:head
expect_refused 2 "needs --sql"
run "$p" -C "$p/nowhere" current
expect_refused 2 "$p/nowhere"
run "$p" -c "$p/missing.toml" current
expect_refused 3 "$p/missing.toml"
run "$p" --json frobnicate
expect_rc 2
expect_json_error usage - - "frobnicate"
run "$p" --json downgrade
expect_rc 2
expect_json_error usage - - "TARGET"
run "$p" upgrade --frobnicate --json
expect_rc 2
expect_json_error usage - - "--frobnicate"

test_case "bad URLs"
for url in "foo" "mysql://x" "mysql://u@host/db" "sqlite://" "sqlite:/data/app.db" "sqlite://data/app.db" \
  "sqlite:///" "sqlite:///data/" "sqlite:///data/app.db?mode=ro" "postgresql:///db" "postgresql://"; do
  run "$p" --url "$url" upgrade
  expect_refused 3 "invalid database URL '$url'"
done
DBTOOL_URL=mysql://x run "$p" upgrade
expect_refused 3 "invalid database URL 'mysql://x'" "unknown scheme 'mysql'"
DATABASE_URL=foo run "$p" upgrade
expect_refused 3 "invalid database URL 'foo'"
run "$p" --json --url mysql://x current
expect_rc 3
expect_json_error project - - "unknown scheme 'mysql'"
expect_equal "$(ls "$p")" "$(printf 'data\ndbtool.toml\nmigrations')" "no database made by a bad URL"

# bad_config LINE NEEDLE TEXT: dbtool.toml holding TEXT makes upgrade fail with exit 3,
# naming dbtool.toml and LINE ("" for no line check).
bad_config() {
  local line=$1 needle=$2 toml="$p/dbtool.toml"
  cp "$toml" "$TEST_TMP/good.toml"
  printf '%s' "$3" >"$toml"
  run "$p" upgrade
  if [ -n "$line" ]; then
    expect_refused 3 "$toml:$line: " "$needle"
  else
    expect_refused 3 "$toml" "$needle"
  fi
  run "$p" --json current
  expect_rc 3
  expect_json_error project "$toml" "${line:--}" "$needle"
  cp "$TEST_TMP/good.toml" "$toml"
}

test_case "bad dbtool.toml"
bad_config 3 "invalid TOML" $'url = "sqlite:///data/app.db"\nmigrations = "migrations"\nversion_table = = "x"\n'
bad_config 2 "invalid TOML" $'url = "sqlite:///data/app.db"\nmigrations = "unterminated\n'
bad_config 2 "invalid TOML" $'url = "sqlite:///data/app.db"\nurl = "sqlite:///other.db"\n'
bad_config 2 "unknown key 'colour'" $'url = "sqlite:///data/app.db"\ncolour = "red"\n'
bad_config 4 "unknown key 'sqlite.journal'" $'url = "sqlite:///data/app.db"\n\n[sqlite]\njournal = "WAL"\n'
bad_config 3 "busy_timeout_ms" $'url = "sqlite:///data/app.db"\n[sqlite]\nbusy_timeout_ms = "x"\n'
bad_config 3 "busy_timeout_ms" $'url = "sqlite:///data/app.db"\n[sqlite]\nbusy_timeout_ms = -1\n'
bad_config 3 "foreign_keys" $'url = "sqlite:///data/app.db"\n[sqlite]\nforeign_keys = "yes"\n'
bad_config 1 "'url' must be a string" $'url = 5\n'
bad_config 2 "'migrations' must be a string" $'url = "sqlite:///data/app.db"\nmigrations = ["a"]\n'
bad_config 1 "'sqlite' must be a table" $'sqlite = 3\n'
# Errors in a value (rather than in its type) name the line as well.
bad_config 3 "journal_mode" $'url = "sqlite:///data/app.db"\n[sqlite]\njournal_mode = "BOGUS"\n'
bad_config 2 "table name 'a b'" $'url = "sqlite:///data/app.db"\nversion_table = "a b"\n'
bad_config 1 "invalid database URL 'mysql://x'" $'url = "mysql://x"\n'

test_case "corrupt database files: exit 4, file byte-identical, no side files"
mkdir -p "$p/corrupt"
head -c 16384 /dev/urandom >"$p/corrupt/random.db"
printf 'hello, I am a text file and not a database\n' >"$p/corrupt/text.db"
# A valid SQLite header followed by garbage pages.
size=$(stat -c %s "$db")
{ head -c 100 "$db"; head -c $((size > 8192 ? size - 100 : 8092)) /dev/urandom; } >"$p/corrupt/garbled.db"
for name in random text garbled; do
  file="$p/corrupt/$name.db"
  sum=$(sha256sum <"$file")
  for args in "upgrade" "current" "stamp head" "downgrade base" "history --indicate-current" "validate"; do
    run "$p" --url "sqlite:///corrupt/$name.db" $args
    expect_rc 4
    expect_one_line_error
    expect_err "$file"
    expect_equal "$(sha256sum <"$file")" "$sum" "$name.db unchanged by $args"
  done
  run "$p" --json --url "sqlite:///corrupt/$name.db" upgrade
  expect_rc 4
  expect_json_error database "$file" - "cannot open database"
  expect_equal "$(ls "$p/corrupt" | grep -c -- "$name.db-")" "0" "no journal or WAL beside $name.db"
done
expect_equal "$(db_fingerprint "$db")" "$before" "project database unchanged"

test_case "database path that cannot be opened"
mkdir -p "$p/corrupt/dir.db"
run "$p" --url "sqlite:///corrupt/dir.db" upgrade
expect_refused 4 "$p/corrupt/dir.db" "cannot open database"
run "$p" --url "sqlite:////nonexistent-dbtool-dir/x.db" current
expect_refused 4 "/nonexistent-dbtool-dir/x.db"
expect_equal "$(test -e /nonexistent-dbtool-dir && echo made || echo absent)" "absent" "no folder made outside the project"
# Permission tests mean nothing as root (root reads and writes a chmod 000 file), so they
# run only for other users.
if [ "$(id -u)" -ne 0 ]; then
  cp "$db" "$p/corrupt/locked.db"
  chmod 000 "$p/corrupt/locked.db"
  run "$p" --url "sqlite:///corrupt/locked.db" upgrade
  expect_refused 4 "$p/corrupt/locked.db"
  chmod 600 "$p/corrupt/locked.db"
fi

test_case "database at a revision that no file defines"
cp "$db" "$TEST_TMP/unknown.db"
sqlite3 "$TEST_TMP/unknown.db" "UPDATE dbtool_version SET version_num = 'ffff0000'"
db="$TEST_TMP/unknown.db"
before=$(db_fingerprint "$db")
for args in "upgrade" "upgrade head" "downgrade base" "downgrade -1" "stamp head" "upgrade --single-transaction"; do
  run "$p" --url "sqlite:///$db" $args
  expect_refused 3 "ffff0000"
done
run "$p" --json --url "sqlite:///$db" upgrade
expect_rc 3
expect_json_error project - - "ffff0000"
expect_equal "$(db_fingerprint "$db")" "$before" "database unchanged"
run "$p" --url "sqlite:///$db" current
expect_rc 0
expect_out "ffff0000"

test_case "reserved words as revision ids"
# Reserved words cannot be revision ids: `upgrade base` could never reach such a revision,
# and `head` would mean two things. Each case gets a project of its own, so that a dbtool
# that accepts them cannot spoil the cases above.
for word in base head heads; do
  p=$(linear_project "reserved_$word" 3)
  p=$(cd "$p" && pwd -P)
  db="$p/data/app.db"
  run "$p" upgrade r002
  before=$(db_fingerprint "$db")
  malformed "zz_$word.sql" 1 "invalid revision id '$word'" "-- revision: $word"$'\n-- down_revision: r003\n\n-- +upgrade\nCREATE TABLE reserved (id INTEGER);\n'
done

finish
