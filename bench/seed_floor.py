"""The floor of world generation into PostgreSQL: COPY of the same rows from prepared files.

The rows of a seeded world are exported once (`COPY ... TO STDOUT (FORMAT binary)`, one file per
table, the generator's columns, untimed); then the timed load does to a fresh database what
seed_world does around its generator, the way pg_restore loads a dump: migrate, drop keys,
indexes and foreign keys (world/pg.py), COPY each file in, rebuild them, move the sequences,
ANALYZE, in one transaction. What seeding takes beyond this floor is the generator itself
(drawing the world in Python, encoding the rows) and what of it the writer thread cannot hide.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from bench.common import drop_pg_database, pg_database_url, scratch_name
from db.audit_guard import audit_guard_lifted
from db.engine import make_engine
from db.migrate import upgrade
from world import pg
from world.bulk import COLUMNS
from world.generator import existing_tables

CHUNK = 1 << 20
BASELINE = "COPY of the same rows from files (migrate, COPY, rebuild keys, ANALYZE)"


@dataclass(frozen=True)
class Floor:
    seconds: float
    migrate_s: float
    rows_bytes: int
    tables: int

    def note(self) -> str:
        return (
            f"seed floor: {self.tables} tables, {self.rows_bytes / 1e6:,.0f} MB of binary COPY "
            f"files loaded in {self.seconds:.1f} s (of which migrations {self.migrate_s:.1f} s)"
        )


def _raw(conn: Connection) -> Any:
    return conn.connection.driver_connection


def export_rows(engine: Engine, folder: Path) -> list[tuple[str, Path]]:
    """Every generated table with rows, parents first, as binary COPY files in `folder`."""
    files = []
    with engine.connect() as conn:
        tables = [t for t in existing_tables(conn) if t in COLUMNS]
        for table in tables:
            path = folder / f"{table}.copy"
            columns = ", ".join(COLUMNS[table])
            with (
                _raw(conn).cursor() as cur,
                # COPY (SELECT ...): a partitioned table (migration 0014) has no COPY TO.
                cur.copy(f"COPY (SELECT {columns} FROM {table}) TO STDOUT (FORMAT binary)") as copy,
                path.open("wb") as out,
            ):
                for block in copy:
                    out.write(block)
            files.append((table, path))
    return files


def load_rows(engine: Engine, files: list[tuple[str, Path]]) -> float:
    """Seconds to load the files into `engine`'s migrated, empty database (as seed_world: one
    transaction, keys rebuilt after the COPY)."""
    started = time.perf_counter()
    with engine.connect() as conn, conn.begin():
        tables = existing_tables(conn)
        with audit_guard_lifted(conn):  # the migration's audit_head row makes way, as in seeding
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
        deferred = pg.defer_constraints(conn, tables)
        for table, path in files:
            columns = ", ".join(COLUMNS[table])
            with (
                _raw(conn).cursor() as cur,
                cur.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT binary)") as copy,
                path.open("rb") as source,
            ):
                while block := source.read(CHUNK):
                    copy.write(block)
        pg.restore_constraints(conn, deferred)
        pg.reset_sequences(conn, tables)
        pg.analyze(conn, tables)
    return time.perf_counter() - started


def copy_floor(source_url: str) -> Floor:
    """The floor for the world in `source_url`, measured on a scratch database (dropped)."""
    source = make_engine(source_url)
    name = scratch_name("skydesk_bench_copy_floor")
    try:
        with tempfile.TemporaryDirectory(prefix="skydesk_copy_floor_") as tmp:
            files = export_rows(source, Path(tmp))
            target = make_engine(pg_database_url(name))
            try:
                started = time.perf_counter()
                upgrade(target)
                migrate_s = time.perf_counter() - started
                load_s = load_rows(target, files)
            finally:
                target.dispose()
            size = sum(path.stat().st_size for _, path in files)
    finally:
        source.dispose()
        drop_pg_database(name)
    return Floor(migrate_s + load_s, migrate_s, size, len(files))
