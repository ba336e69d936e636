"""What the conversation store keeps of a thread: pruning, its size, deleting whole threads.

Approach: prune superseded checkpoints, not incremental history. LangGraph saves each
checkpoint with the whole message list in it (SQLite inline in the checkpoint row, PostgreSQL in
a blob per channel version), so keeping every checkpoint made a thread's storage grow with the
square of its length. After every run (Chat._run, inside the per-thread run lock) the thread
keeps only its latest checkpoint (the one LangGraph loads: what `pending_approval`, a resume and
`load_context`'s repair of a cut-off run read), that checkpoint's pending writes (the interrupt
of a waiting approval) and the blobs it references; older checkpoints, their writes and blobs no
kept checkpoint references go, in one transaction. Storage per turn is then flat: one
checkpoint per thread, whose size grows only with the transcript itself.

Incremental history (LangGraph's DeltaChannel: each checkpoint stores only the new messages,
rebuilt by walking the parent chain) was not chosen: reading a thread then walks its ancestors,
so a turn's latency would still grow with the conversation unless snapshots are tuned, and every
old checkpoint must be kept, so no thread could ever be pruned or expired piecewise. The
pruning trades away time travel to earlier checkpoints, which SkyDesk never uses.

PostgreSQL does what the saver's own `prune("keep_latest")` does for a graph without subgraphs,
in one statement (one snapshot: a checkpoint saved meanwhile is neither seen nor deleted) instead
of its nine; SQLite, whose saver has no `prune`, does it under BEGIN IMMEDIATE (the writer lock:
no other process writes meanwhile). One run per
thread at a time is held by the assistant's per-thread lock within a process; two processes
running the same thread at once already fork it (the later checkpoint wins) with or without
pruning. Other savers (the in-memory one in tests) are left as they are."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from psycopg import Connection
from psycopg_pool import ConnectionPool

INTERRUPT_CHANNEL = "__interrupt__"  # langgraph.constants.INTERRUPT: a pending approval's card


@dataclass(frozen=True)
class Footprint:
    """What one thread holds in the conversation store."""

    rows: int  # checkpoints + writes (+ blobs on PostgreSQL)
    bytes: int  # payload bytes of those rows
    checkpoints: int


def prune_thread(saver: BaseCheckpointSaver[Any], thread_id: str) -> None:
    """Keeps the thread's latest checkpoint, its writes and the blobs it references; deletes
    the older checkpoints, their writes and every other blob (root namespace on PostgreSQL)."""
    if isinstance(saver, PostgresSaver):
        with _pg_connection(saver) as conn:
            conn.execute(PG_PRUNE_SQL, {"t": thread_id}, prepare=False)
    elif isinstance(saver, SqliteSaver):
        with _sqlite_transaction(saver) as conn:
            heads = conn.execute(
                "SELECT checkpoint_ns, MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ? "
                "GROUP BY checkpoint_ns",
                (thread_id,),
            ).fetchall()
            for ns, head in heads:
                # Only the writes of checkpoints deleted here: one another process is about to
                # save may have its writes in first.
                conn.execute(SQLITE_PRUNE_WRITES_SQL, (thread_id, ns, thread_id, ns, head))
                conn.execute(
                    "DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? "
                    "AND checkpoint_id <> ?",
                    (thread_id, ns, head),
                )


def delete_threads(saver: BaseCheckpointSaver[Any], thread_ids: Sequence[str]) -> None:
    """Every checkpoint, write and blob of these threads, in one transaction."""
    ids = [str(t) for t in thread_ids]
    if not ids:
        return
    if isinstance(saver, PostgresSaver):
        saver.prune(ids, strategy="delete")
    elif isinstance(saver, SqliteSaver):
        marks = ",".join("?" * len(ids))
        with _sqlite_transaction(saver) as conn:
            conn.execute(f"DELETE FROM writes WHERE thread_id IN ({marks})", ids)
            conn.execute(f"DELETE FROM checkpoints WHERE thread_id IN ({marks})", ids)
    else:
        for thread_id in ids:
            saver.delete_thread(thread_id)


def footprint(saver: BaseCheckpointSaver[Any], thread_id: str) -> Footprint:
    """Rows and payload bytes of one thread (SQLite and PostgreSQL savers)."""
    if isinstance(saver, PostgresSaver):
        with _pg_connection(saver) as conn:
            row = conn.execute(PG_FOOTPRINT_SQL, {"t": thread_id}).fetchone()
        assert row is not None
        values = list(row.values()) if isinstance(row, dict) else list(row)
        return Footprint(rows=int(values[0]), bytes=int(values[1]), checkpoints=int(values[2]))
    if isinstance(saver, SqliteSaver):
        with saver.lock:
            found = saver.conn.execute(SQLITE_FOOTPRINT_SQL, (thread_id, thread_id)).fetchone()
            saver.conn.commit()
        return Footprint(rows=int(found[0]), bytes=int(found[1]), checkpoints=int(found[2]))
    raise TypeError(f"no footprint for {type(saver).__name__}")


def has_pending_interrupt(saver: BaseCheckpointSaver[Any], thread_id: str) -> bool | None:
    """Whether the thread's latest checkpoint waits on an interrupt (an approval card), read
    from the rows without loading the transcript; None when this saver cannot tell."""
    if isinstance(saver, PostgresSaver):
        with _pg_connection(saver) as conn:
            found = conn.execute(PG_PENDING_SQL, (thread_id, thread_id, INTERRUPT_CHANNEL))
            return found.fetchone() is not None
    if isinstance(saver, SqliteSaver):
        with saver.lock:
            hit = saver.conn.execute(PENDING_SQL, (thread_id, thread_id, INTERRUPT_CHANNEL))
            pending = hit.fetchone() is not None
            saver.conn.commit()
        return pending
    return None


# One statement, so one snapshot and one round trip (the saver's own prune("keep_latest") takes
# nine, ~5 ms a turn): a checkpoint committed after it started is neither seen nor deleted. The
# root namespace only: SkyDesk's graph has no subgraphs, and any other namespace stays whole.
PG_PRUNE_SQL = """
    WITH head AS (
        SELECT checkpoint_id, checkpoint -> 'channel_versions' AS versions FROM checkpoints
         WHERE thread_id = %(t)s AND checkpoint_ns = '' ORDER BY checkpoint_id DESC LIMIT 1
    ), old_checkpoints AS (
        DELETE FROM checkpoints c USING head
         WHERE c.thread_id = %(t)s AND c.checkpoint_ns = '' AND c.checkpoint_id <> head.checkpoint_id
        RETURNING c.checkpoint_id
    ), old_writes AS (
        DELETE FROM checkpoint_writes w USING old_checkpoints o
         WHERE w.thread_id = %(t)s AND w.checkpoint_ns = '' AND w.checkpoint_id = o.checkpoint_id
    )
    DELETE FROM checkpoint_blobs b USING head
     WHERE b.thread_id = %(t)s AND b.checkpoint_ns = ''
       AND (head.versions ->> b.channel) IS DISTINCT FROM b.version
"""
SQLITE_PRUNE_WRITES_SQL = (
    "DELETE FROM writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id IN"
    " (SELECT checkpoint_id FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ?"
    " AND checkpoint_id <> ?)"
)
# The head is what get_tuple loads: the highest checkpoint id of the root namespace.
PENDING_SQL = (
    "SELECT 1 FROM writes w WHERE w.thread_id = ? AND w.checkpoint_ns = '' AND w.checkpoint_id ="
    " (SELECT MAX(checkpoint_id) FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = '')"
    " AND w.channel = ? LIMIT 1"
)
PG_PENDING_SQL = PENDING_SQL.replace("?", "%s").replace("FROM writes", "FROM checkpoint_writes")
SQLITE_FOOTPRINT_SQL = (
    "SELECT c.n + w.n, c.size + w.size, c.n FROM"
    " (SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0) AS size"
    "  FROM checkpoints WHERE thread_id = ?) AS c,"
    " (SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(value)), 0) AS size"
    "  FROM writes WHERE thread_id = ?) AS w"
)
PG_FOOTPRINT_SQL = """
    SELECT c.n + w.n + b.n AS rows, c.size + w.size + b.size AS bytes, c.n AS checkpoints FROM
      (SELECT COUNT(*) AS n,
              COALESCE(SUM(pg_column_size(checkpoint) + pg_column_size(metadata)), 0) AS size
         FROM checkpoints WHERE thread_id = %(t)s) AS c,
      (SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(blob)), 0) AS size
         FROM checkpoint_writes WHERE thread_id = %(t)s) AS w,
      (SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(blob)), 0) AS size
         FROM checkpoint_blobs WHERE thread_id = %(t)s) AS b
"""


@contextmanager
def _sqlite_transaction(saver: SqliteSaver) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE on the saver's connection, under the saver's own lock."""
    with saver.lock:
        saver.setup()
        conn = saver.conn
        if conn.in_transaction:
            conn.commit()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


@contextmanager
def _pg_connection(saver: PostgresSaver) -> Iterator[Connection[Any]]:
    if isinstance(saver.conn, ConnectionPool):
        with saver.conn.connection() as conn:
            yield conn
    else:
        yield saver.conn
