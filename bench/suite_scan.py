"""Suite `scan` (issue 3): `dbtool scan --format json` against SQLAlchemy's
MetaData().reflect() on generated SQLite databases, with the sqlite3 CLI as the floor.

Each table has 8 columns of mixed types, a foreign key to the previous table (the first
refers to itself) and an index; WAL mode. Both tools are fresh processes, so both include
start-up (and, for SQLAlchemy, its imports); the SQLAlchemy process also reports reflect()
alone (`SQLAlchemy reflect`). dbtool's JSON is checked once, and every SQLAlchemy run,
to hold every table with its columns, foreign key and index.

The floor is the sqlite3 CLI answering the catalogue queries dbtool's SQLite introspection
asks (src/schema/sqlite_introspector.cpp): issue 3 has introspection use SQLite's PRAGMAs,
so no scan built that way can beat it.
"""

import json
import os
import sqlite3
import subprocess

from harness import Case, Command, Failure, Table, clean_env, median, output_of, ratio

PYTHON = "/usr/bin/python3"
COLUMNS = ["id", "name", "email", "amount", "created_at", "flag", "parent_id", "note"]

CHILD = r"""
import sys, time, json
import sqlalchemy as sa
engine = sa.create_engine(sys.argv[1])
meta = sa.MetaData()
start = time.perf_counter()
meta.reflect(bind=engine)
reflect_ms = (time.perf_counter() - start) * 1000.0
tables = {t.name: [[c.name for c in t.columns],
                   sorted(fk.referred_table.name for fk in t.foreign_key_constraints),
                   sorted(i.name for i in t.indexes)] for t in meta.tables.values()}
print(json.dumps({"reflect_ms": reflect_ms, "tables": tables}))
"""

FLOOR_SQL = r"""
SELECT type, name, tbl_name, sql FROM sqlite_schema;
SELECT m.name, p.name, p.type, p."notnull", p.dflt_value, p.pk, p.hidden
  FROM sqlite_schema m, pragma_table_xinfo(m.name) p
  WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\';
SELECT m.name, p.id, p."table", p."from", p."to", p.on_update, p.on_delete
  FROM sqlite_schema m, pragma_foreign_key_list(m.name) p
  WHERE m.type = 'table' AND m.sql LIKE '%REFERENCES%';
SELECT m.name, x.cid, x.name, x."desc", x.coll, x."key"
  FROM sqlite_schema m, pragma_index_xinfo(m.name) x
  WHERE m.type = 'index' AND m.sql IS NOT NULL;
PRAGMA main.table_list;
"""


def table_name(i):
    return "t_%05d" % i


def expected(n):
    return {table_name(i): [COLUMNS, [table_name(max(i - 1, 0))], ["ix_%s_name" % table_name(i)]]
            for i in range(n)}


def generate(path, n):
    if os.path.exists(path):
        os.remove(path)
    con = sqlite3.connect(path, isolation_level=None)
    if con.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
        raise Failure("could not set WAL mode on " + path)
    con.execute("BEGIN")
    for i in range(n):
        name, parent = table_name(i), table_name(max(i - 1, 0))
        con.execute("CREATE TABLE %s (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email "
                    "VARCHAR(120), amount NUMERIC(10,2) DEFAULT 0, created_at TIMESTAMP DEFAULT "
                    "CURRENT_TIMESTAMP, flag BOOLEAN, parent_id INTEGER REFERENCES %s(id), "
                    "note TEXT)" % (name, parent))
        con.execute("CREATE INDEX ix_%s_name ON %s(name)" % (name, name))
    con.execute("COMMIT")
    con.close()


def compare(what, got, n):
    want = expected(n)
    if got != want:
        missing = sorted(set(want) - set(got))[:3]
        wrong = sorted(t for t in want if t in got and got[t] != want[t])[:3]
        raise Failure("%s: %d tables, expected %d (missing %s, different %s)"
                      % (what, len(got), n, missing, wrong))


def scan_suite(ctx):
    sizes = ctx.sizes or ([500] if ctx.quick else [500, 5000])
    cases = []
    for n in sizes:
        path = os.path.join(ctx.work, "scan_%d.db" % n)
        argv = [ctx.dbtool, "--url", "sqlite:///" + path, "scan", "--format", "json"]

        def setup(n=n, path=path, argv=argv):
            generate(path, n)
            ctx.log("generated %s (%d tables)" % (path, n))
            result = subprocess.run(argv, cwd=ctx.work, env=clean_env(), stdout=subprocess.PIPE,
                                    check=True)
            document = json.loads(result.stdout)
            got = {t["name"]: [[c["name"] for c in t.get("columns", [])],
                               sorted(fk["references"]["table"] for fk in t.get("foreign_keys", [])),
                               sorted(i["name"] for i in t.get("indexes", []))]
                   for t in document.get("tables", [])}
            compare("dbtool scan", got, n)
            extra = sorted(k for k in document if k != "tables" and document[k])
            if extra:
                raise Failure("dbtool scan: unexpected non-empty sections %s" % extra)
            return ["%d tables: dbtool's JSON and every SQLAlchemy run's MetaData hold every "
                    "table with its 8 columns, its foreign key and its index" % n]

        def reflected(out, n=n):
            report = json.loads(out)
            compare("SQLAlchemy reflect", report["tables"], n)
            return {"reflect": report["reflect_ms"]}

        trials = 5 if n < 5000 else 3
        cases.append(Case((n,), [
            Command("dbtool", argv, ctx.work, clean_env(), ab=True),
            Command("sqlite3", ["sqlite3", "-bail", path], ctx.work, stdin=write_floor(ctx.work)),
            Command("SQLAlchemy", [PYTHON, "-c", CHILD, "sqlite:///" + path], ctx.work,
                    clean_env(), capture=True, after=reflected),
        ], trials, setup=setup, teardown=lambda path=path: os.remove(path)))

    table = Table("`dbtool scan --format json` against SQLAlchemy's reflection", ["tables"], cases,
                  [median("dbtool"), median("sqlite3"), ratio("dbtool", "sqlite3"),
                   median("SQLAlchemy"), median("SQLAlchemy", "reflect"),
                   ratio("SQLAlchemy", "dbtool"), ratio(("SQLAlchemy", "reflect"), "dbtool")],
                  note="`SQLAlchemy ms` is the whole process (imports included), `SQLAlchemy "
                       "reflect ms` the reflect() call alone, as the process measured it.")

    def targets(res):
        out = []
        for case in cases:
            ratios = [res.ratio(case.key, "SQLAlchemy", "dbtool"),
                      res.ratio(case.key, ("SQLAlchemy", "reflect"), "dbtool")]
            if None in ratios:  # SQLAlchemy skipped (--skip SQLAlchemy)
                continue
            worst = min(ratios)
            out.append((worst >= 50, "%d tables: at least 50x faster than SQLAlchemy, process "
                                     "and reflect() alone (%.1fx)" % (case.key[0], worst)))
        if len(cases) > 1:
            small, large = cases[0].key, cases[-1].key
            growth = res.median(large, "dbtool") / res.median(small, "dbtool")
            scale = large[0] / small[0]
            out.append((growth <= scale * 1.2, "linear: %.0fx the tables, %.1fx dbtool's time"
                        % (scale, growth)))
        return out

    references = "SQLAlchemy %s (%s); sqlite3 %s" % (
        output_of([PYTHON, "-c", "import sqlalchemy; print(sqlalchemy.__version__)"]),
        output_of([PYTHON, "--version"]), output_of(["sqlite3", "--version"]).split()[0])
    return [table], targets, references


def write_floor(work):
    path = os.path.join(work, "scan_floor.sql")
    with open(path, "w") as f:
        f.write(FLOOR_SQL)
    return path
