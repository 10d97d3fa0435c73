#!/usr/bin/python3
"""Generate the benchmark projects (issue 2).

Why this exists: the benchmark compares dbtool with the sqlite3 CLI (the floor) and with
Alembic on the same revision graph. This script writes, for every shape and size, one dbtool
project and one Alembic project with identical revision ids, parents and SQL, so that the
three tools do exactly the same work.

Shapes:
  linear   r1 <- r2 <- r3 ... (every revision has one parent)
  branchy  a base, then groups of three: two revisions branch off the previous one and a
           merge revision joins them (a merge every 3 revisions)

Layout written for each <shape>-<size> under OUT:
  dbtool/      dbtool.toml, migrations/<rev>_<slug>.sql (DESIGN.md section 3), data/
  alembic/     alembic.ini, env.py, versions/<rev>_<slug>.py, data/
  reference.sql  the upgrade script dbtool is expected to print for `upgrade head --sql`,
                 written by hand from the same data; bench/run uses it as the sqlite3
                 floor only when no dbtool binary is available (development of the bench)

Usage: /usr/bin/python3 bench/gen_projects.py OUT [--sizes 1000,10000] [--shapes linear,branchy]
Revision ids are 12 hex digits from a seeded generator, so every run writes the same projects.
"""

import argparse
import datetime
import os
import random
import shutil
import sys

SEED = 20261121
CREATED_BASE = datetime.datetime(2026, 1, 1, 0, 0, 0)


class Revision:
    """One node of the graph with the SQL it runs."""

    def __init__(self, index, rev_id, parents, upgrade, downgrade, message):
        self.index = index  # 1-based position in a topological (apply) order
        self.rev_id = rev_id
        self.parents = parents  # list of rev ids; empty for the base
        self.upgrade = upgrade  # list of SQL statements, without trailing semicolons
        self.downgrade = downgrade
        self.message = message

    @property
    def slug(self):
        return self.message.replace(" ", "_")

    @property
    def created(self):
        return (CREATED_BASE + datetime.timedelta(minutes=self.index)).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_ids(count, seed):
    """count distinct 12-hex-digit ids, the same for the same seed. (Only full ids are
    used, so short prefixes may collide, as they would in a real project this size.)"""
    rng = random.Random(seed)
    ids, seen = [], set()
    while len(ids) < count:
        rev_id = "%012x" % rng.getrandbits(48)
        if rev_id not in seen:
            seen.add(rev_id)
            ids.append(rev_id)
    return ids


LIVE_TABLES = 100  # revision N drops the table of revision N - LIVE_TABLES


def table_ddl(n):
    return ("CREATE TABLE t_%d (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "created_at TEXT DEFAULT CURRENT_TIMESTAMP)" % n)


def build_graph(shape, size, seed):
    """Return the revisions in apply order (parents before children).

    Every revision creates its own table t_N and inserts a row; every 4th adds an index;
    every 5th adds a column to the table of its (first) parent; and once N > LIVE_TABLES,
    revision N drops t_(N - LIVE_TABLES). The schema thus stays at about LIVE_TABLES tables
    however long the history: SQLite's cost of one DDL statement grows with the size of the
    schema (CREATE TABLE scans sqlite_master, ALTER TABLE reparses all of it), and with
    10,000 live tables that quadratic cost would swamp the per-revision overhead that the
    benchmark is there to measure. Every downgrade exactly reverses its upgrade (a dropped
    table is recreated with its added columns, index and row).

    In both shapes the tables touched by revision N belong to its ancestors, so they exist
    in whatever topological order a tool applies the graph.
    """
    ids = make_ids(size, seed)
    revisions = []
    by_id = {}
    added_columns = {}  # table number -> [column names added by later revisions]

    def add(parents):
        n = len(revisions) + 1
        table = "t_%d" % n
        up = [table_ddl(n), "INSERT INTO %s (name) VALUES ('row %d')" % (table, n)]
        down = ["DROP TABLE %s" % table]
        if n % 4 == 0:
            up.append("CREATE INDEX ix_%s_name ON %s (name)" % (table, table))
            down.insert(0, "DROP INDEX ix_%s_name" % table)
        if n % 5 == 0 and parents:
            parent = by_id[parents[0]].index
            column = "c_%d" % n  # named after this revision: siblings never collide
            up.append("ALTER TABLE t_%d ADD COLUMN %s INTEGER NOT NULL DEFAULT 0" % (parent, column))
            down.insert(0, "ALTER TABLE t_%d DROP COLUMN %s" % (parent, column))
            added_columns.setdefault(parent, []).append(column)
        old = n - LIVE_TABLES
        if old >= 1:
            up.append("DROP TABLE t_%d" % old)
            restore = [table_ddl(old)]
            restore += ["ALTER TABLE t_%d ADD COLUMN %s INTEGER NOT NULL DEFAULT 0" % (old, c)
                        for c in added_columns.pop(old, [])]
            restore.append("INSERT INTO t_%d (name) VALUES ('row %d')" % (old, old))
            if old % 4 == 0:
                restore.append("CREATE INDEX ix_t_%d_name ON t_%d (name)" % (old, old))
            down = restore + down
        message = ("merge and create table %s" if len(parents) > 1 else "create table %s") % table
        rev = Revision(n, ids[n - 1], parents, up, down, message)
        revisions.append(rev)
        by_id[rev.rev_id] = rev
        return rev

    prev = add([])
    if shape == "linear":
        while len(revisions) < size:
            prev = add([prev.rev_id])
    elif shape == "branchy":
        while len(revisions) < size:
            left = add([prev.rev_id])
            if len(revisions) == size:
                break
            right = add([prev.rev_id])
            if len(revisions) == size:
                break
            prev = add([left.rev_id, right.rev_id])
    else:
        raise ValueError("unknown shape " + shape)
    return revisions


# ---------------------------------------------------------------------------------------------
# dbtool project


def write_dbtool(root, revisions):
    os.makedirs(os.path.join(root, "migrations"))
    os.makedirs(os.path.join(root, "data"))
    with open(os.path.join(root, "dbtool.toml"), "w") as f:
        f.write('url = "sqlite:///data/app.db"\n')
        f.write('migrations = "migrations"\n\n')
        f.write("[sqlite]\n")
        f.write('journal_mode = "WAL"\n')
        f.write('synchronous = "NORMAL"\n')
    for rev in revisions:
        path = os.path.join(root, "migrations", "%s_%s.sql" % (rev.rev_id, rev.slug))
        with open(path, "w") as f:
            f.write("-- revision: %s\n" % rev.rev_id)
            f.write("-- down_revision: %s\n" % ",".join(rev.parents))
            f.write("-- message: %s\n" % rev.message)
            f.write("-- created: %s\n" % rev.created)
            f.write("\n-- +upgrade\n")
            for stmt in rev.upgrade:
                f.write(stmt + ";\n")
            f.write("\n-- +downgrade\n")
            for stmt in rev.downgrade:
                f.write(stmt + ";\n")


# ---------------------------------------------------------------------------------------------
# Alembic project

ALEMBIC_INI = """\
# Generated by bench/gen_projects.py: the Alembic side of the dbtool benchmark.
[alembic]
script_location = .
sqlalchemy.url = sqlite:///data/app.db

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = WARN
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

# Plain SQLAlchemy engine; the same PRAGMAs as dbtool (WAL, synchronous NORMAL) on every
# connection, and one transaction per revision as dbtool does by default.
ALEMBIC_ENV = '''\
"""Generated by bench/gen_projects.py: Alembic environment for the dbtool benchmark."""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, event

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

URL = config.get_main_option("sqlalchemy.url")


def run_migrations_offline():
    context.configure(url=URL, literal_binds=True, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = create_engine(URL)

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, connection_record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''


def py_str(s):
    return repr(s)


def write_alembic(root, revisions):
    os.makedirs(os.path.join(root, "versions"))
    os.makedirs(os.path.join(root, "data"))
    with open(os.path.join(root, "alembic.ini"), "w") as f:
        f.write(ALEMBIC_INI)
    with open(os.path.join(root, "env.py"), "w") as f:
        f.write(ALEMBIC_ENV)
    for rev in revisions:
        if not rev.parents:
            down = "None"
        elif len(rev.parents) == 1:
            down = py_str(rev.parents[0])
        else:
            down = "(%s)" % ", ".join(py_str(p) for p in rev.parents)
        lines = [
            '"""%s' % rev.message,
            "",
            "Revision ID: %s" % rev.rev_id,
            "Revises: %s" % ", ".join(rev.parents),
            "Create Date: %s" % rev.created,
            '"""',
            "from alembic import op",
            "",
            "revision = %s" % py_str(rev.rev_id),
            "down_revision = %s" % down,
            "branch_labels = None",
            "depends_on = None",
            "",
            "",
            "def upgrade():",
        ]
        lines += ["    op.execute(%s)" % py_str(stmt) for stmt in rev.upgrade]
        lines += ["", "", "def downgrade():"]
        lines += ["    op.execute(%s)" % py_str(stmt) for stmt in rev.downgrade]
        path = os.path.join(root, "versions", "%s_%s.py" % (rev.rev_id, rev.slug))
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------------------------
# Reference floor script (used only when no dbtool binary is available)


def write_reference_sql(path, revisions, version_table="dbtool_version", history_table="dbtool_history"):
    """What `dbtool upgrade head --sql` is expected to print, per DESIGN.md section 4:
    each revision in its own transaction with its version and history rows."""
    out = [
        "PRAGMA journal_mode=WAL;",
        "PRAGMA synchronous=NORMAL;",
        "CREATE TABLE IF NOT EXISTS %s (version_num VARCHAR(64) NOT NULL PRIMARY KEY);" % version_table,
        "CREATE TABLE IF NOT EXISTS %s (id INTEGER PRIMARY KEY, revision VARCHAR(64) NOT NULL, "
        "direction TEXT NOT NULL, checksum TEXT, message TEXT, applied_at TEXT NOT NULL, "
        "duration_ms INTEGER);" % history_table,
    ]
    heads = set()
    for rev in revisions:
        out.append("")
        out.append("-- %s: %s" % (rev.rev_id, rev.message))
        out.append("BEGIN;")
        out += [stmt + ";" for stmt in rev.upgrade]
        present = [p for p in rev.parents if p in heads]
        if not present:
            out.append("INSERT INTO %s (version_num) VALUES ('%s');" % (version_table, rev.rev_id))
        else:
            for p in present[1:]:
                out.append("DELETE FROM %s WHERE version_num = '%s';" % (version_table, p))
                heads.discard(p)
            out.append("UPDATE %s SET version_num = '%s' WHERE version_num = '%s';"
                       % (version_table, rev.rev_id, present[0]))
            heads.discard(present[0])
        heads.add(rev.rev_id)
        out.append("INSERT INTO %s (revision, direction, checksum, message, applied_at, duration_ms) "
                   "VALUES ('%s', 'upgrade', NULL, '%s', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now'), 0);"
                   % (history_table, rev.rev_id, rev.message))
        out.append("COMMIT;")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="output folder (created; existing project folders are replaced)")
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--shapes", default="linear,branchy")
    args = parser.parse_args()

    for shape in args.shapes.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            revisions = build_graph(shape, size, SEED + size + (0 if shape == "linear" else 1))
            root = os.path.join(args.out, "%s-%d" % (shape, size))
            if os.path.exists(root):
                shutil.rmtree(root)
            os.makedirs(root)
            write_dbtool(os.path.join(root, "dbtool"), revisions)
            write_alembic(os.path.join(root, "alembic"), revisions)
            write_reference_sql(os.path.join(root, "reference.sql"), revisions)
            print("generated %s (%d revisions)" % (root, len(revisions)), file=sys.stderr)


if __name__ == "__main__":
    main()
