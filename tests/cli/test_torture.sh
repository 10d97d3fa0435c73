# The short form of scripts/torture (crash consistency under SIGKILL): two trials of each
# scenario (upgrade, --single-transaction, downgrade, seed, dump -o) with the binary
# under test; docs/reliability.md has the 200-trial run. With DBTOOL_TEST_PG_URL (required
# under CI=true) also one trial of each PostgreSQL scenario (--backend postgres).
source "$(dirname "$0")/lib.sh"

test_case "SIGKILL at random moments leaves a sound database at a revision boundary"
out=$("$SOURCE_DIR/scripts/torture" --trials 10 --dbtool "$DBTOOL" 2>&1)
rc=$?
last_command="scripts/torture --trials 10"
expect_rc 0
expect_out "upgrade: 2/2 consistent"
expect_out "single: 2/2 consistent"
expect_out "downgrade: 2/2 consistent"
expect_out "seed: 2/2 consistent"
expect_out "dump: 2/2 consistent"

if [ -n "${DBTOOL_TEST_PG_URL:-}" ]; then
  test_case "PostgreSQL: SIGKILL at random moments, then no stale lock and a completed next run"
  out=$("$SOURCE_DIR/scripts/torture" --backend postgres --trials 4 --dbtool "$DBTOOL" 2>&1)
  rc=$?
  last_command="scripts/torture --backend postgres --trials 4"
  expect_rc 0
  expect_out "upgrade: 1/1 consistent"
  expect_out "single: 1/1 consistent"
  expect_out "downgrade: 1/1 consistent"
  expect_out "seed: 1/1 consistent"
elif [ "${CI:-}" = "true" ]; then
  current_test="PostgreSQL part"
  fail "DBTOOL_TEST_PG_URL is not set: CI must run the PostgreSQL tests"
else
  echo "PostgreSQL part skipped: set DBTOOL_TEST_PG_URL (scripts/postgres-server start DIR prints one)" >&2
fi

finish
