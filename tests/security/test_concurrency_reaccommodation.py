"""The re-accommodation batch racing live conversations (issue #15's acceptance): while an agent's
approved batch moves a cancelled flight's passengers, 16 conversations book seats on the same
route's flights at the same instant. Afterwards no flight is oversold, every batch passenger has
exactly one itinerary, the audit holds exactly one executed change per ticket and every
passenger exactly one notice. On PostgreSQL this holds because the batch and the bookings lock
the flights they take seats on, in one order; on SQLite the write lock serialises them."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

from db.models import Fare
from services.core.clock import FixedClock
from services.core.errors import DomainError
from services.flights import flight_bookings
from services.reaccommodation.batch import execute_batch
from services.reaccommodation.batch_results import RowStatus
from services.reaccommodation.batch_types import Action, RowDecision
from tests import factories as f
from tests.conftest import FROZEN_NOW, context_for
from tests.security.consistency import problems
from tests.services.reaccommodation.batch_world import (
    active_flights,
    build,
    executed_records,
    free_economy,
    notices,
    oversold,
    rebook_all,
    staff,
)

CONVERSATIONS = 16
BOOKINGS_EACH = 2
GROUPS = (2, 1, 3, 2, 1, 2, 3, 1, 2, 1, 2, 2, 1, 3, 2, 1, 1)  # 30 passengers
SEATS = 40  # per flight: the batch's 30 and the conversations' 32 do not all fit the first
CLOCK = FixedClock(FROZEN_NOW)


def next_with_room(session: Session, world, row: RowDecision) -> RowDecision | None:
    """The test's planner: the earliest later flight with a seat for every member."""
    session.rollback()  # see the seats as the racing bookings left them
    for flight_id in world.later:
        if free_economy(session, flight_id) >= len(row.ticket_nos):
            return RowDecision(row.ticket_nos, Action.REBOOK, (flight_id,))
    return None


def test_the_batch_and_16_conversations_booking_the_route_oversell_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        world = build(s, CLOCK, group_sizes=GROUPS, later_flights=3, seats=SEATS)
        bookers = [f.passenger(s).id for _ in range(CONVERSATIONS)]
        s.commit()
    barrier = threading.Barrier(CONVERSATIONS + 1)

    def conversation(i: int) -> list[str]:
        outcomes: list[str] = []
        with session_factory() as own:
            barrier.wait(timeout=30)
            for _ in range(BOOKINGS_EACH):
                try:
                    flight_bookings.book_flight(
                        own, context_for(bookers[i], CLOCK).once(f"conv-{i}-{len(outcomes)}"),
                        flight_ids=[world.later[0]], fare=Fare.CLASSIC,
                    )  # fmt: skip
                    outcomes.append("ok")
                except DomainError as err:
                    outcomes.append(err.code)
        return outcomes

    def batch(_: int):
        with session_factory() as own:
            barrier.wait(timeout=30)
            return execute_batch(
                own, staff(CLOCK), rebook_all(world),
                replan=lambda sess, row: next_with_room(sess, world, row),
            )  # fmt: skip

    with ThreadPoolExecutor(max_workers=CONVERSATIONS + 1) as pool:
        result_future = pool.submit(batch, 0)
        booked = Counter(o for outs in pool.map(conversation, range(CONVERSATIONS)) for o in outs)
        result = result_future.result(timeout=300)

    assert set(booked) <= {"ok", "no_seat_available"}, booked
    statuses = Counter(r.status for r in result.rows)
    assert set(statuses) <= {RowStatus.EXECUTED, RowStatus.REPLANNED}, result.rows
    tickets = [n for group in world.groups for n in group]
    # 62 asked for the first later flight's 40 seats: at least 22 were turned away from it,
    # conversations refused a seat or batch passengers re-planned onto a later flight.
    moved = sum(len(r.decision.ticket_nos) for r in result.rows if r.status == RowStatus.REPLANNED)
    assert booked["no_seat_available"] + moved >= len(tickets) + 2 * CONVERSATIONS - SEATS
    with session_factory() as s:
        assert oversold(s) == []
        assert problems(s) == []
        for number in tickets:
            (flight,) = active_flights(s, number)  # exactly one itinerary, never two or none
            assert flight in world.later
        # A group travels together, on one flight.
        for group in world.groups:
            assert len({active_flights(s, n)[0] for n in group}) == 1
        assert executed_records(s, "change_flight") == dict.fromkeys(tickets, 1)
        assert notices(s) == dict.fromkeys(tickets, 1)


def test_two_replicas_running_one_batch_execute_each_ticket_once(
    session_factory: sessionmaker[Session],
) -> None:
    """A double click or a second replica: the same approved batch started twice at once. Each
    group runs in one of them; the other reports it already executed, and nothing is doubled."""
    with session_factory() as s:
        world = build(s, CLOCK, group_sizes=GROUPS, later_flights=1, seats=SEATS)
    barrier = threading.Barrier(2)

    def replica(_: int):
        with session_factory() as own:
            barrier.wait(timeout=30)
            return execute_batch(own, staff(CLOCK), rebook_all(world))

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(replica, range(2))
    for mine, theirs in zip(first.rows, second.rows, strict=True):
        assert {mine.status, theirs.status} == {RowStatus.EXECUTED, RowStatus.ALREADY_EXECUTED}
        done = mine if mine.status == RowStatus.ALREADY_EXECUTED else theirs
        assert [t.ticket_no for t in done.tickets] == list(done.decision.ticket_nos)
        assert all("moved to" in t.summary for t in done.tickets)
    tickets = [n for group in world.groups for n in group]
    with session_factory() as s:
        assert problems(s) == []
        assert all(active_flights(s, n) == [world.later[0]] for n in tickets)
        assert executed_records(s, "change_flight") == dict.fromkeys(tickets, 1)
        assert notices(s) == dict.fromkeys(tickets, 1)
