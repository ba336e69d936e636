"""Background passengers' bookings: one-way, return and connecting trips spread over the schedule
by a booking curve (near-term and past flights fuller than distant ones), within every flight's
capacity, plus some hotel, car and excursion bookings at the destination."""

from __future__ import annotations

import bisect
import math
import random
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from world.airports import AIRPORTS_BY_CODE
from world.draw import Weighted
from world.ledger import write_booking, write_ticket
from world.network import is_hub
from world.people import PassengerPool
from world.schedule import FlightPlan, Schedule
from world.seating import has_room
from world.sink import RowSink
from world.travel import TravelBook

FARES = Weighted(("Light", "Classic", "Flex", "Business"), (33, 43, 16, 8))
PARTY_SIZES = Weighted((1, 2, 3, 4), (64, 26, 7, 3))
RETURN_SHARE, CONNECTION_SHARE = 0.32, 0.14
TICKET_CANCEL_RATE = 0.025
HOTEL_RATE, CAR_RATE, EXCURSION_RATE = 0.06, 0.025, 0.035
BATCH = 4096
ZONES: dict[str, ZoneInfo] = {}


def _curve(flight: FlightPlan, now: datetime) -> float:
    """Relative demand by days to departure: the coming days are the fullest; flown flights a
    bit less (nobody looks at their seat maps); distant ones are still selling."""
    days = (flight.dep - now).total_seconds() / 86400
    if days < 0:
        return 0.6
    if days < 2:
        return 1.0
    return max(0.03, math.exp(-(days - 2) / 8))


class Connections:
    """Departures from and arrivals at each hub, sorted, for finding 1-3 h connections."""

    def __init__(self, schedule: Schedule) -> None:
        self.departures: dict[str, list[FlightPlan]] = {}
        self.arrivals: dict[str, list[FlightPlan]] = {}
        for flight in schedule.flights:
            if is_hub(flight.route.origin):
                self.departures.setdefault(flight.route.origin, []).append(flight)
            if is_hub(flight.route.destination):
                self.arrivals.setdefault(flight.route.destination, []).append(flight)
        for flights in self.departures.values():
            flights.sort(key=lambda f: f.dep)
        for flights in self.arrivals.values():
            flights.sort(key=lambda f: f.arr)

    def onward(self, first: FlightPlan, rng: random.Random) -> FlightPlan | None:
        hub = first.route.destination
        flights = self.departures.get(hub, [])
        i = bisect.bisect_left(flights, first.arr + timedelta(minutes=60), key=lambda f: f.dep)
        j = bisect.bisect_left(flights, first.arr + timedelta(minutes=180), key=lambda f: f.dep)
        options = [f for f in flights[i:j] if not is_hub(f.route.destination)
                   and f.route.destination != first.route.origin]  # fmt: skip
        return rng.choice(options) if options else None

    def feeder(self, second: FlightPlan, rng: random.Random) -> FlightPlan | None:
        hub = second.route.origin
        flights = self.arrivals.get(hub, [])
        i = bisect.bisect_left(flights, second.dep - timedelta(minutes=180), key=lambda f: f.arr)
        j = bisect.bisect_right(flights, second.dep - timedelta(minutes=60), key=lambda f: f.arr)
        options = [f for f in flights[i:j] if not is_hub(f.route.origin)
                   and f.route.origin != second.route.destination]  # fmt: skip
        return rng.choice(options) if options else None


def _itinerary(
    flight: FlightPlan, schedule: Schedule, links: Connections, rng: random.Random
) -> list[list[FlightPlan]]:
    """The tickets' legs of one booking starting from a drawn flight."""
    roll = rng.random()
    if roll < CONNECTION_SHARE:
        origin, destination = flight.route.origin, flight.route.destination
        if is_hub(destination) and not is_hub(origin):
            onward = links.onward(flight, rng)
            if onward is not None:
                return [[flight, onward]]
        elif is_hub(origin) and not is_hub(destination):
            feeder = links.feeder(flight, rng)
            if feeder is not None:
                return [[feeder, flight]]
    elif roll < CONNECTION_SHARE + RETURN_SHARE:
        back_key = f"{flight.route.destination}-{flight.route.origin}"
        target = flight.arr + timedelta(days=rng.randint(2, 10), hours=rng.uniform(-8, 8))
        for back in schedule.departing_between(back_key, target, target + timedelta(days=1))[:1]:
            return [[flight], [back]]
    return [[flight]]


LEAD_CAP_S = 120 * 86400
TEN_MINUTES, THREE_HOURS = timedelta(minutes=10), timedelta(hours=3)


def _issued_at(first: FlightPlan, now: datetime, rng: random.Random) -> datetime:
    """Booked 1-120 days before departure (mean three weeks), never after the demo clock."""
    lead_s = min(LEAD_CAP_S, int(17280 + rng.expovariate(1 / 1_814_400)))
    issued = first.dep - timedelta(seconds=lead_s)
    latest = min(now - TEN_MINUTES, first.dep - THREE_HOURS)
    if issued > latest:
        issued = latest - timedelta(seconds=int(rng.expovariate(1 / 518_400)))
    return issued


def write_bookings(
    sink: RowSink,
    schedule: Schedule,
    pool: PassengerPool,
    travel: TravelBook,
    now: datetime,
    rng: random.Random,
    target_tickets: int,
) -> int:
    """Write bookings until `target_tickets` tickets exist (or demand finds no more room)."""
    flights = schedule.flights
    # A per-flight popularity (Friday evening vs. Tuesday noon) makes some seat maps nearly
    # full and others light, as in a real schedule; capacities cap the full ones.
    cum_flights = list(
        accumulate(
            (f.capacity("economy") + f.capacity("business")) * f.route.appeal * _curve(f, now)
            * rng.lognormvariate(0, 0.8)
            for f in flights
        )
    )  # fmt: skip
    cum_people = list(accumulate(pool.weights))
    links = Connections(schedule)
    written, misses = 0, 0
    while written < target_tickets and misses < target_tickets:
        drawn = rng.choices(flights, cum_weights=cum_flights, k=BATCH)
        people = rng.choices(pool.ids, cum_weights=cum_people, k=BATCH * 4)
        sink.maybe_flush()
        for n, flight in enumerate(drawn):
            if written >= target_tickets:
                break
            tickets = _itinerary(flight, schedule, links, rng)
            fare = FARES.pick(rng)
            cabin = "business" if fare == "Business" else "economy"
            size = PARTY_SIZES.pick(rng)
            party = list(dict.fromkeys(people[n * 4 : n * 4 + size]))
            legs = [leg for legs in tickets for leg in legs]
            while party and not all(has_room(f, cabin, len(party), background=True) for f in legs):
                party.pop()
            if not party:
                misses += 1
                continue
            issued = _issued_at(legs[0], now, rng)
            booker = party[0]
            booking = write_booking(sink, created_at=issued, booker_id=booker)
            for passenger in party:
                for ticket_legs in tickets:
                    cancelled_at = None
                    if rng.random() < TICKET_CANCEL_RATE:
                        span = max(60, int((min(now, ticket_legs[0].dep) - issued).total_seconds()))
                        cancelled_at = issued + timedelta(seconds=rng.randrange(30, span))
                    write_ticket(
                        sink, booking_id=booking, passenger_id=passenger, payer_id=booker,
                        payment_method_id=pool.card_of[booker], fare=fare, legs=ticket_legs,
                        issued_at=issued, cancelled_at=cancelled_at,
                    )  # fmt: skip
                    written += 1
            _extras(sink, travel, tickets, booker, len(party), issued, rng)
    return written


def _extras(
    sink: RowSink, travel: TravelBook, tickets: list[list[FlightPlan]], booker: int,
    party: int, created: datetime, rng: random.Random,
) -> None:  # fmt: skip
    """Some travellers also book a stay, a car or an excursion where they land."""
    hotel, car, excursion = (rng.random() < HOTEL_RATE, rng.random() < CAR_RATE,
                             rng.random() < EXCURSION_RATE)  # fmt: skip
    arrival = tickets[0][-1]
    if not (hotel or car or excursion) or is_hub(arrival.route.destination):
        return
    airport = AIRPORTS_BY_CODE[arrival.route.destination]
    zone = ZONES.setdefault(airport.timezone, ZoneInfo(airport.timezone))
    checkin = arrival.arr.replace(tzinfo=UTC).astimezone(zone).date()
    city = airport.city
    stay = (tickets[1][0].local_day - checkin).days if len(tickets) > 1 else rng.randint(1, 6)
    nights = max(1, min(stay, 14))
    status = "cancelled" if rng.random() < 0.05 else "confirmed"
    if hotel:
        travel.book_hotel(sink, rng.choice(travel.hotels[city]), booker, checkin, nights,
                          min(party, 2), created, background=True, status=status)  # fmt: skip
    if car:
        end = checkin + timedelta(days=nights)
        travel.book_car(sink, rng.choice(travel.cars[city]), booker, checkin, end, created,
                        background=True, status=status)  # fmt: skip
    if excursion:
        day = checkin + timedelta(days=rng.randint(0, nights))
        travel.book_excursion(sink, rng.choice(travel.excursions[city]), booker, day, party,
                              created, background=True, status=status)  # fmt: skip
