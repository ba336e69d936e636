"""The maintenance path past the audit trail's append-only triggers (migration 0008).

Only two things may empty or rewrite the audit tables: re-seeding the demo world (`make seed`,
the admin page's reset, world.bootstrap regenerating an old demo world) and the test suite's wipe
between tests. Both run `with audit_guard_lifted(conn):` inside their own transaction, so the
triggers are back when it commits and never gone if it rolls back (DDL is transactional on
SQLite and PostgreSQL).

On PostgreSQL lifting them is ALTER TABLE ... DISABLE TRIGGER, which only the tables' owner (the
role the migrations run as) may do: the app's own role (db/app_role.py) cannot, so a SQL
injection or a compromised app cannot use this path. On SQLite whoever can write the file can
do anything; the signed anchors (services/core/audit_anchor.py) are what catches that.

Partitioned (PostgreSQL, migration 0014), the parent's DISABLE TRIGGER reaches the row triggers
cloned to its partitions, but not each audit partition's own TRUNCATE trigger (statement
triggers are not cloned: db/partitions.py adds one per partition), which a TRUNCATE of the
parent fires too: every partition is switched as well."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

AUDIT_TABLES = ("audit_events", "audit_head")


@contextmanager
def audit_guard_lifted(conn: Connection) -> Iterator[None]:
    """Within `conn`'s open transaction: the audit triggers are off for the block.

    On an exception the triggers are not restored here: the caller's transaction must roll back,
    which restores them."""
    if conn.dialect.name == "postgresql":
        # The tables, then their partitions (if partitioned).
        tables = [*AUDIT_TABLES, *conn.scalars(
            text(
                "SELECT inhrelid::regclass::text FROM pg_inherits"
                " WHERE inhparent = ANY(CAST(:names AS regclass[])) ORDER BY 1"
            ),
            {"names": list(AUDIT_TABLES)},
        )]  # fmt: skip
        for table in tables:
            conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield
        for table in tables:
            conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        return
    # SQLite has no DISABLE TRIGGER: drop them and recreate them from their own stored DDL, so
    # this path never holds a second copy of the migration's definitions.
    triggers = conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
            "('audit_events', 'audit_head')"
        )
    ).all()
    for name, _ in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, ddl in triggers:
        conn.exec_driver_sql(ddl)
