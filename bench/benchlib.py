"""Helpers shared by the benchmark scripts (scan, autogenerate, PostgreSQL suites):
number formatting for the report tables and the CPU time and environment of child
processes, so that every suite reports in the same way."""

import os
import resource
import subprocess

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fmt_ms(value):
    """Milliseconds: no decimals from 100 on, one below."""
    return "%.0f" % value if value >= 100 else "%.1f" % value


def fmt_ratio(value):
    """A ratio such as 21.3x or 517x."""
    return "%.0fx" % value if value >= 100 else "%.1fx" % value


def children_cpu_seconds():
    """User + system time of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def child_env(drop=()):
    """This process's environment without the variables that would change what a child
    Python or dbtool does (plus DROP)."""
    env = dict(os.environ)
    for name in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP") + tuple(drop):
        env.pop(name, None)
    return env


def source_state():
    """The repository's HEAD, and whether src/ or include/ have uncommitted changes."""
    try:
        head = subprocess.run(["git", "-C", TOP, "rev-parse", "--short=12", "HEAD"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              check=True).stdout.decode().strip()
        dirty = subprocess.run(["git", "-C", TOP, "status", "--porcelain", "--", "src", "include",
                                "CMakeLists.txt"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted changes in src/ or include/" if dirty else "")
