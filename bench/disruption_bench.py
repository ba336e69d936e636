"""The re-accommodation planner on PostgreSQL, targets: one cancelled full flight (about 180
passengers) planned in <= 2 s; a storm on the large world (every departure from one hub
cancelled for three hours) planned in <= 60 s; the planner beside the first-come greedy plan.

Both scenarios run on the large world (bench.seed_bench's database, seeded once and reused)
inside a transaction that is rolled back: the flight is topped up to a full economy cabin with
filler bookings (parties of 1-4, a share of gold members) and cancelled, the storm's flights
are cancelled, the plans are made, and nothing is kept. Each timing starts from an empty
identity map (every row read afresh). `--quick` plans the full flight once and skips the storm.

python -m bench.disruption_bench [--quick]"""

from __future__ import annotations

import random
import statistics
import time
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.common import figure, pg_available, pg_database_url, run_alone
from db.engine import make_engine, make_session_factory
from db.models import (
    Aircraft,
    Booking,
    Disruption,
    Flight,
    Passenger,
    Seat,
    SeatAssignment,
    Ticket,
    TicketLeg,
)
from db.models.enums import (
    Cabin,
    DisruptionCause,
    DisruptionKind,
    Fare,
    FlightStatus,
    LegStatus,
    Role,
    TicketStatus,
    Tier,
)
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.disruptions import Plan, Strategy, plan_flights

FLIGHT_TARGET_S, STORM_TARGET_S = 2.0, 60.0
STORM_HUB, STORM_HOURS = "ZRH", 3
RUNS = 5


def _cancel(session: Session, flights: list[Flight], now: datetime) -> None:
    """As services.disruptions.disrupt_flight leaves a cancelled flight (not called: it
    commits, and the benchmark rolls its scenario back)."""
    ids = [f.id for f in flights]
    records = {
        r.flight_id: r
        for r in session.scalars(select(Disruption).where(Disruption.flight_id.in_(ids)))
    }
    for flight in flights:
        flight.status, flight.disrupted_at = FlightStatus.CANCELLED, now
        flight.estimated_departure = flight.estimated_arrival = None
        record = records.get(flight.id) or Disruption(flight_id=flight.id)
        record.kind, record.cause, record.extraordinary = (
            DisruptionKind.CANCELLED, DisruptionCause.CREW, False,
        )  # fmt: skip
        record.announced_at, record.recorded_by, record.recorded_at = now, "bench", now
        record.delay_minutes = record.new_departure = record.new_arrival = None
        session.add(record)
    session.flush()


def _fullest_flight(session: Session, now: datetime) -> Flight:
    """Tomorrow's A321 flight (24 business, 176 economy seats) with the most passengers."""
    start = now + timedelta(hours=20)
    legs = (
        select(TicketLeg.flight_id, func.count().label("n"))
        .join(Flight, Flight.id == TicketLeg.flight_id)
        .where(
            TicketLeg.status == LegStatus.ACTIVE,
            Flight.status == FlightStatus.SCHEDULED,
            Flight.scheduled_departure.between(start, start + timedelta(days=1)),
        )
        .group_by(TicketLeg.flight_id)
        .subquery()
    )
    fid = session.scalar(
        select(legs.c.flight_id)
        .join(Flight, Flight.id == legs.c.flight_id)
        .join(Aircraft, Aircraft.registration == Flight.aircraft_registration)
        .where(Aircraft.type_code == "A321")
        .order_by(legs.c.n.desc())
        .limit(1)
    )
    assert fid is not None, "the large world has no flight tomorrow"
    return session.get_one(Flight, fid)


def _fill_economy(session: Session, flight: Flight, now: datetime, rng: random.Random) -> int:
    """Book the flight's free economy seats with filler parties (1-4 passengers, one gold
    member in eight parties); returns the passengers now on board."""
    taken = select(SeatAssignment.seat_id).where(SeatAssignment.flight_id == flight.id)
    seats = list(
        session.scalars(
            select(Seat.id).where(
                Seat.aircraft_type_code == flight.aircraft.type_code,
                Seat.cabin == Cabin.ECONOMY,
                Seat.id.not_in(taken),
            )
        )
    )
    n = parties = 0
    while seats:
        parties += 1
        size = min(len(seats), rng.choice((1, 1, 2, 2, 3, 4)))
        tier = Tier.GOLD if rng.random() < 0.125 else Tier.REGULAR
        people = [
            Passenger(first_name="Filler", last_name=f"Bench{n + i}", tier=tier, phone="-",
                      email=f"bench-filler-{flight.id}-{n + i}@example.com")
            for i in range(size)
        ]  # fmt: skip
        session.add_all(people)
        session.flush()
        booking = Booking(
            reference=f"zz{parties:04d}",  # lower case: the world's references are upper case
            created_at=now - timedelta(days=rng.randint(1, 60)),
            booked_by_passenger_id=people[0].id,
        )
        session.add(booking)
        session.flush()
        for person in people:
            ticket = Ticket(
                ticket_no=f"999{flight.id:06d}{n:04d}", booking_id=booking.id,
                passenger_id=person.id, fare=Fare.CLASSIC, cabin=Cabin.ECONOMY,
                status=TicketStatus.ACTIVE, issued_at=booking.created_at,
            )  # fmt: skip
            session.add(ticket)
            session.flush()
            leg = TicketLeg(
                ticket_id=ticket.id, flight_id=flight.id, sequence=1, fare=Fare.CLASSIC,
                cabin=Cabin.ECONOMY, price_paid=Decimal("100.00"), status=LegStatus.ACTIVE,
                booked_at=booking.created_at,
            )  # fmt: skip
            session.add(leg)
            session.flush()
            session.add(
                SeatAssignment(flight_id=flight.id, seat_id=seats.pop(), ticket_leg_id=leg.id)
            )
            n += 1
    session.flush()
    return (
        session.scalar(
            select(func.count())
            .select_from(TicketLeg)
            .where(TicketLeg.flight_id == flight.id, TicketLeg.status == LegStatus.ACTIVE)
        )
        or 0
    )


def _storm_flights(session: Session, now: datetime) -> list[Flight]:
    """Every departure from the hub in tomorrow's busiest three hours (by passengers booked,
    windows starting on the hour, local time)."""
    zone = ZoneInfo("Europe/Zurich")
    day = (now.astimezone(zone) + timedelta(days=1)).date()
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    departures = session.execute(
        select(Flight.scheduled_departure, func.count(TicketLeg.id))
        .outerjoin(
            TicketLeg, (TicketLeg.flight_id == Flight.id) & (TicketLeg.status == LegStatus.ACTIVE)
        )
        .where(
            Flight.origin == STORM_HUB,
            Flight.status.in_((FlightStatus.SCHEDULED, FlightStatus.DELAYED)),
            Flight.scheduled_departure >= start,
            Flight.scheduled_departure < start + timedelta(days=1),
        )
        .group_by(Flight.id, Flight.scheduled_departure)
    ).all()
    window = timedelta(hours=STORM_HOURS)

    def booked(hour: int) -> int:
        begin = start + timedelta(hours=hour)
        return sum(n for departs, n in departures if begin <= departs < begin + window)

    begin = start + timedelta(hours=max(range(24 - STORM_HOURS + 1), key=booked))
    return list(
        session.scalars(
            select(Flight).where(
                Flight.origin == STORM_HUB,
                Flight.status.in_((FlightStatus.SCHEDULED, FlightStatus.DELAYED)),
                Flight.scheduled_departure >= begin,
                Flight.scheduled_departure < begin + window,
            )
        )
    )


def _timed_plan(
    session: Session, ctx: ServiceContext, ids: list[int], strategy: Strategy
) -> tuple[float, Plan]:
    session.expire_all()
    session.expunge_all()
    started = time.perf_counter()
    plan = plan_flights(session, ctx, flight_ids=ids, strategy=strategy)
    return time.perf_counter() - started, plan


def _gold_mean_delay(plan: Plan) -> float:
    delays = [
        r.arrival_delay_minutes or 0
        for r in plan.rows
        if r.option is not None
        for p in r.passengers
        if p.tier == Tier.GOLD
    ]
    return sum(delays) / len(delays) if delays else 0.0


def _compare(results: dict[str, Any], label: str, planner: Plan, greedy: Plan) -> None:
    """The planner beside the greedy baseline; where both measure the same thing the greedy
    figure is the floor, so the ratio says how the planner does against it."""
    p, g = planner.summary, greedy.summary
    for name, s in (("planner", p), ("greedy", g)):
        figure(results, f"{label}: passengers re-accommodated, {name}", s.re_accommodated, "pax")
        figure(results, f"{label}: passengers unplaced, {name}", s.unplaced, "pax")
    figure(results, f"{label}: total arrival delay, greedy", g.total_arrival_delay_minutes, "min")
    figure(results, f"{label}: total arrival delay, planner", p.total_arrival_delay_minutes, "min",
           floor=g.total_arrival_delay_minutes)  # fmt: skip
    figure(results, f"{label}: gold mean arrival delay, greedy", _gold_mean_delay(greedy), "min")
    figure(results, f"{label}: gold mean arrival delay, planner", _gold_mean_delay(planner),
           "min", floor=_gold_mean_delay(greedy))  # fmt: skip


def _full_flight(
    results: dict[str, Any], session: Session, ctx: ServiceContext, quick: bool
) -> None:
    now = ctx.clock.now()
    flight = _fullest_flight(session, now)
    on_board = _fill_economy(session, flight, now, random.Random(15))
    _cancel(session, [flight], now)
    ids = [flight.id]
    results["notes"].append(
        f"disruption: {flight.flight_no} {flight.origin}-{flight.destination} "
        f"({flight.aircraft.type_code}) filled to {on_board} passengers and cancelled"
    )
    runs = 1 if quick else RUNS
    seconds, plan = [], None
    for _ in range(runs):
        took, plan = _timed_plan(session, ctx, ids, Strategy.PLANNER)
        seconds.append(took)
    assert plan is not None
    figure(results, f"plan one cancelled full flight ({on_board} pax, median of {runs})",
           statistics.median(seconds), "s", target=FLIGHT_TARGET_S)  # fmt: skip
    _, greedy = _timed_plan(session, ctx, ids, Strategy.GREEDY)
    _compare(results, "full flight", plan, greedy)


def _storm(results: dict[str, Any], session: Session, ctx: ServiceContext) -> None:
    now = ctx.clock.now()
    flights = _storm_flights(session, now)
    _cancel(session, flights, now)
    ids = [f.id for f in flights]
    first = min(f.scheduled_departure for f in flights).astimezone(ZoneInfo("Europe/Zurich"))
    took, plan = _timed_plan(session, ctx, ids, Strategy.PLANNER)
    passengers = sum(r.size for r in plan.rows)
    results["notes"].append(
        f"disruption: storm = {len(ids)} departures from {STORM_HUB} in {STORM_HOURS} hours "
        f"from {first:%Y-%m-%d %H:%M} local "
        f"cancelled, {passengers:,} passengers in {len(plan.rows):,} parties"
    )
    figure(results, f"plan the storm ({passengers:,} pax, {len(ids)} flights)", took, "s",
           target=STORM_TARGET_S)  # fmt: skip
    greedy_took, greedy = _timed_plan(session, ctx, ids, Strategy.GREEDY)
    figure(results, "greedy plan of the storm", greedy_took, "s")
    _compare(results, "storm", plan, greedy)


def run(results: dict[str, Any], *, quick: bool = False) -> None:
    from bench.seed_bench import LARGE_DB_NAME, ensure_large_world
    from world import world_anchor

    if not pg_available():
        results["notes"].append("disruption: skipped (no PostgreSQL)")
        return
    url = pg_database_url(LARGE_DB_NAME)
    ensure_large_world(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            anchor = world_anchor(session)
            assert anchor is not None, "the large world was not seeded"
            ctx = ServiceContext(Actor("bench", Role.AGENT), clock=FixedClock(anchor))
            try:
                _full_flight(results, session, ctx, quick)
            finally:
                session.rollback()
            if quick:
                results["notes"].append("disruption: storm skipped (quick mode)")
                return
            try:
                _storm(results, session, ctx)
            finally:
                session.rollback()
    finally:
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(
        run_alone(run, doc=__doc__, quick_help="one plan of the full flight, no storm")
    )
