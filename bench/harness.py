"""The benchmark harness: every suite in bench/ is a list of cases on top of it.

Why one harness: wall-clock times on a shared machine drift from minute to minute, so the
only figures worth comparing are ones taken side by side. The harness therefore owns the
method and every suite gets it the same way: the commands of a case run in alternation
(A B C A B C ...) as fresh processes after one untimed warm-up each, the table gives
medians and the median of the per-trial ratios (trial i of A against trial i of B, run
moments apart), the report states the load average, and a run whose tools did not do the
same work stops instead of printing a table (a command's `after` hook or a case's `check`
raises Failure).

A suite builds Tables of Cases; a Case is one row: a key (its first columns) and its
Commands, each belonging to a tool (a column). `--dbtool-b PATH` adds, next to every
command marked `ab`, the same command run by the baseline binary, in the same alternation,
with the ratios of both binaries side by side.
"""

import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback


class Failure(Exception):
    """A tool failed or did other work than the others: the run stops."""


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Running one process


class Command:
    """One timed process of a case.

    before() runs untimed before every run (e.g. delete the database the run creates);
    after(stdout) runs untimed after a run that exited with expect_rc, raises Failure when
    the run did not do its work, and may return a dict of extra figures for that run (e.g. a
    time the process measured inside itself). stdout is the process's output when capture
    is set, else None (it went to /dev/null). ab marks the commands of the binary under
    test that --dbtool-b duplicates. rss measures the peak resident memory (figure "rss", KB)
    through /usr/bin/time: a child of this Python process inherits its peak across exec.
    """

    def __init__(self, tool, argv, cwd, env=None, stdin=None, capture=False, before=None,
                 after=None, expect_rc=0, warmup=True, ab=False, rss=False):
        self.tool, self.argv, self.cwd, self.env = tool, list(argv), cwd, env
        self.stdin, self.capture, self.expect_rc = stdin, capture, expect_rc
        self.before, self.after, self.warmup, self.ab = before, after, warmup, ab
        self.rss = rss

    def with_binary(self, tool, old, new):
        """A copy run by binary NEW instead of OLD, under the name TOOL."""
        twin = Command(self.tool, self.argv, self.cwd, self.env, self.stdin, self.capture,
                       self.before, self.after, self.expect_rc, self.warmup, False, self.rss)
        twin.tool = tool
        twin.argv = [new if arg == old else arg for arg in self.argv]
        return twin

    def describe(self):
        return " ".join(self.argv)


def clean_env():
    """This environment without what would change what a child dbtool, Python or libpq does."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONDONTWRITEBYTECODE",
                 "DBTOOL_URL", "DATABASE_URL", "DBTOOL_CONFIG", "DBTOOL_ECHO", "DBTOOL_ENV",
                 "NO_COLOR",
                 "PGDATABASE", "PGOPTIONS", "PGSERVICE"):
        env.pop(name, None)
    return env


def tail(data, lines=15):
    text = data.decode(errors="replace") if isinstance(data, bytes) else data
    return "\n".join(text.rstrip("\n").split("\n")[-lines:])


def run(command, scratch):
    """Runs COMMAND once (its hooks untimed); returns its figures: wall and cpu (user + sys)
    in ms, rss if asked, plus what after() returned. SCRATCH is a folder for the captured
    output."""
    if command.before:
        command.before()
    out_path = os.path.join(scratch, "stdout")
    err_path = os.path.join(scratch, "stderr")
    rss_path = os.path.join(scratch, "rss")
    argv = (["/usr/bin/time", "-f", "%M", "-o", rss_path] if command.rss else []) + command.argv
    stdin = open(command.stdin, "rb") if command.stdin else subprocess.DEVNULL
    stdout = open(out_path, "wb") if command.capture else subprocess.DEVNULL
    try:
        with open(err_path, "wb") as stderr:
            start = time.perf_counter()
            process = subprocess.Popen(argv, cwd=command.cwd, env=command.env,
                                       stdin=stdin, stdout=stdout, stderr=stderr)
            # wait4 gives this child's own CPU, not the sum over all children so far.
            _, status, usage = os.wait4(process.pid, 0)
            wall = (time.perf_counter() - start) * 1000.0
            process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if command.stdin:
            stdin.close()
        if command.capture:
            stdout.close()
    with open(err_path, "rb") as f:
        err = f.read()
    out = None
    if command.capture:
        with open(out_path, "rb") as f:
            out = f.read()
    if command.expect_rc is not None and process.returncode != command.expect_rc:
        raise Failure("%s: `%s` in %s exited %d (expected %d):\n%s%s"
                      % (command.tool, command.describe(), command.cwd, process.returncode,
                         command.expect_rc, tail(out or b""), tail(err)))
    figures = {"wall": wall, "cpu": (usage.ru_utime + usage.ru_stime) * 1000.0}
    if command.rss:
        with open(rss_path) as f:
            figures["rss"] = float(f.read().split()[-1])
    if command.after:
        figures.update(command.after(out) or {})
    return figures


# ---------------------------------------------------------------------------------------------
# Cases and tables


class Case:
    """One row: KEY (a tuple, the row's first columns) and the COMMANDS run in alternation.
    TRIALS is a number or {tool: number}; a tool with fewer trials simply stops earlier.
    setup() runs before the warm-ups and teardown() after the trials (both untimed); check()
    runs after the trials and raises Failure if the tools did not do the same work. setup()
    and check() may return lines for the report's checks."""

    def __init__(self, key, commands, trials, setup=None, check=None, teardown=None):
        self.key, self.commands, self.trials = tuple(key), commands, trials
        self.setup, self.check, self.teardown = setup, check, teardown

    def trials_of(self, tool):
        if isinstance(self.trials, dict):
            return self.trials.get(tool, self.trials.get("*", 1))
        return self.trials


def median(tool, metric="wall"):
    return ("median", tool, metric)


def peak(tool, metric="rss"):
    return ("max", tool, metric)


def ratio(num, den):
    """Median of the per-trial ratios NUM[i] / DEN[i]; each a tool or (tool, metric)."""
    return ("ratio", num if isinstance(num, tuple) else (num, "wall"),
            den if isinstance(den, tuple) else (den, "wall"))


class Table:
    """A Markdown table: KEY_HEADERS name the key columns; COLUMNS are median(tool),
    peak(tool) or ratio(a, b) specs (default: the median of every tool); NOTE is printed
    above the table."""

    def __init__(self, title, key_headers, cases, columns=None, note=""):
        self.title, self.key_headers, self.cases = title, key_headers, cases
        self.columns, self.note = columns, note


class Results:
    """Every run's figures: results[key][tool] is a list of dicts, one per trial."""

    def __init__(self):
        self.data = {}

    def add(self, key, tool, figures):
        self.data.setdefault(key, {}).setdefault(tool, []).append(figures)

    def values(self, key, tool, metric="wall"):
        return [f[metric] for f in self.data.get(key, {}).get(tool, []) if metric in f]

    def median(self, key, tool, metric="wall"):
        values = self.values(key, tool, metric)
        return statistics.median(values) if values else None

    def max(self, key, tool, metric="rss"):
        values = self.values(key, tool, metric)
        return max(values) if values else None

    def ratio(self, key, num, den):
        num = num if isinstance(num, tuple) else (num, "wall")
        den = den if isinstance(den, tuple) else (den, "wall")
        pairs = list(zip(self.values(key, *num), self.values(key, *den)))
        return statistics.median(a / b for a, b in pairs if b > 0) if pairs else None

    def has(self, key):
        return key in self.data


def fmt_ms(value):
    if value is None:
        return "–"
    return "%.0f" % value if value >= 99.95 else "%.1f" % value


def fmt_mb(kb):
    return "–" if kb is None else "%.1f" % (kb / 1024.0)


def fmt_ratio(value):
    if value is None:
        return "–"
    return ("%.0f" % value if value >= 99.5 else "%.1f" % value if value >= 9.995
            else "%.2f" % value) + "x"


def spec_name(spec):
    tool, metric = spec
    return tool if metric == "wall" else "%s %s" % (tool, "CPU" if metric == "cpu" else metric)


# ---------------------------------------------------------------------------------------------
# The run


class Bench:
    """Runs the tables of one suite and prints its report."""

    def __init__(self, title, dbtool, dbtool_b=None, skip=(), trials=None):
        self.title, self.dbtool, self.dbtool_b = title, dbtool, dbtool_b
        self.skip, self.trials = set(skip), trials
        self.results = Results()
        self.checks = []
        self.loads = []

    def twin_name(self, tool):
        return tool + " B"

    def expand(self, case):
        """The case's commands without the skipped tools, with the --dbtool-b twins."""
        commands = []
        for command in case.commands:
            if command.tool in self.skip:
                continue
            commands.append(command)
            if command.ab and self.dbtool_b:
                commands.append(command.with_binary(self.twin_name(command.tool), self.dbtool,
                                                    self.dbtool_b))
        return commands

    def trials_of(self, case, tool):
        if self.trials:
            return self.trials
        base = tool[:-2] if self.dbtool_b and tool.endswith(" B") else tool
        return case.trials_of(base)

    def run_case(self, name, case, scratch):
        label = "[%s %s]" % (name, " ".join(str(k) for k in case.key))
        if case.setup:
            self.checks += case.setup() or []
        commands = self.expand(case)
        for command in commands:
            if command.warmup:
                figures = run(command, scratch)
                log("%s warm-up %s: %s ms" % (label, command.tool, fmt_ms(figures["wall"])))
        rounds = max(self.trials_of(case, c.tool) for c in commands)
        for trial in range(rounds):
            self.loads.append(os.getloadavg()[0])
            done = []
            order = list(commands)
            if trial % 2:
                # Whichever of A and B runs first runs after a different process: swap them
                # every other trial so that neither binary always gets the same neighbour.
                for i, command in enumerate(order[:-1]):
                    if order[i + 1].tool == self.twin_name(command.tool):
                        order[i], order[i + 1] = order[i + 1], command
            for command in order:
                if trial >= self.trials_of(case, command.tool):
                    continue
                figures = run(command, scratch)
                self.results.add(case.key, command.tool, figures)
                done.append("%s %s" % (command.tool, fmt_ms(figures["wall"])))
            log("%s trial %d/%d: %s ms" % (label, trial + 1, rounds, ", ".join(done)))
        if case.check:
            self.checks += case.check() or []
        if case.teardown:
            case.teardown()

    def columns(self, table):
        """The table's columns, each followed by its B twin when --dbtool-b is on."""
        tools = []
        for case in table.cases:
            for command in self.expand(case):
                if command.tool not in tools:
                    tools.append(command.tool)
        specs = table.columns or [median(t) for t in tools if not t.endswith(" B")]
        out = []
        twins = set(t for t in tools if t.endswith(" B")) if self.dbtool_b else set()
        ab_tools = set(t[:-2] for t in twins)
        for spec in specs:
            kind = spec[0]
            if kind == "ratio" and any(s[0] in self.skip for s in spec[1:]):
                continue
            if kind != "ratio" and spec[1] in self.skip:
                continue
            out.append(spec)
            if kind == "ratio":
                num, den = spec[1], spec[2]
                if num[0] in ab_tools or den[0] in ab_tools:
                    out.append(("ratio",
                                (self.twin_name(num[0]), num[1]) if num[0] in ab_tools else num,
                                (self.twin_name(den[0]), den[1]) if den[0] in ab_tools else den))
            elif spec[1] in ab_tools:
                out.append((kind, self.twin_name(spec[1]), spec[2]))
        for tool in tools:
            if tool in twins:
                out.append(("ratio", (tool[:-2], "wall"), (tool, "wall")))
        return out

    def render(self, table):
        columns = self.columns(table)
        headers = list(table.key_headers)
        for spec in columns:
            if spec[0] == "median":
                headers.append("%s ms" % spec_name(spec[1:]))
            elif spec[0] == "max":
                headers.append("%s peak MB" % spec[1])
            else:
                headers.append("%s / %s" % (spec_name(spec[1]), spec_name(spec[2])))
        lines = ["| " + " | ".join(headers) + " |",
                 "|" + "|".join(["---"] * len(table.key_headers) + ["---:"] * len(columns)) + "|"]
        for case in table.cases:
            if not self.results.has(case.key):
                continue
            cells = ["{:,}".format(k) if isinstance(k, int) else str(k) for k in case.key]
            for spec in columns:
                if spec[0] == "median":
                    cells.append(fmt_ms(self.results.median(case.key, spec[1], spec[2])))
                elif spec[0] == "max":
                    cells.append(fmt_mb(self.results.max(case.key, spec[1], spec[2])))
                else:
                    cells.append(fmt_ratio(self.results.ratio(case.key, spec[1], spec[2])))
            lines.append("| " + " | ".join(cells) + " |")
        return lines

    def trial_counts(self, tables):
        counts = {}
        for table in tables:
            for case in table.cases:
                for command in self.expand(case):
                    counts.setdefault(command.tool, set()).add(self.trials_of(case, command.tool))
        return "; ".join("%s %s" % (tool, "/".join(str(n) for n in sorted(ns)))
                         for tool, ns in counts.items())

    def execute(self, name, tables, targets=None, references="", command_line=""):
        """Runs every case of TABLES, then prints the report; returns the exit code (1 when
        a tool failed or did other work, else 0; missed targets are reported, not fatal)."""
        started = time.time()
        load_start = os.getloadavg()[0]
        scratch = tempfile.mkdtemp(prefix="dbtool-bench-out.")
        failure = None
        try:
            seen = set()
            for table in tables:
                for case in table.cases:
                    if id(case) in seen:
                        continue
                    seen.add(id(case))
                    self.run_case(name, case, scratch)
        except Failure as error:
            failure = error
            log("FAILED: %s" % error)
        except Exception as error:  # a broken hook or generator: report it, as a failure
            failure = "%s: %s" % (type(error).__name__, error)
            log(traceback.format_exc())
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        wall = time.time() - started

        out = ["## %s" % self.title, ""]
        out.append("Command: `%s`  " % command_line)
        out.append("Date: %s; binary under test: %s%s  " % (
            datetime.date.today().isoformat(), version_of(self.dbtool),
            "; B (baseline): %s" % version_of(self.dbtool_b) if self.dbtool_b else ""))
        out.append("Machine: %s, %d CPUs, %s; load average (1 min) %.1f at the start, %.1f at "
                   "the end, %.1f at most during the trials; whole run %.0f s  "
                   % (cpu_model(), os.cpu_count() or 0, platform.platform(terse=True), load_start,
                      os.getloadavg()[0], max(self.loads or [load_start]), wall))
        if references:
            out.append("References: %s  " % references)
        out.append("Trials: %s. Fresh processes in alternation after one untimed warm-up each; "
                   "medians of wall-clock ms; each ratio is the median of the per-trial ratios."
                   % self.trial_counts(tables))
        out.append("")
        if failure:
            out += ["**Stopped:**", "", "```", str(failure), "```", ""]
        for table in tables:
            if not any(self.results.has(c.key) for c in table.cases):
                continue
            out.append("### %s" % table.title)
            out.append("")
            if table.note:
                out += [table.note, ""]
            out += self.render(table)
            out.append("")
        if targets and not failure:
            lines = targets(self.results)
            if lines:
                out += ["Targets (binary under test):", ""]
                out += ["- %s %s" % ("PASS" if ok else "FAIL", text) for ok, text in lines]
                out.append("")
        if self.checks:
            out += ["Checks (the tools did the same work):", ""]
            out += ["- " + line for line in self.checks]
            out.append("")
        print("\n".join(out), flush=True)
        return 1 if failure else 0


def version_of(binary):
    try:
        text = subprocess.run([binary, "--version"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL).stdout.decode().strip()
    except OSError:
        text = "?"
    return text or "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def output_of(argv, env=None):
    """The first line of ARGV's output, or '?' (for the references' versions)."""
    try:
        result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
        return result.stdout.decode(errors="replace").strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"
