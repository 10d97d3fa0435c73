# The short form of scripts/scale: a 5,000-revision chain (graph commands within 3 s
# even with the sanitizer build; the release build's 100,000-revision figures are in
# docs/reliability.md), upgrading 400 revisions over a 20,000-row history (no slower
# per revision than over an empty one), and scan and check of 200 and 1,000 tables (time
# per table does not grow), and one revision of 5,000 then 50,000 INSERT statements (time
# per statement does not grow: it was quadratic, 7-13 s for 50,000). Bounds are loose:
# this guards against a quadratic step, not against a slow machine.
source "$(dirname "$0")/lib.sh"

test_case "scale: graph commands, a long history, many tables"
out=$("$SOURCE_DIR/scripts/scale" --revisions 5000 --history-rows 20000 --history-revisions 400 \
  --tables "200 1000" --statements "5000 50000" --runs 3 --limit 3 --history-ratio 4 --linear-ratio 2.5 --dbtool "$DBTOOL" 2>&1)
rc=$?
last_command="scripts/scale (short form)"
expect_rc 0
expect_out "| \`heads\` |"
expect_out "| \`validate\` |"
expect_out "ratio per revision (20000 rows / empty)"
expect_out "| 1000 |"
expect_out "| 50000 |"
expect_out "scale: all within bounds"

finish
