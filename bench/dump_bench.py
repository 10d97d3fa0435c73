#!/usr/bin/python3
"""The dump/seed benchmark of issue 5: `dbtool dump` (sql and jsonl) against the sqlite3
shell's `.dump`, and `dbtool seed` of a jsonl dump, on generated SQLite databases.

Each database holds one table

    items(id INTEGER PRIMARY KEY, name TEXT, score REAL, created_at TEXT, payload BLOB)

of 1,000,000 and of 10,000,000 rows: name is 'user-<id>', score a full-precision random
double in [0, 1000), created_at an ISO-8601 timestamp, payload 32 random bytes. They are
written by the sqlite3 shell with one recursive CTE (randomblob(32)) and left in WAL mode,
in a work folder (run-dump picks one with enough free space).

Dump: every trial runs `sqlite3 DB .dump`, `dbtool dump` and `dbtool dump --format jsonl`,
each a fresh process writing to /dev/null, in alternation (the order rotates from trial to
trial), timed by wall clock; peak memory is each process's max RSS from
`/usr/bin/time -f %M`. The baseline RSS is that of `dbtool dump --schema-only` on the same
database (opens it, reads the schema, writes no rows), so that "above baseline" is what
streaming the rows costs. Before timing, one untimed run of each tool (it also warms the
page cache) checks that each writes one line per row.

Seed: the 1,000,000-row table is dumped to jsonl; an empty database gets the schema
(`dbtool dump --schema-only | sqlite3`), then `dbtool seed FILE.jsonl` is timed (every row
inserted), then the same command again into the now-full table (every row unchanged). Each
trial starts from a fresh copy of the empty database; the counts dbtool reports (--json)
are checked. As a reference (the storage floor, no parsing), the sqlite3 shell copies the
same rows from the source database into a fresh empty one (INSERT ... SELECT, WAL,
synchronous NORMAL, as dbtool opens it).

Targets: dbtool sql <= 1.0x sqlite3's time, jsonl <= 1.5x, peak memory the same at 1M and
10M rows and under 16 MB above baseline, first seed >= 500,000 rows/s.

Prints a Markdown report on stdout, progress on stderr.

Usage: dump_bench.py --dbtool PATH --work DIR [--sizes 1000000,10000000] [--trials N]
                     [--seed-rows N] [--seed-trials N] [--keep]
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

DEFAULT_TRIALS = {1_000_000: 3, 10_000_000: 2}  # other sizes: 3 up to 1M rows, else 2
SCHEMA = ("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, score REAL, "
          "created_at TEXT, payload BLOB)")
RSS_SAME_KB = 1024      # "the same at 1M and 10M": peaks within 1 MB of each other
RSS_ABOVE_KB = 16 * 1024
SQL_RATIO = 1.0
JSONL_RATIO = 1.5
SEED_RATE = 500_000


def log(message):
    print(message, file=sys.stderr, flush=True)


def human(rows):
    if rows % 1_000_000 == 0:
        return "%dM" % (rows // 1_000_000)
    if rows % 1000 == 0:
        return "%dk" % (rows // 1000)
    return str(rows)


def run_measured(argv, work, stdout=subprocess.DEVNULL, stdin=None):
    """Runs ARGV under /usr/bin/time; returns (wall s, CPU s (user + sys), max RSS KB, stdout)."""
    rss_file = os.path.join(work, "rss.txt")
    command = ["/usr/bin/time", "-f", "%U %S %M", "-o", rss_file] + argv
    start = time.perf_counter()
    done = subprocess.run(command, stdout=stdout, stdin=stdin, stderr=subprocess.PIPE, cwd=work)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit("dump_bench: %s failed (exit %d): %s" % (
            " ".join(argv), done.returncode, done.stderr.decode(errors="replace").strip()))
    with open(rss_file) as f:
        user, system, rss = f.read().strip().splitlines()[-1].split()
    return wall, float(user) + float(system), int(rss), done.stdout


def build_database(path, rows):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    # No journal while loading (one big transaction would otherwise go through a ~1 GB WAL),
    # then WAL mode, as the benchmark asks.
    script = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -65536;
%s;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < %d)
INSERT INTO items (id, name, score, created_at, payload)
SELECT i, 'user-' || i, abs(random()) / 9223372036854775807.0 * 1000.0,
       strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 1600000000 + i * 3, 'unixepoch'), randomblob(32)
FROM c;
PRAGMA journal_mode = WAL;
SELECT count(*) FROM items;
""" % (SCHEMA, rows)
    start = time.perf_counter()
    done = subprocess.run(["sqlite3", path], input=script.encode(), capture_output=True)
    if done.returncode != 0:
        raise SystemExit("dump_bench: sqlite3 failed: " + done.stderr.decode(errors="replace"))
    lines = done.stdout.decode().split()
    if lines[-2:] != ["wal", str(rows)]:
        raise SystemExit("dump_bench: unexpected sqlite3 output while building: %r" % lines)
    return time.perf_counter() - start


def count_lines(argv, work):
    """Runs ARGV and counts the lines of its output (streamed, never held)."""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=work)
    lines = 0
    tail = b""
    while True:
        chunk = process.stdout.read(1 << 20)
        if not chunk:
            break
        lines += chunk.count(b"\n")
        tail = (tail + chunk)[-256:]
    error = process.stderr.read()
    if process.wait() != 0:
        raise SystemExit("dump_bench: %s failed: %s" % (" ".join(argv), error.decode(errors="replace")))
    return lines, tail


def dump_commands(dbtool, db):
    url = "sqlite:///" + db  # db is absolute: sqlite:////abs/path
    return {
        "sqlite3": ["sqlite3", db, ".dump"],
        "sql": [dbtool, "--url", url, "dump"],
        "jsonl": [dbtool, "--url", url, "dump", "--format", "jsonl"],
        "baseline": [dbtool, "--url", url, "dump", "--schema-only"],
    }


def check_dumps(commands, rows, work):
    """One untimed run of each tool: one line per row (plus the fixed lines around them)."""
    # sqlite3 .dump: PRAGMA, BEGIN, CREATE, rows, COMMIT; dbtool sql the same;
    # jsonl: a header line, then rows.
    expected = {"sqlite3": rows + 4, "sql": rows + 4, "jsonl": rows + 1}
    for name in ("sqlite3", "sql", "jsonl"):
        lines, tail = count_lines(commands[name], work)
        if lines != expected[name]:
            raise SystemExit("dump_bench: %s wrote %d lines, expected %d" % (name, lines, expected[name]))
        if name != "jsonl" and not tail.endswith(b"COMMIT;\n"):
            raise SystemExit("dump_bench: %s output does not end with COMMIT;" % name)


def bench_dumps(dbtool, db, rows, trials, work):
    commands = dump_commands(dbtool, db)
    log("  checking the dumps (untimed, warms the page cache)")
    check_dumps(commands, rows, work)
    order = ["sqlite3", "sql", "jsonl"]
    times = {name: [] for name in order}
    cpu = {name: [] for name in order}
    rss = {name: [] for name in order + ["baseline"]}
    for trial in range(trials):
        rotated = order[trial % 3:] + order[:trial % 3]
        for name in rotated:
            wall, seconds, peak, _ = run_measured(commands[name], work)
            times[name].append(wall)
            cpu[name].append(seconds)
            rss[name].append(peak)
            log("  trial %d/%d %-7s %7.3f s wall %7.3f s CPU %7d KB" % (
                trial + 1, trials, name, wall, seconds, peak))
        for _ in range(3):
            _, _, peak, _ = run_measured(commands["baseline"], work)
            rss["baseline"].append(peak)
    return times, cpu, rss


def bench_seed(dbtool, source_db, rows, trials, work):
    url = lambda path: "sqlite:///" + path
    jsonl = os.path.join(work, "seed.jsonl")
    empty = os.path.join(work, "seed-empty.db")
    target = os.path.join(work, "seed.db")
    log("  dumping %s rows to jsonl" % human(rows))
    subprocess.run([dbtool, "-q", "--url", url(source_db), "dump", "--format", "jsonl", "-o", jsonl],
                   check=True, cwd=work)
    size = os.path.getsize(jsonl)
    schema = subprocess.run([dbtool, "--url", url(source_db), "dump", "--schema-only"],
                            check=True, capture_output=True, cwd=work).stdout
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(empty + suffix):
            os.remove(empty + suffix)
    subprocess.run(["sqlite3", empty], input=schema + b"PRAGMA journal_mode = WAL;\n",
                   check=True, capture_output=True)
    results = {"insert": [], "unchanged": [], "native": []}
    cpu = {"insert": [], "unchanged": [], "native": []}
    peaks = {"insert": [], "unchanged": [], "native": []}
    expect = {"insert": {"inserted": rows, "updated": 0, "unchanged": 0},
              "unchanged": {"inserted": 0, "updated": 0, "unchanged": rows}}
    for trial in range(trials):
        for suffix in ("-wal", "-shm", ""):
            if os.path.exists(target + suffix):
                os.remove(target + suffix)
        shutil.copyfile(empty, target)
        for kind in ("insert", "unchanged"):
            wall, seconds, peak, out = run_measured([dbtool, "--json", "--url", url(target), "seed", jsonl],
                                           work, stdout=subprocess.PIPE)
            report = json.loads(out)
            got = {key: report[key] for key in ("inserted", "updated", "unchanged")}
            if got != expect[kind]:
                raise SystemExit("dump_bench: seed (%s) reported %r, expected %r" % (kind, got, expect[kind]))
            results[kind].append(wall)
            cpu[kind].append(seconds)
            peaks[kind].append(peak)
            log("  trial %d/%d seed %-9s %7.3f s wall %7.3f s CPU %8.0f rows/s  %7d KB" % (
                trial + 1, trials, kind, wall, seconds, rows / wall, peak))
        # Reference, the storage floor: sqlite3 copies the same rows from the source
        # database into a fresh empty one (no parsing), with dbtool's pragmas.
        for suffix in ("-wal", "-shm", ""):
            if os.path.exists(target + suffix):
                os.remove(target + suffix)
        shutil.copyfile(empty, target)
        script = ("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; ATTACH %s AS src; "
                  "INSERT INTO items SELECT * FROM src.items; SELECT changes();"
                  % sql_quote(source_db))
        wall, seconds, peak, out = run_measured(["sqlite3", target, script], work,
                                                stdout=subprocess.PIPE)
        if out.split()[-1:] != [str(rows).encode()]:
            raise SystemExit("dump_bench: the sqlite3 reference copied %r rows" % out)
        results["native"].append(wall)
        cpu["native"].append(seconds)
        peaks["native"].append(peak)
        log("  trial %d/%d sqlite3 INSERT..SELECT %7.3f s wall %7.3f s CPU" % (
            trial + 1, trials, wall, seconds))
    for path in (jsonl, empty, target, target + "-wal", target + "-shm"):
        if os.path.exists(path):
            os.remove(path)
    return results, cpu, peaks, size


def fmt_rate(rows, seconds):
    return "{:,.0f}".format(rows / seconds) if seconds > 0 else "-"


def ratio(a, b):
    return "%.2fx" % (a / b) if b > 0 else "-"


def sql_quote(text):
    return "'" + text.replace("'", "''") + "'"


def fmt_s(seconds):
    return "%.2f" % seconds if seconds >= 1 else "%.3f" % seconds


def fmt_mb(kb):
    return "%.1f" % (kb / 1024.0)


def versions(dbtool):
    dbtool_version = subprocess.run([dbtool, "--version"], capture_output=True, text=True).stdout.strip()
    sqlite_version = subprocess.run(["sqlite3", "--version"], capture_output=True, text=True).stdout.split()[:2]
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return dbtool_version, " ".join(sqlite_version), cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dbtool", required=True)
    parser.add_argument("--work", required=True, help="folder for the databases (must exist)")
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--trials", type=int, help="dump trials per size (default 3 at 1M, 2 at 10M)")
    parser.add_argument("--seed-rows", type=int, default=1_000_000,
                        help="rows of the seed test (0: skip it); it uses the database of this size")
    parser.add_argument("--seed-trials", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the generated databases")
    parser.add_argument("--command-line", default="bench/run-dump")
    args = parser.parse_args()

    dbtool = os.path.abspath(args.dbtool)
    work = os.path.abspath(args.work)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    if args.seed_rows and args.seed_rows not in sizes:
        sizes = sorted(set(sizes + [args.seed_rows]))
    dbtool_version, sqlite_version, cpu = versions(dbtool)
    overall = time.perf_counter()

    load_before = os.getloadavg()[0]
    dump_results = {}
    seed_result = None
    for rows in sizes:
        db = os.path.join(work, "items-%s.db" % human(rows))
        log("dump_bench: building %s rows (%s)" % (human(rows), db))
        seconds = build_database(db, rows)
        log("  built in %.1f s, %.0f MB" % (seconds, os.path.getsize(db) / 1e6))
        trials = args.trials or DEFAULT_TRIALS.get(rows, 3 if rows <= 1_000_000 else 2)
        log("dump_bench: dumps, %s rows, %d trials" % (human(rows), trials))
        times, cpu_times, rss = bench_dumps(dbtool, db, rows, trials, work)
        dump_results[rows] = (trials, times, cpu_times, rss, os.path.getsize(db))
        if rows == args.seed_rows and args.seed_trials > 0:
            log("dump_bench: seed, %s rows, %d trials" % (human(rows), args.seed_trials))
            seed_result = bench_seed(dbtool, db, rows, args.seed_trials, work)
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
    load_after = os.getloadavg()[0]

    # ---- report ----
    med = statistics.median
    out = []
    out.append("## dbtool dump / seed benchmark (issue 5)")
    out.append("")
    out.append("`%s` on %s, %d CPUs (load average %.1f before, %.1f after); %s; sqlite3 %s. "
               "One table `items(id INTEGER PRIMARY KEY, name TEXT, score REAL, created_at TEXT, "
               "payload BLOB)`, full-precision random reals, 32-byte random blobs, WAL mode. "
               "Fresh processes writing to /dev/null, run in alternation; medians of wall time "
               "and of CPU time (user + sys); ratios are to sqlite3 .dump."
               % (args.command_line, cpu, os.cpu_count() or 0, load_before, load_after,
                  dbtool_version, sqlite_version))
    out.append("")
    out.append("| rows | trials | sqlite3 .dump | dbtool sql | sql / sqlite3 | dbtool jsonl "
               "| jsonl / sqlite3 | CPU sqlite3 | CPU sql | CPU jsonl | CPU sql / sqlite3 "
               "| CPU jsonl / sqlite3 |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    checks = []
    peaks_by_size = {}
    memory_rows = []
    for rows in sizes:
        trials, times, cpu_times, rss, db_size = dump_results[rows]
        base = max(rss["baseline"])
        t = {name: med(v) for name, v in times.items()}
        c = {name: med(v) for name, v in cpu_times.items()}
        p = {name: max(v) for name, v in rss.items()}
        peaks_by_size[rows] = p
        sql_ratio = t["sql"] / t["sqlite3"]
        jsonl_ratio = t["jsonl"] / t["sqlite3"]
        out.append("| %s | %d | %s s | %s s | %.2fx | %s s | %.2fx | %s s | %s s | %s s | %s "
                   "| %s |" % (
                       "{:,}".format(rows), trials, fmt_s(t["sqlite3"]), fmt_s(t["sql"]),
                       sql_ratio, fmt_s(t["jsonl"]), jsonl_ratio, fmt_s(c["sqlite3"]),
                       fmt_s(c["sql"]), fmt_s(c["jsonl"]), ratio(c["sql"], c["sqlite3"]),
                       ratio(c["jsonl"], c["sqlite3"])))
        memory_rows.append("| %s | %s MB | %s MB | %s MB | %s MB | %s MB | %s MB |" % (
            "{:,}".format(rows), fmt_mb(base), fmt_mb(p["sqlite3"]), fmt_mb(p["sql"]),
            fmt_mb(p["jsonl"]), fmt_mb(p["sql"] - base), fmt_mb(p["jsonl"] - base)))
        checks.append(("%s rows: dbtool sql wall <= %.1fx sqlite3" % (human(rows), SQL_RATIO),
                       sql_ratio <= SQL_RATIO, "%.2fx" % sql_ratio))
        checks.append(("%s rows: dbtool jsonl wall <= %.1fx sqlite3" % (human(rows), JSONL_RATIO),
                       jsonl_ratio <= JSONL_RATIO, "%.2fx" % jsonl_ratio))
        for name in ("sql", "jsonl"):
            above = p[name] - base
            checks.append(("%s rows: %s peak < 16 MB above baseline" % (human(rows), name),
                           above < RSS_ABOVE_KB, "%s MB" % fmt_mb(above)))
    out.append("")
    out.append("Peak memory: max RSS over the trials (`/usr/bin/time -f %M`); baseline = "
               "`dbtool dump --schema-only` on the same database (3 runs per trial).")
    out.append("")
    out.append("| rows | baseline | peak sqlite3 | peak dbtool sql | peak dbtool jsonl "
               "| sql above baseline | jsonl above baseline |")
    out.append("|---:|---:|---:|---:|---:|---:|---:|")
    out.extend(memory_rows)
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for name in ("sql", "jsonl"):
            a, b = peaks_by_size[small][name], peaks_by_size[large][name]
            checks.append(("%s peak the same at %s and %s rows (within %d MB)" % (
                name, human(small), human(large), RSS_SAME_KB // 1024),
                abs(b - a) <= RSS_SAME_KB, "%s vs %s MB" % (fmt_mb(a), fmt_mb(b))))

    if seed_result is not None:
        results, cpu_seed, peaks, size = seed_result
        rows = args.seed_rows
        out.append("")
        out.append("Seed: `dbtool seed` of the %s-row jsonl dump (%.0f MB) into an empty table "
                   "(every row inserted), then the same file again into the full table (every "
                   "row unchanged); %d trials, each from a fresh empty database; medians. "
                   "Reference: the sqlite3 shell copying the same rows from the source database "
                   "(`INSERT INTO items SELECT * FROM src.items`, WAL, synchronous NORMAL as "
                   "dbtool sets them): SQLite's own cost of the insert, no parsing."
                   % (human(rows), size / 1e6, len(results["insert"])))
        out.append("")
        out.append("| seed | rows | wall | rows/s | CPU | rows per CPU second | peak |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        labels = {"insert": "into the empty table", "unchanged": "again (all unchanged)",
                  "native": "reference: sqlite3 INSERT ... SELECT"}
        for kind in ("insert", "unchanged", "native"):
            wall, seconds = med(results[kind]), med(cpu_seed[kind])
            out.append("| %s | %s | %s s | %s | %s s | %s | %s MB |" % (
                labels[kind], "{:,}".format(rows), fmt_s(wall), fmt_rate(rows, wall),
                fmt_s(seconds), fmt_rate(rows, seconds), fmt_mb(max(peaks[kind]))))
        rate = rows / med(results["insert"])
        checks.append(("seed into an empty table >= %s rows/s" % "{:,}".format(SEED_RATE),
                       rate >= SEED_RATE, "{:,.0f} rows/s".format(rate)))

    out.append("")
    out.append("| target | result | |")
    out.append("|---|---:|---|")
    for label, ok, value in checks:
        out.append("| %s | %s | %s |" % (label, value, "met" if ok else "**MISSED**"))
    out.append("")
    out.append("All trials (wall s / CPU s / peak KB):")
    out.append("")
    names = {"sqlite3": "sqlite3 .dump", "sql": "dbtool sql", "jsonl": "dbtool jsonl"}
    for rows in sizes:
        trials, times, cpu_times, rss, _ = dump_results[rows]
        for name in ("sqlite3", "sql", "jsonl"):
            out.append("- %s rows, %s: %s" % (human(rows), names[name], ", ".join(
                "%.3f/%.2f/%d" % v for v in zip(times[name], cpu_times[name], rss[name]))))
        out.append("- %s rows, baseline peaks (KB): %s" % (
            human(rows), ", ".join(str(v) for v in rss["baseline"])))
    if seed_result is not None:
        results, cpu_seed, peaks, _ = seed_result
        for kind in ("insert", "unchanged", "native"):
            out.append("- seed %s: %s" % (kind, ", ".join(
                "%.3f/%.2f/%d" % v for v in zip(results[kind], cpu_seed[kind], peaks[kind]))))
    out.append("")
    out.append("Total %.0f s." % (time.perf_counter() - overall))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
