"""Change tracking for `unchanged` and the report of what a case changed.

The template world carries triggers: every insert, update or delete on a domain table (the
airline and travel tables) notes the row's primary key in `evals_touched`. After a case, the
runner reads just those rows in the case's world and in the template and compares them, so
it reports what really changed (an update writing the same values is no change). Hashing the
whole world per case would cost about a second; this costs milliseconds and still sees every
write, through the ORM or raw SQL, committed by any connection.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, Integer, Table, select, text

from db.models import Base
from evals.results import TableChange

# Modules whose tables are "the domain": what `unchanged` watches. Not audit, conversations,
# turns, users, feedback, executed_actions, demo_meta or evaluation_runs (db.models.ops/evals).
DOMAIN_MODULES = ("db.models.airline", "db.models.travel")
TRACKING_TABLE = "evals_touched"
EXAMPLES_PER_TABLE = 3


def domain_tables() -> list[Table]:
    tables = [
        mapper.local_table
        for mapper in Base.registry.mappers
        if mapper.class_.__module__ in DOMAIN_MODULES
    ]
    return sorted((t for t in tables if isinstance(t, Table)), key=lambda t: t.name)


def primary_key(table: Table) -> str:
    (column,) = table.primary_key.columns  # every domain table has a one-column key
    return column.name


def install_tracking(conn: Connection) -> None:
    """The tracking table and, per domain table, triggers noting each written row's key."""
    postgres = conn.dialect.name == "postgresql"
    conn.execute(text(f"CREATE TABLE {TRACKING_TABLE} (tbl TEXT NOT NULL, pk TEXT NOT NULL)"))
    if postgres:
        conn.execute(
            text(
                f"""CREATE FUNCTION evals_touch() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP <> 'INSERT' THEN
                    INSERT INTO {TRACKING_TABLE} VALUES (TG_TABLE_NAME, to_jsonb(OLD)->>TG_ARGV[0]);
                  END IF;
                  IF TG_OP <> 'DELETE' THEN
                    INSERT INTO {TRACKING_TABLE} VALUES (TG_TABLE_NAME, to_jsonb(NEW)->>TG_ARGV[0]);
                  END IF;
                  RETURN NULL;
                END $$ LANGUAGE plpgsql"""
            )
        )
    for table in domain_tables():
        name, key = table.name, primary_key(table)
        if postgres:
            conn.execute(
                text(
                    f"CREATE TRIGGER evals_touch_{name} AFTER INSERT OR UPDATE OR DELETE ON {name} "
                    f"FOR EACH ROW EXECUTE FUNCTION evals_touch('{key}')"
                )
            )
            continue
        note = f"INSERT INTO {TRACKING_TABLE} VALUES ('{name}', CAST(%s.{key} AS TEXT));"
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            body = " ".join(note % row for row in rows)
            conn.execute(
                text(
                    f"CREATE TRIGGER evals_{name}_{event.lower()} AFTER {event} ON {name} "
                    f"BEGIN {body} END"
                )
            )


def _touched(conn: Connection) -> dict[str, set[str]]:
    touched: dict[str, set[str]] = defaultdict(set)
    for table, key in conn.execute(text(f"SELECT DISTINCT tbl, pk FROM {TRACKING_TABLE}")):
        touched[table].add(key)
    return touched


def _rows(conn: Connection, table: Table, keys: list[Any]) -> dict[Any, dict[str, Any]]:
    column = table.c[primary_key(table)]
    rows: dict[Any, dict[str, Any]] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        for row in conn.execute(select(table).where(column.in_(chunk))).mappings():
            rows[row[column.name]] = dict(row)
    return rows


def _short(value: Any) -> str:
    text_value = repr(value.value if isinstance(value, Enum) else value)
    return text_value if len(text_value) <= 40 else text_value[:37] + "..."


def _example(
    table: str, key: Any, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> str:
    if before is None:
        return f"{table} {key} inserted"
    if after is None:
        return f"{table} {key} deleted"
    fields = [
        f"{c} {_short(before[c])} -> {_short(after[c])}" for c in after if before[c] != after[c]
    ]
    return f"{table} {key}: {', '.join(fields)}"


def world_changes(world: Engine, template: Engine) -> list[TableChange]:
    """The domain tables whose content differs from the template, with a few example rows."""
    tables = {t.name: t for t in domain_tables()}
    with world.connect() as conn:
        touched = _touched(conn)
        after = {name: _keys_rows(conn, tables[name], keys) for name, keys in touched.items()}
    changes = []
    with template.connect() as conn:
        for name in sorted(touched):
            table = tables[name]
            keys = list(after[name][0])
            before = _rows(conn, table, keys)
            rows_after = after[name][1]
            inserted = [k for k in keys if k in rows_after and k not in before]
            deleted = [k for k in keys if k in before and k not in rows_after]
            updated = [
                k for k in keys if k in before and k in rows_after and before[k] != rows_after[k]
            ]
            if not (inserted or updated or deleted):
                continue
            examples = tuple(
                _example(name, k, before.get(k), rows_after.get(k))
                for k in sorted([*updated, *inserted, *deleted], key=str)[:EXAMPLES_PER_TABLE]
            )
            changes.append(TableChange(name, len(inserted), len(updated), len(deleted), examples))
    return changes


def _keys_rows(
    conn: Connection, table: Table, raw_keys: set[str]
) -> tuple[list[Any], dict[Any, dict[str, Any]]]:
    """The touched keys in the column's own type (the trigger notes them as text), and the rows
    they have now."""
    convert: Callable[[str], Any] = (
        int if isinstance(table.c[primary_key(table)].type, Integer) else str
    )
    keys = sorted({convert(k) for k in raw_keys}, key=str)
    return keys, _rows(conn, table, keys)


def domain_hash(engine: Engine) -> str:
    """sha256 over every row of every domain table, in key order: the slow, obvious way to see
    whether a world changed (about a second for the demo world). Tests check that the tracking
    above agrees with it."""
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in domain_tables():
            digest.update(f"\x1e{table.name}\n".encode())
            rows = conn.execute(select(table).order_by(table.c[primary_key(table)]))
            for row in rows:
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
