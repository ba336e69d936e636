"""Racing writers: the last seat goes to exactly one, and one approval executes once."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from db.models import ExecutedAction, Fare, Seat, SeatAssignment
from services.core.audit import verify
from services.core.errors import AlreadyExecuted, DomainError
from services.flights import cancellations, tickets
from tests import factories as f
from tests.conftest import context_for

RACERS = 20


def race(n: int, work) -> Counter[str]:
    barrier = threading.Barrier(n)

    def run(i: int) -> str:
        barrier.wait()
        try:
            work(i)
            return "ok"
        except DomainError as err:
            return err.code

    with ThreadPoolExecutor(max_workers=n) as pool:
        return Counter(pool.map(run, range(n)))


def test_twenty_changes_race_for_the_last_seat(session_factory, clock) -> None:
    with session_factory() as s:
        f.reference_data(s, economy_seats=RACERS + 4)
        now = clock.now()
        source = f.flight(s, "ZRH", "LHR", now + timedelta(days=3))
        target = f.flight(s, "ZRH", "LHR", now + timedelta(days=4))
        f.fill(s, target, leave=1, issued_at=now - timedelta(days=40))
        owned = []
        for _ in range(RACERS):
            p = f.passenger(s)
            owned.append(
                (
                    p.id,
                    f.ticket(
                        s, p, [source], fare=Fare.FLEX, issued_at=now - timedelta(days=30)
                    ).ticket_no,
                )
            )
        s.commit()
        source_id, target_id = source.id, target.id

    def change(i: int) -> None:
        passenger_id, ticket_no = owned[i]
        with session_factory() as s:
            tickets.change_flight(
                s, context_for(passenger_id, clock), ticket_no=ticket_no, new_flight_ids=[target_id]
            )

    outcomes = race(RACERS, change)
    assert outcomes == Counter({"ok": 1, "no_seat_available": RACERS - 1})
    with session_factory() as s:
        taken = dict(
            s.execute(
                select(SeatAssignment.flight_id, func.count()).group_by(SeatAssignment.flight_id)
            ).all()
        )
        capacity = s.scalar(select(func.count()).select_from(Seat).where(Seat.cabin == "economy"))
        assert taken == {target_id: capacity, source_id: RACERS - 1}
        assert verify(s).ok


def test_same_approval_twice_in_parallel_executes_once(session_factory, clock) -> None:
    with session_factory() as s:
        f.reference_data(s)
        flight = f.flight(s, "ZRH", "LHR", clock.now() + timedelta(days=3))
        p = f.passenger(s)
        ticket_no = f.ticket(
            s, p, [flight], fare=Fare.FLEX, issued_at=clock.now() - timedelta(days=30)
        ).ticket_no
        s.commit()
        passenger_id = p.id

    def approve(_: int) -> None:
        with session_factory() as s:
            ctx = context_for(passenger_id, clock).once("thread-9:call-1")
            cancellations.cancel_ticket(s, ctx, ticket_no=ticket_no)

    outcomes = race(4, approve)
    assert outcomes["ok"] == 1
    assert outcomes[AlreadyExecuted.code] + outcomes["ticket_not_active"] == 3
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(ExecutedAction)) == 1
