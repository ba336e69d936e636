"""The capacity bench's building blocks: concurrent writers through the audited write path
leave one intact chain (PostgreSQL, where the bench runs), the split over two app processes,
and a failed call counted, not retried."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.capacity_bench import split
from bench.capacity_workers import WRITE_ACTION, Samples, audited_writer, timed_loop
from db.models import AuditEvent, ExecutedAction
from services.core import audit


def test_concurrent_audited_writers_leave_one_intact_chain(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("the capacity bench runs on PostgreSQL (TEST_DATABASE_URL)")
    writers, each = 8, 5
    barrier = threading.Barrier(writers)

    def work(w: int) -> None:
        write = audited_writer(session_factory, w)
        barrier.wait()
        for n in range(each):
            write(n)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with session_factory() as session:
        check = audit.verify(session)
        actions = session.scalars(select(AuditEvent.action)).all()
        claims = session.scalar(select(func.count()).select_from(ExecutedAction))
    assert check.ok, str(check)
    assert check.records == writers * each
    assert set(actions) == {WRITE_ACTION}
    assert claims == writers * each  # each write claimed its own idempotency key


def test_conversations_split_over_two_app_processes() -> None:
    assert split(1) == [1]
    assert split(4) == [2, 2]
    assert split(5) == [3, 2]
    assert split(64) == [32, 32]


def test_a_failed_call_is_counted_by_kind_and_not_retried() -> None:
    calls: list[int] = []

    def call(n: int) -> None:
        calls.append(n)
        if n == 1:
            raise ValueError("no")

    samples = Samples()
    deadline = time.monotonic() + 0.05
    timed_loop(call, deadline, samples)
    assert calls[:3] == [0, 1, 2]
    assert samples.errors == {"ValueError": 1}
    assert len(samples.latencies_ms) == len(calls) - 1
