"""Hot read paths on the `large` world in PostgreSQL: flight search and the passenger snapshot."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from bench.common import figure, pg_available, time_calls
from db.engine import make_engine, make_session_factory
from db.models import Flight, Passenger, Role, Ticket
from services.core.clock import FixedClock, demo_date
from services.core.context import Actor, ServiceContext
from services.flights import flights
from services.support import snapshot

ROUTES = [
    ("ZRH", "LHR"),
    ("GVA", "CDG"),
    ("ZRH", "JFK"),
    ("ZRH", "SIN"),
    ("BSL", "AMS"),
    ("ZRH", "BCN"),
]


def run(results: dict[str, Any], *, quick: bool = False) -> None:
    from bench.common import pg_database_url
    from bench.seed_bench import LARGE_DB_NAME, ensure_large_world
    from world import world_anchor

    if quick or not pg_available():
        results["notes"].append("queries: skipped (quick mode or no PostgreSQL)")
        return
    url = pg_database_url(LARGE_DB_NAME)
    ensure_large_world(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    rng = random.Random(7)
    with factory() as session:
        anchor = world_anchor(session)
        if anchor is None:
            raise SystemExit("The large world was not seeded.")
        clock = FixedClock(anchor)
        flights_n = session.scalar(select(func.count()).select_from(Flight))
        tickets_n = session.scalar(select(func.count()).select_from(Ticket))
        max_passenger = session.scalars(select(func.max(Passenger.id))).one()
        results["notes"].append(
            f"queries: large world with {flights_n:,} flights and {tickets_n:,} tickets"
        )
        ctx = ServiceContext(actor=Actor("bench", Role.AGENT), clock=clock)
        today = demo_date(clock)

        def search(i: int) -> None:
            origin, destination = ROUTES[i % len(ROUTES)]
            day = today + timedelta(days=1 + rng.randrange(30))
            flights.search_flights(session, ctx, origin=origin, destination=destination, day=day)
            session.rollback()

        def snap(_i: int) -> None:
            passenger = session.get_one(Passenger, 1 + rng.randrange(max_passenger))
            snapshot.build_snapshot(session, passenger)
            session.expunge_all()
            session.rollback()

        searched = time_calls(search, 60)
        snapped = time_calls(snap, 200)
    engine.dispose()
    figure(results, "flight search p50 (large, PostgreSQL)", searched.p50_ms, "ms")
    figure(results, "flight search p95 (large, PostgreSQL)", searched.p95_ms, "ms", target=300)
    figure(results, "passenger snapshot p50 (large, PostgreSQL)", snapped.p50_ms, "ms")
    figure(results, "passenger snapshot p95 (large, PostgreSQL)", snapped.p95_ms, "ms", target=100)
