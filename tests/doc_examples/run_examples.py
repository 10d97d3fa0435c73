#!/usr/bin/env python3
"""Runs the fenced shell examples of dbtool's documentation against a real binary.

The convention is described at the top of tests/cli/test_doc_examples.sh, which runs
this script; in short:

  ```console [tags]   lines starting with "$ " are commands ("> " lines continue
                      them, as bash's PS2 prompt shows); the lines after a command,
                      up to the next "$ " line, are its expected output (stdout and
                      stderr together). A line that is just "..." stands for any
                      number of lines; "..." inside a line stands for any text.
                      Every command must exit 0 (write `cmd || echo "exit $?"` to
                      show a failing one).
  ```sh [tags]        the block runs as one bash script (set -e -o pipefail) and
                      must exit 0; its output is not compared.
  anything else       not run (```toml, ```sql, ```json, ```yaml, ```text, ...).
  ```LANG file=PATH   (any language but console and sh) not run, but written to PATH,
                      relative to the session's current folder, when the runner gets
                      to it: a document shows a file and then runs commands on it
                      (with the "postgres" tag, only when PostgreSQL blocks run).

  tags: "postgres"    run only when DBTOOL_TEST_PG_URL is set; PG_URL then holds
                      the URL of an empty database made for the file.
        "skip"        never run (the prose says why: another machine, a developer
                      command that builds or starts servers).

Each document runs in a fresh copy of the sample project (dbtool.toml, migrations/,
schema/, seeds/, examples/) with `dbtool` and `scripts/dbtool` on hand as the binary
under test. Blocks run in document order as one terminal session: the working folder
and exported variables carry over from one block to the next.

Usage: run_examples.py DBTOOL SOURCE_DIR [DOC...]   (DOC paths relative to SOURCE_DIR)
"""

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

DEFAULT_DOCS = ["README.md", "docs/from-alembic.md", "docs/from-flyway.md", "docs/ci.md",
                "docs/models.md"]
# Other docs/*.md files take part when they contain this line (opt-in by convention).
OPT_IN_MARKER = "<!-- doc-examples: run -->"
RUN_LANGS = {"console", "sh"}
KNOWN_TAGS = {"postgres", "skip"}
COMMAND_TIMEOUT_S = 60


class Block:
    def __init__(self, doc, line, lang, tags, lines):
        self.doc, self.line, self.lang, self.tags, self.lines = doc, line, lang, tags, lines


def parse_blocks(doc, text):
    """Fenced blocks (``` or ~~~, possibly indented, as in list items) with their info strings."""
    blocks = []
    lines = text.split("\n")
    i = 0
    fence_re = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
    while i < len(lines):
        m = fence_re.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group(1), m.group(2), m.group(3).strip()
        start = i + 1  # 1-based line number of the opening fence is i + 1
        body = []
        i += 1
        while i < len(lines):
            close = re.match(r"^\s*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}\s*$", lines[i])
            if close:
                break
            line = lines[i]
            if indent and line.startswith(indent):
                line = line[len(indent):]
            body.append(line)
            i += 1
        i += 1
        words = info.split()
        lang = words[0] if words else ""
        blocks.append(Block(doc, start, lang, words[1:], body))
    return blocks


def parse_console(block):
    """[(line_number, command_text, expected_lines)] of a console block."""
    items = []
    for offset, line in enumerate(block.lines):
        number = block.line + 1 + offset
        if line.startswith("$ ") or line == "$":
            items.append([number, line[2:], []])
        elif items and not items[-1][2] and (line.startswith("> ") or line == ">"):
            items[-1][1] += "\n" + line[2:]
        elif items:
            items[-1][2].append(line)
        elif line.strip():
            raise ValueError(f"{block.doc}:{number}: console block: output before the first '$ ' command")
    return items


def expected_regex(expected):
    while expected and not expected[-1].strip():
        expected = expected[:-1]
    parts = []
    for line in expected:
        line = line.rstrip()
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(r"[^\n]*".join(re.escape(piece) for piece in line.split("...")) + r"\n")
    return re.compile("".join(parts))


def normalise_output(text):
    lines = [line.rstrip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


class Session:
    """One terminal session for one document: a working folder and exported variables."""

    def __init__(self, root, dbtool, source_dir):
        self.root = root
        self.home = os.path.join(root, "project")
        os.makedirs(self.home)
        for name in ["dbtool.toml", "migrations", "schema", "seeds", "examples"]:
            src = os.path.join(source_dir, name)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(self.home, name))
            elif os.path.exists(src):
                shutil.copy(src, self.home)
        bindir = os.path.join(root, "bin")
        os.makedirs(bindir)
        os.makedirs(os.path.join(self.home, "scripts"))
        for wrapper in [os.path.join(bindir, "dbtool"), os.path.join(self.home, "scripts", "dbtool")]:
            with open(wrapper, "w") as f:
                f.write('#!/bin/sh\nexec "$DBTOOL_UNDER_TEST" "$@"\n')
            os.chmod(wrapper, 0o755)
        self.cwd_file = os.path.join(root, ".cwd")
        self.env_file = os.path.join(root, ".env")
        with open(self.cwd_file, "w") as f:
            f.write(self.home)
        env = {k: v for k, v in os.environ.items()
               if k not in ("DBTOOL_URL", "DATABASE_URL", "DBTOOL_CONFIG", "DBTOOL_ECHO",
                            "DBTOOL_ENV", "PG_URL")}
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        env["DBTOOL_UNDER_TEST"] = dbtool
        env["NO_COLOR"] = "1"
        env["LC_ALL"] = "C.UTF-8"
        env["TZ"] = "UTC"
        self.base_env = env
        with open(self.env_file, "w") as f:
            f.write("")

    def write(self, relative, lines):
        """Writes a file= block into the session's current folder."""
        with open(self.cwd_file) as f:
            cwd = f.read().strip()
        path = os.path.join(cwd, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        while lines and not lines[-1].strip():
            lines = lines[:-1]
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))

    def run(self, script, strict, extra_env=None):
        """Runs SCRIPT in the session's folder; returns (exit code, stdout+stderr)."""
        path = os.path.join(self.root, ".script.sh")
        with open(path, "w") as f:
            f.write('cd "$(cat "$__DOC_CWD")" || exit 99\n')
            f.write('. "$__DOC_ENV"\n')
            if strict:
                f.write("set -e -o pipefail\n")
            f.write("trap '__rc=$?; pwd > \"$__DOC_CWD\"; export -p | grep -Ev "
                    "\"^declare -x (PWD|OLDPWD|SHLVL|_|__DOC_CWD|__DOC_ENV)(=|$)\" > \"$__DOC_ENV.new\"; "
                    "mv \"$__DOC_ENV.new\" \"$__DOC_ENV\"; exit $__rc' EXIT\n")
            f.write(script + "\n")
        env = dict(self.base_env)
        env.update(extra_env or {})
        env["__DOC_CWD"] = self.cwd_file
        env["__DOC_ENV"] = self.env_file
        try:
            proc = subprocess.run(["bash", "--noprofile", "--norc", path], env=env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT_S)
        except subprocess.TimeoutExpired as e:
            return 124, (e.stdout or b"").decode("utf-8", "replace") + f"\n(timed out after {COMMAND_TIMEOUT_S} s)"
        return proc.returncode, proc.stdout.decode("utf-8", "replace")


class PostgresDatabases:
    """Empty databases on the server of DBTOOL_TEST_PG_URL, one per document, dropped at the end."""

    def __init__(self, server_url):
        self.server_url = server_url
        self.made = []

    def make(self, n):
        name = f"dbt_doc_{os.getpid()}_{n}"
        subprocess.run(["psql", "-X", "-q", self.server_url, "-c", f'DROP DATABASE IF EXISTS "{name}"'],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run(["psql", "-X", "-q", self.server_url, "-c", f'CREATE DATABASE "{name}"'],
                       check=True, stdout=subprocess.DEVNULL)
        self.made.append(name)
        return self.server_url.rsplit("/", 1)[0] + "/" + name

    def drop_all(self):
        for name in self.made:
            subprocess.run(["psql", "-X", "-q", self.server_url, "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    dbtool = os.path.realpath(sys.argv[1])
    source_dir = os.path.realpath(sys.argv[2])
    docs = sys.argv[3:]
    if not docs:
        docs = [d for d in DEFAULT_DOCS if os.path.exists(os.path.join(source_dir, d))]
        missing = [d for d in DEFAULT_DOCS if d not in docs]
        docs_dir = os.path.join(source_dir, "docs")
        for name in sorted(os.listdir(docs_dir)) if os.path.isdir(docs_dir) else []:
            rel = "docs/" + name
            if name.endswith(".md") and rel not in docs:
                with open(os.path.join(docs_dir, name), encoding="utf-8") as f:
                    if OPT_IN_MARKER in f.read():
                        docs.append(rel)
        for d in missing:
            print(f"FAIL {d}: the document is missing", file=sys.stderr)
        if missing:
            return 1

    pg_url = os.environ.get("DBTOOL_TEST_PG_URL", "")
    pg = PostgresDatabases(pg_url) if pg_url else None
    counts = {"blocks": 0, "commands": 0, "compared": 0, "skipped_pg": 0, "skipped": 0, "skipped_jq": 0,
              "files": 0}
    # jq is not among scripts/deps' packages: without it the blocks that use it are skipped
    # (and counted), except under CI=true.
    have_jq = shutil.which("jq") is not None
    if not have_jq and os.environ.get("CI") == "true":
        print("FAIL: jq is not on PATH (the examples in docs/ci.md use it)", file=sys.stderr)
        return 1
    failures = []

    def fail(doc, line, what, detail=""):
        failures.append(f"{doc}:{line}")
        print(f"FAIL {doc}:{line}: {what}", file=sys.stderr)
        if detail:
            print(detail.rstrip("\n"), file=sys.stderr)

    tmp = tempfile.mkdtemp(prefix="dbtool-doc-examples.")
    try:
        for doc_index, doc in enumerate(docs):
            with open(os.path.join(source_dir, doc), encoding="utf-8") as f:
                text = f.read()
            blocks = parse_blocks(doc, text)
            session = Session(os.path.join(tmp, f"doc{doc_index}"), dbtool, source_dir)
            doc_pg_url = None
            for block in blocks:
                target = [t[len("file="):] for t in block.tags if t.startswith("file=")]
                if target:
                    if block.lang in RUN_LANGS:
                        fail(doc, block.line, f"a ```{block.lang} block cannot be a file= block")
                        continue
                    if "postgres" in block.tags and pg is None:
                        continue
                    counts["files"] += 1
                    session.write(target[0], block.lines)
                    continue
                if block.lang not in RUN_LANGS:
                    continue
                unknown = [t for t in block.tags if t not in KNOWN_TAGS]
                if unknown:
                    fail(doc, block.line, f"unknown tag(s) {' '.join(unknown)} in ```{block.lang} block "
                         f"(known: {', '.join(sorted(KNOWN_TAGS))})")
                    continue
                if "skip" in block.tags:
                    counts["skipped"] += 1
                    continue
                extra_env = {}
                if "postgres" in block.tags:
                    if pg is None:
                        counts["skipped_pg"] += 1
                        continue
                    if doc_pg_url is None:
                        doc_pg_url = pg.make(doc_index)
                    extra_env["PG_URL"] = doc_pg_url
                if not have_jq and re.search(r"\bjq\b", "\n".join(block.lines)):
                    counts["skipped_jq"] += 1
                    continue
                counts["blocks"] += 1
                if block.lang == "sh":
                    counts["commands"] += 1
                    rc, output = session.run("\n".join(block.lines), strict=True, extra_env=extra_env)
                    if rc != 0:
                        fail(doc, block.line, f"```sh block exited {rc}",
                             "  output:\n" + "".join("    " + l + "\n" for l in output.rstrip("\n").split("\n")))
                    continue
                try:
                    items = parse_console(block)
                except ValueError as e:
                    fail(doc, block.line, str(e))
                    continue
                for number, command, expected in items:
                    counts["commands"] += 1
                    rc, output = session.run(command, strict=False, extra_env=extra_env)
                    got = normalise_output(output)
                    shown = "\n".join("$ " + c if i == 0 else "> " + c
                                      for i, c in enumerate(command.split("\n")))
                    if any(l.strip() for l in expected):
                        counts["compared"] += 1
                    if rc != 0:
                        fail(doc, number, f"command exited {rc} (block at line {block.line}): {shown}",
                             "  output:\n" + "".join("    " + l + "\n" for l in got.split("\n")))
                        continue
                    if not expected_regex(expected).fullmatch(got):
                        want = normalise_output("\n".join(expected))
                        diff = "".join(difflib.unified_diff(
                            want.splitlines(True), got.splitlines(True),
                            f"{doc}:{number + 1} (expected)", "actual output"))
                        fail(doc, number, f"output differs (block at line {block.line}): {shown}", diff)
    finally:
        if pg is not None:
            pg.drop_all()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{len(docs)} documents: {counts['blocks']} blocks run ({counts['commands']} commands, "
          f"{counts['compared']} outputs compared), {counts['files']} files written; skipped: {counts['skipped_pg']} postgres "
          f"(DBTOOL_TEST_PG_URL {'set' if pg else 'unset'}), {counts['skipped']} marked skip"
          + (f", {counts['skipped_jq']} using jq (not installed)" if counts["skipped_jq"] else ""))
    print(f"{counts['commands'] - len(failures)} passed, {len(failures)} failed")
    if failures:
        print("failing examples: " + ", ".join(failures), file=sys.stderr)
    # As the PostgreSQL suites: without a server the postgres blocks are skipped, except
    # under CI=true, where that fails.
    postgres_missing = counts["skipped_pg"] and os.environ.get("CI") == "true"
    if postgres_missing:
        print(f"FAIL: DBTOOL_TEST_PG_URL is not set: CI must run the {counts['skipped_pg']} "
              "PostgreSQL examples", file=sys.stderr)
    return 1 if failures or postgres_missing else 0


if __name__ == "__main__":
    sys.exit(main())
