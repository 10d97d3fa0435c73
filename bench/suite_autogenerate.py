"""Suites `autogenerate` (issue 4, SQLite) and `autogenerate-postgres` (issue 6):
`dbtool revision --autogenerate` against `alembic revision --autogenerate` on the same
declared models, 10, 100 and 500 tables.

Each table t_NNNNN: 8 columns (integer key, string(64), text, numeric(10,2), boolean with a
default, datetime, a foreign key to the previous table, a nullable text) and one index;
dbtool reads them from schema/models.json, Alembic from a models.py of SQLAlchemy Tables.
Two scenarios: against an empty database (everything to create; each revision is checked to
create every table and index, then removed with the database) and against a database
already at the models (each tool built it with its own autogenerate + upgrade; dbtool must
write nothing and say "No changes", `dbtool check` must exit 0, Alembic's revision must hold
no operation). The two databases built at the models must have the same tables, columns,
keys and indexes.
"""

import ast
import glob
import json
import os
import re
import sqlite3
import subprocess

from harness import Case, Command, Failure, Table, clean_env, median, output_of, ratio, tail

ALEMBIC = "/usr/bin/alembic"
PYTHON = "/usr/bin/python3"

# (name, dbtool type, SQLAlchemy type, nullable, server default), per dialect: PostgreSQL
# has no integer default for a boolean, and its applications declare time zones.
COLUMNS = {
    "sqlite": [
        ("id", "integer", "sa.Integer()", False, None),
        ("name", "string(64)", "sa.String(64)", False, None),
        ("body", "text", "sa.Text()", False, None),
        ("amount", "numeric(10,2)", "sa.Numeric(10, 2)", True, None),
        ("flag", "boolean", "sa.Boolean()", False, "0"),
        ("created_at", "datetime", "sa.DateTime()", False, None),
        ("parent_id", "integer", "sa.Integer()", True, None),
        ("note", "text", "sa.Text()", True, None),
    ],
}
COLUMNS["postgres"] = [
    ("flag", "boolean", "sa.Boolean()", False, "false") if c[0] == "flag" else
    ("created_at", "timestamp_tz", "sa.DateTime(timezone=True)", False, None)
    if c[0] == "created_at" else c for c in COLUMNS["sqlite"]]


def table_name(i):
    return "t_%05d" % i


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def dbtool_models(dialect, n):
    tables = []
    for i in range(n):
        columns = []
        for name, dbtype, _, nullable, default in COLUMNS[dialect]:
            column = {"name": name, "type": dbtype}
            if name == "id":
                column["primary_key"] = True
                if dialect == "postgres":
                    # Spelled out: dbtool before issue 18 read an integer key as a plain
                    # integer, since then as an identity; with --dbtool-b both agree.
                    column["identity"] = "by default"
            if not nullable:
                column["nullable"] = False
            if default is not None:
                column["default"] = default
            if name == "parent_id":
                column["references"] = "%s.id" % table_name(max(i - 1, 0))
            columns.append(column)
        tables.append({"name": table_name(i), "columns": columns,
                       "indexes": [{"name": "ix_%s_name" % table_name(i), "columns": ["name"]}]})
    return json.dumps({"tables": tables}, indent=1) + "\n"


def alembic_models(dialect, n):
    out = ["import sqlalchemy as sa", "", "metadata = sa.MetaData()", ""]
    for i in range(n):
        t = table_name(i)
        out += ["%s = sa.Table(" % t, "    %r," % t, "    metadata,"]
        for name, _, satype, nullable, default in COLUMNS[dialect]:
            args = [repr(name), satype]
            if name == "parent_id":
                args.append("sa.ForeignKey(%r)" % ("%s.id" % table_name(max(i - 1, 0))))
            if name == "id":
                args.append("primary_key=True")
                if dialect == "postgres":
                    # else SQLAlchemy makes the key a SERIAL, where dbtool's is a plain integer
                    args.append("autoincrement=False")
            else:
                args.append("nullable=%r" % nullable)
            if default is not None:
                args.append("server_default=sa.text(%r)" % default)
            out.append("    sa.Column(%s)," % ", ".join(args))
        out += ["    sa.Index(%r, 'name')," % ("ix_%s_name" % t), ")", ""]
    return "\n".join(out)


ALEMBIC_INI = """[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
version_path_separator = os
sqlalchemy.url = {url}

[loggers]
keys = root

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[handler_console]
class = StreamHandler
args = (sys.stderr,)
formatter = generic

[formatter_generic]
format = %(levelname)s [%(name)s] %(message)s
"""

# Alembic's generic env.py (online), with target_metadata from models.py and a higher
# recursion limit: SQLAlchemy's reflection follows each foreign key into the referred table
# recursively, and the models' chain of foreign keys takes it past the default limit beyond
# about 110 tables. The limit changes no work, only lets it finish.
ENV_PY = '''import sys
from alembic import context
from sqlalchemy import engine_from_config, pool
from models import metadata

sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
config = context.config
engine = engine_from_config(config.get_section(config.config_ini_section),
                            prefix="sqlalchemy.", poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
'''

SCRIPT_MAKO = '''"""${message}"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


def write_projects(root, dialect, n, url):
    """A dbtool project and an Alembic project on URL for N tables; returns their folders."""
    dbtool_dir, alembic_dir = os.path.join(root, "dbtool"), os.path.join(root, "alembic")
    write(os.path.join(dbtool_dir, "dbtool.toml"), "url = %s\n" % json.dumps(url))
    os.makedirs(os.path.join(dbtool_dir, "migrations"))
    write(os.path.join(dbtool_dir, "schema", "models.json"), dbtool_models(dialect, n))
    sa_url = url if dialect == "sqlite" else "postgresql+psycopg2" + url[url.index("://"):]
    write(os.path.join(alembic_dir, "alembic.ini"), ALEMBIC_INI.format(url=sa_url.replace("%", "%%")))
    write(os.path.join(alembic_dir, "migrations", "env.py"), ENV_PY)
    write(os.path.join(alembic_dir, "migrations", "script.py.mako"), SCRIPT_MAKO)
    os.makedirs(os.path.join(alembic_dir, "migrations", "versions"))
    write(os.path.join(alembic_dir, "models.py"), alembic_models(dialect, n))
    if dialect == "sqlite":
        os.makedirs(os.path.join(dbtool_dir, "data"))
        os.makedirs(os.path.join(alembic_dir, "data"))
    return dbtool_dir, alembic_dir


def revision_files(project, tool):
    folder = (os.path.join(project, "migrations") if tool == "dbtool"
              else os.path.join(project, "migrations", "versions"))
    return sorted(f for f in os.listdir(folder) if tool == "dbtool" or f.endswith(".py"))


def take_revision(project, tool, kept=()):
    """The one revision file a run wrote (any but KEPT), read and removed (with its bytecode)."""
    files = [f for f in revision_files(project, tool) if f not in kept]
    if len(files) != 1:
        raise Failure("%s in %s: expected one new revision file, found %r" % (tool, project, files))
    folder = (os.path.join(project, "migrations") if tool == "dbtool"
              else os.path.join(project, "migrations", "versions"))
    path = os.path.join(folder, files[0])
    with open(path) as f:
        text = f.read()
    os.remove(path)
    for pyc in glob.glob(os.path.join(folder, "__pycache__", files[0][:-3] + ".*.pyc")):
        os.remove(pyc)
    return text


def alembic_noop(text):
    """'' when upgrade() and downgrade() are just `pass`, else what is wrong."""
    calls = re.findall(r"\bop\.\w+\(", text)
    if calls:
        return "%d op. calls (%s)" % (len(calls), ", ".join(sorted(set(calls))[:5]))
    for function in ("upgrade", "downgrade"):
        bodies = [node.body for node in ast.parse(text).body
                  if isinstance(node, ast.FunctionDef) and node.name == function]
        if len(bodies) != 1 or not (len(bodies[0]) == 1 and isinstance(bodies[0][0], ast.Pass)):
            return "%s() is not just `pass`" % function
    return ""


def remove_sqlite(project):
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = os.path.join(project, "data", "app.db" + suffix)
        if os.path.exists(path):
            os.remove(path)


def sqlite_schema(path):
    """The t_ tables: columns (name, type, NOT NULL, default, key), foreign keys, indexes."""
    def norm_default(d):
        while d and d.startswith("(") and d.endswith(")"):
            d = d[1:-1].strip()
        return d
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    try:
        schema = {}
        for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                "GLOB 't_[0-9]*' ORDER BY name"):
            columns = [(r[1], re.sub(r"\s+", "", r[2]).upper(), r[3], norm_default(r[4]), r[5])
                       for r in con.execute("PRAGMA table_info(%s)" % t)]
            fks = sorted((r[2], r[3], r[4]) for r in con.execute("PRAGMA foreign_key_list(%s)" % t))
            indexes = sorted((r[1], r[2], tuple(c[2] for c in con.execute(
                "PRAGMA index_info(%s)" % r[1]))) for r in con.execute(
                "PRAGMA index_list(%s)" % t) if r[3] == "c")
            schema[t] = (columns, fks, indexes)
        return schema
    finally:
        con.close()


def run_checked(argv, cwd):
    result = subprocess.run(argv, cwd=cwd, env=clean_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise Failure("`%s` in %s exited %d:\n%s" % (" ".join(argv), cwd, result.returncode,
                                                    tail(result.stdout)))
    return result.stdout.decode(errors="replace")


def autogenerate_suite(ctx, dialect="sqlite"):
    postgres = dialect == "postgres"
    sizes = ctx.sizes or ([10, 100] if ctx.quick else [10, 100, 500])
    server = ctx.postgres() if postgres else None
    if postgres:
        import pgserver
    dbtool = ctx.dbtool
    env = clean_env()
    cases = []

    def add_cases(n):
        # A function, so that the hooks below see this size's projects and databases.
        trials = 5 if n < 500 else 3
        projects, urls, dbnames = {}, {}, {}
        for scenario in ("empty", "models"):
            if postgres:
                for tool in ("dbtool", "alembic"):
                    dbnames[scenario, tool] = "dbtool_agbench_%d_%d_%s_%s" % (os.getpid(), n,
                                                                             scenario, tool)
                    server.recreate(dbnames[scenario, tool])
                    urls[scenario, tool] = server.url_of(dbnames[scenario, tool])
            else:
                urls[scenario, "dbtool"] = urls[scenario, "alembic"] = "sqlite:///data/app.db"
            root = os.path.join(ctx.work, "%s-%d-%s" % (dialect, n, scenario))
            d, a = write_projects(os.path.join(root, "d"), dialect, n, urls[scenario, "dbtool"])
            if postgres:  # the Alembic project on its own database
                _, a = write_projects(os.path.join(root, "a"), dialect, n, urls[scenario, "alembic"])
            projects[scenario] = (d, a)
        ctx.log("%d tables: projects written under %s" % (n, ctx.work))

        d_empty, a_empty = projects["empty"]
        patterns = {"dbtool": [r"^CREATE TABLE ", r"^CREATE INDEX "],
                    "Alembic": [r"\bop\.create_table\(", r"\bop\.create_index\("]}
        if postgres:
            patterns["dbtool"].append(r"\bFOREIGN KEY\b")
            patterns["Alembic"].append(r"\bsa\.ForeignKeyConstraint\(")

        def empty_check(tool, project, n=n):
            def after(_):
                text = take_revision(project, "dbtool" if tool == "dbtool" else "alembic")
                if tool == "dbtool":
                    text = text.split("-- +upgrade", 1)[-1].split("-- +downgrade", 1)[0]
                counts = [len(re.findall(p, text, re.M)) for p in patterns[tool]]
                if counts != [n] * len(counts):
                    raise Failure("%s's revision for %d tables: %r matches of %r"
                                  % (tool, n, counts, patterns[tool]))
                if postgres:
                    left = pgserver.leftovers(urls["empty", tool.lower()],
                                              drop_alembic_version=tool == "Alembic")
                    if left:
                        raise Failure("%s left objects in the empty database: %s" % (tool, left))
                else:
                    remove_sqlite(project)
            return after

        def empty_before(tool, project):
            def before():
                if revision_files(project, tool):
                    raise Failure("%s: %s holds revisions before the run" % (tool, project))
                if not postgres:
                    remove_sqlite(project)
            return before

        cases.append(Case((n, "empty database"), [
            Command("dbtool", [dbtool, "revision", "--autogenerate", "-m", "x"], d_empty, env,
                    before=empty_before("dbtool", d_empty), after=empty_check("dbtool", d_empty),
                    ab=True),
            Command("Alembic", [ALEMBIC, "revision", "--autogenerate", "-m", "x"], a_empty, env,
                    before=empty_before("alembic", a_empty), after=empty_check("Alembic", a_empty)),
        ], trials, setup=lambda n=n: ["%d tables, empty database: every revision creates %d "
                                      "tables%s and %d indexes, and leaves the database empty"
                                      % (n, n, ", %d foreign keys" % n if postgres else "", n)]))

        d_models, a_models = projects["models"]
        built = {}  # the Alembic project's revision to the models, which the trials keep

        def build_models(n=n, d=d_models, a=a_models):
            run_checked([dbtool, "revision", "--autogenerate", "-m", "models"], d)
            run_checked([dbtool, "upgrade", "head"], d)
            run_checked([ALEMBIC, "revision", "--autogenerate", "-m", "models"], a)
            run_checked([ALEMBIC, "upgrade", "head"], a)
            built[a] = revision_files(a, "alembic")
            if postgres:
                mine = pgserver.live_schema(urls["models", "dbtool"])
                theirs = pgserver.live_schema(urls["models", "alembic"])
            else:
                mine = sqlite_schema(os.path.join(d, "data", "app.db"))
                theirs = sqlite_schema(os.path.join(a, "data", "app.db"))
            if len(mine) != n or mine != theirs:
                first = next((t for t in sorted(mine) if mine[t] != theirs.get(t)), None)
                raise Failure("%d tables: the databases dbtool and Alembic built differ (%d and "
                              "%d tables; first difference %s: %r against %r)"
                              % (n, len(mine), len(theirs), first, mine.get(first),
                                 theirs.get(first)))
            return ["%d tables: the databases dbtool and Alembic built from their models have "
                    "the same tables, columns, keys, foreign keys and indexes" % n] + \
                check_clean(n, d)

        def check_clean(n, d, when="before the trials"):
            output = run_checked([dbtool, "check"], d)
            return ["%d tables, at the models, %s: `dbtool check` exits 0 (%s)"
                    % (n, when, output.strip().splitlines()[-1])]

        def dbtool_models_after(out, d=d_models):
            if len(revision_files(d, "dbtool")) != 1:
                raise Failure("dbtool wrote a revision at the models in %s" % d)
            if b"No changes" not in out:
                raise Failure("dbtool at the models did not say \"No changes\": %s" % tail(out))

        def alembic_models_after(_, a=a_models):
            problem = alembic_noop(take_revision(a, "alembic", built[a]))
            if problem:
                raise Failure("Alembic's revision at the models is not empty: " + problem)

        cases.append(Case((n, "database at the models"), [
            Command("dbtool", [dbtool, "revision", "--autogenerate", "-m", "y"], d_models, env,
                    capture=True, after=dbtool_models_after, ab=True),
            Command("Alembic", [ALEMBIC, "revision", "--autogenerate", "-m", "y"], a_models, env,
                    after=alembic_models_after),
        ], trials, setup=build_models,
            check=lambda n=n, d=d_models: [
                "%d tables, at the models: every dbtool run wrote nothing and said \"No "
                "changes\", every Alembic revision held no operation" % n] +
            check_clean(n, d, "after the trials")))

    for n in sizes:
        add_cases(n)
    title = "`revision --autogenerate` against Alembic's on %s" % (
        "PostgreSQL" if postgres else "SQLite")
    note = ""
    if postgres:
        note = "Server: %s. Each tool has its own databases, made for the run." % server.describe()
    table = Table(title, ["tables", "scenario"], cases,
                  [median("dbtool"), median("Alembic"), ratio("Alembic", "dbtool"),
                   median("dbtool", "cpu"), median("Alembic", "cpu")], note=note)

    def targets(res):
        largest = max(sizes)
        out = []
        for case in cases:
            if case.key[0] == largest and largest >= 500:
                r = res.ratio(case.key, "Alembic", "dbtool")
                if r is None:  # Alembic skipped (--skip Alembic)
                    continue
                out.append((r >= 50, "%d tables, %s: at least 50x faster than Alembic (%.1fx)"
                            % (case.key + (r,))))
        return out

    references = ("Alembic %s" % pgserver.python_stack() if postgres else
                  output_of([PYTHON, "-c", "import sys, sqlite3, sqlalchemy, alembic; print("
                             "'Alembic %s, SQLAlchemy %s on Python %s, SQLite %s' % ("
                             "alembic.__version__, sqlalchemy.__version__, sys.version.split()[0],"
                             " sqlite3.sqlite_version))"]))
    return [table], targets, references


def autogenerate_postgres_suite(ctx):
    return autogenerate_suite(ctx, "postgres")
