# Alembic reads a version table that dbtool wrote, and dbtool reads one Alembic wrote:
# the same graph (depends_on and a branch included) as an Alembic project and as a
# dbtool project with version_table = "alembic_version", on one SQLite file, driven
# alternately by `alembic` and `dbtool`. Each revision creates a table, so a revision
# run twice fails loudly. Needs Debian's alembic (skipped without it unless CI=true).
unset DBTOOL_TEST_BACKEND # SQLite only: the Alembic side runs on a SQLite file
source "$(dirname "$0")/lib.sh"

ALEMBIC=/usr/bin/alembic
if [ ! -x "$ALEMBIC" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "test_alembic_compat: /usr/bin/alembic is missing: CI must run this test (apt-get install alembic)" >&2
    exit 1
  fi
  echo "skipped: install alembic (Debian) to run this test" >&2
  exit 77
fi

# project NAME SPEC...: an Alembic project in TEST_TMP/NAME/alembic and a dbtool project
# in TEST_TMP/NAME/dbtool, sharing NAME/app.db. SPEC is ID:DOWN[:DEPENDS_ON] (one parent
# or none, one dependency or none). Prints TEST_TMP/NAME.
project() {
  local root="$TEST_TMP/$1" spec id down deps
  shift
  mkdir -p "$root/alembic/versions" "$root/dbtool/migrations"
  printf '[alembic]\nscript_location = %s\nsqlalchemy.url = sqlite:///%s\n' \
    "$root/alembic" "$root/app.db" >"$root/alembic/alembic.ini"
  cat >"$root/alembic/env.py" <<'PY'
from alembic import context
from sqlalchemy import create_engine

engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
PY
  printf 'url = "sqlite:///%s"\nversion_table = "alembic_version"\n' "$root/app.db" \
    >"$root/dbtool/dbtool.toml"
  for spec in "$@"; do
    IFS=: read -r id down deps <<<"$spec"
    cat >"$root/alembic/versions/$id.py" <<PY
from alembic import op

revision = "$id"
down_revision = $([ -n "$down" ] && echo "\"$down\"" || echo None)
branch_labels = None
depends_on = $([ -n "$deps" ] && echo "\"$deps\"" || echo None)


def upgrade():
    op.execute("CREATE TABLE t_$id (id INTEGER)")


def downgrade():
    op.execute("DROP TABLE t_$id")
PY
    write_revision "$root/dbtool" "$id" "$down" "$id" "CREATE TABLE t_$id (id INTEGER);" \
      "DROP TABLE t_$id;" "-- depends_on: $deps"
  done
  echo "$root"
}

# alembic_in ROOT ARGS...: runs alembic on the project's database; sets out, err and rc.
alembic_in() {
  local root=$1
  shift
  last_command="alembic -c $root/alembic/alembic.ini $*"
  "$ALEMBIC" -c "$root/alembic/alembic.ini" "$@" >"$TEST_TMP/.out" 2>"$TEST_TMP/.err"
  rc=$?
  out=$(cat "$TEST_TMP/.out")
  err=$(cat "$TEST_TMP/.err")
}
rows() {
  sqlite3 "$1/app.db" "SELECT group_concat(version_num, ',') FROM (SELECT version_num FROM alembic_version ORDER BY 1)"
}
tables() {
  sqlite3 "$1/app.db" "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE name LIKE 't\_%' ESCAPE '\\' ORDER BY 1)"
}

test_case "Alembic continues a table dbtool wrote (a, b depends_on a, c <- a, d <- b depends_on c, e <- d)"
p=$(project chain a: b::a c:a d:b:c e:d)
run "$p/dbtool" upgrade d
expect_rc 0
expect_equal "$(rows "$p")" "d" "rows dbtool wrote"
# Alembic lists the rows, and the revisions they stand for as "(effective head)".
alembic_in "$p" current
expect_rc 0
expect_equal "$(printf '%s\n' "$out" | grep -v 'effective head')" "d" "alembic current"
alembic_in "$p" upgrade heads
expect_rc 0
expect_equal "$(rows "$p")" "e" "rows after alembic upgrade heads"
expect_equal "$(tables "$p")" "t_a,t_b,t_c,t_d,t_e" "each revision ran once"
run "$p/dbtool" upgrade heads
expect_rc 0
expect_out "Nothing to do"
run "$p/dbtool" downgrade a
expect_rc 0
expect_equal "$(rows "$p")" "b" "dbtool downgrade a keeps b"
expect_equal "$(tables "$p")" "t_a,t_b" "c, d and e reverted"
alembic_in "$p" current
expect_rc 0
expect_equal "$(printf '%s\n' "$out" | grep -v 'effective head' | sort | paste -sd,)" "a,b" "alembic current after dbtool's downgrade (b, and a under it)"
alembic_in "$p" upgrade heads
expect_rc 0
expect_equal "$(tables "$p")" "t_a,t_b,t_c,t_d,t_e" "alembic runs c, d and e, nothing twice"
expect_equal "$(rows "$p")" "e" "rows at heads"

test_case "dbtool's stamp and downgrade leave rows from which Alembic runs nothing twice"
p=$(project stamped a: b: c:b:a)
sqlite3 "$p/app.db" "CREATE TABLE t_a (id INTEGER); CREATE TABLE t_b (id INTEGER); CREATE TABLE t_c (id INTEGER)"
run "$p/dbtool" stamp c
expect_rc 0
run "$p/dbtool" downgrade b
expect_rc 0
expect_equal "$(rows "$p")" "a,b" "rows after stamp c; downgrade b"
alembic_in "$p" current
expect_rc 0
expect_equal "$(printf '%s\n' "$out" | sed 's/ (effective head)//' | sort | paste -sd,)" "a,b" "alembic current"
alembic_in "$p" upgrade heads
expect_rc 0
expect_equal "$(tables "$p")" "t_a,t_b,t_c" "alembic ran c alone"
expect_equal "$(rows "$p")" "c" "rows at heads"

test_case "dbtool continues a table Alembic wrote"
p=$(project reverse a: b::a c:b)
alembic_in "$p" upgrade b
expect_rc 0
expect_equal "$(rows "$p")" "b" "rows Alembic wrote"
run "$p/dbtool" current
expect_rc 0
expect_equal "$out" "b" "dbtool current"
run "$p/dbtool" upgrade heads
expect_rc 0
expect_equal "$(tables "$p")" "t_a,t_b,t_c" "dbtool ran c alone"
run "$p/dbtool" downgrade -1
expect_rc 0
alembic_in "$p" downgrade -1
expect_rc 0
expect_equal "$(rows "$p")" "a" "Alembic's -1 from dbtool's rows"
expect_equal "$(tables "$p")" "t_a" "b reverted by Alembic"

finish
