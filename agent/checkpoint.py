"""The checkpointer, chosen from the database URL.

SQLite: a sibling file `<db>.checkpoints.sqlite`, not the app's own file. SQLite has one writer
at a time; the SqliteSaver commits on a connection of its own after every graph step, so
sharing the file would make every checkpoint queue behind booking transactions (which hold
BEGIN IMMEDIATE) and vice versa. The sibling keeps them apart, and migrating, wiping or
re-seeding the app schema never touches conversation state. Every process opens the same file,
so a thread written by one process is continued by another (WAL mode).

PostgreSQL: PostgresSaver on a psycopg_pool ConnectionPool in the app's own database (its
tables do not clash with the app's), `.setup()` once at start, serialised by an advisory lock
so replicas starting together do not race on its migrations."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.sqlite import SqliteSaver
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from sqlalchemy.engine import make_url

from db.engine import normalize_url

SETUP_LOCK_KEY = 7_246_310  # pg_advisory_lock key for the checkpointer's migrations
SETUP_LOCK_TIMEOUT_S = 20  # the longest the first set-up waits for open transactions


class CheckpointSetupBlocked(RuntimeError):
    """The checkpointer's first set-up could not build its indexes: transactions stayed open."""


def sqlite_checkpoint_path(database_url: str) -> str:
    """`<db>.checkpoints.sqlite` next to the app's file; ':memory:' for an in-memory app DB."""
    database = make_url(database_url).database
    if not database or database == ":memory:":
        return ":memory:"
    path = Path(database)
    return str(path.with_name(f"{path.stem}.checkpoints.sqlite"))


def libpq_url(database_url: str) -> str:
    """SQLAlchemy's URL without the driver, as psycopg expects it."""
    url = make_url(normalize_url(database_url)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@dataclass
class Checkpointer:
    """A saver and the connection (SQLite) or pool (PostgreSQL) it owns."""

    saver: BaseCheckpointSaver[Any]
    resource: sqlite3.Connection | ConnectionPool[Any]

    def close(self) -> None:
        self.resource.close()

    def __enter__(self) -> Checkpointer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_checkpointer(
    database_url: str, *, pool_size: int = 20, serde: SerializerProtocol | None = None
) -> Checkpointer:
    """`serde`: the payload serializer, the encrypted one in the app (checkpoint_crypto)."""
    if normalize_url(database_url).startswith("sqlite"):
        path = sqlite_checkpoint_path(database_url)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # The saver serialises its own use of the connection with a lock.
        conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        saver = SqliteSaver(conn, serde=serde)
        saver.setup()
        return Checkpointer(saver, conn)
    pool: ConnectionPool[Any] = ConnectionPool(
        conninfo=libpq_url(database_url),
        min_size=1,
        max_size=pool_size,
        # What PostgresSaver.from_conn_string uses: autocommit, no server-side prepared
        # statements (safe behind PgBouncer), rows as dicts. Plus asynchronous commit: a turn
        # saves about ten checkpoint rows and an fsync each would dominate its latency. A
        # database crash can lose the last few hundred milliseconds of conversation steps (never
        # corrupt them); bookings and the audit keep synchronous commits, a write's approval
        # id makes a replayed approval a no-op, and a lost step is repaired on the next turn.
        kwargs={
            "autocommit": True,
            "prepare_threshold": 0,
            "row_factory": dict_row,
            "options": "-c synchronous_commit=off",
        },
        # A connection the server dropped (restart, failover, idle timeout) is replaced when
        # it is handed out, instead of failing the turn that drew it.
        check=ConnectionPool.check_connection,
        open=True,
    )
    pg_saver = PostgresSaver(pool, serde=serde)
    try:
        _set_up(database_url)
    except BaseException:
        pool.close()
        raise
    return Checkpointer(pg_saver, pool)


def _set_up(database_url: str) -> None:
    """The saver's migrations, one process at a time, on a connection of their own. The first
    ones build indexes CONCURRENTLY, which waits for every older snapshot in the database to
    end: a transaction left open elsewhere would make it wait forever, so the wait is bounded
    by a lock timeout and named instead."""
    with psycopg.connect(
        libpq_url(database_url),
        autocommit=True,
        prepare_threshold=0,
        row_factory=dict_row,
        options=f"-c lock_timeout={SETUP_LOCK_TIMEOUT_S * 1000}",
    ) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (SETUP_LOCK_KEY,))
        try:
            PostgresSaver(conn).setup()
        except psycopg.errors.LockNotAvailable as exc:
            raise CheckpointSetupBlocked(
                "The conversation store's first set-up waited more than "
                f"{SETUP_LOCK_TIMEOUT_S} s for open transactions to end; close them (or run "
                "the set-up with no session open) and retry."
            ) from exc
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (SETUP_LOCK_KEY,))
