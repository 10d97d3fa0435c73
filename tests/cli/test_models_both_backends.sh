# One JSON model on SQLite and on PostgreSQL (issue 18): boolean defaults in every
# spelling, an integer primary key that numbers its rows (the rowid on SQLite, an
# identity column on PostgreSQL), float as double precision, datetime as a timestamp.
# Each backend builds the model with `revision --autogenerate` and `upgrade head`, then
# `check` is clean; SQLite databases that spell a boolean default the other way are not
# rebuilt.
source "$(dirname "$0")/pg_lib.sh"

model=$(cat <<'EOF'
{
  "tables": [
    {
      "name": "items",
      "columns": [
        {"name": "id", "type": "integer", "primary_key": true},
        {"name": "on_sale", "type": "boolean", "nullable": false, "default": false},
        {"name": "visible", "type": "boolean", "nullable": false, "default": "1"},
        {"name": "archived", "type": "boolean", "default": "FALSE"},
        {"name": "checked", "type": "boolean", "default": 0},
        {"name": "ratio", "type": "float"},
        {"name": "seen_at", "type": "datetime"},
        {"name": "label", "type": "string(20)", "default": "'x'"}
      ]
    },
    {
      "name": "codes",
      "columns": [
        {"name": "id", "type": "integer", "primary_key": true, "identity": "none"},
        {"name": "code", "type": "text"}
      ]
    }
  ]
}
EOF
)

test_case "the model on SQLite: rowid key, boolean defaults, check clean"
p=$(new_project lite)
mkdir -p "$p/schema" && printf '%s\n' "$model" >"$p/schema/models.json"
run "$p" revision --autogenerate -m base --rev-id base01
expect_rc 0
run "$p" upgrade head
expect_rc 0
run "$p" check
expect_rc 0
expect_out "OK: the database matches the models"
run_sql "$p/data/app.db" "INSERT INTO items (ratio) VALUES (0.5); INSERT INTO items (ratio) VALUES (1.5)"
expect_sql "$p/data/app.db" "SELECT id, on_sale, visible, archived, checked, label FROM items ORDER BY id" \
  "1|0|1|0|0|x
2|0|1|0|0|x"
expect_sql "$p/data/app.db" "SELECT type FROM pragma_table_info('items') WHERE name IN ('ratio', 'seen_at') ORDER BY cid" \
  "FLOAT
DATETIME"

test_case "SQLite: a boolean default spelled TRUE/FALSE in the database is no difference"
p=$(new_project lite_words)
mkdir -p "$p/schema" && printf '%s\n' "$model" >"$p/schema/models.json"
write_revision "$p" w01 "" "by hand" \
  "CREATE TABLE items (id INTEGER PRIMARY KEY, on_sale BOOLEAN NOT NULL DEFAULT FALSE, visible BOOLEAN NOT NULL DEFAULT TRUE, archived BOOLEAN DEFAULT 0, checked BOOLEAN DEFAULT false, ratio FLOAT, seen_at DATETIME, label VARCHAR(20) DEFAULT 'x');
CREATE TABLE codes (id INTEGER PRIMARY KEY, code TEXT);" "DROP TABLE codes; DROP TABLE items;"
run "$p" upgrade head
expect_rc 0
run "$p" check
expect_rc 0
expect_out "OK: the database matches the models"

test_case "SQLite: a boolean default that really changes is one"
sed 's/"default": false/"default": true/' "$p/schema/models.json" >"$p/schema/m2" &&
  mv "$p/schema/m2" "$p/schema/models.json"
run "$p" check
expect_rc 1
expect_out "column on_sale: default FALSE -> 1"

test_case "the model on PostgreSQL: an identity key, true/false defaults, check clean"
pg_project pgmodel
p=$project_dir
mkdir -p "$p/schema" && printf '%s\n' "$model" >"$p/schema/models.json"
run "$p" revision --autogenerate -m base --rev-id base01
expect_rc 0
run "$p" upgrade head
expect_rc 0
run "$p" check
expect_rc 0
expect_out "OK: the database matches the models"
expect_pg "$pg_db" "SELECT column_name, data_type, coalesce(column_default, ''), is_identity FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position" \
  "id|integer||YES
on_sale|boolean|false|NO
visible|boolean|true|NO
archived|boolean|false|NO
checked|boolean|false|NO
ratio|double precision||NO
seen_at|timestamp without time zone||NO
label|character varying|'x'::character varying|NO"
expect_pg "$pg_db" "SELECT is_identity FROM information_schema.columns WHERE table_name = 'codes' AND column_name = 'id'" "NO"
# New rows get their keys from the identity, as SQLite gives them from the rowid.
expect_pg "$pg_db" "INSERT INTO items (ratio) VALUES (0.5), (1.5) RETURNING id" "1
2"

test_case "PostgreSQL: the database scanned as a model reads back to the same schema"
run "$p" scan --format json
expect_rc 0
printf '%s\n' "$out" >"$p/schema/models.json"
expect_equal "$(grep -c '"identity": "none"' "$p/schema/models.json")" "1" "codes.id written without an identity"
run "$p" check
expect_rc 0
expect_out "OK: the database matches the models"

finish
