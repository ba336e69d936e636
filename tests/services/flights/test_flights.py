"""Flight search as people read it (issue #13, item 6): direct flights and connections in one
list by departure time, and an arrival on a later local day marked as such."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.flights import flights
from tests import factories as f
from tests.conftest import context_for

DAY, HOUR = timedelta(days=1), timedelta(hours=1)


@pytest.fixture
def world(session, clock):
    f.reference_data(session)
    start = clock.now() + 10 * DAY  # 08:00 UTC: 09:00 in Zurich
    made = {
        "zrh_fra": f.flight(session, "ZRH", "FRA", start),
        # 12:00 in Frankfurt, 12 hours: 07:00 the next day in Singapore.
        "fra_sin": f.flight(session, "FRA", "SIN", start + 3 * HOUR, hours=12),
        "direct_late": f.flight(session, "ZRH", "SIN", start + 5 * HOUR, hours=12),
        "direct_early": f.flight(session, "ZRH", "SIN", start - 2 * HOUR, hours=12),
        "passenger": f.passenger(session),
    }
    session.commit()
    return made


def search(session, clock, world):
    ctx = context_for(world["passenger"].id, clock)
    day = (clock.now() + 10 * DAY).date()
    return flights.search_flights(session, ctx, origin="ZRH", destination="SIN", day=day)


def test_direct_flights_and_connections_in_order_of_departure(session, clock, world) -> None:
    found = search(session, clock, world)
    numbers = [[leg.flight_no for leg in it.legs] for it in found]
    assert numbers == [
        [world["direct_early"].flight_no],
        [world["zrh_fra"].flight_no, world["fra_sin"].flight_no],
        [world["direct_late"].flight_no],
    ]
    departures = [it.legs[0].departure_local for it in found]
    assert departures == sorted(departures)


def test_an_overnight_arrival_is_marked_plus_one(session, clock, world) -> None:
    connection = search(session, clock, world)[1]
    first, last = connection.legs
    assert (first.departure_local.hour, last.arrival_local.hour) == (9, 7)
    assert last.arrival_day_offset == 1 and first.arrival_day_offset == 0
    assert connection.arrival_day_offset == 1
    # The tool result the assistant reads carries it too.
    assert connection.model_dump()["arrival_day_offset"] == 1
    assert connection.model_dump()["legs"][1]["arrival_day_offset"] == 1


def test_day_mark_and_offset() -> None:
    dep = datetime.fromisoformat("2026-12-31T23:30:00+08:00")
    arr = datetime.fromisoformat("2027-01-01T05:50:00+01:00")
    assert flights.day_offset(dep, arr) == 1
    assert flights.day_mark(1) == " (+1)" and flights.day_mark(0) == ""
    assert flights.day_mark(-1) == " (-1)"
