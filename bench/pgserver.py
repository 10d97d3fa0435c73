"""The PostgreSQL side of the suites `postgres` and `autogenerate-postgres`: databases made
and dropped through one superuser session, and what a run left in a database, read back
with psycopg2 (Debian's python3-psycopg2) to check that the tools did the same work."""

import subprocess
import urllib.parse

import psycopg2


def masked(url):
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(":" + parts.password + "@", ":***@", 1)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


class Server:
    def __init__(self, url):
        self.url = url
        self.admin = psycopg2.connect(url)
        self.admin.autocommit = True
        self.made = set()

    def url_of(self, name):
        """The server's URL with the database NAME (user, password, host, port kept)."""
        parts = urllib.parse.urlsplit(self.url)
        return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))

    def scalar(self, sql, args=None):
        with self.admin.cursor() as cursor:
            cursor.execute(sql, args)
            return cursor.fetchone()[0]

    def recreate(self, name):
        """A fresh empty database. The CHECKPOINT writes out what creating it (and the run
        before) left dirty, so that no run pays for another."""
        with self.admin.cursor() as cursor:
            cursor.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
            cursor.execute('CREATE DATABASE "%s"' % name)
            cursor.execute("CHECKPOINT")
        self.made.add(name)

    def drop(self, name):
        with self.admin.cursor() as cursor:
            cursor.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        self.made.discard(name)

    def close(self, keep=False):
        if not keep:
            for name in list(self.made):
                self.drop(name)
        self.admin.close()

    def describe(self):
        settings = ", ".join("%s %s" % (name, self.scalar("SHOW " + name))
                             for name in ("fsync", "synchronous_commit", "shared_buffers"))
        return "PostgreSQL %s (%s) at %s" % (self.scalar("SHOW server_version").split()[0],
                                             settings, masked(self.url).rsplit("/", 1)[0])


def query(url, sql, autocommit=False):
    connection = psycopg2.connect(url)
    connection.autocommit = autocommit
    try:
        with connection.cursor() as cursor:
            results = []
            for statement in sql if isinstance(sql, list) else [sql]:
                cursor.execute(statement)
                results.append(cursor.fetchall() if cursor.description else None)
            return results
    finally:
        connection.close()


def graph_state(url, version_table):
    """(version rows, {t_ table: column count}, {ix_ index names}, rows in the t_ tables)."""
    versions, columns, indexes = query(url, [
        "SELECT version_num FROM %s ORDER BY 1" % version_table,
        "SELECT table_name, count(*) FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND table_name LIKE 't\\_%' GROUP BY 1",
        "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
        "AND indexname LIKE 'ix\\_%'"])
    columns = dict(columns)
    rows = 0
    if columns:
        counts = query(url, " UNION ALL ".join("SELECT count(*) FROM %s" % t for t in columns))[0]
        rows = sum(r[0] for r in counts)
    return [r[0] for r in versions], columns, {r[0] for r in indexes}, rows


def live_schema(url):
    """The t_ tables as comparable values: per table its columns (name, type, NOT NULL,
    default), constraints (name, definition) and indexes (name, definition)."""
    columns, constraints, indexes = query(url, [
        "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
        "pg_get_expr(d.adbin, d.adrelid) FROM pg_class c JOIN pg_attribute a ON a.attrelid = "
        "c.oid AND a.attnum > 0 AND NOT a.attisdropped LEFT JOIN pg_attrdef d ON d.adrelid = "
        "c.oid AND d.adnum = a.attnum WHERE c.relkind = 'r' AND c.relnamespace = "
        "'public'::regnamespace AND c.relname LIKE 't\\_%' ORDER BY c.relname, a.attnum",
        "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k JOIN "
        "pg_class c ON c.oid = k.conrelid WHERE c.relnamespace = 'public'::regnamespace AND "
        "c.relname LIKE 't\\_%' ORDER BY 1, 2",
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "AND tablename LIKE 't\\_%' ORDER BY 1, 2"])
    schema = {}
    for part, rows in enumerate((columns, constraints, indexes)):
        for table, *rest in rows:
            schema.setdefault(table, ([], [], []))[part].append(tuple(rest))
    return schema


def leftovers(url, drop_alembic_version=False):
    """'' when the database holds no relation and no schema but public, else what it holds.
    Alembic creates its empty version table when it connects; DROP_ALEMBIC_VERSION drops it
    first, so that every Alembic run starts from the same empty database."""
    sql = []
    if drop_alembic_version:
        sql.append("DROP TABLE IF EXISTS public.alembic_version")
    sql += ["SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', "
            "'pg_toast') ORDER BY 1 LIMIT 5",
            "SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', "
            "'information_schema', 'pg_toast', 'public') AND nspname NOT LIKE 'pg\\_temp\\_%' "
            "AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%' ORDER BY 1"]
    relations, schemas = query(url, sql, autocommit=True)[-2:]
    if relations or schemas:
        return "relations %r, schemas %r" % ([r[0] for r in relations], [r[0] for r in schemas])
    return ""


def python_stack():
    return subprocess.run(
        ["/usr/bin/python3", "-c", "import sys, alembic, sqlalchemy, psycopg2; print('%s, "
         "SQLAlchemy %s, psycopg2 %s on Python %s' % (alembic.__version__, sqlalchemy.__version__,"
         " psycopg2.__version__.split()[0], sys.version.split()[0]))"],
        stdout=subprocess.PIPE).stdout.decode().strip()
