# Every shell example in the documentation runs against the real binary, and where
# the document shows output, the output must match. The documents: README.md,
# docs/from-alembic.md, docs/from-flyway.md, docs/ci.md, docs/models.md, and any other
# docs/*.md that contains the line `<!-- doc-examples: run -->` (opt-in: e.g.
# docs/import-alembic.md). docs/reliability.md and bench/README.md are not examples.
#
# The convention, for whoever writes a document (the runner is
# tests/doc_examples/run_examples.py):
#
# - ```console blocks are terminal sessions. A line starting with `$ ` is a command;
#   lines starting with `> ` right after it continue it (bash's PS2 prompt: heredoc
#   bodies, lines after a trailing `\`). The lines that follow, up to the next `$ `,
#   are the expected output, stdout and stderr together, compared line by line
#   (trailing blanks and trailing empty lines ignored). A line that is only `...`
#   matches any number of lines (none included); `...` inside a line matches any text
#   on that line (durations, timestamps, random ids, temporary paths). A command with
#   no lines after it is run but its output is not compared.
# - Every command must exit 0. To show a failing command, write it so that the shell
#   says so: `$ dbtool check || echo "exit $?"`, with `exit 1` in the output.
# - ```sh blocks run as one bash script (set -e -o pipefail) and must exit 0; their
#   output is not compared.
# - Any other info string is not run: ```toml, ```sql, ```json, ```yaml, ```text, or
#   none (file contents, CI configuration, output shown out of context).
# - ```LANG file=PATH (any language but console and sh) is not run but written to PATH,
#   relative to the session's current folder, when the runner reaches it: a document
#   shows a model file, then runs commands on it.
# - Words after the language are tags: ```console postgres (or ```sh postgres) runs
#   only when DBTOOL_TEST_PG_URL is set, with PG_URL holding the URL of an empty
#   database made for the document (without DBTOOL_TEST_PG_URL such blocks are
#   skipped and counted as skipped; under CI=true that fails, as the PostgreSQL suites
#   do); ```sh skip is never run (for commands that need
#   another machine or build and start things: the prose says so). Unknown tags fail.
# - Each document starts in a fresh copy of the sample project at the repository root
#   (dbtool.toml, migrations/, schema/, seeds/, examples/; no database yet), where
#   `dbtool` (on PATH) and `scripts/dbtool` both run $DBTOOL. Its blocks run in order as
#   one terminal session: `cd` and `export` carry over to the next block. NO_COLOR=1,
#   TZ=UTC; DBTOOL_URL, DATABASE_URL and DBTOOL_CONFIG are unset. Blocks that use jq
#   are skipped when jq is not installed (except under CI=true, where that fails).
# - A failure names the document and the line of the failing command (or block) and
#   shows a diff of expected and actual output.
#
# Run one document: python3 tests/doc_examples/run_examples.py "$DBTOOL" . docs/ci.md
set -u

DBTOOL=$(realpath "${DBTOOL:?set DBTOOL to the dbtool binary}")
SOURCE_DIR=${DBTOOL_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

for tool in sqlite3; do
  command -v "$tool" >/dev/null || { echo "FAIL: the examples need $tool on PATH" >&2; exit 1; }
done

# The runner itself: a document whose shown output is wrong must fail, naming its line.
self_test=$(mktemp -d "${TMPDIR:-/tmp}/dbtool-doc-selftest.XXXXXX")
trap 'rm -rf "$self_test"' EXIT
printf '# x\n\n```console\n$ dbtool current\n$ echo hello\nhello\n$ echo changed\nexpected\n```\n' >"$self_test/doc.md"
if self_out=$("$PY" "$SOURCE_DIR/tests/doc_examples/run_examples.py" "$DBTOOL" "$SOURCE_DIR" "$self_test/doc.md" 2>&1) ||
  [[ "$self_out" != *"doc.md:7: output differs"* ]] || [[ "$self_out" != *"2 passed, 1 failed"* ]]; then
  echo "FAIL: the runner did not report a changed output as doc.md:7:" >&2
  printf '%s\n' "$self_out" >&2
  exit 1
fi

"$PY" "$SOURCE_DIR/tests/doc_examples/run_examples.py" "$DBTOOL" "$SOURCE_DIR"
