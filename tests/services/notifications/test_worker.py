"""Delivering passenger notices from the outbox (services/notifications): once per notice,
again after a failing adapter once its backoff is over, never twice when two workers run at
the same moment (SKIP LOCKED on PostgreSQL, the write lock on SQLite), and the "messages sent"
view by role."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from db.models import DeliveredMessage, NoticeKind, OutboxMessage, Role
from services.core.context import Actor, ServiceContext
from services.core.errors import PolicyViolation
from services.notifications import (
    DemoAdapter,
    NoticeStatus,
    deliver_pending,
    messages_sent,
    queue_notice,
    retry_delay,
)
from services.reaccommodation.batch import execute_batch
from tests.services.reaccommodation.batch_world import build, rebook_all, staff


@pytest.fixture
def queued(session, clock):
    """Six notices queued by an executed re-accommodation batch."""
    world = build(session, clock)
    execute_batch(session, staff(clock), rebook_all(world))
    return world


def delivered(session) -> int:
    return session.scalar(select(func.count()).select_from(DeliveredMessage))


class Failing:
    channel = "sms"

    def deliver(self, _session, _message) -> None:
        raise ConnectionError("SMS gateway timed out")


@pytest.mark.usefixtures("queued")
def test_the_worker_delivers_each_notice_once(session, clock) -> None:
    first = deliver_pending(session, DemoAdapter(), limit=100, clock=clock)
    assert (first.claimed, first.delivered, first.failed) == (6, 6, 0)
    again = deliver_pending(session, DemoAdapter(), limit=100, clock=clock)
    assert again.claimed == 0
    assert delivered(session) == 6
    rows = session.scalars(select(OutboxMessage)).all()
    assert all(m.delivered_at == clock.now() and m.channel == "demo-email" for m in rows)


@pytest.mark.usefixtures("queued")
def test_a_limit_takes_the_oldest_first(session, clock) -> None:
    run = deliver_pending(session, DemoAdapter(), limit=4, clock=clock)
    assert (run.claimed, run.delivered) == (4, 4)
    pending = session.scalars(
        select(OutboxMessage.id).where(OutboxMessage.delivered_at.is_(None))
    ).all()
    assert pending == sorted(session.scalars(select(OutboxMessage.id)).all())[4:]


@pytest.mark.usefixtures("queued")
def test_a_failing_adapter_keeps_the_notice_for_a_retry_after_its_backoff(session, clock) -> None:
    run = deliver_pending(session, Failing(), limit=100, clock=clock)
    assert (run.claimed, run.delivered, run.failed) == (6, 0, 6)
    message = session.scalars(select(OutboxMessage)).first()
    assert message.attempts == 1 and message.delivered_at is None
    assert message.last_error == "ConnectionError: SMS gateway timed out"
    assert message.next_attempt_at == clock.now() + retry_delay(1)
    # Not due yet: nothing is claimed, not even by a working adapter.
    assert deliver_pending(session, DemoAdapter(), clock=clock).claimed == 0
    clock.advance(retry_delay(1))
    assert deliver_pending(session, Failing(), clock=clock).failed == 6
    assert session.scalars(select(OutboxMessage)).first().attempts == 2
    clock.advance(retry_delay(2))
    assert deliver_pending(session, DemoAdapter(), clock=clock).delivered == 6
    assert delivered(session) == 6


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(20) == timedelta(hours=1)


@pytest.mark.usefixtures("queued")
def test_a_redelivery_after_a_crash_adds_no_second_message(session, clock) -> None:
    """The demo adapter is an idempotent receiver: a notice it already holds (the worker crashed
    before marking it delivered) is not delivered again."""
    deliver_pending(session, DemoAdapter(), clock=clock)
    message = session.scalars(select(OutboxMessage)).first()
    message.delivered_at = None  # as if the run's commit had been lost after the send
    session.commit()
    assert deliver_pending(session, DemoAdapter(), clock=clock).delivered == 1
    assert delivered(session) == 6


@pytest.mark.usefixtures("queued")
def test_a_notice_is_queued_only_inside_a_write(session, clock) -> None:
    with pytest.raises(RuntimeError):
        queue_notice(
            session, staff(clock), passenger_id=1, kind=NoticeKind.REBOOKED, subject="s", body="b",
            dedupe_key="loose",
        )  # fmt: skip


@dataclass
class Overlap:
    """What two workers share: every delivery call counted, and whether the first worker to
    deliver saw the other deliver while it still held its claimed notices."""

    patience: float
    calls: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    holder: int | None = None
    other: threading.Event = field(default_factory=threading.Event)
    overlapped: bool | None = None


class Overlapping(DemoAdapter):
    """The first worker to deliver holds its claim until another worker has delivered a notice
    (or `patience` runs out): with SKIP LOCKED the other claims the next notices meanwhile."""

    def __init__(self, shared: Overlap) -> None:
        self.shared = shared

    def deliver(self, session, message) -> None:
        shared, me = self.shared, threading.get_ident()
        with shared.lock:
            shared.calls[message.id] += 1
            first = shared.holder is None
            if first:
                shared.holder = me
        if first:
            shared.overlapped = shared.other.wait(shared.patience)
        elif shared.holder != me:
            shared.other.set()
        super().deliver(session, message)


@pytest.mark.usefixtures("queued")
def test_two_workers_at_once_never_deliver_a_notice_twice(session_factory, session, clock) -> None:
    postgres = session.bind.dialect.name == "postgresql"
    shared = Overlap(patience=10 if postgres else 0.1)
    barrier = threading.Barrier(2)

    def work(_: int) -> int:
        total = 0
        with session_factory() as own:
            barrier.wait(timeout=30)
            while (run := deliver_pending(own, Overlapping(shared), limit=2, clock=clock)).claimed:
                total += run.delivered
        return total

    with ThreadPoolExecutor(max_workers=2) as pool:
        totals = list(pool.map(work, range(2)))
    assert sum(totals) == 6
    assert set(shared.calls.values()) == {1} and len(shared.calls) == 6
    if postgres:
        # SKIP LOCKED: the second worker delivered while the first still held its claim.
        assert shared.overlapped is True, totals
    session.rollback()  # read what the workers committed
    assert delivered(session) == 6


def test_messages_sent_by_flight_and_by_role(session, clock, queued) -> None:
    deliver_pending(session, DemoAdapter(), limit=3, clock=clock)
    for role in (Role.AGENT, Role.MANAGER, Role.ADMIN):
        rows = messages_sent(session, ServiceContext(Actor("x", role), clock=clock),
                             flight_id=queued.cancelled)  # fmt: skip
        assert len(rows) == 6
        statuses = Counter(r.status for r in rows)
        assert statuses == {NoticeStatus.DELIVERED: 3, NoticeStatus.PENDING: 3}
    mine = queued.passengers[queued.groups[0][0]]
    customer = ServiceContext(Actor("pat", Role.CUSTOMER, passenger_id=mine), clock=clock)
    # A customer naming another passenger still sees only their own notices.
    other = queued.passengers[queued.groups[1][0]]
    rows = messages_sent(session, customer, passenger_id=other)
    assert [r.passenger_id for r in rows] == [mine]
    with pytest.raises(PolicyViolation):
        messages_sent(session, ServiceContext(Actor("bot", Role.SYSTEM), clock=clock))
