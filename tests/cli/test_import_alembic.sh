# import-alembic: an Alembic project of 50 revisions (trunk, labelled branches billing and
# reports merged back, an open audit branch, depends_on on an id and on a label) is imported
# with scripts/import-alembic and then judged against Alembic itself: the same ids, parents,
# heads, labels and messages; the same schema and data from a fresh database; a database that
# Alembic took halfway is adopted through alembic_version, upgraded, downgraded and handed
# back to Alembic; revisions offline mode cannot render are reported (or written as TODO);
# bad input is a one-line error. Last, every ```sh block of docs/import-alembic.md runs as
# written. Needs Debian's alembic and python3-alembic (skipped without them unless CI=true).
unset DBTOOL_TEST_BACKEND # SQLite only: the Alembic side runs on SQLite files
source "$(dirname "$0")/lib.sh"

ALEMBIC=/usr/bin/alembic
IMPORTER="$SOURCE_DIR/scripts/import-alembic"
FIXTURES="$SOURCE_DIR/tests/import_alembic"
if [ ! -x "$ALEMBIC" ] || ! /usr/bin/python3 -c 'import alembic' 2>/dev/null; then
  if [ "${CI:-}" = "true" ]; then
    echo "test_import_alembic: /usr/bin/alembic or python3-alembic is missing: CI must run this test (apt-get install alembic python3-alembic)" >&2
    exit 1
  fi
  echo "skipped: install alembic and python3-alembic (Debian) to run this test" >&2
  exit 77
fi

# importer ARGS...: runs scripts/import-alembic in TEST_TMP; sets out, err and rc.
importer() {
  last_command="(cd $TEST_TMP && import-alembic $*)"
  (cd "$TEST_TMP" && "$IMPORTER" "$@") >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
  rc=$?
  out=$(cat "$TEST_TMP/.out")
  err=$(cat "$TEST_TMP/.err")
}

# alembic_on DB ARGS...: runs alembic for the project `myapp` against the SQLite file DB
# (a copy of alembic.ini whose sqlalchemy.url names DB); sets out, err and rc.
alembic_on() {
  local db=$1
  shift
  sed "s|^sqlalchemy.url = .*|sqlalchemy.url = sqlite:///$db|" "$A/alembic.ini" >"$db.ini"
  last_command="(cd $A && alembic -c $db.ini $*)"
  (cd "$A" && "$ALEMBIC" -c "$db.ini" "$@") >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
  rc=$?
  out=$(cat "$TEST_TMP/.out")
  err=$(cat "$TEST_TMP/.err")
}

# dbtool_on DB ARGS...: runs the imported project's dbtool against the SQLite file DB.
dbtool_on() {
  local db=$1
  shift
  run "$P" --url "sqlite:///$db" "$@"
}

# fingerprint DB: the schema (whitespace folded, version and history tables left out) and
# every row of every table, ordered; columns that default to the current time are left out.
fingerprint() {
  /usr/bin/python3 - "$1" <<'EOF'
import sqlite3, sys
skip = {"alembic_version", "dbtool_history", "dbtool_version"}
db = sqlite3.connect(sys.argv[1])
for type_, name, table, sql in db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name"):
    if table in skip:
        continue
    print(type_, name, table, " ".join((sql or "").split()))
    if type_ == "table":
        columns = [row[1] for row in db.execute(f'PRAGMA table_info("{name}")')
                   if "current_timestamp" not in str(row[4]).lower()]
        listed = ", ".join(f'"{c}"' for c in columns)
        for row in db.execute(f'SELECT {listed} FROM "{name}" ORDER BY {listed}'):
            print("  ", row)
EOF
}

# versions DB: the rows of alembic_version, sorted, comma-separated.
versions() {
  sqlite3 "$1" "SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY 1)" 2>&1
}

# ids TEXT: the first word of each line, sorted, comma-separated (for heads/current output).
ids() {
  printf '%s\n' "$1" | awk 'NF {print $1}' | sort | paste -sd, -
}

# id_of NAME: the Alembic id make_alembic_project.py gives revision NAME (t01, b06, ...).
id_of() { printf '%s' "$1" | sha1sum | cut -c1-12; }

start=$(date +%s)

test_case "an Alembic project of 50 revisions"
A="$TEST_TMP/myapp"
mkdir -p "$A"
(cd "$A" && "$ALEMBIC" init alembic >/dev/null) || fail "alembic init"
sed -i 's|^sqlalchemy.url = .*|sqlalchemy.url = sqlite:///app.db|' "$A/alembic.ini"
/usr/bin/python3 "$FIXTURES/make_alembic_project.py" main "$A/alembic/versions"
expect_equal "$(ls "$A/alembic/versions" | grep -c '\.py$')" "50" "Alembic revision files"
B06=$(id_of b06)
R04=$(id_of r04)
M01=$(id_of m01)
P03=$(id_of p03)

test_case "(a) import"
P="$TEST_TMP/myapp-dbtool"
importer myapp myapp-dbtool
expect_rc 0
expect_out "Imported 50 revisions"
expect_equal "$err" "" "stderr of a clean import"
expect_equal "$(ls "$P/migrations" | grep -c '\.sql$')" "50" "one dbtool revision per Alembic revision"
expect_equal "$(grep -c '^version_table = "alembic_version"$' "$P/dbtool.toml")" "1" "dbtool.toml adopts alembic_version"
expect_equal "$(grep -c "^url = \"sqlite:///$A/app.db\"$" "$P/dbtool.toml")" "1" "alembic.ini's relative URL made absolute"
expect_equal "$(grep -l 'alembic_version' "$P"/migrations/*.sql)" "" "no Alembic bookkeeping in the SQL"
expect_equal "$(grep -l '^-- transactional: false' "$P"/migrations/*.sql | xargs -n1 basename)" \
  "$(id_of p04)_index_users_locale_outside_a_transaction.sql" "the autocommit block is transactional: false"
run "$P" validate
expect_rc 0
# Importing again into the same folder overwrites nothing.
importer myapp myapp-dbtool
expect_rc 3
expect_one_line_error
expect_err "myapp-dbtool/dbtool.toml: already exists"

test_case "(b) ids, parents, heads, branch labels, depends_on and messages as Alembic has them"
# alembic history: "PARENTS [(DEPS)] -> ID [(labels)] [(head)|(branchpoint)|(mergepoint)], MESSAGE".
# Normalised to dbtool's "PARENTS -> ID [(marker)], MESSAGE" (Alembic prints inherited branch
# names after the id; dbtool does not) plus "ID depends on DEPS" lines.
normalise_alembic_history='
import re, sys
for line in sys.stdin.read().splitlines():
    m = re.fullmatch(r"(.*?)(?: \(([^)]*)\))? -> (\w+)((?: \([^)]*\))*), (.*)", line)
    if not m:
        print("UNPARSED", line); continue
    parents, deps, rev, marks, message = m.groups()
    kept = [k for k in re.findall(r"\(([^)]*)\)", marks) if k in ("head", "branchpoint", "mergepoint")]
    print(f"{parents} -> {rev}" + "".join(f" ({k})" for k in kept) + f", {message}")
    if deps:
        print(f"{rev} depends on {deps}")
'
(cd "$A" && "$ALEMBIC" history) >"$TEST_TMP/alembic_history.txt" 2>/dev/null
alembic_lines=$(/usr/bin/python3 -c "$normalise_alembic_history" <"$TEST_TMP/alembic_history.txt" | sort)
run "$P" history
expect_rc 0
dbtool_lines=$(printf '%s\n' "$out" | sort)
run "$P" --json history
deps=$(printf '%s' "$out" | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["revisions"]:
    if r["depends_on"]:
        print(r["revision"], "depends on", ", ".join(r["depends_on"]))')
dbtool_lines=$(printf '%s\n%s\n' "$dbtool_lines" "$deps" | sort)
expect_equal "$(printf '%s\n' "$alembic_lines" | grep -c ' -> ')" "50" "Alembic history lines"
expect_equal "$dbtool_lines" "$alembic_lines" "dbtool history = alembic history"
expect_equal "$(printf '%s\n' "$alembic_lines" | grep -c 'depends on')" "2" "depends_on lines (an id and a label)"
expect_out '"message": "add invoices.due_date: \"net 30\" terms"'
(cd "$A" && "$ALEMBIC" heads) >"$TEST_TMP/alembic_heads.txt" 2>/dev/null
run "$P" heads
expect_rc 0
expect_equal "$(ids "$out")" "$(ids "$(cat "$TEST_TMP/alembic_heads.txt")")" "dbtool heads = alembic heads"
expect_equal "$(ids "$out")" "$(printf '%s\n' "$(id_of p08)" "$(id_of a07)" | sort | paste -sd, -)" "two heads"
for label in billing reports audit; do
  alembic_rev=$(cd "$A" && "$ALEMBIC" show "$label" 2>/dev/null | awk '/^Rev:/ {print $2; exit}')
  run "$P" show "$label"
  expect_rc 0
  expect_equal "$(printf '%s\n' "$out" | awk '/^Revision:/ {print $2; exit}')" "$alembic_rev" "show $label"
done
run "$P" --json show "$M01"
json_eq 'd["down_revisions"]' "[\"$(id_of b12)\",\"$(id_of r12)\"]"
json_eq 'd["message"]' "merge billing and reports"
json_eq 'd["is_merge_point"]' "true"
run "$P" --json show "$(id_of r09)"
json_eq 'd["depends_on"]' '["billing"]'

test_case "(c) upgrade heads from nothing: the schema and rows Alembic makes"
alembic_on "$TEST_TMP/alembic_heads.db" upgrade heads
expect_rc 0
dbtool_on "$TEST_TMP/dbtool_heads.db" upgrade heads
expect_rc 0
expect_out "50 revisions"
reference=$(fingerprint "$TEST_TMP/alembic_heads.db")
expect_equal "$(printf '%s\n' "$reference" | grep -c '^table ')" "17" "tables in the reference"
expect_equal "$(fingerprint "$TEST_TMP/dbtool_heads.db")" "$reference" "dbtool's fresh database = Alembic's"
expect_equal "$(versions "$TEST_TMP/dbtool_heads.db")" "$(versions "$TEST_TMP/alembic_heads.db")" "version rows"
# ... and back to nothing: every downgrade section undoes its upgrade.
dbtool_on "$TEST_TMP/dbtool_heads.db" downgrade base
expect_rc 0
expect_equal "$(fingerprint "$TEST_TMP/dbtool_heads.db")" "" "downgrade base leaves nothing"

test_case "(d) adoption: a database Alembic took halfway"
db="$TEST_TMP/adopted.db"
alembic_on "$db" upgrade "$B06"
expect_rc 0
alembic_on "$db" upgrade "$R04"
expect_rc 0
expect_equal "$(versions "$db")" "$(printf '%s\n' "$B06" "$R04" | sort | paste -sd, -)" "Alembic's rows"
cp "$db" "$TEST_TMP/alembic_mid.db"
dbtool_on "$db" current
expect_rc 0
expect_equal "$(ids "$out")" "$(versions "$db")" "dbtool current before"
dbtool_on "$db" upgrade heads
expect_rc 0
expect_out "30 revisions"
expect_no_out "upgrade $B06"
expect_equal "$(fingerprint "$db")" "$reference" "adopted database at heads = Alembic's"
dbtool_on "$db" current
expect_equal "$(ids "$out")" "$(versions "$TEST_TMP/alembic_heads.db")" "dbtool current after"
alembic_on "$db" current
expect_rc 0
expect_equal "$(ids "$out")" "$(versions "$TEST_TMP/alembic_heads.db")" "alembic current reads dbtool's rows"
# Down to the merge point: both branches above it are reverted; Alembic agrees.
dbtool_on "$db" downgrade "$M01"
expect_rc 0
alembic_on "$TEST_TMP/alembic_m01.db" upgrade "$M01"
expect_equal "$(fingerprint "$db")" "$(fingerprint "$TEST_TMP/alembic_m01.db")" "downgrade to the merge point"
expect_equal "$(versions "$db")" "$M01" "version row at the merge point"
# Down one branch at a time, to where Alembic had left it.
dbtool_on "$db" downgrade "$B06"
expect_rc 0
cp "$TEST_TMP/alembic_m01.db" "$TEST_TMP/alembic_b06.db"
alembic_on "$TEST_TMP/alembic_b06.db" downgrade "$B06"
expect_equal "$(versions "$db")" "$(versions "$TEST_TMP/alembic_b06.db")" "downgrade to a billing revision: rows as Alembic's"
expect_equal "$(fingerprint "$db")" "$(fingerprint "$TEST_TMP/alembic_b06.db")" "downgrade to a billing revision: schema as Alembic's"
dbtool_on "$db" downgrade "$R04"
expect_rc 0
expect_equal "$(versions "$db")" "$(versions "$TEST_TMP/alembic_mid.db")" "back at Alembic's rows"
expect_equal "$(fingerprint "$db")" "$(fingerprint "$TEST_TMP/alembic_mid.db")" "back at Alembic's schema"
# Alembic takes over again from where dbtool left it.
alembic_on "$db" upgrade heads
expect_rc 0
expect_equal "$(fingerprint "$db")" "$reference" "Alembic upgrades a database dbtool downgraded"

test_case "(e) revisions offline mode cannot render"
L="$TEST_TMP/legacy"
mkdir -p "$L"
(cd "$L" && "$ALEMBIC" init alembic >/dev/null) || fail "alembic init"
/usr/bin/python3 "$FIXTURES/make_alembic_project.py" tricky "$L/alembic/versions"
K02=$(id_of k02)
importer legacy legacy-dbtool
expect_rc 1
expect_err "legacy/alembic/versions/${K02}_backfill_counters_from_a_query.py:21: revision $K02 (upgrade) cannot be rendered offline"
expect_err "nothing written"
expect_equal "$(printf '%s\n' "$err" | grep -c .)" "2" "one line per problem and a summary"
expect_equal "$(ls "$TEST_TMP/legacy-dbtool" 2>&1 | grep -c 'No such file')" "1" "nothing written"
importer --skip-unrenderable legacy/alembic legacy-dbtool
expect_rc 0
expect_err "warning: legacy/alembic/versions/${K02}_backfill_counters_from_a_query.py:21"
LP="$TEST_TMP/legacy-dbtool"
k02_file="$LP/migrations/${K02}_backfill_counters_from_a_query.sql"
expect_equal "$(grep -c '^-- TODO: Alembic could not render upgrade()' "$k02_file")" "1" "TODO comment"
expect_equal "$(grep -c '^--       total = connection.execute' "$k02_file")" "1" "the Python source to port"
expect_equal "$(grep -c '^-- +downgrade' "$LP/migrations/$(id_of k03)_drop_counters_n_for_good.sql")" "0" \
  "downgrade raising NotImplementedError: irreversible"
expect_equal "$(grep -c '^-- transactional: false' "$LP/migrations/$(id_of k04)_vacuum.sql")" "1" "VACUUM in an autocommit block"
expect_equal "$(grep -c '^url' "$LP/dbtool.toml")" "0" "no URL from a script folder without alembic.ini"
run "$LP" upgrade head
expect_rc 4
expect_one_line_error
expect_err "revision $K02 (upgrade) failed: no such table: TODO: port upgrade() of revision $K02 by hand"
expect_sql "$LP/data/app.db" "SELECT group_concat(version_num) FROM alembic_version" "$(id_of k01)"

test_case "(e) bad input"
mkdir -p "$TEST_TMP/not-alembic"
echo "just a folder" >"$TEST_TMP/not-alembic/README"
importer not-alembic out1
expect_rc 3
expect_one_line_error
expect_err "not-alembic: not an Alembic project"
expect_equal "$(ls "$TEST_TMP/out1" 2>&1 | grep -c 'No such file')" "1" "no project made"
importer no-such-folder out1
expect_rc 3
expect_one_line_error
expect_err "no-such-folder: no such folder"
importer myapp
expect_rc 2
expect_one_line_error
importer --dialect oracle myapp out1
expect_rc 2
expect_one_line_error
cp -r "$L" "$TEST_TMP/broken"
echo "def (" >>"$TEST_TMP/broken/alembic/versions/$(id_of k01)_create_counters.py"
importer broken out1
expect_rc 3
expect_one_line_error
expect_err "broken/alembic/versions/$(id_of k01)_create_counters.py:"
expect_err "SyntaxError"
cp -r "$L" "$TEST_TMP/dotted"
sed -i "s/^revision = .*/revision = 'v1.2'/" "$TEST_TMP/dotted/alembic/versions/$(id_of k04)_vacuum.py"
importer --skip-unrenderable dotted out1
expect_rc 3
expect_one_line_error
expect_err "dotted/alembic/versions/$(id_of k04)_vacuum.py: revision v1.2: revision 'v1.2' is not a valid dbtool id"
expect_equal "$(ls "$TEST_TMP/out1" 2>&1 | grep -c 'No such file')" "1" "still no project made"

test_case "(f) render_as_batch: a shop whose revisions use batch mode, and its models"
# The shop as Alembic's autogenerate writes it with render_as_batch=True: env.py imports the
# application's models (myapp/models.py) and renders batch blocks; revisions s03, s04, s07
# and the downgrade of s05 use op.batch_alter_table, s01 has a bulk_insert that offline mode
# cannot render, s04 runs data statements before and after its batch block.
S="$TEST_TMP/shop"
mkdir -p "$S"
(cd "$S" && "$ALEMBIC" init alembic >/dev/null) || fail "alembic init"
sed -i 's|^sqlalchemy.url = .*|sqlalchemy.url = sqlite:///shop.db|' "$S/alembic.ini"
sed -i 's|^target_metadata = None$|from myapp.models import Base\ntarget_metadata = Base.metadata|;
        s|target_metadata=target_metadata|target_metadata=target_metadata, render_as_batch=True|' "$S/alembic/env.py"
/usr/bin/python3 "$FIXTURES/make_alembic_project.py" batch "$S/alembic/versions" "$S/myapp"
expect_equal "$(grep -l 'batch_alter_table' "$S"/alembic/versions/*.py | wc -l)" "4" "revision files with batch blocks"
(cd "$S" && "$ALEMBIC" upgrade head) >/dev/null 2>"$TEST_TMP/.err"
expect_equal "$?" "0" "alembic upgrade head of the shop ($(tail -n1 "$TEST_TMP/.err"))"
cp "$S/shop.db" "$TEST_TMP/shop_alembic_head.db"
# The fixture is honest: Alembic's own autogenerate finds its models equal to what its
# revisions built (types compared; Alembic 1.8's server-default comparison of func.now()
# gives a different answer under different PYTHONHASHSEEDs, so it is left out).
autogen=$(cd "$S" && /usr/bin/python3 - <<'EOF' 2>&1
import sys
sys.path.insert(0, ".")
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from myapp.models import Base
with sa.create_engine("sqlite:///shop.db").connect() as connection:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    print(compare_metadata(context, Base.metadata))
EOF
)
expect_equal "$autogen" "[]" "Alembic: the shop's models = what its revisions build"
SP="$TEST_TMP/shop-dbtool"
# shop_on DB ARGS...: runs the imported shop's dbtool against the SQLite file DB.
shop_on() {
  local db=$1
  shift
  run "$SP" --url "sqlite:///$db" "$@"
}
importer --metadata myapp.models:Base.metadata shop shop-dbtool
expect_rc 0
expect_equal "$err" "" "stderr of the shop's import"
expect_out "Imported 7 revisions"
expect_out "Wrote shop-dbtool/schema/models.json from myapp.models:Base.metadata"
s01=$(ls "$SP"/migrations/$(id_of s01)_*.sql)
s04=$(ls "$SP"/migrations/$(id_of s04)_*.sql)
s05=$(ls "$SP"/migrations/$(id_of s05)_*.sql)
s07=$(ls "$SP"/migrations/$(id_of s07)_*.sql)
expect_equal "$(grep -l '^-- op.batch_alter_table(' "$SP"/migrations/*.sql | wc -l)" "4" "revisions with batch blocks written as schema changes"
expect_equal "$(grep -c '^-- foreign_keys: off$' "$s04")" "1" "a rebuild runs with foreign keys off"
expect_equal "$(grep -c "^INSERT INTO customers (id, email, name) VALUES (3, 'o''hara@example.com', 'Kim O''Hara');$" "$s01")" "1" \
  "an untyped bulk_insert, rendered on a scratch database with its values written in"
expect_equal "$(grep -c "^INSERT INTO products (sku, title, price) VALUES ('B-2', 'Bell? Brass', 20);$" "$s01")" "1" "a ? in a value is a value"
# s04: the UPDATE, the rename (done by RENAME COLUMN, so the data stays), the rebuild, the
# second UPDATE, in the order Alembic ran them.
order=$(sed -n '/^-- +upgrade/,/^-- +downgrade/p' "$s04" | grep -E '^(UPDATE|ALTER TABLE "orders" RENAME COLUMN|CREATE TABLE _dbtool_new_orders)' | cut -c1-40)
expect_equal "$order" "UPDATE orders SET status = 'new' WHERE s
ALTER TABLE \"orders\" RENAME COLUMN \"note
CREATE TABLE _dbtool_new_orders (
UPDATE orders SET status='shipped' WHERE" "s04: statements in the order Alembic ran them"
expect_equal "$(grep -c '^-- upgrade() also ran 2 data statement(s)' "$s04")" "1" "s04 says it carries data statements"
expect_equal "$(sed -n '/^-- +downgrade/,$p' "$s05" | grep -c '^ALTER TABLE products DROP COLUMN')" "3" "s05: a batch downgrade that SQLite's ALTER can do"
expect_equal "$(grep -c "^-- op.batch_alter_table('orders')" "$s07")" "2" "s07: a batch block per table and direction"
models="$SP/schema/models.json"
expect_equal "$(grep -c '"name": "joined_at", "type": "timestamp_tz", "sqlite_type": "DATETIME"' "$models")" "1" "DateTime(timezone=True): generic type plus SQLite's spelling"
expect_equal "$(grep -c '"name": "ix_order_items_big", "columns": \["order_id", {"column": "quantity", "desc": true}\], "where": "quantity > 10"' "$models")" "1" "a partial DESC index"
expect_equal "$(grep -c '"name": "ck_customers_email_has_at"' "$models")" "1" "a check constraint named by the convention"
run "$SP" validate
expect_rc 0
# The declarative base itself names the same MetaData.
importer --metadata myapp.models:Base shop shop-base
expect_rc 0
expect_equal "$(cat "$TEST_TMP/shop-base/schema/models.json")" "$(cat "$models")" "--metadata myapp.models:Base"
# The point of it all: right after the import, a database built by dbtool matches the models.
shop_on "$TEST_TMP/shop_dbtool.db" upgrade head
expect_rc 0
expect_out "7 revisions"
shop_on "$TEST_TMP/shop_dbtool.db" check
expect_rc 0
expect_out "OK: the database matches the models"
# ... and Alembic's database, adopted as it stands, matches them too.
shop_on "$TEST_TMP/shop_alembic_head.db" check
expect_rc 0
expect_out "OK: the database matches the models"
# dbtool's rebuilds leave the schema (as dbtool reads it) and every row as Alembic's batch did.
shop_on "$TEST_TMP/shop_alembic_head.db" scan --format sql
alembic_scan=$out
shop_on "$TEST_TMP/shop_dbtool.db" scan --format sql
expect_equal "$out" "$alembic_scan" "shop schema: dbtool's revisions = Alembic's"
rows() { fingerprint "$1" | grep '^   '; }
expect_equal "$(rows "$TEST_TMP/shop_dbtool.db")" "$(rows "$TEST_TMP/shop_alembic_head.db")" "shop rows: dbtool's revisions = Alembic's"
expect_equal "$(sqlite3 "$TEST_TMP/shop_dbtool.db" "SELECT group_concat(id || ':' || status || ':' || ifnull(comment, '-'), ' ') FROM orders")" \
  "1:shipped:gift wrap 2:new:- 3:new:call first" "the renamed column kept its data, the data statements ran"
# Downgrades: the batch downgrades undo what the upgrades did, as Alembic's do.
cp "$TEST_TMP/shop_alembic_head.db" "$TEST_TMP/shop_alembic_s02.db"
sed "s|^sqlalchemy.url = .*|sqlalchemy.url = sqlite:///$TEST_TMP/shop_alembic_s02.db|" "$S/alembic.ini" >"$TEST_TMP/shop_s02.ini"
(cd "$S" && "$ALEMBIC" -c "$TEST_TMP/shop_s02.ini" downgrade "$(id_of s02)") >/dev/null 2>&1
expect_equal "$?" "0" "alembic downgrade of the shop"
shop_on "$TEST_TMP/shop_dbtool.db" downgrade "$(id_of s02)"
expect_rc 0
shop_on "$TEST_TMP/shop_alembic_s02.db" scan --format sql
alembic_scan=$out
shop_on "$TEST_TMP/shop_dbtool.db" scan --format sql
expect_equal "$out" "$alembic_scan" "shop at s02 after downgrades: schema as Alembic's"
expect_equal "$(rows "$TEST_TMP/shop_dbtool.db")" "$(rows "$TEST_TMP/shop_alembic_s02.db")" "shop at s02 after downgrades: rows as Alembic's"
shop_on "$TEST_TMP/shop_dbtool.db" upgrade head
expect_rc 0
shop_on "$TEST_TMP/shop_dbtool.db" check
expect_rc 0
shop_on "$TEST_TMP/shop_dbtool.db" downgrade base
expect_rc 0
expect_equal "$(fingerprint "$TEST_TMP/shop_dbtool.db")" "" "shop: downgrade base leaves nothing"

test_case "(f) render_as_batch and --metadata: bad input"
importer --metadata myapp.models:Nope shop out2
expect_rc 3
expect_one_line_error
expect_err "--metadata myapp.models:Nope: module myapp.models has no attribute 'Nope'"
importer --metadata myapp.nomodels:Base.metadata shop out2
expect_rc 3
expect_one_line_error
expect_err "cannot import myapp.nomodels: ModuleNotFoundError"
importer --metadata myapp.models shop out2
expect_rc 2
expect_one_line_error
expect_err "expected MODULE:ATTRIBUTE"
importer --metadata myapp.models:Customer.email shop out2
expect_rc 3
expect_one_line_error
expect_err "not a SQLAlchemy MetaData"
cat >"$S/myapp/bad_models.py" <<'EOF'
import sqlalchemy as sa
metadata = sa.MetaData()
sa.Table("tagged", metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("tags", sa.ARRAY(sa.Text)))
EOF
importer --metadata myapp.bad_models:metadata shop out2
expect_rc 3
expect_one_line_error
expect_err "table 'tagged' column 'tags': ARRAY has no SQLite spelling"
cat >"$S/myapp/bad_models.py" <<'EOF'
import sqlalchemy as sa
metadata = sa.MetaData()
sa.Table("spans", metadata, sa.Column("id", sa.Integer, primary_key=True),
         sa.Column("span", sa.Interval))
EOF
importer --dialect postgresql --url postgresql://app@db/app --metadata myapp.bad_models:metadata shop out2
expect_rc 3
expect_one_line_error
expect_err "table 'spans' column 'span': SQLAlchemy type INTERVAL() has no dbtool generic type"
expect_equal "$(ls "$TEST_TMP/out2" 2>&1 | grep -c 'No such file')" "1" "nothing written for bad models"
importer --dbtool "$TEST_TMP/no-such-dbtool" shop out2
expect_rc 2
expect_one_line_error
expect_err "cannot find the dbtool binary"
# A dbtool that fails: each batch block says so, with its revision file and line.
importer --dbtool /bin/false shop out2
expect_rc 1
expect_err "shop/alembic/versions/$(id_of s03)_customers__active_flag__join_d.py:20: revision $(id_of s03) (upgrade) cannot be rendered on a scratch database: it uses op.batch_alter_table(), and running it on a scratch SQLite database failed: its op.batch_alter_table('customers') block: dbtool revision failed (exit 1)"
expect_equal "$(ls "$TEST_TMP/out2" 2>&1 | grep -c 'No such file')" "1" "nothing written when dbtool fails"
# A batch block that fails when Alembic runs it: named with its file and line, nothing written.
cp -r "$S" "$TEST_TMP/shop-broken"
sed -i 's/batch_op.alter_column("notes", new_column_name="comment")/batch_op.alter_column("no_such_column", new_column_name="comment")/' \
  "$TEST_TMP"/shop-broken/alembic/versions/$(id_of s04)_*.py
importer shop-broken out2
expect_rc 1
expect_err "revision $(id_of s04) (upgrade) cannot be rendered on a scratch database: it uses op.batch_alter_table(), and running it on a scratch SQLite database failed: KeyError"
expect_err "nothing written"
expect_equal "$(ls "$TEST_TMP/out2" 2>&1 | grep -c 'No such file')" "1" "nothing written for a failing batch block"
mkdir -p "$TEST_TMP/out3/schema"
echo '{}' >"$TEST_TMP/out3/schema/models.json"
importer --metadata myapp.models:Base.metadata shop out3
expect_rc 3
expect_one_line_error
expect_err "out3/schema/models.json: already exists"

test_case "(g) --metadata on PostgreSQL: the models mean what SQLAlchemy creates there"
# The shop's MetaData created by SQLAlchemy itself (its PostgreSQL DDL, through psql: native
# enum, SERIAL and BIGSERIAL keys, JSON, double precision), then imported with --dialect
# postgresql: check finds the database equal to the models. Needs a PostgreSQL server.
if [ -z "${DBTOOL_TEST_PG_URL:-}" ]; then
  [ "${CI:-}" = "true" ] && fail "DBTOOL_TEST_PG_URL is not set: CI must run the PostgreSQL case"
  echo "  (skipped: set DBTOOL_TEST_PG_URL for the PostgreSQL case)"
else
  pg_db="dbt_import_$$_$RANDOM"
  pg_url="${DBTOOL_TEST_PG_URL%/*}/$pg_db"
  psql -X -q "$DBTOOL_TEST_PG_URL" -c "CREATE DATABASE \"$pg_db\"" >/dev/null
  trap 'psql -X -q "$DBTOOL_TEST_PG_URL" -c "DROP DATABASE IF EXISTS \"'"$pg_db"'\" WITH (FORCE)" >/dev/null 2>&1; rm -rf "$TEST_TMP"' EXIT
  (cd "$S" && /usr/bin/python3 - <<'EOF') >"$TEST_TMP/shop_pg.sql"
import sys
sys.path.insert(0, ".")
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from myapp.models import Base
dialect = postgresql.dialect(paramstyle="named")  # % as the server gets it, not psycopg2's %%
def executor(sql, *multiparams, **params):
    print(str(sql.compile(dialect=dialect)).strip() + ";")
engine = sa.create_mock_engine("postgresql://", executor)
Base.metadata.create_all(engine, checkfirst=False)
EOF
  psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -f "$TEST_TMP/shop_pg.sql" >/dev/null 2>"$TEST_TMP/.err"
  expect_equal "$?" "0" "SQLAlchemy's DDL for the shop loads into PostgreSQL ($(head -n1 "$TEST_TMP/.err"))"
  importer --dialect postgresql --url "$pg_url" --skip-unrenderable --metadata myapp.models:Base.metadata shop shop-pg
  expect_rc 0
  pg_models="$TEST_TMP/shop-pg/schema/models.json"
  expect_equal "$(grep -c '"enums": \[' "$pg_models")" "1" "a native enum is declared"
  expect_equal "$(grep -c '"name": "id", "type": "bigint", "postgres_type": "bigserial"' "$pg_models")" "1" "a BigInteger key is BIGSERIAL"
  expect_equal "$(grep -c '"name": "attributes", "type": "json", "postgres_type": "JSON"' "$pg_models")" "1" "JSON stays json (not jsonb)"
  expect_equal "$(grep -c "\"expression\": \"email LIKE '%@%'\"" "$pg_models")" "1" "% written once"
  run "$TEST_TMP/shop-pg" stamp head
  expect_rc 0
  run "$TEST_TMP/shop-pg" check
  expect_rc 0
  expect_out "OK: the database matches the models"
fi

test_case "docs/import-alembic.md: every sh block runs as written"
# ~ is a scratch home holding myapp (its app.db where Alembic left it: two branch revisions)
# and legacy; dbtool and alembic are on PATH; blocks start in dbtool's source folder.
H="$TEST_TMP/home"
mkdir -p "$H/src" "$TEST_TMP/bin"
ln -s "$DBTOOL" "$TEST_TMP/bin/dbtool"
ln -s "$ALEMBIC" "$TEST_TMP/bin/alembic"
cp -r "$A" "$H/src/myapp"
rm -f "$H/src/myapp/app.db"
cp "$TEST_TMP/alembic_mid.db" "$H/src/myapp/app.db"
cp -r "$L" "$H/src/legacy"
cp -r "$S" "$H/src/shop"
rm -f "$H/src/shop/myapp/bad_models.py"
cp "$TEST_TMP/shop_alembic_head.db" "$H/src/shop/shop.db"
/usr/bin/python3 - "$SOURCE_DIR/docs/import-alembic.md" "$TEST_TMP/blocks" <<'EOF'
import os, re, sys
text = open(sys.argv[1]).read()
os.makedirs(sys.argv[2], exist_ok=True)
for number, block in enumerate(re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M), 1):
    with open(os.path.join(sys.argv[2], f"{number:02d}.sh"), "w") as f:
        f.write(block)
EOF
blocks=$(ls "$TEST_TMP/blocks" | wc -l)
expect_equal "$([ "$blocks" -ge 8 ] && echo yes)" "yes" "the doc's sh blocks found ($blocks)"
for block in "$TEST_TMP"/blocks/*.sh; do
  last_command="docs block $(basename "$block"): $(tr '\n' ';' <"$block")"
  out=$(cd "$SOURCE_DIR" && HOME="$H" PATH="$TEST_TMP/bin:$PATH" bash -e "$block" 2>"$TEST_TMP/.err")
  rc=$?
  err=$(cat "$TEST_TMP/.err")
  expect_rc 0
  case "$(cat "$block")" in
    *"alembic heads"*) ;;
    *"alembic current"*) expect_equal "$(ids "$out")" "$(versions "$H/src/myapp/app.db")" "alembic current in the doc" ;;
  esac
done
expect_equal "$(fingerprint "$H/src/myapp/app.db")" "$reference" "the doc's switch-over reaches Alembic's heads"
expect_equal "$(versions "$H/src/myapp/app.db")" "$(versions "$TEST_TMP/alembic_heads.db")" "the doc's database at both heads"
expect_equal "$(versions "$H/src/myapp-dbtool/rehearsal.db")" "$(versions "$TEST_TMP/alembic_mid.db")" "the doc's rehearsal back where Alembic left it"
expect_equal "$(fingerprint "$H/src/myapp-dbtool/rehearsal.db")" "$(fingerprint "$TEST_TMP/alembic_mid.db")" "the doc's rehearsal schema"
pg="$H/src/myapp-pg/migrations"
expect_equal "$(grep -c '^url = "postgresql://app@db.example.com/app"$' "$H/src/myapp-pg/dbtool.toml")" "1" "PostgreSQL URL"
expect_equal "$(grep -c 'id SERIAL NOT NULL' "$pg/$(id_of t01)_create_users.sql")" "1" "PostgreSQL types"
expect_equal "$(grep -c "CREATE TYPE notification_kind AS ENUM ('email', 'sms');" "$pg"/$(id_of p05)_*.sql)" "1" "PostgreSQL enum"
expect_equal "$(grep -c "'O''Brien: 100% ops'" "$pg/$(id_of t05)_seed_the_admin_user.sql")" "1" "% written once on PostgreSQL"
expect_equal "$(grep -c 'foreign_keys' "$H/src/myapp-pg/dbtool.toml")" "0" "no [sqlite] section for PostgreSQL"
expect_equal "$(ls "$H/src/shop-dbtool/schema")" "models.json" "the doc's shop import wrote the models"
expect_equal "$(versions "$H/src/shop-dbtool/fresh.db")" "$(id_of s07)" "the doc's fresh shop database at head"
run "$H/src/shop-dbtool" check
expect_rc 0
expect_out "OK: the database matches the models"

echo "test_import_alembic: $(($(date +%s) - start)) s"
finish
