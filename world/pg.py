"""PostgreSQL bulk-load helpers: drop keys, indexes and foreign keys before a big COPY and
rebuild them afterwards (as pg_restore does), and move sequences past the ids we assigned.

Everything runs inside the caller's transaction, so a failed load leaves the schema intact.
On partitioned tables (migration 0014) only the parents' keys and indexes are dropped and
recreated: PostgreSQL cascades both to the partitions."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Integer, text

from db.models import Base

_CONSTRAINTS = text(
    """
    SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
    FROM pg_constraint c
    WHERE c.contype IN ('p', 'u', 'f') AND c.conparentid = 0
      AND (c.conrelid = ANY(CAST(:oids AS oid[])) OR c.confrelid = ANY(CAST(:oids AS oid[])))
    ORDER BY c.conrelid::regclass::text, c.conname
    """
)
_INDEXES = text(
    """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = ANY(CAST(:oids AS oid[]))
      AND NOT EXISTS (
        SELECT 1 FROM pg_constraint c
        WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x')
      )
    ORDER BY 1
    """
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def defer_constraints(conn: Connection, tables: Iterable[str]) -> list[str]:
    """Drop every key, unique constraint, index and foreign key of `tables` (and foreign keys
    pointing at them); return the DDL that recreates them, in a valid order."""
    oids = [
        conn.execute(text("SELECT CAST(:t AS regclass)::oid"), {"t": t}).scalar_one()
        for t in tables
    ]
    constraints = conn.execute(_CONSTRAINTS, {"oids": oids}).all()
    indexes = conn.execute(_INDEXES, {"oids": oids}).all()
    drop_fk = [(t, n, d) for t, n, kind, d in constraints if kind == "f"]
    drop_keys = [(t, n, d) for t, n, kind, d in constraints if kind in ("p", "u")]
    for table, name, _ in drop_fk + drop_keys:
        conn.exec_driver_sql(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
    for index, _ in indexes:
        conn.exec_driver_sql(f"DROP INDEX {index}")
    # Keys first (foreign keys need the referenced unique index), then indexes, then the
    # foreign keys, which validate in one pass each.
    ddl = [f"ALTER TABLE {t} ADD CONSTRAINT {_quote(n)} {d}" for t, n, d in drop_keys]
    # A partitioned table's index is defined "ON ONLY" the parent: recreated on the whole
    # table instead, it is built on every partition too (migration 0014).
    ddl += [definition.replace(" ON ONLY ", " ON ", 1) for _, definition in indexes]
    ddl += [f"ALTER TABLE {t} ADD CONSTRAINT {_quote(n)} {d}" for t, n, d in drop_fk]
    return ddl


def restore_constraints(conn: Connection, ddl: list[str]) -> None:
    # More memory per sort makes the index builds of millions of rows markedly faster.
    conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    for statement in ddl:
        conn.exec_driver_sql(statement)


def reset_sequences(conn: Connection, tables: Iterable[str]) -> None:
    """Serial columns keep counting from the highest id we inserted ourselves."""
    for name in tables:
        table = Base.metadata.tables[name]
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, Integer) or pk[0].autoincrement is False:
            continue
        column = pk[0].name
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX({column}), 1), "
                f"MAX({column}) IS NOT NULL) FROM {table.name}"
            ),
            {"t": table.name, "c": column},
        )


def analyze(conn: Connection, tables: Iterable[str]) -> None:
    """Fresh planner statistics, so the first queries on a new world pick sensible plans."""
    for table in tables:
        conn.exec_driver_sql(f"ANALYZE {table}")
