"""Builds the personas' situations into the world (README, "The demo world").

Persona flights are ordinary flights of the timetable, shared with background passengers. Only
chloe (now + 2 h) and grace (now + 5 h) need a departure at a time relative to the clock; when the
timetable has none, an extra flight with the route's spare flight number is added. Near midnight
those two depart on D+1, which the brief allows.

Persona passengers, bookings and tickets are written before anyone else's, so they get the first
ids, and therefore the same ticket numbers and booking references in every world."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from world.ledger import write_booking, write_ticket
from world.network import Route
from world.people import write_payment_method
from world.personas import PERSONAS
from world.schedule import FlightPlan, Schedule, set_cancelled, set_delayed
from world.sink import RowSink
from world.travel import TravelBook

# Routes whose flights the personas fly or may be moved to: no random disruption, and
# background passengers leave seats free on them (schedule.PROTECTED_FILL).
PERSONA_ROUTES: set[str] = {
    f"{a}-{b}"
    for pair in (("ZRH", "LHR"), ("GVA", "CDG"), ("ZRH", "JFK"), ("ZRH", "FRA"), ("FRA", "SIN"),
                 ("BSL", "AMS"), ("ZRH", "BCN"), ("GVA", "LHR"))
    for a, b in (pair, pair[::-1])
}  # fmt: skip
LAYOVER_MIN, LAYOVER_MAX = timedelta(minutes=60), timedelta(minutes=180)
GRACE_DELAY = timedelta(hours=4)


class PersonaWorldError(RuntimeError):
    """The timetable cannot carry a persona's situation (a bug in network.py, not bad input)."""


@dataclass
class PersonaFlights:
    anna: FlightPlan
    ben_out: FlightPlan
    ben_back: FlightPlan
    chloe: FlightPlan
    diego: list[FlightPlan]
    emma: FlightPlan
    farid: FlightPlan
    grace: FlightPlan


def _at_or_extra(schedule: Schedule, route: Route, dep: datetime, rng: random.Random) -> FlightPlan:
    for flight in schedule.departing_between(route.key, dep, dep + timedelta(seconds=1)):
        return flight
    return schedule.add_extra(route, dep, rng)


def _pick(flights: list[FlightPlan], what: str, index: int = 0) -> FlightPlan:
    if len(flights) <= index:
        raise PersonaWorldError(f"timetable has no flight for {what}")
    return flights[index]


def _connection(schedule: Schedule, day: date) -> list[FlightPlan]:
    for second in schedule.on_day("FRA-SIN", day):
        for first in schedule.on_day("ZRH-FRA", day):
            if LAYOVER_MIN <= second.dep - first.arr <= LAYOVER_MAX:
                return [first, second]
    raise PersonaWorldError(f"no ZRH-FRA-SIN connection with a 1-3 h layover on {day}")


def plan_flights(
    schedule: Schedule, routes: dict[str, Route], now: datetime, d: date, rng: random.Random
) -> PersonaFlights:
    """Choose (or add) the personas' flights. `now` is naive UTC, `d` the demo date D."""
    anna_day = schedule.on_day("ZRH-LHR", d + timedelta(days=3))
    # Anna's is a morning flight with later ones the same day to move to.
    morning = [f for f in anna_day[:-2] if f.local_time.hour < 12]
    farid_day = schedule.on_day("ZRH-BCN", d)
    upcoming = [f for f in farid_day if f.dep > now]
    return PersonaFlights(
        anna=_pick(morning, "anna (ZRH-LHR, D+3 morning)"),
        ben_out=_pick(schedule.on_day("GVA-CDG", d + timedelta(days=6)), "ben out", 1),
        ben_back=_pick(schedule.on_day("CDG-GVA", d + timedelta(days=9)), "ben back", 2),
        chloe=_at_or_extra(schedule, routes["ZRH-JFK"], now + timedelta(hours=2), rng),
        diego=_connection(schedule, d + timedelta(days=10)),
        emma=_pick(schedule.on_day("BSL-AMS", d + timedelta(days=20)), "emma (BSL-AMS, D+20)"),
        # The next departure of the day if there is one, else the day's last (already gone).
        farid=upcoming[0] if upcoming else _pick(farid_day[::-1], "farid (ZRH-BCN, D)"),
        grace=_at_or_extra(schedule, routes["GVA-LHR"], now + timedelta(hours=5), rng),
    )


def apply_statuses(flights: PersonaFlights, now: datetime) -> None:
    """After the schedule's random statuses: the airline cancelled farid's flight and grace's
    flight is announced four hours late, both announced after their tickets were bought (so
    both are owed compensation)."""
    set_cancelled(flights.farid, now)
    set_delayed(flights.grace, GRACE_DELAY, now)


@dataclass
class PersonaIds:
    passengers: dict[str, int]
    cards: dict[str, int]


def write_persona_passengers(sink: RowSink, rng: random.Random, now: datetime) -> PersonaIds:
    ids, cards = {}, {}
    brands = {"diego": "American Express", "grace": "Mastercard", "farid": "Mastercard"}
    for key, spec in PERSONAS.items():
        pid = sink.next_id("passengers")
        sink.add(
            "passengers",
            (pid, spec.first_name, spec.last_name, spec.email, spec.phone, spec.tier.value),
        )
        ids[key] = pid
        cards[key] = write_payment_method(sink, rng, now, pid, brands.get(key, "Visa"))
    return PersonaIds(ids, cards)


def write_trips(
    sink: RowSink, flights: PersonaFlights, people: PersonaIds, travel: TravelBook,
    now: datetime, d: date,
) -> None:  # fmt: skip
    def trip(who: str, fare: str, tickets: list[list[FlightPlan]], ago: timedelta,
             companions: tuple[str, ...] = ()) -> None:  # fmt: skip
        created = now - ago
        booker = people.passengers[who]
        booking = write_booking(sink, created_at=created, booker_id=booker)
        for passenger in (who, *companions):
            for legs in tickets:
                write_ticket(
                    sink, booking_id=booking, passenger_id=people.passengers[passenger],
                    payer_id=booker, payment_method_id=people.cards[who], fare=fare, legs=legs,
                    issued_at=created,
                )  # fmt: skip

    days = timedelta(days=1)
    trip("anna", "Classic", [[flights.anna]], 45 * days)
    trip("ben", "Light", [[flights.ben_out], [flights.ben_back]], 60 * days)
    trip("chloe", "Business", [[flights.chloe]], 40 * days)
    trip("diego", "Flex", [flights.diego], 50 * days, companions=("ines",))
    trip("emma", "Classic", [[flights.emma]], timedelta(hours=2))
    trip("farid", "Classic", [[flights.farid]], 35 * days)
    trip("grace", "Classic", [[flights.grace]], 38 * days)

    booked = now - 50 * days
    diego = people.passengers["diego"]
    checkin, car_end = d + 11 * days, d + 15 * days
    hotel = max(travel.hotels["Singapore"], key=lambda h: (h.stars, -h.id))
    travel.book_hotel(sink, hotel, diego, checkin, 4, 2, booked, background=False)
    car = min(travel.cars["Singapore"], key=lambda c: (c.price_per_day, c.id))
    travel.book_car(sink, car, diego, checkin, car_end, booked, background=False)
