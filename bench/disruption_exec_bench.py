"""Executing the re-accommodation of one cancelled full flight (issue #15): 180 passengers of a
ZRH-LHR A320 in booking groups of one to four, cancelled for a crew shortage, approved as one
batch (services.reaccommodation.batch.execute_batch) onto the next flights on the route with seats
(the rows are built here, greedily, as the planner is not measured by this suite). Figures, on
PostgreSQL (a scratch database): the whole batch (target <= 30 s), each group's transaction
p50/p95, and delivering the 180 notices from the outbox with the demo adapter.

    python -m bench.disruption_exec_bench [--quick]   (--quick: 60 passengers on SQLite)
"""

from __future__ import annotations

import itertools
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bench.common import (
    drop_pg_database,
    figure,
    percentiles,
    pg_available,
    pg_database_url,
    run_alone,
    scratch_name,
)
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.models import (
    Aircraft,
    AircraftType,
    Airport,
    Booking,
    Flight,
    Passenger,
    PaymentMethod,
    Seat,
    SeatAssignment,
    Ticket,
    TicketLeg,
)
from db.models.enums import Cabin, Fare, FlightStatus, LegStatus, Role, TicketStatus, Tier
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.disruptions import disrupt_flight
from services.notifications import DemoAdapter, deliver_pending
from services.reaccommodation.batch import execute_batch
from services.reaccommodation.batch_results import RowStatus
from services.reaccommodation.batch_types import Action, Batch, RowDecision

SEATS = 180
TARGET_S = 30.0
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
LATER = 3  # later flights on the route, a day apart, each with 40% of its seats sold
SOLD_LATER = 0.4


def _reference(session: Session) -> list[Seat]:
    session.add_all([
        Airport(code="ZRH", name="Zurich Airport", city="Zurich", country="Switzerland",
                timezone="Europe/Zurich", latitude=47.46, longitude=8.55),
        Airport(code="LHR", name="Heathrow Airport", city="London", country="United Kingdom",
                timezone="Europe/London", latitude=51.47, longitude=-0.45),
        AircraftType(code="A320", name="Airbus A320", business_seats=0, economy_seats=SEATS),
    ])  # fmt: skip
    session.flush()
    seats = [
        Seat(
            aircraft_type_code="A320", seat_no=f"{i // 6 + 1}{'ABCDEF'[i % 6]}", cabin=Cabin.ECONOMY
        )
        for i in range(SEATS)
    ]
    session.add_all([*seats, Aircraft(registration="HB-JLA", type_code="A320")])
    session.flush()
    return seats


def _flight(session: Session, n: int, departs: datetime) -> Flight:
    flight = Flight(
        flight_no=f"AL {300 + n}", origin="ZRH", destination="LHR", aircraft_registration="HB-JLA",
        scheduled_departure=departs, scheduled_arrival=departs + timedelta(minutes=100),
        status=FlightStatus.SCHEDULED, base_price=Decimal(180),
    )  # fmt: skip
    session.add(flight)
    session.flush()
    return flight


def _sell(
    session: Session, flight: Flight, seats: list[Seat], groups: list[int]
) -> list[list[str]]:
    """Sell `flight`'s seats to booking groups of the given sizes; their ticket numbers."""
    issued, seat = NOW - timedelta(days=30), iter(seats)
    sold: list[list[str]] = []
    for size in groups:
        people = [Passenger(first_name="Pax", last_name=f"{flight.id}-{len(sold)}-{i}",
                            email=f"p{flight.id}-{len(sold)}-{i}@example.com",
                            phone="+41 44 000 00 00", tier=Tier.REGULAR) for i in range(size)]  # fmt: skip
        session.add_all(people)
        session.flush()
        cards = [PaymentMethod(passenger_id=p.id, brand="Visa", last4="4242", expiry="2029-12")
                 for p in people]  # fmt: skip
        booking = Booking(reference=f"{flight.id}{len(sold):05d}", created_at=issued,
                          booked_by_passenger_id=people[0].id)  # fmt: skip
        session.add_all([*cards, booking])
        session.flush()
        numbers: list[str] = []
        for person, card in zip(people, cards, strict=True):
            ticket = Ticket(
                ticket_no=f"724{flight.id:03d}{len(sold):03d}{len(numbers):04d}",
                booking_id=booking.id, passenger_id=person.id, fare=Fare.CLASSIC,
                cabin=Cabin.ECONOMY, status=TicketStatus.ACTIVE, issued_at=issued,
                payment_method_id=card.id,
            )  # fmt: skip
            leg = TicketLeg(ticket=ticket, flight_id=flight.id, sequence=1, fare=Fare.CLASSIC,
                            cabin=Cabin.ECONOMY, price_paid=Decimal("180.00"),
                            status=LegStatus.ACTIVE, booked_at=issued)  # fmt: skip
            session.add_all([ticket, leg])
            session.flush()
            session.add(
                SeatAssignment(flight_id=flight.id, seat_id=next(seat).id, ticket_leg_id=leg.id)
            )
            numbers.append(ticket.ticket_no)
        sold.append(numbers)
    session.flush()
    return sold


def _sizes(total: int, rng: random.Random) -> list[int]:
    sizes: list[int] = []
    while sum(sizes) < total:
        sizes.append(min(rng.choice((1, 1, 2, 2, 3, 4)), total - sum(sizes)))
    return sizes


def build(engine: Engine, passengers: int) -> tuple[int, list[int], list[list[str]]]:
    rng = random.Random(15)
    with make_session_factory(engine)() as session:
        seats = _reference(session)
        departs = NOW + timedelta(days=2)
        gone = _flight(session, 0, departs)
        groups = _sell(session, gone, seats, _sizes(passengers, rng))
        later = []
        for n in range(1, LATER + 1):
            flight = _flight(session, n, departs + timedelta(days=n))
            _sell(session, flight, seats, _sizes(int(SEATS * SOLD_LATER), rng))
            later.append(flight.id)
        session.commit()
        disrupt_flight(session, ServiceContext(Actor("bench-admin", Role.ADMIN), clock=FixedClock(NOW)),
                       flight_id=gone.id, kind="cancelled", cause="crew")  # fmt: skip
        return gone.id, later, groups


def rows_for(later: list[int], groups: list[list[str]], free: int) -> tuple[RowDecision, ...]:
    """Each group onto the first later flight with seats for all of it (first come, first served)."""
    room, rows = dict.fromkeys(later, free), []
    for group in groups:
        target = next((f for f in later if room[f] >= len(group)), None)
        if target is None:
            rows.append(RowDecision(tuple(group), Action.REFUND))
            continue
        room[target] -= len(group)
        rows.append(RowDecision(tuple(group), Action.REBOOK, (target,)))
    return tuple(rows)


def measure(results: dict[str, Any], engine: Engine, passengers: int, label: str) -> None:
    upgrade(engine)
    gone, later, groups = build(engine, passengers)
    batch = Batch("bench-batch", gone, rows_for(later, groups, SEATS - int(SEATS * SOLD_LATER)))
    marks: list[float] = []
    agent = ServiceContext(Actor("bench-agent", Role.AGENT), clock=FixedClock(NOW))
    with make_session_factory(engine)() as session:
        start = time.perf_counter()
        marks.append(start)
        result = execute_batch(
            session, agent, batch, progress=lambda _d, _t: marks.append(time.perf_counter())
        )
        elapsed = time.perf_counter() - start
        changed = sum(len(r.tickets) for r in result.rows)
        failed = result.count(RowStatus.FAILED)
        if changed != passengers or failed:
            raise RuntimeError(
                f"the batch changed {changed} of {passengers} tickets, {failed} rows failed"
            )
        per_group = percentiles([(b - a) * 1000 for a, b in itertools.pairwise(marks)])
        start = time.perf_counter()
        sent = 0
        while run := deliver_pending(session, DemoAdapter(), limit=100, clock=FixedClock(NOW)):
            if not run.claimed:
                break
            sent += run.delivered
        delivery = time.perf_counter() - start
    figure(results, f"disruption_exec: {passengers} passengers, {len(batch.rows)} groups ({label})",
           elapsed, "s", target=TARGET_S if passengers >= SEATS else None)  # fmt: skip
    figure(
        results, f"disruption_exec: one group's transaction p50 ({label})", per_group.p50_ms, "ms"
    )
    figure(
        results, f"disruption_exec: one group's transaction p95 ({label})", per_group.p95_ms, "ms"
    )
    figure(results, f"disruption_exec: deliver {sent} notices ({label})", delivery, "s")


def run(results: dict[str, Any], *, quick: bool = False) -> None:
    if quick or not pg_available():
        if not quick:
            results["notes"].append("disruption_exec: PostgreSQL not reachable; ran on SQLite")
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'exec.db'}")
            measure(results, engine, 60 if quick else SEATS, "SQLite")
            engine.dispose()
        return
    name = scratch_name("skydesk_bench_disruption")
    engine = make_engine(pg_database_url(name))
    try:
        measure(results, engine, SEATS, "PostgreSQL")
    finally:
        engine.dispose()
        drop_pg_database(name)


if __name__ == "__main__":
    raise SystemExit(run_alone(run, doc=__doc__, quick_help="60 passengers on SQLite, no target"))
