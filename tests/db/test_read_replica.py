"""The dashboards on a real read replica: a PostgreSQL primary and its streaming hot standby
started for this test session (tests/pg_standby.py), the dashboards reading the standby through
the read-only engine of SKYDESK_READ_DATABASE_URL (db/read_engine.py).

What a manager relies on: the replica shows what was written on the primary once it has caught
up; nothing can be written through it; while it lags (replay paused) the new rows are missing
and the reported age says so and grows; after it resumes they appear; and the audit check reads
the replica only once it holds everything the primary had committed (else it reads the primary,
and says so on its record). Runs once, in the PostgreSQL pass (see tests/conftest.py: standby)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.models import AuditEvent, Conversation, ConversationStatus
from db.read_engine import make_read_engine, make_read_session_factory
from services.core import replica
from services.core.audit_checks import VERIFY_ACTION, check_chain
from services.core.context import SYSTEM_ACTOR, ServiceContext
from services.dashboards import audit_export, audit_log, evaluations, handoffs, metrics, reviews
from tests.conftest import ANCHOR_DIR_ENV, ANCHOR_KEY_ENV, TEST_ANCHOR_KEY
from tests.pg_standby import StandbyPair
from tests.services.dashboards.dashboard_world import SINCE, UNTIL, at, build_history

RANGE: dict[str, Any] = {"since": SINCE, "until": UNTIL}
CATCH_UP_S = 30.0
RUN_CASES = [
    {"id": "anna-move", "passed": True, "tags": ["flights"]},
    {"id": "ben-light", "passed": False, "tags": ["flights", "refusal"], "reason": "no quote"},
]


@dataclass
class Replica:
    pair: StandbyPair
    database: str
    primary: Engine
    read: Engine  # the read-only engine on the standby, as the app builds it
    writes: sessionmaker[Session]
    reads: sessionmaker[Session]

    def caught_up(self) -> bool:
        with self.writes() as primary, self.reads() as read:
            return replica.caught_up(primary, read, timeout_s=CATCH_UP_S)

    def control(self, statement: str) -> object:
        """A statement on the standby outside the app's read-only engine (pause, resume)."""
        return self.pair.sql(self.pair.standby_port, statement, self.database)


@pytest.fixture(scope="module")
def world(standby: StandbyPair) -> Iterator[Replica]:
    """A migrated database on the primary with the dashboards' hand-built history and one
    evaluation run, replicated to the standby."""
    database = standby.create_database()
    primary = make_engine(standby.primary_url(database))
    read = make_read_engine(standby.standby_url(database))
    try:
        upgrade(primary)
        writes = make_session_factory(primary)
        with writes() as session:
            build_history(session)
            evaluations.save_run(
                session, started_at=at(25, 8), finished_at=at(25, 8, 1), model="builtin",
                results=RUN_CASES, triggered_by="manager",
            )  # fmt: skip
        world = Replica(standby, database, primary, read, writes, make_read_session_factory(read))
        assert world.caught_up()
        yield world
    finally:
        read.dispose()
        primary.dispose()


@pytest.fixture
def anchors(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """This database's own audit anchors (the worker's other databases keep theirs)."""
    from config import get_settings

    monkeypatch.setenv(ANCHOR_KEY_ENV, TEST_ANCHOR_KEY)
    monkeypatch.setenv(ANCHOR_DIR_ENV, str(tmp_path / "anchors"))
    get_settings.cache_clear()


def _review(s: Session) -> Any:
    return reviews.conversation_review(s, "c2")


# Every read the manager pages make, by name: each must give on the replica exactly what it
# gives on the primary (whose figures tests/services/dashboards check by hand).
DASHBOARD_READS: dict[str, Callable[[Session], Any]] = {
    "metrics": lambda s: metrics.metrics_dashboard(s, **RANGE, bucket="day"),
    "handoffs": lambda s: handoffs.handoff_stats(s, **RANGE),
    "review list": lambda s: reviews.list_conversations(s, **RANGE, limit=3),
    "review count": lambda s: reviews.count_conversations(s, **RANGE, status=["escalated"]),
    "review agents": reviews.agent_choices,
    "review one": _review,
    "audit page": lambda s: audit_log.audit_page(s, **RANGE, limit=4),
    "audit count": lambda s: audit_log.audit_count(s, **RANGE),
    "audit choices": audit_log.audit_choices,
    "audit export": lambda s: "".join(audit_export.export_csv(s, **RANGE, chunk_size=3)),
    "evaluation history": lambda s: evaluations.run_history(s),
    "evaluation trend": lambda s: evaluations.pass_rate_trend(s),
}


@pytest.mark.parametrize("name", DASHBOARD_READS)
def test_each_dashboard_read_gives_on_the_replica_what_the_primary_holds(
    world: Replica, name: str
) -> None:
    read = DASHBOARD_READS[name]
    with world.writes() as primary, world.reads() as standby:
        on_primary, on_replica = read(primary), read(standby)
        assert standby.scalar(text("SELECT pg_is_in_recovery()")) is True
    assert on_primary, f"{name}: the primary's answer is empty, the comparison would prove nothing"
    assert on_replica == on_primary


def test_figures_on_the_replica_are_the_hand_counted_ones(world: Replica) -> None:
    with world.reads() as standby:
        stats = metrics.conversation_stats(standby, **RANGE)
        runs = evaluations.run_history(standby)
    assert (stats.total, stats.resolved, stats.escalated, stats.open) == (5, 2, 2, 1)
    assert [(r.cases, r.passed) for r in runs] == [(2, 1)]


def test_a_write_through_the_read_session_is_refused(world: Replica) -> None:
    with world.reads() as standby, pytest.raises(DBAPIError, match="read-only transaction"):
        standby.execute(text("UPDATE conversations SET title = 'x' WHERE id = 'c1'"))
        standby.flush()
    # Even pointed at the primary by mistake, the read engine refuses to write.
    wrong = make_read_engine(world.primary.url.render_as_string(hide_password=False))
    try:
        with make_read_session_factory(wrong)() as session:
            with pytest.raises(DBAPIError, match="read-only transaction"):
                session.execute(text("UPDATE conversations SET title = 'x' WHERE id = 'c1'"))
            session.rollback()
            assert session.scalar(select(Conversation.title).where(Conversation.id == "c1")) == (
                "Chat c1"
            )
    finally:
        wrong.dispose()


def test_an_idle_replica_is_up_to_date_although_its_last_replay_is_old(world: Replica) -> None:
    assert world.caught_up()
    time.sleep(1.2)  # nothing written: pg_last_xact_replay_timestamp() keeps ageing
    with world.reads() as standby:
        status = replica.replica_status(standby)
    assert status is not None and status.up_to_date and status.age is None
    assert status.describe() == "Read replica: up to date"
    with world.writes() as primary:
        assert replica.replica_status(primary) is None  # a primary is no replica


def _new_conversation(world: Replica, cid: str) -> None:
    with world.writes() as session:
        session.add(
            Conversation(
                id=cid, user_id=None, passenger_id=None, title=f"Chat {cid}",
                status=ConversationStatus.OPEN, model="builtin",
                started_at=at(26, 7, 50), updated_at=at(26, 7, 50),
            )
        )  # fmt: skip
        session.commit()


def _count(world: Replica) -> int:
    with world.reads() as standby:
        return reviews.count_conversations(standby, **RANGE)


def _status(world: Replica) -> replica.ReplicaStatus:
    with world.reads() as standby:
        status = replica.replica_status(standby)
    assert status is not None
    return status


@pytest.fixture
def paused(world: Replica) -> Iterator[Replica]:
    """Replay paused on the standby (resumed afterwards, whatever the test did)."""
    world.control("SELECT pg_wal_replay_pause()")
    deadline = time.monotonic() + 10
    while world.control("SELECT pg_get_wal_replay_pause_state()") != "paused":
        assert time.monotonic() < deadline, "the standby never paused its replay"
        time.sleep(0.02)
    try:
        yield world
    finally:
        world.control("SELECT pg_wal_replay_resume()")


def test_a_lagging_replica_misses_new_rows_says_how_old_it_is_and_catches_up(
    paused: Replica,
) -> None:
    world = paused
    before = _count(world)
    _new_conversation(world, "lag1")
    time.sleep(0.5)  # the standby receives the WAL but does not replay it
    first = _status(world)
    assert _count(world) == before  # the new conversation is not on the replica yet
    assert not first.up_to_date and first.paused and first.lagging
    assert first.age is not None and first.age > timedelta(0)
    time.sleep(1.1)
    later = _status(world)
    assert later.age is not None and later.age - first.age >= timedelta(seconds=1)
    assert "replay paused" in later.describe() and "lagging" in later.describe()
    assert later.describe().startswith("Read replica: data as of ")
    with world.writes() as primary, world.reads() as standby:
        assert not replica.caught_up(primary, standby, timeout_s=0.3)

    world.control("SELECT pg_wal_replay_resume()")
    assert world.caught_up()
    assert _count(world) == before + 1
    assert _status(world).up_to_date


def _last_check(session: Session) -> AuditEvent:
    check = session.scalars(
        select(AuditEvent).where(AuditEvent.action == VERIFY_ACTION).order_by(AuditEvent.seq.desc())
    ).first()
    assert check is not None
    return check


@pytest.mark.usefixtures("anchors")
def test_the_audit_check_reads_a_caught_up_replica_and_records_on_the_primary(
    world: Replica,
) -> None:
    with world.writes() as primary, world.reads() as standby:
        result = check_chain(primary, ServiceContext(SYSTEM_ACTOR), read=standby)
        primary.commit()
    assert result.ok and result.records > 0
    with world.writes() as primary:
        check = _last_check(primary)
    assert check.details["read_from"] == "read replica"
    assert check.details["verified_to_seq"] == result.last.seq


@pytest.mark.usefixtures("anchors")
def test_the_audit_check_reads_the_primary_while_the_replica_lags(
    paused: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paused, the replica lacks the newest records: read there, the chain would end before an
    anchor exported from the primary and the check would cry tampering."""
    from config import get_settings

    world = paused
    ctx = ServiceContext(SYSTEM_ACTOR)
    with world.writes() as primary:
        assert check_chain(primary, ctx).ok  # exports an anchor at the primary's head
        primary.commit()
    monkeypatch.setenv("SKYDESK_READ_DATABASE_CATCH_UP_S", "0.3")
    get_settings.cache_clear()
    with world.writes() as primary, world.reads() as standby:
        result = check_chain(primary, ctx, new_records_only=True, read=standby)
        primary.commit()
        check = _last_check(primary)
    assert result.ok, result
    assert check.details["read_from"] == "primary: the read replica had not caught up"


@pytest.mark.usefixtures("anchors")
def test_audit_verify_command_reads_the_replica(world: Replica, capsys) -> None:
    from services.cli import audit_command

    urls = [e.url.render_as_string(hide_password=False) for e in (world.primary, world.read)]
    status = audit_command(["verify", "--database-url", urls[0], "--read-database-url", urls[1]])
    assert status == 0, capsys.readouterr()
    assert "audit chain intact" in capsys.readouterr().out
    with world.writes() as primary:
        assert _last_check(primary).details["read_from"] == "read replica"
