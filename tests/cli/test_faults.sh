# The short form of scripts/faults (resource faults): disk full (a small tmpfs) during
# upgrade and dump -o, a file-size limit (ulimit -f) during upgrade and dump -o, a
# read-only database file and folder, an unreadable migrations/ folder and revision
# file. Each must end in one line with exit 4 (or 3 for the project's files), the
# database exactly as before, no partial dump. Cases that need root (mount, running
# dbtool as nobody so that file modes apply) are skipped when not root; the script says
# which. docs/reliability.md has the results.
source "$(dirname "$0")/lib.sh"

test_case "resource faults: clean error, documented exit code, database unchanged"
out=$("$SOURCE_DIR/scripts/faults" --dbtool "$DBTOOL" 2>&1)
rc=$?
last_command="scripts/faults"
expect_rc 0
for c in disk-full-upgrade disk-full-dump fsize-upgrade fsize-dump readonly-file readonly-dir \
  unreadable-migrations unreadable-revision; do
  if [ "$(id -u)" -eq 0 ] || [[ "$c" == fsize-* ]]; then
    expect_out "$(printf '%-22s ok: ' "$c")"
  else
    expect_out "$(printf '%-22s skipped: ' "$c")"
  fi
done

finish
