"""Replacement itineraries and the seats left on them, for a whole plan at once: the candidate
flights in one query, their free seats per cabin in two, and every route's itineraries built
once in memory, however many passengers travel it.

The rules mirror what a flight change accepts (services.flights.itinerary.check_bookable): a
bookable flight not yet departed, connections of 40 minutes to 6 hours by the timetable. They
are not imported from there because services.flights imports this package."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from db.models import Aircraft, Cabin, Flight, FlightStatus, Seat, SeatAssignment
from services.disruptions.plan_types import Itinerary

BOOKABLE = (FlightStatus.SCHEDULED, FlightStatus.DELAYED)  # = services.flights.flights.BOOKABLE
# The free rebooking window after an airline cancellation (services.flights.policy
# AIRLINE_CANCELLATION_REBOOKING_WINDOW): replacements leave within 7 days of the original.
REBOOKING_WINDOW = timedelta(days=7)
BOOKING_MIN_CONNECTION = timedelta(minutes=40)  # = services.flights.policy.MIN_CONNECTION
MAX_LAYOVER = timedelta(hours=6)  # as flight search offers connections


@dataclass(frozen=True)
class Hop:
    """A candidate flight with the times it flies at now (a delayed flight's estimates)."""

    id: int
    flight_no: str
    origin: str
    destination: str
    departs: datetime
    arrives: datetime
    scheduled_departure: datetime
    scheduled_arrival: datetime
    aircraft_type: str


Chain = tuple[Hop, ...]


def load_hops(
    session: Session,
    *,
    origins: Collection[str],
    destinations: Collection[str],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Hop]:
    """Bookable flights leaving an origin or reaching a destination between `start` and
    `end` (+ a layover, for second legs) that have not left yet; cancelled ones are not
    bookable, so the disrupted flights drop out by themselves."""
    rows = session.execute(
        select(Flight, Aircraft.type_code)
        .join(Aircraft, Aircraft.registration == Flight.aircraft_registration)
        .where(
            Flight.status.in_(BOOKABLE),
            Flight.scheduled_departure >= start - timedelta(hours=12),
            Flight.scheduled_departure < end + MAX_LAYOVER + timedelta(days=1),
            or_(Flight.origin.in_(list(origins)), Flight.destination.in_(list(destinations))),
        )
        .order_by(Flight.scheduled_departure, Flight.id)
    ).all()
    hops = []
    for flight, type_code in rows:
        departs = flight.estimated_departure or flight.scheduled_departure
        if flight.actual_departure is not None or departs <= now:
            continue
        arrives = flight.estimated_arrival or flight.scheduled_arrival
        hops.append(
            Hop(flight.id, flight.flight_no, flight.origin, flight.destination, departs, arrives,
                flight.scheduled_departure, flight.scheduled_arrival, type_code)
        )  # fmt: skip
    return hops


def connects(first: Hop, second: Hop, min_connection: timedelta) -> bool:
    scheduled = second.scheduled_departure - first.scheduled_arrival
    return (
        second.departs - first.arrives >= min_connection
        and BOOKING_MIN_CONNECTION <= scheduled <= MAX_LAYOVER
    )


class RouteIndex:
    """Candidate itineraries per route, built once per route from the loaded flights."""

    def __init__(self, hops: Iterable[Hop], min_connection: timedelta) -> None:
        self.min_connection = min_connection
        self.by_origin: dict[str, list[Hop]] = {}
        for hop in hops:
            self.by_origin.setdefault(hop.origin, []).append(hop)
        self._chains: dict[tuple[str, str], list[Chain]] = {}

    def chains(self, origin: str, destination: str) -> list[Chain]:
        """Direct flights and one-stop connections from origin to destination, any time."""
        key = (origin, destination)
        if key not in self._chains:
            found: list[Chain] = []
            for first in self.by_origin.get(origin, []):
                if first.destination == destination:
                    found.append((first,))
                    continue
                for second in self.by_origin.get(first.destination, []):
                    if second.destination == destination and connects(
                        first, second, self.min_connection
                    ):
                        found.append((first, second))
            self._chains[key] = found
        return self._chains[key]


class SeatInventory:
    """Free seats per flight and cabin, as booked when the plan started; every assignment the
    plan makes consumes them, so two parties never get the same last seat."""

    def __init__(self, free: dict[tuple[int, Cabin], int]) -> None:
        self.free = free

    def left(self, flight_id: int, cabin: Cabin) -> int:
        return self.free.get((flight_id, cabin), 0)

    def fits(self, chain: Chain, needs: dict[int, Counter[Cabin]]) -> bool:
        return all(
            self.left(hop.id, cabin) >= count
            for hop in chain
            for cabin, count in needs[hop.id].items()
        )

    def take(self, chain: Chain, needs: dict[int, Counter[Cabin]]) -> None:
        for hop in chain:
            for cabin, count in needs[hop.id].items():
                self.free[(hop.id, cabin)] = self.left(hop.id, cabin) - count

    def release(self, flight_id: int, cabin: Cabin) -> None:
        self.free[(flight_id, cabin)] = self.left(flight_id, cabin) + 1


def load_inventory(session: Session, hops: Collection[Hop]) -> SeatInventory:
    """The seat map's capacity per aircraft type and cabin minus the seats taken, per flight."""
    capacity = {
        (type_code, cabin): n
        for type_code, cabin, n in session.execute(
            select(Seat.aircraft_type_code, Seat.cabin, func.count()).group_by(
                Seat.aircraft_type_code, Seat.cabin
            )
        )
    }
    ids = [hop.id for hop in hops]
    taken: dict[tuple[int, Cabin], int] = {}
    if ids:
        taken = {
            (flight_id, cabin): n
            for flight_id, cabin, n in session.execute(
                select(SeatAssignment.flight_id, Seat.cabin, func.count())
                .join(Seat, Seat.id == SeatAssignment.seat_id)
                .where(SeatAssignment.flight_id.in_(ids))
                .group_by(SeatAssignment.flight_id, Seat.cabin)
            )
        }
    free = {
        (hop.id, cabin): capacity.get((hop.aircraft_type, cabin), 0) - taken.get((hop.id, cabin), 0)
        for hop in hops
        for cabin in Cabin
    }
    return SeatInventory(free)


def itinerary(chain: Chain, seats_left: int) -> Itinerary:
    return Itinerary(
        flight_ids=tuple(hop.id for hop in chain),
        flight_nos=tuple(hop.flight_no for hop in chain),
        departs=chain[0].departs,
        arrives=chain[-1].arrives,
        via=tuple(hop.destination for hop in chain[:-1]),
        seats_left=seats_left,
    )


def by_arrival(chain: Chain) -> tuple[datetime, int, datetime]:
    """Earliest arrival; a direct flight before a connection arriving at the same time."""
    return chain[-1].arrives, len(chain), chain[0].departs


def by_departure(chain: Chain) -> tuple[datetime, int, datetime]:
    return chain[0].departs, len(chain), chain[-1].arrives
