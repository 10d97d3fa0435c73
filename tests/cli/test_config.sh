# Projects and configuration: init, defaults without dbtool.toml, the precedence of URL
# sources, -C, -c and DBTOOL_CONFIG, the keys of dbtool.toml, --echo, password masking,
# --version, help, and the URL forms.
source "$(dirname "$0")/lib.sh"

# version_of DB: the version rows of DB ("none" when it has no version table or no file).
version_of() {
  if [ ! -f "$1" ]; then echo "none"; return; fi
  sqlite3 "$1" "SELECT group_concat(version_num, ',') FROM dbtool_version" 2>/dev/null || echo "none"
}
listing() { (cd "$1" && find . -mindepth 1 | sort | tr '\n' ' '); }
# one_revision DIR: DIR/migrations with one revision r1 creating table t1.
one_revision() {
  mkdir -p "$1/migrations"
  write_revision "$1" r1 "" "one" "CREATE TABLE t1 (id INTEGER PRIMARY KEY);" "DROP TABLE t1;"
}

test_case "init creates a project"
i="$TEST_TMP/init"
mkdir -p "$i"
run "$i" init
expect_rc 0
expect_out "dbtool.toml"
expect_out "migrations"
expect_out "schema"
expect_equal "$(listing "$i")" "./dbtool.toml ./migrations ./schema " "files made by init"
expect_equal "$(grep -c '^url = "sqlite:///data/app.db"' "$i/dbtool.toml")" "1" "default url written"
run "$i" heads
expect_rc 0
expect_equal "$err" "" "the written dbtool.toml loads"
run "$i" upgrade
expect_rc 0
expect_equal "$(test -d "$i/data" && echo yes)" "yes" "data/ made on first connect"

test_case "init refuses to overwrite and creates nothing"
sum=$(sha256sum <"$i/dbtool.toml")
listing_before=$(listing "$i")
run "$i" init
expect_rc 3
expect_one_line_error
expect_err "dbtool.toml"
expect_err "refusing to overwrite"
expect_equal "$(sha256sum <"$i/dbtool.toml")" "$sum" "dbtool.toml untouched"
expect_equal "$(listing "$i")" "$listing_before" "nothing created"
for part in migrations schema dbtool.toml; do
  d="$TEST_TMP/partial_$part"
  mkdir -p "$d"
  if [ "$part" = dbtool.toml ]; then printf 'url = "sqlite:///x.db"\n' >"$d/$part"; else mkdir "$d/$part"; fi
  run "$TEST_TMP" init "partial_$part"
  expect_rc 3
  expect_one_line_error
  expect_err "$part"
  expect_equal "$(listing "$d")" "./$part " "init with an existing $part creates nothing"
done

test_case "init DIR, -C DIR init, --json init"
run "$TEST_TMP" init made/deep/proj
expect_rc 0
expect_equal "$(listing "$TEST_TMP/made/deep/proj")" "./dbtool.toml ./migrations ./schema " "init DIR makes the folders"
mkdir -p "$TEST_TMP/cdir"
run "$TEST_TMP" -C cdir init
expect_rc 0
expect_equal "$(listing "$TEST_TMP/cdir")" "./dbtool.toml ./migrations ./schema " "-C DIR init"
run "$TEST_TMP" --json init jproj
expect_rc 0
json_eq 'd["command"]' "init"
json_eq '[p.split("/")[-1] for p in d["created"]]' '["dbtool.toml","migrations","schema"]'

test_case "no dbtool.toml: the defaults apply in the current folder"
n="$TEST_TMP/notoml"
one_revision "$n"
run "$n" upgrade head
expect_rc 0
expect_out "upgrade r1"
expect_equal "$(version_of "$n/data/app.db")" "r1" "data/app.db made, data/ created"
expect_sql "$n/data/app.db" "SELECT count(*) FROM sqlite_schema WHERE name = 't1'" "1"
expect_sql "$n/data/app.db" "PRAGMA journal_mode" "wal"
run "$n" current
expect_equal "$out" "r1 (head)" "current"

test_case "URL precedence: --url > DBTOOL_URL > DATABASE_URL > dbtool.toml > default"
u="$TEST_TMP/prec"
one_revision "$u"
printf 'url = "sqlite:///toml.db"\n' >"$u/dbtool.toml"
DBTOOL_URL=sqlite:///dbtool_url.db DATABASE_URL=sqlite:///database_url.db run "$u" --url sqlite:///flag.db upgrade
expect_rc 0
expect_equal "$(version_of "$u/flag.db"),$(version_of "$u/dbtool_url.db"),$(version_of "$u/database_url.db"),$(version_of "$u/toml.db")" \
  "r1,none,none,none" "--url wins"
DBTOOL_URL=sqlite:///dbtool_url.db DATABASE_URL=sqlite:///database_url.db run "$u" upgrade
expect_rc 0
expect_equal "$(version_of "$u/dbtool_url.db"),$(version_of "$u/database_url.db"),$(version_of "$u/toml.db")" \
  "r1,none,none" "DBTOOL_URL next"
DATABASE_URL=sqlite:///database_url.db run "$u" upgrade
expect_rc 0
expect_equal "$(version_of "$u/database_url.db"),$(version_of "$u/toml.db")" "r1,none" "DATABASE_URL next"
run "$u" upgrade
expect_rc 0
expect_equal "$(version_of "$u/toml.db"),$(version_of "$u/data/app.db")" "r1,none" "dbtool.toml next"
printf 'migrations = "migrations"\n' >"$u/dbtool.toml"
run "$u" upgrade
expect_rc 0
expect_equal "$(version_of "$u/data/app.db")" "r1" "the default last"
DBTOOL_URL=sqlite:///dbtool_url.db run "$u" --json current
json_eq 'd["url"]' "sqlite:///dbtool_url.db"

test_case "-C DIR runs as if started there"
c="$TEST_TMP/cproj"
one_revision "$c"
printf 'url = "sqlite:///state/c.db"\n' >"$c/dbtool.toml"
mkdir -p "$TEST_TMP/elsewhere"
run "$TEST_TMP/elsewhere" -C "$c" upgrade
expect_rc 0
expect_equal "$(version_of "$c/state/c.db")" "r1" "database of the -C project"
expect_equal "$(ls -A "$TEST_TMP/elsewhere")" "" "nothing made in the cwd"
run "$TEST_TMP" -C cproj current
expect_rc 0
expect_equal "$out" "r1 (head)" "relative -C"
run "$TEST_TMP/elsewhere" -C "$c" --url sqlite:///flag.db upgrade
expect_rc 0
expect_equal "$(version_of "$c/flag.db")" "r1" "a relative --url resolves against the -C project"

test_case "-c FILE and DBTOOL_CONFIG: paths resolve against the config file's folder"
k="$TEST_TMP/cfg"
mkdir -p "$k/conf/db" "$k/work"
one_revision "$k/conf/db"
mv "$k/conf/db/migrations" "$k/conf/db/revs"
cat >"$k/conf/other.toml" <<'EOF'
url = "sqlite:///state/other.db"
migrations = "db/revs"
EOF
# A dbtool.toml in the cwd that -c must override.
printf 'url = "sqlite:///cwd.db"\nmigrations = "nowhere"\n' >"$k/work/dbtool.toml"
run "$k/work" -c ../conf/other.toml upgrade
expect_rc 0
expect_equal "$(version_of "$k/conf/state/other.db")" "r1" "-c: url relative to the config's folder"
expect_equal "$(ls "$k/work")" "dbtool.toml" "-c: nothing made in the cwd"
run "$k/work" --config "$k/conf/other.toml" current
expect_rc 0
expect_equal "$out" "r1 (head)" "--config with an absolute path"
sed -i 's/other.db/env.db/' "$k/conf/other.toml"
DBTOOL_CONFIG=../conf/other.toml run "$k/work" upgrade
expect_rc 0
expect_equal "$(version_of "$k/conf/state/env.db")" "r1" "DBTOOL_CONFIG"
printf 'url = "sqlite:///flagcfg.db"\nmigrations = "db/revs"\n' >"$k/conf/flag.toml"
DBTOOL_CONFIG=../conf/other.toml run "$k/work" -c ../conf/flag.toml upgrade
expect_rc 0
expect_equal "$(version_of "$k/conf/flagcfg.db")" "r1" "-c beats DBTOOL_CONFIG"
DBTOOL_CONFIG=../conf/missing.toml run "$k/work" current
expect_rc 3
expect_one_line_error
expect_err "missing.toml"

test_case "migrations, version_table and history_table keys"
a="$TEST_TMP/alembic"
mkdir -p "$a/db/revs" "$a/migrations"
# write_revision writes into migrations/; the files move to the configured folder.
for i in 1 2 3; do
  write_revision "$a" "r$i" "$([ $i -gt 1 ] && echo "r$((i - 1))")" "create t$i" "CREATE TABLE t$i (id INTEGER PRIMARY KEY);" "DROP TABLE t$i;"
done
mv "$a/migrations"/*.sql "$a/db/revs/"
rmdir "$a/migrations"
cat >"$a/dbtool.toml" <<'EOF'
url = "sqlite:///app.db"
migrations = "db/revs"
version_table = "alembic_version"
history_table = "my_history"
EOF
# A database that Alembic brought to r1: its alembic_version row is adopted.
sqlite3 "$a/app.db" "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)); INSERT INTO alembic_version VALUES ('r1'); CREATE TABLE t1 (id INTEGER PRIMARY KEY);"
run "$a" upgrade
expect_rc 0
expect_out "upgrade r2"
expect_out "upgrade r3"
expect_no_out "upgrade r1"
expect_sql "$a/app.db" "SELECT group_concat(version_num) FROM alembic_version" "r3"
expect_sql "$a/app.db" "SELECT group_concat(revision || ':' || direction, ' ') FROM my_history ORDER BY id" "r2:upgrade r3:upgrade"
expect_sql "$a/app.db" "SELECT count(*) FROM sqlite_schema WHERE name IN ('dbtool_version', 'dbtool_history')" "0"
run "$a" history
expect_rc 0
expect_equal "$(printf '%s\n' "$out" | wc -l)" "3" "history reads the configured migrations folder"
run "$a" downgrade r1
expect_rc 0
expect_sql "$a/app.db" "SELECT group_concat(version_num) FROM alembic_version" "r1"

test_case "[sqlite] journal_mode and foreign_keys"
j="$TEST_TMP/journal"
one_revision "$j"
printf 'url = "sqlite:///app.db"\n[sqlite]\njournal_mode = "DELETE"\n' >"$j/dbtool.toml"
run "$j" upgrade
expect_rc 0
expect_sql "$j/app.db" "PRAGMA journal_mode" "delete"
expect_equal "$(ls "$j" | grep -c 'app.db-')" "0" "no WAL files in DELETE mode"
printf 'url = "sqlite:///app.db"\n[sqlite]\njournal_mode = "wal"\n' >"$j/dbtool.toml"
run "$j" current
expect_rc 0
expect_sql "$j/app.db" "PRAGMA journal_mode" "wal"
fk="$TEST_TMP/fk"
mkdir -p "$fk/migrations"
write_revision "$fk" p1 "" "tables" \
  "CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent (id));" \
  "DROP TABLE child; DROP TABLE parent;"
write_revision "$fk" p2 "p1" "orphan" "INSERT INTO child (id, parent_id) VALUES (1, 42);" "DELETE FROM child;"
printf 'url = "sqlite:///off.db"\n[sqlite]\nforeign_keys = false\n' >"$fk/dbtool.toml"
run "$fk" upgrade
expect_rc 0
expect_sql "$fk/off.db" "SELECT version_num FROM dbtool_version" "p2"
expect_sql "$fk/off.db" "SELECT count(*) FROM child" "1"
printf 'url = "sqlite:///on.db"\n[sqlite]\nforeign_keys = true\n' >"$fk/dbtool.toml"
run "$fk" upgrade
expect_rc 4
expect_one_line_error
expect_err "FOREIGN KEY"
expect_sql "$fk/on.db" "SELECT version_num FROM dbtool_version" "p1"
expect_sql "$fk/on.db" "SELECT count(*) FROM child" "0"
printf 'url = "sqlite:///default.db"\n' >"$fk/dbtool.toml"
run "$fk" upgrade
expect_rc 4
expect_err "FOREIGN KEY"

test_case "--echo and DBTOOL_ECHO log SQL to stderr"
e="$TEST_TMP/echo"
one_revision "$e"
run "$e" --echo upgrade
expect_rc 0
expect_err "CREATE TABLE t1 (id INTEGER PRIMARY KEY);"
expect_err "BEGIN IMMEDIATE"
expect_err "INSERT INTO \"dbtool_version\""
expect_out "upgrade r1"
expect_no_out "CREATE TABLE"
run "$e" downgrade base
expect_rc 0
expect_equal "$err" "" "no echo by default"
DBTOOL_ECHO=1 run "$e" upgrade
expect_rc 0
expect_err "CREATE TABLE t1 (id INTEGER PRIMARY KEY);"
DBTOOL_ECHO=0 run "$e" downgrade base
expect_rc 0
expect_equal "$err" "" "DBTOOL_ECHO=0 is off"

test_case "a postgresql password is never shown"
w="$TEST_TMP/password"
one_revision "$w"
check_masked() {
  expect_one_line_error
  if [[ "$out$err" == *s3cretpw* ]]; then fail "password shown"; else pass; fi
  expect_err "***"
}
for url in "postgresql://alice:s3cretpw@db.example.com:5432/app" "postgres://alice:s3cretpw@db.example.com/app?sslmode=require"; do
  run "$w" --url "$url" upgrade
  expect_rc 4
  check_masked
  expect_err "alice:***@db.example.com"
  run "$w" --url "$url" --echo --verbose current --verbose
  check_masked
  run "$w" --json --url "$url" current
  check_masked
  DBTOOL_URL="$url" run "$w" history --indicate-current
  check_masked
  DATABASE_URL="$url" run "$w" stamp head
  check_masked
  printf 'url = "%s"\n' "$url" >"$w/dbtool.toml"
  run "$w" downgrade base
  check_masked
  rm "$w/dbtool.toml"
done
# Invalid URLs are reported masked too.
run "$w" --url "postgresql://alice:s3cretpw@" current
expect_rc 3
check_masked
run "$w" --url "mysql://alice:s3cretpw@host/db" current
expect_rc 3
check_masked
# A password holding '/' or '?' (unencoded) and one given as a query option stay hidden.
for url in "postgresql://alice:s3cretpw/x@db.example.com/app" "postgresql://alice:s3cretpw?x@db.example.com/app" \
  "postgresql://alice@db.example.com/app?password=s3cretpw"; do
  run "$w" --url "$url" current
  if [[ "$out$err" == *s3cretpw* ]]; then fail "password shown for $url"; else pass; fi
  expect_one_line_error
done

test_case "environments: --env or DBTOOL_ENV applies an [env.NAME] table; \${VAR} from the environment"
v="$TEST_TMP/environments"
one_revision "$v"
cat >"$v/dbtool.toml" <<'EOF'
url = "sqlite:///data/dev.db"
[env.ci]
url = "sqlite:///data/${CI_NAME:-ci}.db"
[env.ci.sqlite]
journal_mode = "DELETE"
[env.pg]
url = "postgresql://alice:${PG_PASSWORD}@127.0.0.1:1/app?connect_timeout=5"
EOF
run "$v" upgrade -q
expect_rc 0
expect_equal "$(version_of "$v/data/dev.db")" "r1" "no environment: the top level"
run "$v" --env ci upgrade -q
expect_rc 0
expect_equal "$(version_of "$v/data/ci.db")" "r1" "--env ci: its url, the variable's default"
expect_sql "$v/data/ci.db" "PRAGMA journal_mode" "delete"
CI_NAME=other DBTOOL_ENV=ci run "$v" upgrade -q
expect_rc 0
expect_equal "$(version_of "$v/data/other.db")" "r1" "DBTOOL_ENV=ci with CI_NAME set"
DBTOOL_ENV=ci run "$v" --env nope current
expect_rc 3
expect_err "$v/dbtool.toml:2: unknown environment 'nope' (--env, DBTOOL_ENV): the [env.NAME] tables are ci, pg"
expect_one_line_error
DBTOOL_ENV= run "$v" --json current
expect_rc 0
json_eq 'd["url"]' "sqlite:///data/dev.db"
run "$v" --env pg current
expect_rc 3
expect_err "$v/dbtool.toml:7: environment variable PG_PASSWORD is not set (\${PG_PASSWORD:-default} gives a default)"
expect_one_line_error
expect_equal "$(ls "$v/data" | grep -v -- '-wal$\|-shm$' | sort | tr '\n' ' ')" "ci.db dev.db other.db " "databases made"
# A password from a variable is masked like any other.
for flags in "current" "--json current" "--echo upgrade"; do
  # shellcheck disable=SC2086
  PG_PASSWORD=s3cretpw run "$v" --env pg $flags
  expect_rc 4
  expect_one_line_error
  if [[ "$out$err" == *s3cretpw* ]]; then fail "password shown ($flags)"; else pass; fi
  expect_err "alice:***@127.0.0.1:1/app"
done

test_case "SQLAlchemy's URL spellings; an empty DATABASE_URL is unset"
a="$TEST_TMP/alchemy"
one_revision "$a"
DATABASE_URL="sqlite+pysqlite:///data/alchemy.db" run "$a" upgrade -q
expect_rc 0
expect_equal "$(version_of "$a/data/alchemy.db")" "r1" "sqlite+pysqlite:///"
DBTOOL_URL= DATABASE_URL= run "$a" upgrade -q
expect_rc 0
expect_equal "$(version_of "$a/data/app.db")" "r1" "empty DBTOOL_URL and DATABASE_URL: the default"
for url in "postgresql+psycopg2://alice:s3cretpw@127.0.0.1:1/app" "postgresql+psycopg://alice:s3cretpw@127.0.0.1:1/app" \
  "postgresql+asyncpg://alice:s3cretpw@127.0.0.1:1/app" "postgres://alice:s3cretpw@127.0.0.1:1/app"; do
  DATABASE_URL="$url" run "$a" current
  expect_rc 4 # PostgreSQL, not a URL error: nothing listens on port 1
  expect_err "cannot connect to postgres"
  expect_err "://alice:***@127.0.0.1:1/app"
  if [[ "$out$err" == *s3cretpw* || "$err" == *+* ]]; then fail "password or driver shown for $url"; else pass; fi
done
run "$a" --url "sqlite+pysqlite://" current
expect_rc 3
expect_err "invalid database URL 'sqlite+pysqlite://'"
run "$a" --url "postgresql+://db/app" current
expect_rc 3
expect_err "expected a driver name after '+'"

test_case "--version and help"
run "$TEST_TMP" --version
expect_rc 0
expect_equal "$(printf '%s\n' "$out" | grep -cE '^dbtool [0-9]+\.[0-9]+\.[0-9]+')" "1" "--version prints dbtool <version>"
expect_equal "$(printf '%s\n' "$out" | wc -l)" "1" "--version prints one line"
run "$TEST_TMP"
expect_rc 0
expect_out "Usage"
for command in init revision upgrade downgrade stamp current history heads branches merge show validate; do
  expect_out "  $command "
done
expect_equal "$err" "" "help prints nothing on stderr"
run "$TEST_TMP" --help
expect_rc 0
expect_out "--url"
expect_out "70 internal error: a bug in dbtool (please report it), or out of memory"
run "$TEST_TMP" upgrade --help
expect_rc 0
expect_out "--single-transaction"

test_case "URL forms: sqlite:////absolute and sqlite://:memory:"
f="$TEST_TMP/forms"
one_revision "$f"
run "$f" --url "sqlite:///$TEST_TMP/abs/abs.db" upgrade
expect_rc 4
expect_one_line_error
mkdir -p "$TEST_TMP/abs"
run "$f" --url "sqlite:///$TEST_TMP/abs/abs.db" upgrade
expect_rc 0
expect_equal "$(version_of "$TEST_TMP/abs/abs.db")" "r1" "absolute path"
run "$TEST_TMP/abs" -C "$f" --url "sqlite:///$TEST_TMP/abs/abs.db" current
expect_rc 0
expect_equal "$out" "r1 (head)" "absolute path from another cwd"
run "$f" --url "sqlite://:memory:" upgrade
expect_rc 0
expect_out "upgrade r1"
expect_out "Done: the database is at r1"
expect_equal "$(ls "$f")" "migrations" "an in-memory database makes no file"
run "$f" --url "sqlite://:memory:" current
expect_rc 0
expect_equal "$out" "" "each run starts a new in-memory database"
DBTOOL_URL="sqlite://:memory:" run "$f" --json stamp head
expect_rc 0
json_eq 'd["after"]' '["r1"]'

finish
