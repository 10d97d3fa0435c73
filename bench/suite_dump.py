"""Suite `dump` (issue 5): `dbtool dump` (sql and jsonl) against `sqlite3 DB .dump`, with
peak memory, on a one-table database of 1,000,000 and 10,000,000 rows; then `dbtool seed`
of the 1M-row jsonl dump into an empty table and again into the full one, against the
sqlite3 CLI copying the same rows (INSERT ... SELECT: SQLite's own cost, no parsing).

items(id INTEGER PRIMARY KEY, name TEXT, score REAL, created_at TEXT, payload BLOB): name
'user-<id>', a full-precision random score, an ISO-8601 timestamp, 32 random bytes; WAL
mode. Peak memory is the process's max RSS; the baseline is `dbtool dump --schema-only`
on the same database (opens it, reads the schema, writes no rows), so that "above
baseline" is what streaming the rows costs.
"""

import json
import os
import shutil
import subprocess

from harness import Case, Command, Failure, Table, clean_env, median, output_of, peak, ratio

SCHEMA = ("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, score REAL, created_at TEXT, "
          "payload BLOB)")
SEED_ROWS = 1_000_000


def human(rows):
    return "%dM" % (rows // 1_000_000) if rows % 1_000_000 == 0 else "{:,}".format(rows)


def remove_db(path):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def build(path, rows):
    remove_db(path)
    # No journal while loading (one transaction would go through a WAL as large as the
    # database), then WAL mode, as the benchmark asks.
    script = """PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;
%s;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d)
INSERT INTO items SELECT i, 'user-' || i, abs(random()) / 9223372036854775807.0 * 1000.0,
  strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 1600000000 + i * 3, 'unixepoch'), randomblob(32) FROM c;
PRAGMA journal_mode = WAL;
SELECT count(*) FROM items;
""" % (SCHEMA, rows)
    done = subprocess.run(["sqlite3", path], input=script.encode(), capture_output=True)
    if done.returncode != 0 or done.stdout.split()[-2:] != [b"wal", str(rows).encode()]:
        raise Failure("building %s: %s %s" % (path, done.stdout[-200:], done.stderr[-200:]))


def remove_all(databases, *files):
    for db in databases:
        remove_db(db)
    for path in files:
        if os.path.exists(path):
            os.remove(path)


def count_lines(argv, cwd):
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, cwd=cwd, env=clean_env())
    lines, last = 0, b""
    for chunk in iter(lambda: process.stdout.read(1 << 20), b""):
        lines += chunk.count(b"\n")
        last = (last + chunk)[-64:]
    if process.wait() != 0:
        raise Failure("`%s` failed" % " ".join(argv))
    return lines, last


def dump_suite(ctx):
    sizes = ctx.sizes or ([SEED_ROWS] if ctx.quick else [SEED_ROWS, 10_000_000])
    work, dbtool = ctx.work, ctx.dbtool
    env = clean_env()
    dump_cases, seed_cases = [], []
    for rows in sizes:
        db = os.path.join(work, "items-%s.db" % human(rows))
        url = "sqlite:///" + db
        commands = {
            "sqlite3 .dump": ["sqlite3", db, ".dump"],
            "dbtool sql": [dbtool, "--url", url, "dump"],
            "dbtool jsonl": [dbtool, "--url", url, "dump", "--format", "jsonl"],
        }

        def setup(db=db, rows=rows, commands=commands):
            build(db, rows)
            ctx.log("built %s (%d rows, %.0f MB)" % (db, rows, os.path.getsize(db) / 1e6))
            # sqlite3 and dbtool sql: PRAGMA, BEGIN, CREATE, the rows, COMMIT; jsonl: a
            # header line, then the rows.
            for tool, want in (("sqlite3 .dump", rows + 4), ("dbtool sql", rows + 4),
                               ("dbtool jsonl", rows + 1)):
                lines, last = count_lines(commands[tool], work)
                if lines != want or (tool != "dbtool jsonl" and not last.endswith(b"COMMIT;\n")):
                    raise Failure("%s wrote %d lines, expected %d" % (tool, lines, want))
            return ["%s rows: sqlite3 .dump, dbtool sql and dbtool jsonl write one line per row "
                    "(and dbtool sql the same frame as sqlite3)" % human(rows)]

        keep_for_seed = rows == SEED_ROWS  # the seed cases read this database
        dump_cases.append(Case((human(rows),), [
            Command(tool, argv, work, env, ab=tool.startswith("dbtool"), rss=True)
            for tool, argv in commands.items()] + [
            Command("baseline", [dbtool, "--url", url, "dump", "--schema-only"], work, env,
                    rss=True)],
            {"*": 2 if ctx.quick or rows > SEED_ROWS else 3}, setup=setup,
            teardown=None if keep_for_seed else (lambda db=db: remove_db(db))))

        if not keep_for_seed:
            continue
        jsonl = os.path.join(work, "seed.jsonl")
        empty = os.path.join(work, "seed-empty.db")
        full = os.path.join(work, "seed-full.db")
        targets_ = {"dbtool": os.path.join(work, "seed-dbtool.db"),
                    "sqlite3": os.path.join(work, "seed-sqlite3.db")}

        def seed_setup(db=db, url=url):
            subprocess.run([dbtool, "-q", "--url", url, "dump", "--format", "jsonl", "-o", jsonl],
                           check=True, cwd=work, env=env)
            schema = subprocess.run([dbtool, "--url", url, "dump", "--schema-only"], check=True,
                                    capture_output=True, cwd=work, env=env).stdout
            remove_db(empty)
            subprocess.run(["sqlite3", empty], input=schema + b"PRAGMA journal_mode = WAL;\n",
                           check=True, capture_output=True)
            remove_db(full)
            shutil.copyfile(empty, full)
            subprocess.run([dbtool, "-q", "--url", "sqlite:///" + full, "seed", jsonl], check=True,
                           cwd=work, env=env, stdout=subprocess.DEVNULL)
            return ["seed: every dbtool run reports %s rows inserted into the empty table, and "
                    "%s unchanged into the full one; the sqlite3 copy reports %s rows"
                    % ((human(SEED_ROWS),) * 3)]

        def fresh(path):
            def before():
                remove_db(path)
                shutil.copyfile(empty, path)
            return before

        def counts(expect):
            def after(out):
                report = json.loads(out)
                got = {k: report[k] for k in ("inserted", "updated", "unchanged")}
                if got != expect:
                    raise Failure("dbtool seed reported %r, expected %r" % (got, expect))
            return after

        def copied(out):
            if out.split()[-1:] != [str(SEED_ROWS).encode()]:
                raise Failure("the sqlite3 copy reported %r rows" % out[-100:])

        copy = ("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; ATTACH '%s' AS src; "
                "INSERT INTO items SELECT * FROM src.items; SELECT changes();"
                % db.replace("'", "''"))
        seed_cases.append(Case(("into the empty table",), [
            Command("dbtool", [dbtool, "--json", "--url", "sqlite:///" + targets_["dbtool"],
                               "seed", jsonl], work, env, capture=True,
                    before=fresh(targets_["dbtool"]),
                    after=counts({"inserted": SEED_ROWS, "updated": 0, "unchanged": 0}), ab=True,
                    rss=True),
            Command("sqlite3", ["sqlite3", targets_["sqlite3"], copy], work, capture=True,
                    before=fresh(targets_["sqlite3"]), after=copied),
        ], 2 if ctx.quick else 3, setup=seed_setup))
        seed_cases.append(Case(("again (all unchanged)",), [
            Command("dbtool", [dbtool, "--json", "--url", "sqlite:///" + full, "seed", jsonl],
                    work, env, capture=True,
                    after=counts({"inserted": 0, "updated": 0, "unchanged": SEED_ROWS}), ab=True,
                    rss=True),
        ], 2 if ctx.quick else 3, teardown=lambda db=db: remove_all(
            [db, empty, full] + list(targets_.values()), jsonl)))

    tables = [Table("`dbtool dump` against `sqlite3 .dump`", ["rows"], dump_cases,
                    [median("sqlite3 .dump"), median("dbtool sql"), ratio("dbtool sql", "sqlite3 .dump"),
                     median("dbtool jsonl"), ratio("dbtool jsonl", "sqlite3 .dump"),
                     peak("baseline"), peak("sqlite3 .dump"), peak("dbtool sql"),
                     peak("dbtool jsonl")],
                    note="Output to /dev/null. `baseline` is `dbtool dump --schema-only` on the "
                         "same database: the memory of dbtool with no rows to stream.")]
    if seed_cases:
        tables.append(Table("`dbtool seed` of the %s-row jsonl dump" % human(SEED_ROWS), ["seed"],
                            seed_cases, [median("dbtool"), median("sqlite3"),
                                         ratio("dbtool", "sqlite3"), peak("dbtool")],
                            note="`sqlite3` copies the same rows from the source database "
                                 "(INSERT ... SELECT, WAL, synchronous NORMAL, as dbtool "
                                 "opens it): the storage floor, no parsing."))

    def targets(res):
        out, peaks = [], {}
        for case in dump_cases:
            rows = case.key[0]
            for tool, limit in (("dbtool sql", 1.0), ("dbtool jsonl", 1.5)):
                r = res.ratio(case.key, tool, "sqlite3 .dump")
                if r is not None:  # None: sqlite3 .dump skipped (--skip)
                    out.append((r <= limit, "%s rows: %s within %.1fx of sqlite3 .dump (%.2fx)"
                                % (rows, tool, limit, r)))
                if res.max(case.key, tool) is None or res.max(case.key, "baseline") is None:
                    continue
                above = (res.max(case.key, tool) - res.max(case.key, "baseline")) / 1024.0
                peaks.setdefault(tool, []).append(res.max(case.key, tool))
                out.append((above < 16, "%s rows: %s peak under 16 MB above the baseline "
                                        "(%.1f MB)" % (rows, tool, above)))
        for tool, values in peaks.items():
            if len(values) > 1:
                spread = (max(values) - min(values)) / 1024.0
                out.append((spread <= 1, "%s peak the same at every size, within 1 MB (%.1f MB "
                                         "apart)" % (tool, spread)))
        for case in seed_cases[:1]:
            rate = SEED_ROWS / (res.median(case.key, "dbtool") / 1000.0)
            out.append((rate >= 500_000, "seed into an empty table at least 500,000 rows/s "
                                         "({:,.0f} rows/s)".format(rate)))
        return out

    return tables, targets, "sqlite3 %s" % output_of(["sqlite3", "--version"]).split()[0]
