# An applied revision whose upgrade section was edited afterwards: validate reports
# it with exit 1, upgrade refuses with exit 3 before running anything, and
# --ignore-checksums proceeds. CRLF line endings do not count as an edit.
source "$(dirname "$0")/lib.sh"

p=$(linear_project checksums 3)
run "$p" upgrade r002
expect_rc 0

test_case "validate passes on an untouched project"
run "$p" validate
expect_rc 0
expect_out "OK: 3 revisions"

test_case "CRLF line endings are not an edit"
sed -i 's/$/\r/' "$p/migrations/r001_rev.sql"
run "$p" validate
expect_rc 0

test_case "an edited applied revision"
sed -i 's/v TEXT/v TEXT, extra TEXT/' "$p/migrations/r002_rev.sql"
run "$p" validate
expect_rc 1
expect_out "r002_rev.sql: revision r002 was edited after it was applied"
run "$p" validate --json
expect_rc 1
expect_out '"ok": false'
before=$(db_fingerprint "$p/data/app.db")
run "$p" upgrade head
expect_rc 3
expect_err "r002_rev.sql: revision r002 was edited after it was applied"
expect_one_line_error
expect_equal "$(db_fingerprint "$p/data/app.db")" "$before" "database after a refused upgrade"
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r002"

test_case "--ignore-checksums proceeds"
run "$p" upgrade head --ignore-checksums
expect_rc 0
expect_sql "$p/data/app.db" "SELECT version_num FROM dbtool_version" "r003"

test_case "editing an unapplied revision is fine"
run "$p" downgrade r002
sed -i 's/v TEXT/v TEXT, other TEXT/' "$p/migrations/r003_rev.sql"
run "$p" upgrade head --ignore-checksums
expect_rc 0

test_case "validate reports a version row that no file defines"
run_sql "$p/data/app.db" "UPDATE dbtool_version SET version_num = 'gone1'"
run "$p" validate
expect_rc 1
expect_out "gone1, which no revision file defines"

finish
