"""What every new itinerary must be, whether bought (flight_bookings) or changed to (tickets):
bookable, not yet departed, connecting, with a free seat in the cabin; and how a flight or a
route is named in summaries and refusals."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from db.models import Cabin, Flight
from services.core.errors import PolicyViolation, Rule
from services.flights.flights import BOOKABLE, effective_departure, free_seats
from services.flights.policy import MAX_CONNECTION, MIN_CONNECTION


def describe(flight: Flight) -> str:
    """ "AL 102 ZRH-LHR 2026-11-30 07:10": the number, route and local departure."""
    local = flight.scheduled_departure.astimezone(ZoneInfo(flight.origin_airport.timezone))
    return f"{flight.flight_no} {flight.origin}-{flight.destination} {local:%Y-%m-%d %H:%M}"


def route_of(flights: Sequence[Flight]) -> str:
    return "-".join([flights[0].origin, *[f.destination for f in flights]])


def check_bookable(flights: Sequence[Flight], now: datetime) -> None:
    """Refuse a cancelled or departed flight, and legs that do not connect (same airport,
    a layover between the minimum and maximum connection time)."""
    for flight in flights:
        if flight.status not in BOOKABLE:
            raise PolicyViolation(
                Rule.FLIGHT_NOT_BOOKABLE,
                f"{describe(flight)} is {flight.status.value} and cannot be booked.",
            )
        if effective_departure(flight) <= now:
            raise PolicyViolation(Rule.FLIGHT_IN_PAST, f"{describe(flight)} has already departed.")
    for first, second in itertools.pairwise(flights):
        layover = second.scheduled_departure - first.scheduled_arrival
        if first.destination != second.origin or not MIN_CONNECTION <= layover <= MAX_CONNECTION:
            raise PolicyViolation(
                Rule.ITINERARY_INVALID,
                f"{second.flight_no} does not connect with {first.flight_no}.",
            )


def check_seats_left(session: Session, flights: Sequence[Flight], cabin: Cabin) -> None:
    """Refuse when any flight has no free seat left in the cabin (the flights are locked by the
    caller, so the count holds until the seat is assigned)."""
    seats_left = free_seats(session, list(flights), cabin)
    for flight in flights:
        if seats_left[flight.id] < 1:
            raise PolicyViolation(
                Rule.NO_SEAT, f"No free {cabin.value} seat is left on {describe(flight)}."
            )
