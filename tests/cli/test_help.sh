# The first five minutes: `dbtool` alone, every command's --help (summary, options,
# examples), suggestions for mistyped commands and flags, --version, the man page made
# from the same text, and the bash completion run under bash.
source "$(dirname "$0")/lib.sh"

commands="revision merge squash history heads branches show validate upgrade downgrade stamp current status scan check dump seed init completion"

test_case "dbtool alone prints the commands grouped by purpose"
p=$(linear_project helpful 3)
run "$p"
expect_rc 0
for group in "Revisions:" "Database state:" "Schema:" "Data:" "Setup:"; do expect_out "$group"; done
expect_out "Exit status:"
# Each command is listed under its group: upgrade after "Database state:", scan after "Schema:".
expect_equal "$(printf '%s\n' "$out" | sed -n '/^Database state:/,/^$/p' | awk '{print $1}' | tr '\n' ' ')" \
  "Database upgrade downgrade stamp current status  " "the Database state group"
expect_no_out "manpage"

test_case "every command's --help has a summary, its options and real examples"
for command in $commands; do
  run "$p" "$command" --help
  last_command="dbtool $command --help"
  expect_rc 0
  expect_out "Usage: dbtool $command"
  examples=$(printf '%s\n' "$out" | grep -c "^  dbtool " || true)
  if [ "$examples" -ge 2 ]; then pass; else fail "$command --help shows $examples examples, expected 2 or 3"; fi
done

test_case "the examples of --help run (those that need no other tool)"
e=$(linear_project examples 3)
for example in "dbtool upgrade head" "dbtool history" "dbtool heads --verbose" "dbtool show head" \
  "dbtool current" "dbtool validate" "dbtool scan --format sql" "dbtool dump -o backup.sql" \
  "dbtool downgrade -1" "dbtool upgrade +1" "dbtool stamp head" "dbtool downgrade base"; do
  all_help=$(for c in $commands; do (cd "$e" && "$DBTOOL" "$c" --help); done)
  if [[ "$all_help" == *"  $example"* ]]; then pass; else fail "no --help shows '$example'"; fi
  # shellcheck disable=SC2086
  run "$e" ${example#dbtool }
  last_command="$example"
  expect_rc 0
done

test_case "a mistyped command or flag suggests the closest one"
run "$p" upgarde head
expect_rc 2
expect_err "unknown command 'upgarde'; did you mean 'upgrade'?"
expect_one_line_error
run "$p" upgrade --sqll
expect_rc 2
expect_err "unknown option '--sqll' for upgrade; did you mean '--sql'?"
run "$p" --josn current
expect_rc 2
expect_err "unknown option '--josn'; did you mean '--json'?"
run "$p" histroy
expect_rc 2
expect_err "did you mean 'history'?"
run "$p" frobnicate
expect_rc 2
expect_err "unknown command 'frobnicate'"
expect_one_line_error
run "$p" --url sqlite:///x.db upgrde
expect_rc 2
expect_err "did you mean 'upgrade'?"
if [ ! -e "$p/data/app.db" ]; then pass; else fail "a usage error created the database"; fi

test_case "--version names the version and the git revision"
run "$p" --version
expect_rc 0
version=$(sed -n 's/^project(dbtool VERSION \([0-9.]*\).*/\1/p' "$DBTOOL_SOURCE_DIR/CMakeLists.txt")
expect_out "dbtool $version"
if git -C "$DBTOOL_SOURCE_DIR" rev-parse --short=12 HEAD >/dev/null 2>&1; then
  expect_out "(git $(git -C "$DBTOOL_SOURCE_DIR" rev-parse --short=12 HEAD)"
fi

test_case "the man page is made from the same text and renders cleanly"
run "$p" manpage
expect_rc 0
man_page=$out
for command in $commands; do
  if [[ "$man_page" == *".SS \"dbtool $command"* ]]; then pass; else fail "the man page lacks $command"; fi
done
if [[ "$man_page" == *'dbtool upgrade base:head \-\-sql > deploy.sql'* ]]; then pass; else fail "the man page lacks upgrade's example"; fi
warnings=$(printf '%s\n' "$man_page" | groff -man -Tutf8 -ww 2>&1 >/dev/null)
expect_equal "$warnings" "" "groff warnings"
rendered=$(printf '%s\n' "$man_page" | groff -man -Tascii -P-c -P-b -P-u 2>/dev/null)
if [[ "$rendered" == *"EXIT STATUS"* ]]; then pass; else fail "the rendered man page lacks EXIT STATUS"; fi
if [[ "$rendered" == *"4  database error"* ]]; then pass; else fail "the rendered man page lacks exit 4"; fi

test_case "bash completion: commands, flags, values, revision ids and labels"
c=$(new_project completing)
write_revision "$c" aaa111 "" "first" "CREATE TABLE a (id INTEGER);" "DROP TABLE a;"
write_revision "$c" aab222 aaa111 "second" "CREATE TABLE b (id INTEGER);" "DROP TABLE b;" "-- branch_labels: billing"
mkdir -p "$TEST_TMP/bin"
ln -sf "$DBTOOL" "$TEST_TMP/bin/dbtool"
run "$c" completion bash
expect_rc 0
printf '%s\n' "$out" >"$TEST_TMP/completion.bash"
# complete WORDS...: what the script offers for the last word (run in project C).
complete_words() {
  (cd "$c" && PATH="$TEST_TMP/bin:$PATH" bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
    _dbtool
    printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$TEST_TMP/completion.bash" "$@")
}
expect_equal "$(complete_words dbtool up)" "upgrade " "dbtool up<TAB>"
expect_equal "$(complete_words dbtool s)" "scan seed show squash stamp status " "dbtool s<TAB>"
expect_equal "$(complete_words dbtool upgrade --s)" "--single-transaction --sql --statement-lock-timeout --statement-timeout " "dbtool upgrade --s<TAB> (the global --statement-* flags too)"
expect_equal "$(complete_words dbtool upgrade aa)" "aaa111 aab222 " "dbtool upgrade aa<TAB>"
expect_equal "$(complete_words dbtool upgrade bil)" "billing billing@head " "dbtool upgrade bil<TAB>"
expect_equal "$(complete_words dbtool --json downgrade "")" "aaa111 aab222 base billing billing@head head heads " "dbtool --json downgrade <TAB>"
expect_equal "$(complete_words dbtool scan --format "")" "dot json mermaid sql " "dbtool scan --format <TAB>"
expect_equal "$(complete_words dbtool revision --head aab)" "aab222 " "dbtool revision --head aab<TAB>"
expect_equal "$(complete_words dbtool -C "$p" show r00)" "r001 r002 r003 " "dbtool -C OTHER show r00<TAB>"
expect_equal "$(complete_words dbtool --j)" "--json " "dbtool --j<TAB>"
expect_equal "$(complete_words dbtool -C /nonexistent upgrade "")" " " "outside a project: nothing, and no error"

test_case "zsh completion script"
run "$p" completion zsh
expect_rc 0
expect_out "#compdef dbtool"
expect_out "compdef _dbtool dbtool"
printf '%s\n' "$out" >"$TEST_TMP/_dbtool"
if command -v zsh >/dev/null; then
  if zsh -n "$TEST_TMP/_dbtool"; then pass; else fail "zsh rejects the script"; fi
  # zsh_complete WORDS...: what _dbtool offers for the last word, with compadd and
  # _files standing in for zsh's (compadd keeps the candidates that match the word).
  zsh_complete() {
    (cd "$c" && PATH="$TEST_TMP/bin:$PATH" zsh -f -c '
      compadd() { [[ $1 == -- ]] && shift; local w; for w in "$@"; do [[ $w == ${words[CURRENT]}* ]] && print -r -- $w; done; }
      _files() { print -r -- "<files $*>"; }
      compdef() { :; }
      source "$1"; shift
      words=("$@"); CURRENT=${#words}
      _dbtool | sort | tr "\n" " "' _ "$TEST_TMP/_dbtool" "$@")
  }
  expect_equal "$(zsh_complete dbtool up)" "upgrade " "zsh: dbtool up<TAB>"
  expect_equal "$(zsh_complete dbtool upgrade --s)" "--single-transaction --sql --statement-lock-timeout --statement-timeout " "zsh: dbtool upgrade --s<TAB>"
  expect_equal "$(zsh_complete dbtool upgrade aa)" "aaa111 aab222 " "zsh: dbtool upgrade aa<TAB>"
  expect_equal "$(zsh_complete dbtool dump --format "")" "jsonl sql " "zsh: dbtool dump --format <TAB>"
  expect_equal "$(zsh_complete dbtool seed "")" "<files > " "zsh: dbtool seed <TAB>"
  expect_equal "$(zsh_complete dbtool -C "$p" show r00)" "r001 r002 r003 " "zsh: dbtool -C OTHER show r00<TAB>"
elif [ "${CI:-}" = "true" ]; then
  fail "zsh is not installed (scripts/deps installs it)"
fi

finish
