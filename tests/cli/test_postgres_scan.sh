# `dbtool scan` on PostgreSQL: every feature of the model read from pg_catalog, written
# as JSON and as SQL; the SQL rebuilds the schema in an empty database, which scans
# the same; awkward names survive; the number of queries does not grow with tables.
source "$(dirname "$0")/pg_lib.sh"


test_case "scan reads every feature"
pg_project features
p=$project_dir
first_db=$pg_db
psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -f "$SOURCE_DIR/tests/cli/pg_every_feature.sql" >/dev/null
expect_equal "$?" "0" "the feature schema loads"
run "$p" scan
expect_rc 0
json_eq "len(d['tables'])" "4"
json_eq "d['tables'][1]['name']" 'x"; DROP TABLE y; --'
json_eq "d['tables'][3]['name']" "表"
json_eq "[c.get('identity') for c in d['tables'][0]['columns']][0]" "by default"
json_eq "[c['type'] for c in d['tables'][0]['columns']]" '["bigint","string(20)","text","integer","timestamp_tz"]'
json_eq "d['tables'][0]['columns'][2]['collation']" "C"
json_eq "d['tables'][0]['columns'][1]['comment']" "short code"
json_eq "d['tables'][0]['comment']" "the parents; with a quote'"
json_eq "d['tables'][0]['unique_constraints']" '[{"name":"parents_code_key","columns":["code"]}]'
json_eq "[i['name'] for i in d['tables'][0]['indexes']]" '["parents_lower_code","parents_mixed"]'
json_eq "d['tables'][0]['indexes'][0]['columns']" '[{"expression":"lower(code::text)","desc":true,"nulls":"last"},{"column":"order","nulls":"first"}]'
json_eq "d['tables'][0]['indexes'][1]['columns']" '[{"column":"Mixed Case","collation":"POSIX","opclass":"text_pattern_ops"}]'
json_eq "d['tables'][1]['columns'][2]['postgres_type']" "mood"
json_eq "d['tables'][1]['columns'][3]['postgres_type']" "text[]"
json_eq "[d['tables'][1]['columns'][i]['type'] for i in (4, 5, 6, 7, 8)]" '["json","numeric(12,2)","text","uuid","blob"]'
# real has no generic type (float is double precision on both backends): it is kept exactly.
json_eq "d['tables'][1]['columns'][6]['postgres_type']" 'real'
json_eq "d['tables'][1]['columns'][10]['generated']" '{"expression":"(amount * (2)::numeric)","stored":true}'
json_eq "d['tables'][1]['foreign_keys'][0]['on_delete'] + ' ' + d['tables'][1]['foreign_keys'][0]['on_update']" "CASCADE SET NULL"
json_eq "d['tables'][1]['foreign_keys'][0]['deferrable']" "true"
json_eq "d['tables'][1]['exclusion_constraints'][0]['definition']" "EXCLUDE USING gist (during WITH &&)"
json_eq "d['tables'][1]['indexes'][0]['method']" "gin"
json_eq "d['tables'][3]['primary_key']['columns']" '["a","b"]'
json_eq "d['enums']" '[{"name":"mood","values":["sad","ok","it'"'"'s fine"],"comment":"how it feels"}]'
json_eq "d['domains']" '[{"name":"positive_int","definition":"integer DEFAULT 1 NOT NULL CONSTRAINT positive CHECK (VALUE > 0)","comment":"more than nothing"}]'
json_eq "d['tables'][3]['columns'][2]['postgres_type']" "positive_int"
json_eq "d['sequences'][0]" '{"name":"invoice_numbers","type":"integer","start":"1000","increment":"5"}'
json_eq "[r['name'] for r in d['routines']]" '["touch()"]'
json_eq "[(v['name'], v.get('materialized', False)) for v in d['views']]" '[["busy_parents",false],["parent_counts",true]]'
json_eq "[t['name'] for t in d['triggers']]" '["parents_touch"]'
printf '%s' "$out" >"$TEST_TMP/first.json"

test_case "scan --format sql rebuilds the schema, which scans the same"
run "$p" scan --format sql
expect_rc 0
# What the JSON format does not carry yet is in the SQL: read from the catalog.
expect_out "id integer GENERATED ALWAYS AS IDENTITY (INCREMENT BY 10 MAXVALUE 100000 START WITH 100 CACHE 20 CYCLE) NOT NULL"
expect_out "ALTER SEQUENCE zz_options_n_seq AS integer INCREMENT BY 3 MINVALUE 0 NO MAXVALUE START WITH 0 CACHE 1 NO CYCLE;"
expect_out "CONSTRAINT zz_options_pkey PRIMARY KEY (id) INCLUDE (code) WITH (fillfactor=90) DEFERRABLE INITIALLY DEFERRED"
expect_out "CONSTRAINT zz_region UNIQUE NULLS NOT DISTINCT (region, code) INCLUDE (n) WITH (fillfactor=80) DEFERRABLE,"
expect_out "CONSTRAINT zz_code_check CHECK (code <> ''::text) NO INHERIT"
expect_out ") WITH (fillfactor=70, autovacuum_enabled=false);"
expect_out "FOREIGN KEY (parent_code, region) REFERENCES zz_options (code, region) MATCH FULL ON DELETE SET NULL DEFERRABLE;"
expect_out "INCLUDE (region) NULLS NOT DISTINCT WITH (fillfactor=60, deduplicate_items=off) WHERE (code <> 'x'::text);"
expect_out "CREATE SEQUENCE zz_counter AS smallint START WITH 5 INCREMENT BY -1 MINVALUE -100 MAXVALUE 5 CACHE 2 CYCLE;"
for comment in "CONSTRAINT zz_options_pkey ON zz_options IS 'the key'" "CONSTRAINT zz_parent ON zz_options IS 'the parent''s'" \
  "CONSTRAINT no_overlap ON \"x\"\"; DROP TABLE y; --\" IS 'one at a time'" "INDEX zz_options_lower IS 'case-blind'" \
  "VIEW busy_parents IS 'the busy ones'" "MATERIALIZED VIEW parent_counts IS 'how many'" "TYPE mood IS 'how it feels'" \
  "DOMAIN positive_int IS 'more than nothing'" "SEQUENCE zz_counter IS 'down'" "ROUTINE touch() IS 'sets updated_at'"; do
  expect_out "COMMENT ON $comment;"
done
printf '%s\n' "$out" >"$TEST_TMP/rebuild.sql"
first_sql=$out
pg_project rebuilt
q=$project_dir
psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -f "$TEST_TMP/rebuild.sql" >/dev/null 2>"$TEST_TMP/rebuild.err"
expect_equal "$?" "0" "psql runs scan's SQL ($(head -c 300 "$TEST_TMP/rebuild.err"))"
run "$q" scan
expect_rc 0
expect_equal "$out" "$(cat "$TEST_TMP/first.json")" "the rebuilt database's JSON"
run "$q" scan --format sql
expect_equal "$out" "$first_sql" "the rebuilt database's SQL"
# The rebuilt schema behaves: the identity, serial, enum, exclusion and trigger work.
pg_sql "$pg_db" "INSERT INTO parents (code) VALUES ('a');
INSERT INTO \"x\"\"; DROP TABLE y; --\" (parent_id, during) VALUES (1, '[2026-01-01, 2026-02-01)');" >/dev/null
expect_pg "$pg_db" "SELECT id, feeling FROM \"x\"\"; DROP TABLE y; --\"" "1|ok"
expect_pg "$pg_db" "INSERT INTO \"x\"\"; DROP TABLE y; --\" (during) VALUES ('[2026-01-15, 2026-01-20)')" 'ERROR:  conflicting key value violates exclusion constraint "no_overlap"
DETAIL:  Key (during)=(["2026-01-15 00:00:00","2026-01-20 00:00:00")) conflicts with existing key (during)=(["2026-01-01 00:00:00","2026-02-01 00:00:00")).'

test_case "what dbtool does not migrate yet is refused, naming the table, never read as something else"
pg_project refused
r=$project_dir
refused_db=$pg_db
pg_sql "$refused_db" "CREATE TABLE plain (id int PRIMARY KEY);
CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);" >/dev/null
run "$r" scan
expect_rc 3
expect_err "table 'events' is partitioned (PARTITION BY RANGE (at)): dbtool does not migrate partitioned tables yet"
expect_one_line_error
pg_sql "$refused_db" "DROP TABLE events; CREATE TABLE events (id int, at date NOT NULL) PARTITION BY LIST (id);
CREATE TABLE events_1 PARTITION OF events FOR VALUES IN (1); ALTER TABLE events DETACH PARTITION events_1;
CREATE TABLE zz_child (extra text) INHERITS (plain);" >/dev/null
run "$r" scan --format sql
expect_rc 3
expect_err "table 'events' is partitioned (PARTITION BY LIST (id))"
pg_sql "$refused_db" "DROP TABLE events" >/dev/null
run "$r" scan
expect_rc 3
expect_err "table 'zz_child' inherits from 'plain' (INHERITS): dbtool does not migrate table inheritance yet"
pg_sql "$refused_db" "DROP TABLE zz_child; CREATE TABLE p2 (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE a_part PARTITION OF p2 FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');" >/dev/null
run "$r" scan
expect_rc 3
expect_err "table 'a_part' is a partition of 'p2' (PARTITION OF): dbtool does not migrate partitioned tables yet"
pg_sql "$refused_db" "DROP TABLE p2; ALTER TABLE plain ENABLE ROW LEVEL SECURITY;" >/dev/null
run "$r" dump --schema-only
expect_rc 3
expect_err "table 'plain' has row-level security (ENABLE ROW LEVEL SECURITY): dbtool does not migrate row-level security yet"
pg_sql "$refused_db" "ALTER TABLE plain DISABLE ROW LEVEL SECURITY; CREATE POLICY mine ON plain USING (id > 0);
CREATE POLICY theirs ON plain USING (id < 0);" >/dev/null
run "$r" scan
expect_rc 3
expect_err "table 'plain' has row-level security (2 policies): dbtool does not migrate row-level security yet"
pg_sql "$refused_db" "DROP POLICY mine ON plain; DROP POLICY theirs ON plain; DROP TABLE events_1" >/dev/null
run "$r" scan
expect_rc 0
json_eq "[t['name'] for t in d['tables']]" '["plain"]'

test_case "scan --table, mermaid and dot"
run "$p" scan --table parents
expect_rc 0
json_eq "[t['name'] for t in d['tables']]" '["parents"]'
run "$p" scan --format mermaid
expect_rc 0
expect_out "erDiagram"
expect_out "parents"
run "$p" scan --format dot
expect_rc 0
expect_out "digraph"

test_case "the number of queries does not grow with the tables"
pg_project small
s=$project_dir
pg_sql "$pg_db" "CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int REFERENCES a (id)); CREATE INDEX b_id ON b (id);" >/dev/null
run "$s" --echo scan
small_queries=$(printf '%s\n' "$err" | grep -c '^-- echo:')
pg_project large
l=$project_dir
{
  for i in $(seq 1 60); do
    echo "CREATE TABLE t$i (id int PRIMARY KEY, v text CHECK (v <> ''), p int REFERENCES t$(((i > 1) ? i - 1 : 1)) (id));"
    echo "CREATE INDEX t${i}_v ON t$i (v);"
  done
} >"$TEST_TMP/large.sql"
psql -X -q -v ON_ERROR_STOP=1 "$pg_url" -f "$TEST_TMP/large.sql" >/dev/null
run "$l" --echo scan
expect_rc 0
json_eq "len(d['tables'])" "60"
large_queries=$(printf '%s\n' "$err" | grep -c '^-- echo:')
expect_equal "$large_queries" "$small_queries" "queries for 60 tables against 2"

test_case "dbtool's own tables are not part of the schema"
pg_project own
o=$project_dir
write_revision "$o" a1 "" "t" "CREATE TABLE t (id int);" "DROP TABLE t;"
run "$o" upgrade head
run "$o" scan
expect_rc 0
json_eq "[t['name'] for t in d['tables']]" '["t"]'

test_case "scan --models reads the models as PostgreSQL does (arrays, jsonb)"
pg_project models
m=$project_dir
mkdir -p "$m/schema"
printf '%s\n' '{"tables": [{"name": "lessons", "columns": [{"name": "id", "type": "integer", "primary_key": true}, {"name": "tags", "type": "array(text)"}, {"name": "body", "type": "json"}]}]}' >"$m/schema/models.json"
run "$m" scan --models --format sql
expect_rc 0
expect_out "tags text[]"
expect_out "body jsonb"
run "$m" scan --models
expect_rc 0
json_eq "[c.get('postgres_type', c['type']) for c in d['tables'][0]['columns']]" '["integer","text[]","json"]'
# Nothing stays behind: the scratch schema was rolled back.
expect_equal "$(psql -X -At "$pg_url" -c "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'dbtool_models_%'")" "0" "scratch schemas left"

finish
