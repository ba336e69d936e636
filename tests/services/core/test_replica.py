"""What the dashboards say about a read replica's age, and that a database with no replica
(SQLite) is never reported behind. The real standby: tests/db/test_read_replica.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config import Settings
from services.core import replica
from services.core.replica import ReplicaStatus


@pytest.mark.parametrize(
    ("status", "caption", "lagging"),
    [
        (ReplicaStatus(up_to_date=True, age=None, paused=False), "Read replica: up to date", False),
        (
            ReplicaStatus(up_to_date=False, age=timedelta(seconds=12.4), paused=False),
            "Read replica: data as of 12 s ago",
            False,
        ),
        (
            ReplicaStatus(up_to_date=False, age=timedelta(seconds=45), paused=False),
            "Read replica: data as of 45 s ago (lagging)",
            True,
        ),
        (
            ReplicaStatus(up_to_date=False, age=timedelta(minutes=7, seconds=5), paused=True),
            "Read replica: data as of 7 min ago, replay paused (lagging)",
            True,
        ),
        (
            ReplicaStatus(up_to_date=False, age=timedelta(hours=3), paused=False),
            "Read replica: data as of 3 h ago (lagging)",
            True,
        ),
        (
            ReplicaStatus(up_to_date=False, age=None, paused=False),
            "Read replica: data of unknown age",
            False,
        ),
    ],
)
def test_the_caption_says_how_old_the_data_is(status, caption, lagging) -> None:
    assert status.describe() == caption
    assert status.lagging is lagging


def test_a_database_without_replica_is_never_behind(session) -> None:
    # SQLite, or the suite's PostgreSQL database, a primary (not in recovery).
    assert replica.replica_status(session) is None
    assert replica.caught_up(session, session, timeout_s=0)


def test_no_read_database_by_default() -> None:
    assert Settings(_env_file=None).read_database_url == ""
