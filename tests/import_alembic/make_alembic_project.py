#!/usr/bin/python3
"""Writes the Alembic revisions that tests/cli/test_import_alembic.sh imports into dbtool.

    make_alembic_project.py main VERSIONS_DIR     50 revisions: a trunk, two labelled branches
                                                 (billing, reports) merged back, a third
                                                 (audit) left open, depends_on links
    make_alembic_project.py tricky VERSIONS_DIR  4 revisions that offline mode cannot fully
                                                 render: a query read through op.get_bind(), an
                                                 irreversible downgrade, an autocommit block
    make_alembic_project.py batch VERSIONS_DIR PACKAGE_DIR
                                                 a "shop" written as Alembic's autogenerate
                                                 writes it with render_as_batch=True: 7
                                                 revisions, 4 of them with batch blocks (a
                                                 rebuild, a column rename, a type change, data
                                                 statements between them), and the application's
                                                 models (PACKAGE_DIR/models.py: Base.metadata
                                                 with a naming convention) that they build

Why: the importer is judged on a real Alembic project, so the revisions use the operations
projects use (create_table, add_column, create_index, bulk_insert, execute with views and
triggers, rename_table, drop_column) and Alembic's own file layout, and the test compares what
dbtool and Alembic do with them. Ids are fixed (derived from the revision's number), so
failures name the same revisions on every run.
"""

import hashlib
import os
import sys

TEMPLATE = '''"""{message}

Revision ID: {revision}
Revises: {revises}
Create Date: 2024-03-{day:02d} 10:{minute:02d}:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = {revision!r}
down_revision = {down_revision!r}
branch_labels = {branch_labels!r}
depends_on = {depends_on!r}


def upgrade() -> None:
{upgrade}


def downgrade() -> None:
{downgrade}
'''


def rev_id(name):
    return hashlib.sha1(name.encode()).hexdigest()[:12]


def indent(code):
    return "\n".join("    " + line if line else "" for line in code.strip("\n").splitlines())


# (name, parents, message, upgrade, downgrade, extra) in order; names become ids.
def main_revisions():
    revisions = []

    def add(name, parents, message, upgrade, downgrade, labels=None, depends=None):
        revisions.append((name, parents, message, upgrade, downgrade, labels, depends))

    add("t01", [], "create users", """
op.create_table(
    "users",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(50), nullable=False),
    sa.Column("created_at", sa.DateTime, server_default=sa.func.current_timestamp()),
)""", 'op.drop_table("users")')
    add("t02", ["t01"], "add users.email", 'op.add_column("users", sa.Column("email", sa.String(120)))',
        'op.drop_column("users", "email")')
    add("t03", ["t02"], "unique index on users.email",
        'op.create_index("ix_users_email", "users", ["email"], unique=True)',
        'op.drop_index("ix_users_email", table_name="users")')
    add("t04", ["t03"], "create accounts", """
op.create_table(
    "accounts",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("balance", sa.Numeric(10, 2), nullable=False, server_default="0"),
)""", 'op.drop_table("accounts")')
    add("t05", ["t04"], "seed the admin user", """
users = sa.table("users", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("email", sa.String))
op.bulk_insert(users, [
    {"id": 1, "name": "admin", "email": "admin@example.com"},
    {"id": 2, "name": "O'Brien: 100% ops", "email": "ops@example.com"},
])""", 'op.execute("DELETE FROM users WHERE id IN (1, 2)")')
    add("t06", ["t05"], "create tags", """
op.create_table(
    "tags",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(40), nullable=False, unique=True),
)""", 'op.drop_table("tags")')
    add("t07", ["t06"], "create user_tags", """
op.create_table(
    "user_tags",
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tags.id"), primary_key=True),
)""", 'op.drop_table("user_tags")')
    add("t08", ["t07"], "add accounts.currency",
        'op.add_column("accounts", sa.Column("currency", sa.String(3), nullable=False, server_default="EUR"))',
        'op.drop_column("accounts", "currency")')
    add("t09", ["t08"], "active_users view",
        'op.execute("CREATE VIEW active_users AS SELECT id, name FROM users WHERE email IS NOT NULL")',
        'op.execute("DROP VIEW active_users")')
    add("t10", ["t09"], "index accounts.user_id",
        'op.create_index("ix_accounts_user_id", "accounts", ["user_id"])',
        'op.drop_index("ix_accounts_user_id", table_name="accounts")')

    # billing: 12 revisions from t10, labelled "billing".
    add("b01", ["t10"], "create invoices", """
op.create_table(
    "invoices",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
    sa.Column("amount", sa.Numeric(12, 2), nullable=False),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
)""", 'op.drop_table("invoices")', labels=("billing",))
    add("b02", ["b01"], 'add invoices.due_date: "net 30" terms',
        'op.add_column("invoices", sa.Column("due_date", sa.Date))',
        'op.drop_column("invoices", "due_date")')
    add("b03", ["b02"], "index invoices.status",
        'op.create_index("ix_invoices_status", "invoices", ["status"])',
        'op.drop_index("ix_invoices_status", table_name="invoices")')
    add("b04", ["b03"], "create invoice_lines", """
op.create_table(
    "invoice_lines",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("invoice_id", sa.Integer, sa.ForeignKey("invoices.id", ondelete="CASCADE"), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False, server_default="1"),
    sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
)""", 'op.drop_table("invoice_lines")')
    add("b05", ["b04"], "create invoice_statuses lookup", """
statuses = op.create_table(
    "invoice_statuses",
    sa.Column("code", sa.String(20), primary_key=True),
    sa.Column("label", sa.String(60), nullable=False),
)
op.bulk_insert(statuses, [
    {"code": "open", "label": "Open"},
    {"code": "paid", "label": "Paid in full"},
    {"code": "void", "label": "Void; cancelled"},
])""", 'op.drop_table("invoice_statuses")')
    add("b06", ["b05"], "create payments", """
op.create_table(
    "payments",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("invoice_id", sa.Integer, sa.ForeignKey("invoices.id"), nullable=False),
    sa.Column("paid_at", sa.DateTime, nullable=False),
    sa.Column("amount", sa.Numeric(12, 2), nullable=False),
    sa.CheckConstraint("amount > 0", name="ck_payments_amount_positive"),
)""", 'op.drop_table("payments")')
    add("b07", ["b06"], "add payments.method",
        'op.add_column("payments", sa.Column("method", sa.String(20), server_default="card"))',
        'op.drop_column("payments", "method")')
    add("b08", ["b07"], "index payments by invoice and date",
        'op.create_index("ix_payments_invoice_paid", "payments", ["invoice_id", "paid_at"])',
        'op.drop_index("ix_payments_invoice_paid", table_name="payments")')
    add("b09", ["b08"], "create refunds", """
op.create_table(
    "refunds",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("payment_id", sa.Integer, sa.ForeignKey("payments.id"), nullable=False),
    sa.Column("reason", sa.Text),
)""", 'op.drop_table("refunds")')
    add("b10", ["b09"], "rename refunds to credit_notes",
        'op.rename_table("refunds", "credit_notes")', 'op.rename_table("credit_notes", "refunds")')
    add("b11", ["b10"], "add invoices.notes and drop it again",
        'op.add_column("invoices", sa.Column("notes", sa.Text))\nop.add_column("invoices", sa.Column("legacy_ref", sa.String(30)))\nop.drop_column("invoices", "legacy_ref")',
        'op.add_column("invoices", sa.Column("legacy_ref", sa.String(30)))\nop.drop_column("invoices", "legacy_ref")\nop.drop_column("invoices", "notes")')
    add("b12", ["b11"], "mark old invoices void", """
invoices = sa.table("invoices", sa.column("status", sa.String), sa.column("due_date", sa.Date))
op.execute(invoices.update().where(invoices.c.due_date < sa.literal("2020-01-01")).values(status="void"))""",
        "pass")

    # reports: 12 revisions from t10, labelled "reports"; r05 depends on billing's b01 (its
    # view reads invoices), r09 depends on the billing label.
    add("r01", ["t10"], "create reports", """
op.create_table(
    "reports",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text),
)""", 'op.drop_table("reports")', labels=("reports",))
    add("r02", ["r01"], "add reports.owner_id",
        'op.add_column("reports", sa.Column("owner_id", sa.Integer))',
        'op.drop_column("reports", "owner_id")')
    add("r03", ["r02"], "index reports.owner_id",
        'op.create_index("ix_reports_owner_id", "reports", ["owner_id"])',
        'op.drop_index("ix_reports_owner_id", table_name="reports")')
    add("r04", ["r03"], "create report_runs", """
op.create_table(
    "report_runs",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("rows", sa.Integer, server_default="0"),
)""", 'op.drop_table("report_runs")')
    add("r05", ["r04"], "invoice_totals view",
        'op.execute("CREATE VIEW invoice_totals AS SELECT account_id, sum(amount) AS total FROM invoices GROUP BY account_id")',
        'op.execute("DROP VIEW invoice_totals")', depends=("b01",))
    add("r06", ["r05"], "add reports.schedule",
        'op.add_column("reports", sa.Column("schedule", sa.String(40), server_default="daily"))',
        'op.drop_column("reports", "schedule")')
    add("r07", ["r06"], "create report_shares", """
op.create_table(
    "report_shares",
    sa.Column("report_id", sa.Integer, sa.ForeignKey("reports.id"), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
)""", 'op.drop_table("report_shares")')
    add("r08", ["r07"], "seed default reports", """
reports = sa.table("reports", sa.column("id", sa.Integer), sa.column("title", sa.String))
op.bulk_insert(reports, [{"id": 1, "title": "Daily totals"}, {"id": 2, "title": "Overdue; by account"}])""",
        'op.execute("DELETE FROM reports WHERE id IN (1, 2)")')
    add("r09", ["r08"], "payments_by_day view",
        'op.execute("CREATE VIEW payments_by_day AS SELECT date(paid_at) AS day, count(*) AS n FROM payments GROUP BY 1")',
        'op.execute("DROP VIEW payments_by_day")', depends=("billing",))
    add("r10", ["r09"], "index report_runs.started_at",
        'op.create_index("ix_report_runs_started_at", "report_runs", ["started_at"])',
        'op.drop_index("ix_report_runs_started_at", table_name="report_runs")')
    add("r11", ["r10"], "add report_runs.error",
        'op.add_column("report_runs", sa.Column("error", sa.Text))',
        'op.drop_column("report_runs", "error")')
    add("r12", ["r11"], "create report_archive", """
op.create_table(
    "report_archive",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.Integer, nullable=False),
    sa.Column("archived_at", sa.DateTime, server_default=sa.text("CURRENT_TIMESTAMP")),
)""", 'op.drop_table("report_archive")')

    add("m01", ["b12", "r12"], "merge billing and reports", "pass", "pass")

    # After the merge: 8 on the main line, and from p03 an "audit" branch of 7 left open.
    add("p01", ["m01"], "create settings", """
op.create_table(
    "settings",
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)""", 'op.drop_table("settings")')
    add("p02", ["p01"], "seed settings", """
op.execute(sa.text("INSERT INTO settings (key, value) VALUES (:k, :v)").bindparams(k="currency", v="EUR"))""",
        'op.execute("DELETE FROM settings WHERE key = \'currency\'")')
    add("p03", ["p02"], "add users.locale",
        'op.add_column("users", sa.Column("locale", sa.String(10), nullable=False, server_default="en"))',
        'op.drop_column("users", "locale")')
    add("p04", ["p03"], "index users.locale outside a transaction", """
with op.get_context().autocommit_block():
    op.create_index("ix_users_locale", "users", ["locale"])""",
        'op.drop_index("ix_users_locale", table_name="users")')
    add("p05", ["p04"], "create notifications", """
op.create_table(
    "notifications",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("kind", sa.Enum("email", "sms", name="notification_kind"), nullable=False),
    sa.Column("sent", sa.Boolean, nullable=False, server_default=sa.false()),
)""", 'op.drop_table("notifications")')
    add("p06", ["p05"], "partial index on unsent notifications",
        'op.create_index("ix_notifications_unsent", "notifications", ["user_id"], sqlite_where=sa.text("sent = 0"))',
        'op.drop_index("ix_notifications_unsent", table_name="notifications")')
    add("p07", ["p06"], "add accounts.closed_at",
        'op.add_column("accounts", sa.Column("closed_at", sa.DateTime))',
        'op.drop_column("accounts", "closed_at")')
    add("p08", ["p07"], "open_accounts view",
        'op.execute("CREATE VIEW open_accounts AS SELECT id, user_id, balance FROM accounts WHERE closed_at IS NULL")',
        'op.execute("DROP VIEW open_accounts")')

    add("a01", ["p03"], "create audit_log", """
op.create_table(
    "audit_log",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("table_name", sa.String(60), nullable=False),
    sa.Column("row_id", sa.Integer, nullable=False),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("at", sa.DateTime, server_default=sa.func.current_timestamp()),
)""", 'op.drop_table("audit_log")', labels=("audit",))
    add("a02", ["a01"], "audit trigger on users", '''
op.execute("""
CREATE TRIGGER audit_users_update AFTER UPDATE ON users
BEGIN
    INSERT INTO audit_log (table_name, row_id, action) VALUES ('users', NEW.id, 'update');
END
""")''', 'op.execute("DROP TRIGGER audit_users_update")')
    add("a03", ["a02"], "index audit_log by table and row",
        'op.create_index("ix_audit_log_table_row", "audit_log", ["table_name", "row_id"])',
        'op.drop_index("ix_audit_log_table_row", table_name="audit_log")')
    add("a04", ["a03"], "add audit_log.actor",
        'op.add_column("audit_log", sa.Column("actor", sa.String(80)))',
        'op.drop_column("audit_log", "actor")')
    add("a05", ["a04"], "create audit_retention", """
op.create_table(
    "audit_retention",
    sa.Column("table_name", sa.String(60), primary_key=True),
    sa.Column("days", sa.Integer, nullable=False, server_default="365"),
)""", 'op.drop_table("audit_retention")')
    add("a06", ["a05"], "audit trigger on accounts", '''
op.execute("""
CREATE TRIGGER audit_accounts_update AFTER UPDATE ON accounts
BEGIN
    INSERT INTO audit_log (table_name, row_id, action) VALUES ('accounts', NEW.id, 'update');
END
""")''', 'op.execute("DROP TRIGGER audit_accounts_update")')
    add("a07", ["a06"], "seed audit retention", """
retention = sa.table("audit_retention", sa.column("table_name", sa.String), sa.column("days", sa.Integer))
op.bulk_insert(retention, [{"table_name": "users", "days": 730}, {"table_name": "accounts", "days": 3650}])""",
        'op.execute("DELETE FROM audit_retention")')
    return revisions


def tricky_revisions():
    revisions = []

    def add(name, parents, message, upgrade, downgrade):
        revisions.append((name, parents, message, upgrade, downgrade, None, None))

    add("k01", [], "create counters", """
op.create_table("counters", sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.Integer))""",
        'op.drop_table("counters")')
    add("k02", ["k01"], "backfill counters from a query", """
connection = op.get_bind()
total = connection.execute(sa.text("SELECT count(*) FROM counters")).scalar()
op.execute(sa.text("INSERT INTO counters (n) VALUES (:n)").bindparams(n=total))""",
        'op.execute("DELETE FROM counters")')
    add("k03", ["k02"], "drop counters.n for good", 'op.drop_column("counters", "n")',
        'raise NotImplementedError("the data in counters.n is gone")')
    add("k04", ["k03"], "vacuum", """
with op.get_context().autocommit_block():
    op.execute("VACUUM")""", "pass")
    return revisions


# The shop's models: what the batch revisions below build, as the application declares it.
SHOP_MODELS = '''"""The shop's SQLAlchemy models (Alembic's target_metadata)."""
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=sa.MetaData(naming_convention=NAMING_CONVENTION))


class Customer(Base):
    __tablename__ = "customers"
    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(120), nullable=False, unique=True)
    name = sa.Column(sa.String(80), index=True)
    active = sa.Column(sa.Boolean, nullable=False, server_default=sa.true())
    joined_at = sa.Column(sa.DateTime(timezone=True), server_default=sa.func.now())
    __table_args__ = (sa.CheckConstraint("email LIKE '%@%'", name="email_has_at"),)


class Product(Base):
    __tablename__ = "products"
    sku = sa.Column(sa.String(20), primary_key=True)
    title = sa.Column(sa.Text, nullable=False)
    price = sa.Column(sa.Numeric(10, 2), nullable=False, server_default="0")
    weight = sa.Column(sa.Float)
    attributes = sa.Column(sa.JSON)
    picture = sa.Column(sa.LargeBinary)


class Order(Base):
    __tablename__ = "orders"
    id = sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    customer_id = sa.Column(sa.Integer, sa.ForeignKey("customers.id", ondelete="CASCADE"),
                            nullable=False, index=True)
    status = sa.Column(sa.Enum("new", "paid", "shipped", name="order_status"), nullable=False,
                       server_default="new")
    total = sa.Column(sa.Numeric(12, 2), nullable=False)
    comment = sa.Column(sa.Text)
    placed_on = sa.Column(sa.Date)


class OrderItem(Base):
    __tablename__ = "order_items"
    order_id = sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"),
                         sa.ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    sku = sa.Column(sa.String(20), sa.ForeignKey("products.sku"), primary_key=True)
    quantity = sa.Column(sa.SmallInteger, nullable=False, server_default=sa.text("1"))


sa.Index("ix_order_items_big", OrderItem.order_id, OrderItem.quantity.desc(),
         sqlite_where=OrderItem.quantity > 10)
'''


def batch_revisions():
    revisions = []

    def add(name, parents, message, upgrade, downgrade):
        revisions.append((name, parents, message, upgrade, downgrade, None, None))

    add("s01", [], "create customers and products", """
op.create_table(
    "customers",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("email", sa.String(length=120), nullable=False),
    sa.Column("name", sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    sa.UniqueConstraint("email", name=op.f("uq_customers_email")),
)
op.create_table(
    "products",
    sa.Column("sku", sa.String(length=20), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("price", sa.Numeric(precision=10, scale=2), server_default="0", nullable=False),
    sa.PrimaryKeyConstraint("sku", name=op.f("pk_products")),
)
# Untyped columns, as hand-written data revisions often have: offline mode cannot render
# these literals, so the importer runs this revision on a scratch database.
customers = sa.table("customers", sa.column("id"), sa.column("email"), sa.column("name"))
op.bulk_insert(customers, [
    {"id": 1, "email": "ann@example.com", "name": "Ann"},
    {"id": 2, "email": "bob@example.com", "name": None},
    {"id": 3, "email": "o'hara@example.com", "name": "Kim O'Hara"},
])
products = sa.table("products", sa.column("sku"), sa.column("title"), sa.column("price"))
op.bulk_insert(products, [{"sku": "A-1", "title": "Anvil", "price": 9.5},
                          {"sku": "B-2", "title": "Bell? Brass", "price": 20}])""", """
op.drop_table("products")
op.drop_table("customers")""")
    add("s02", ["s01"], "create orders", """
op.create_table(
    "orders",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("customer_id", sa.Integer(), nullable=False),
    sa.Column("status", sa.String(length=10), nullable=True),
    sa.Column("total", sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column("notes", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                            name=op.f("fk_orders_customer_id_customers"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
)
op.create_index(op.f("ix_orders_customer_id"), "orders", ["customer_id"], unique=False)
op.execute("INSERT INTO orders (id, customer_id, status, total, notes) VALUES "
           "(1, 1, 'paid', 29.5, 'gift wrap'), (2, 1, NULL, 9.5, NULL), (3, 3, 'new', 20, 'call first')")""", """
op.drop_index(op.f("ix_orders_customer_id"), table_name="orders")
op.drop_table("orders")""")
    add("s03", ["s02"], "customers: active flag, join date, name index", """
with op.batch_alter_table("customers", schema=None) as batch_op:
    batch_op.add_column(sa.Column("active", sa.Boolean(), server_default=sa.text("1"), nullable=False))
    batch_op.add_column(sa.Column("joined_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=True))
    batch_op.create_index(batch_op.f("ix_customers_name"), ["name"], unique=False)
    batch_op.create_check_constraint(batch_op.f("ck_customers_email_has_at"), "email LIKE '%@%'")""", """
with op.batch_alter_table("customers", schema=None) as batch_op:
    batch_op.drop_constraint(batch_op.f("ck_customers_email_has_at"), type_="check")
    batch_op.drop_index(batch_op.f("ix_customers_name"))
    batch_op.drop_column("joined_at")
    batch_op.drop_column("active")""")
    add("s04", ["s03"], "orders: status required, notes renamed to comment, wider totals", """
# Data first (a statement between batch blocks), then the rebuild that relies on it.
op.execute("UPDATE orders SET status = 'new' WHERE status IS NULL")
with op.batch_alter_table("orders", schema=None) as batch_op:
    batch_op.alter_column("status", existing_type=sa.String(length=10),
                          type_=sa.Enum("new", "paid", "shipped", name="order_status"),
                          nullable=False, server_default="new")
    batch_op.alter_column("total", existing_type=sa.Numeric(precision=10, scale=2),
                          type_=sa.Numeric(precision=12, scale=2), existing_nullable=False)
    batch_op.alter_column("notes", new_column_name="comment")
orders = sa.table("orders", sa.column("status", sa.String))
op.execute(orders.update().where(orders.c.status == "paid").values(status="shipped"))""", """
with op.batch_alter_table("orders", schema=None) as batch_op:
    batch_op.alter_column("comment", new_column_name="notes")
    batch_op.alter_column("total", existing_type=sa.Numeric(precision=12, scale=2),
                          type_=sa.Numeric(precision=10, scale=2), existing_nullable=False)
    batch_op.alter_column("status", existing_type=sa.Enum("new", "paid", "shipped", name="order_status"),
                          type_=sa.String(length=10), nullable=True, server_default=None)""")
    add("s05", ["s04"], "products: weight, attributes, picture", """
op.add_column("products", sa.Column("weight", sa.Float(), nullable=True))
op.add_column("products", sa.Column("attributes", sa.JSON(), nullable=True))
op.add_column("products", sa.Column("picture", sa.LargeBinary(), nullable=True))""", """
with op.batch_alter_table("products", schema=None) as batch_op:
    batch_op.drop_column("picture")
    batch_op.drop_column("attributes")
    batch_op.drop_column("weight")""")
    add("s06", ["s05"], "create order_items", """
op.create_table(
    "order_items",
    sa.Column("order_id", sa.Integer(), nullable=False),
    sa.Column("sku", sa.String(length=20), nullable=False),
    sa.Column("quantity", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
    sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_order_items_order_id_orders"), ondelete="CASCADE"),
    sa.PrimaryKeyConstraint("order_id", "sku", name=op.f("pk_order_items")),
)
op.execute("INSERT INTO order_items (order_id, sku, quantity) VALUES (1, 'A-1', 2), (1, 'B-2', 12), (3, 'B-2', 1)")""",
        'op.drop_table("order_items")')
    add("s07", ["s06"], "order_items: sku refers to products, index big orders", """
with op.batch_alter_table("order_items", schema=None) as batch_op:
    batch_op.create_foreign_key(batch_op.f("fk_order_items_sku_products"), "products", ["sku"], ["sku"])
# (Alembic's batch copy cannot carry an index on an expression: created after it.)
op.create_index("ix_order_items_big", "order_items", ["order_id", sa.text("quantity DESC")],
                unique=False, sqlite_where=sa.text("quantity > 10"))
with op.batch_alter_table("orders", schema=None) as batch_op:
    batch_op.add_column(sa.Column("placed_on", sa.Date(), nullable=True))""", """
with op.batch_alter_table("orders", schema=None) as batch_op:
    batch_op.drop_column("placed_on")
op.drop_index("ix_order_items_big", table_name="order_items")
with op.batch_alter_table("order_items", schema=None) as batch_op:
    batch_op.drop_constraint(batch_op.f("fk_order_items_sku_products"), type_="foreignkey")""")
    return revisions


def write(revisions, versions_dir):
    os.makedirs(versions_dir, exist_ok=True)
    for number, (name, parents, message, upgrade, downgrade, labels, depends) in enumerate(revisions):
        ids = [rev_id(p) for p in parents]
        down = None if not ids else ids[0] if len(ids) == 1 else tuple(ids)
        deps = None
        if depends:
            deps = tuple(d if d == "billing" else rev_id(d) for d in depends)
            deps = deps[0] if len(deps) == 1 else deps
        text = TEMPLATE.format(
            message=message, revision=rev_id(name), revises=", ".join(ids),
            day=1 + number // 60, minute=number % 60, down_revision=down,
            branch_labels=labels, depends_on=deps,
            upgrade=indent(upgrade), downgrade=indent(downgrade))
        slug = "".join(c if c.isalnum() else "_" for c in message.lower())[:30].strip("_")
        with open(os.path.join(versions_dir, f"{rev_id(name)}_{slug}.py"), "w") as f:
            f.write(text)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if not ((mode in ("main", "tricky") and len(sys.argv) == 3) or
            (mode == "batch" and len(sys.argv) == 4)):
        sys.exit("usage: make_alembic_project.py main|tricky VERSIONS_DIR\n"
                 "       make_alembic_project.py batch VERSIONS_DIR PACKAGE_DIR")
    if mode == "batch":
        write(batch_revisions(), sys.argv[2])
        os.makedirs(sys.argv[3], exist_ok=True)
        with open(os.path.join(sys.argv[3], "__init__.py"), "w") as f:
            f.write("")
        with open(os.path.join(sys.argv[3], "models.py"), "w") as f:
            f.write(SHOP_MODELS)
    else:
        write(main_revisions() if mode == "main" else tricky_revisions(), sys.argv[2])
