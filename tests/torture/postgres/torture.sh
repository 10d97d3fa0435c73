# scripts/torture --backend postgres: SIGKILL during upgrade, --single-transaction,
# downgrade and seed on PostgreSQL. Sourced by scripts/torture (which has set root,
# trials, dbtool and work); see its header for what is checked.
pg_admin=$DBTOOL_TEST_PG_URL
pg_base=${pg_admin%/*}
prefix="dbtool_torture_$$"
trial_db="${prefix}_trial"
cleanup_pg() {
  local db
  for db in $(psql -X -At "$pg_admin" -c "SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'" 2>/dev/null); do
    psql -X -q "$pg_admin" -c "UPDATE pg_database SET datistemplate = false WHERE datname = '$db'" >/dev/null 2>&1
    psql -X -q "$pg_admin" -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup_pg EXIT

project=$work/project
mkdir -p "$project/migrations"
cp "$root"/tests/torture/postgres/p*_rev.sql "$project/migrations/"
printf 'url = "%s/%s"\n' "$pg_base" "$trial_db" >"$project/dbtool.toml"

pg() { psql -X -q -At "$pg_base/$trial_db" -c "$1" 2>&1; }
admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -q "$pg_admin" -c "$1" >/dev/null; }

# The tables a version stands for (public schema, sorted).
expected_for() {
  case "$1" in
    "") echo "dbtool_history,dbtool_version" ;;
    p1) echo "child,dbtool_history,dbtool_version,parent" ;;
    p2|p3) echo "big,child,dbtool_history,dbtool_version,parent" ;;
    p4) echo "big,child,dbtool_history,dbtool_version,done4,parent" ;;
    p5) echo "big,child,dbtool_history,dbtool_version,done4,final,parent" ;;
  esac
}

# check LABEL: the database is exactly at the state its version row names, and the
# killed run left no session, no open transaction and no lock behind.
problems=()
check() {
  local label=$1 version tables got
  tables=$(pg "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'")
  if [[ ",$tables," != *",dbtool_version,"* ]]; then
    [ -z "$tables" ] || problems+=("$label: tables without a version table: $tables")
    return
  fi
  version=$(pg "SELECT string_agg(version_num, ',') FROM dbtool_version")
  [ "$tables" = "$(expected_for "$version")" ] ||
    { problems+=("$label: at '$version' the tables are $tables"); return; }
  case "$version" in
    p1|p2) got=$(pg "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'parent'::regclass AND attnum > 0 AND NOT attisdropped")
      [ "$got" = id,v ] || problems+=("$label: at $version parent has $got") ;;
    p3|p4|p5) got=$(pg "SELECT count(*) FILTER (WHERE w = v || 'w') FROM parent")
      [ "$got" = 20000 ] || problems+=("$label: at $version $got parents of 20,000 have w filled in") ;;
  esac
  if [ -n "$version" ]; then
    got=$(pg "SELECT (SELECT count(*) FROM parent) || ' ' || (SELECT count(*) FROM child)")
    [ "$got" = "20000 20000" ] || problems+=("$label: at $version parent and child rows: $got")
  fi
  case "$version" in
    p2|p3) [ "$(pg "SELECT count(*) || '|' || count(*) FILTER (WHERE payload = upper(payload)) FROM big")" = "200000|200000" ] ||
      problems+=("$label: at $version big is not 200,000 upper-case rows") ;;
    p4|p5) [ "$(pg "SELECT count(*) || '|' || count(*) FILTER (WHERE payload = lower(payload)) FROM big")" = "200000|200000" ] ||
      problems+=("$label: at $version big is not 200,000 lower-case rows") ;;
  esac
  got=$(pg "SELECT count(*) FROM dbtool_history WHERE direction = 'upgrade'")
  [ -n "$got" ] || problems+=("$label: the history table cannot be read")
}

# Waits until the killed run's session is gone and its advisory lock released (the
# server notices a dead client within client_connection_check_interval, 1 s); records
# the longest wait in release_max_ms.
release_max_ms=0
wait_released() {
  local label=$1 started elapsed
  started=$(date +%s%N)
  while true; do
    [ "$(pg "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") $(pg "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")" = "0 0" ] && break
    elapsed=$((($(date +%s%N) - started) / 1000000))
    if [ "$elapsed" -gt 5000 ]; then
      problems+=("$label: the killed run's session or advisory lock still there after 5 s")
      return
    fi
    sleep 0.02
  done
  elapsed=$((($(date +%s%N) - started) / 1000000))
  [ "$elapsed" -gt "$release_max_ms" ] && release_max_ms=$elapsed
  return 0
}

# Runs dbtool; its stderr is kept in $work/last.err for the problem's message.
run_quiet() { (cd "$project" && "$dbtool" --lock-timeout 10 "$@") >/dev/null 2>"$work/last.err"; }
last_err() { head -c 300 "$work/last.err"; }
# restore STATE: the trial database becomes a copy of the template STATE.
restore() {
  admin "DROP DATABASE IF EXISTS \"$trial_db\" WITH (FORCE)"
  if [ "$1" = base ]; then
    admin "CREATE DATABASE \"$trial_db\""
  else
    admin "CREATE DATABASE \"$trial_db\" TEMPLATE \"${prefix}_$1\""
  fi
}
restore base
start=$(date +%s%N); run_quiet upgrade head; up_ms=$((($(date +%s%N) - start) / 1000000))
admin "ALTER DATABASE \"$trial_db\" RENAME TO \"${prefix}_head\""
restore head
start=$(date +%s%N); run_quiet downgrade base; down_ms=$((($(date +%s%N) - start) / 1000000))
"$(command -v python3 || echo /usr/bin/python3)" - "$work/rows.jsonl" <<'PYEOF'
import sys
with open(sys.argv[1], "w") as f:
    f.write('{"table":"final","columns":[{"name":"id","type":"integer"}]}\n')
    for i in range(1, 20001):
        f.write("[%d]\n" % i)
PYEOF
restore head
start=$(date +%s%N); run_quiet seed "$work/rows.jsonl"; seed_ms=$((($(date +%s%N) - start) / 1000000))

kill_during() {
  local window=$1
  shift
  (cd "$project" && exec "$dbtool" "$@") >/dev/null 2>&1 &
  local pid=$!
  local delay=$((RANDOM % (window + 20)))
  sleep "$(awk "BEGIN { printf \"%.3f\", $delay / 1000 }")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

declare -A total consistent
# TORTURE_PG_SCENARIOS narrows the run to some scenarios (to chase one).
read -r -a scenarios <<<"${TORTURE_PG_SCENARIOS:-upgrade single downgrade seed}"
for ((t = 0; t < trials; t++)); do
  scenario=${scenarios[$((t % ${#scenarios[@]}))]}
  label="$scenario trial $((t / ${#scenarios[@]} + 1))"
  before=${#problems[@]}
  case "$scenario" in
    upgrade)
      restore base
      kill_during "$up_ms" upgrade head
      wait_released "$label"
      check "$label (killed)"
      run_quiet upgrade head || problems+=("$label: the next upgrade failed: $(last_err)")
      check "$label (completed)"
      [ "$(pg "SELECT string_agg(version_num, ',') FROM dbtool_version")" = p5 ] ||
        problems+=("$label: not at head after the next upgrade") ;;
    single)
      restore base
      kill_during "$up_ms" upgrade head --single-transaction
      wait_released "$label"
      check "$label (killed)"
      version=$(pg "SELECT string_agg(version_num, ',') FROM dbtool_version" 2>/dev/null || true)
      [[ "$version" == *"does not exist"* ]] || [ -z "$version" ] || [ "$version" = p5 ] ||
        problems+=("$label: --single-transaction stopped between base and head, at $version")
      run_quiet upgrade head --single-transaction || problems+=("$label: the next upgrade failed: $(last_err)")
      check "$label (completed)" ;;
    downgrade)
      restore head
      kill_during "$down_ms" downgrade base
      wait_released "$label"
      check "$label (killed)"
      run_quiet downgrade base || problems+=("$label: the next downgrade failed: $(last_err)")
      check "$label (completed)"
      [ -z "$(pg "SELECT string_agg(version_num, ',') FROM dbtool_version")" ] ||
        problems+=("$label: not at base after the next downgrade") ;;
    seed)
      restore head
      kill_during "$seed_ms" seed "$work/rows.jsonl"
      wait_released "$label"
      check "$label (killed)"
      rows=$(pg "SELECT count(*) FROM final")
      [ "$rows" = 0 ] || [ "$rows" = 20000 ] || problems+=("$label: seed left $rows rows of 20,000")
      run_quiet seed "$work/rows.jsonl" || problems+=("$label: the next seed failed: $(last_err)")
      [ "$(pg "SELECT count(*) FROM final")" = 20000 ] || problems+=("$label: seed incomplete") ;;
  esac
  total[$scenario]=$((${total[$scenario]:-0} + 1))
  [ ${#problems[@]} -eq "$before" ] && consistent[$scenario]=$((${consistent[$scenario]:-0} + 1))
done

echo "SIGKILL at a random moment on PostgreSQL (windows: upgrade ${up_ms} ms, downgrade ${down_ms} ms, seed ${seed_ms} ms):"
for scenario in "${scenarios[@]}"; do
  [ -n "${total[$scenario]:-}" ] || continue
  echo "  $scenario: ${consistent[$scenario]:-0}/${total[$scenario]} consistent, and completed on the next run"
done
echo "  the killed run's session and advisory lock were gone at most ${release_max_ms} ms after the kill"
if [ ${#problems[@]} -gt 0 ]; then
  printf '  PROBLEM: %s\n' "${problems[@]}" >&2
  exit 1
fi
