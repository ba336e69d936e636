"""How far a read replica (SKYDESK_READ_DATABASE_URL, a PostgreSQL hot standby) is behind.

`replica_status` says how old the replica's data is, for the caption on the dashboards that
read it. The obvious figure, `now() - pg_last_xact_replay_timestamp()`, is the age of the last
transaction replayed: on a standby of an idle primary it grows for ever although nothing is
missing. So a standby that has replayed all the WAL it received is reported up to date, and
the age is only given while received WAL waits to be replayed (lag, or replay paused).

`caught_up` is for readers that must see everything already committed on the primary (audit
verification: a copy missing the newest records would contradict the anchors exported after
them): it waits until the replica has replayed the primary's flushed WAL.

Both answer for PostgreSQL only; any other database (SQLite) has no replica to be behind."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session

# Past this the dashboards say the replica is lagging rather than only how old it is.
LAGGING_AFTER = timedelta(seconds=30)
POLL_S = 0.05

_STANDBY = text(
    "SELECT pg_last_wal_receive_lsn() IS NOT NULL"
    " AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() AS replayed_all,"
    " clock_timestamp() - pg_last_xact_replay_timestamp() AS age,"
    " pg_is_wal_replay_paused() AS paused"
)


@dataclass(frozen=True)
class ReplicaStatus:
    """A standby's state as the dashboards show it."""

    up_to_date: bool  # every WAL record it received is replayed (and replay is not paused)
    age: timedelta | None  # how old its newest data is; None when up to date or never replayed
    paused: bool  # replay paused on the standby (pg_wal_replay_pause)

    @property
    def lagging(self) -> bool:
        return self.paused or (self.age is not None and self.age > LAGGING_AFTER)

    def describe(self) -> str:
        if self.up_to_date:
            return "Read replica: up to date"
        age = "of unknown age" if self.age is None else f"as of {_ago(self.age)}"
        paused = ", replay paused" if self.paused else ""
        lagging = " (lagging)" if self.lagging else ""
        return f"Read replica: data {age}{paused}{lagging}"


def _ago(age: timedelta) -> str:
    seconds = max(0, round(age.total_seconds()))
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def _in_recovery(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(session.scalar(text("SELECT pg_is_in_recovery()")))


def replica_status(session: Session) -> ReplicaStatus | None:
    """How old the data `session` reads is, or None where it reads a primary or SQLite."""
    if not _in_recovery(session):
        return None
    row = session.execute(_STANDBY).one()
    if not row.replayed_all and not row.paused:
        # An idle primary still writes a little WAL now and then (checkpoints, snapshots of
        # running transactions); caught in the instant before its replay, the standby would be
        # shown as old as its last replayed transaction. A real lag is still there a moment on.
        time.sleep(POLL_S)
        row = session.execute(_STANDBY).one()
    paused = bool(row.paused)
    up_to_date = bool(row.replayed_all) and not paused
    age: timedelta | None = None if up_to_date else row.age
    return ReplicaStatus(up_to_date=up_to_date, age=age, paused=paused)


def caught_up(primary: Session, replica: Session, *, timeout_s: float) -> bool:
    """Wait (at most `timeout_s`) until `replica` has replayed every transaction `primary` had
    committed when called. True at once where `replica` is no standby."""
    if not _in_recovery(replica):
        return True
    target = primary.scalar(text("SELECT pg_current_wal_flush_lsn()::text"))
    deadline = time.monotonic() + timeout_s
    query = text("SELECT pg_last_wal_replay_lsn() >= CAST(:target AS pg_lsn)")
    while not replica.scalar(query, {"target": target}):
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)
    return True
