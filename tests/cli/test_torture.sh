# The short form of scripts/torture (crash consistency under SIGKILL): two trials of each
# scenario (upgrade, --single-transaction, downgrade, seed, dump -o) with the binary
# under test; docs/reliability.md has the 200-trial run.
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

finish
