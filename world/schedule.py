"""Dated flights from the timetable, their prices, and their status as seen from the demo clock.

Datetimes in generation are naive UTC (what the UTCDateTime column stores), compared with a naive
UTC `now`; this keeps millions of comparisons and row conversions cheap."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from services.payments.pricing import base_price_for_distance
from world.airports import AIRPORTS_BY_CODE
from world.fleet import TYPES_BY_CODE, SeatMap, registrations
from world.network import Route, flight_number

WEEKDAY_DEMAND = (1.10, 0.92, 0.92, 1.00, 1.15, 0.90, 1.12)  # Monday .. Sunday
CANCEL_RATE = 0.004
DELAY_RATE = 0.03
PROTECTED_FILL = 0.7  # background passengers leave 30% of a protected flight's seats free
# A disruption is announced this long before the scheduled departure (or at the demo clock, if
# that is later): never in the future, so a ticket bought after seeding counts as bought after it.
ANNOUNCED_BEFORE_DEPARTURE = timedelta(hours=6)


@dataclass(slots=True)
class FlightPlan:
    id: int
    flight_no: str
    route: Route
    registration: str
    local_day: date  # departure date and time at the origin airport
    local_time: time
    dep: datetime
    arr: datetime
    base_price: Decimal
    seat_map: SeatMap
    protected: bool
    status: str = "scheduled"
    est_dep: datetime | None = None
    est_arr: datetime | None = None
    act_dep: datetime | None = None
    act_arr: datetime | None = None
    disrupted_at: datetime | None = None
    used: dict[str, int] = field(default_factory=lambda: {"business": 0, "economy": 0})
    prices: dict[str, Decimal] = field(default_factory=dict)  # leg price by fare

    def capacity(self, cabin: str) -> int:
        return len(self.seat_map.business if cabin == "business" else self.seat_map.economy)

    def background_limit(self, cabin: str) -> int:
        cap = self.capacity(cabin)
        return int(cap * PROTECTED_FILL) if self.protected else cap

    def row(self) -> tuple[object, ...]:
        r = self.route
        return (
            self.id, self.flight_no, r.origin, r.destination, self.registration, self.dep,
            self.arr, self.est_dep, self.est_arr, self.act_dep, self.act_arr, self.status,
            self.disrupted_at, self.base_price,
        )  # fmt: skip


class Schedule:
    """All dated flights, indexed by route and by departure/arrival airport for look-ups."""

    def __init__(self, seat_maps: dict[str, SeatMap], protected_routes: set[str]) -> None:
        self.flights: list[FlightPlan] = []
        self.by_route: dict[str, list[FlightPlan]] = {}
        self.seat_maps = seat_maps
        self.protected_routes = protected_routes
        self._regs = {code: registrations(code) for code in TYPES_BY_CODE}

    def add(
        self, route: Route, slot: int, number: int, dep_local: datetime, rng: random.Random
    ) -> FlightPlan:
        dep = dep_local.astimezone(UTC).replace(tzinfo=None)
        regs = self._regs[route.type_code]
        flight = FlightPlan(
            id=len(self.flights) + 1,
            flight_no=flight_number(number),
            route=route,
            registration=regs[(number * 7 + slot) % len(regs)],
            local_day=dep_local.date(),
            local_time=dep_local.time(),
            dep=dep,
            arr=dep + route.duration,
            base_price=_price(route, dep_local, rng),
            seat_map=self.seat_maps[route.type_code],
            protected=route.key in self.protected_routes,
        )
        self.flights.append(flight)
        self.by_route.setdefault(route.key, []).append(flight)
        return flight

    def add_extra(self, route: Route, dep: datetime, rng: random.Random) -> FlightPlan:
        """A flight outside the timetable (a persona's 'in two hours' flight), kept in order.
        `dep` is naive UTC."""
        tz = ZoneInfo(AIRPORTS_BY_CODE[route.origin].timezone)
        dep_local = dep.replace(tzinfo=UTC).astimezone(tz)
        flight = self.add(route, len(route.slots), route.spare_number, dep_local, rng)
        self.by_route[route.key].sort(key=lambda f: f.dep)
        return flight

    def on_day(self, route_key: str, day: date) -> list[FlightPlan]:
        return [f for f in self.by_route.get(route_key, []) if f.local_day == day]

    def departing_between(self, route_key: str, start: datetime, end: datetime) -> list[FlightPlan]:
        flights = self.by_route.get(route_key, [])
        i = bisect.bisect_left(flights, start, key=lambda f: f.dep)
        j = bisect.bisect_left(flights, end, key=lambda f: f.dep)
        return flights[i:j]


def _price(route: Route, dep_local: datetime, rng: random.Random) -> Decimal:
    hour = dep_local.hour
    if hour < 9:
        by_hour = 1.12
    elif hour < 12:
        by_hour = 1.0
    elif hour < 16:
        by_hour = 0.93
    elif hour < 19:
        by_hour = 1.10
    else:
        by_hour = 0.95
    demand = WEEKDAY_DEMAND[dep_local.weekday()] * by_hour * rng.uniform(0.94, 1.06)
    return base_price_for_distance(route.distance_km, demand=demand)


def build_schedule(
    routes: list[Route],
    first_day: date,
    last_day: date,
    rng: random.Random,
    seat_maps: dict[str, SeatMap],
    protected_routes: set[str],
) -> Schedule:
    """Every slot of every route on every local day in [first_day, last_day]."""
    schedule = Schedule(seat_maps, protected_routes)
    zones = {code: ZoneInfo(a.timezone) for code, a in AIRPORTS_BY_CODE.items()}
    day = first_day
    while day <= last_day:
        for route in routes:
            tz = zones[route.origin]
            for slot, (at, number) in enumerate(zip(route.slots, route.numbers, strict=True)):
                schedule.add(route, slot, number, datetime.combine(day, at, tzinfo=tz), rng)
        day += timedelta(days=1)
    for flights in schedule.by_route.values():
        flights.sort(key=lambda f: f.dep)
    return schedule


def settle(flight: FlightPlan, now: datetime, rng: random.Random) -> None:
    """Status and times as the demo clock sees them: a few random delays and cancellations
    (never on protected routes), small jitter otherwise."""
    roll = rng.random()
    if not flight.protected and roll < CANCEL_RATE:
        set_cancelled(flight, now)
        return
    if not flight.protected and roll < CANCEL_RATE + DELAY_RATE:
        flight.disrupted_at = announced(flight, now)
        delay = timedelta(minutes=min(300, 25 + int(rng.lognormvariate(3.8, 0.6))))
    else:
        delay = timedelta(minutes=rng.randint(-3, 12))
    act_dep = flight.dep + delay
    act_arr = flight.arr + delay + timedelta(minutes=rng.randint(-10, 8))
    if act_arr <= now:
        flight.status, flight.act_dep, flight.act_arr = "arrived", act_dep, act_arr
    elif act_dep <= now:
        flight.status, flight.act_dep, flight.est_arr = "departed", act_dep, act_arr
    elif delay >= timedelta(minutes=15):
        flight.status, flight.est_dep, flight.est_arr = "delayed", act_dep, act_arr


def announced(flight: FlightPlan, now: datetime) -> datetime:
    """When the flight's disruption was announced (see ANNOUNCED_BEFORE_DEPARTURE)."""
    return min(now, flight.dep - ANNOUNCED_BEFORE_DEPARTURE)


def set_cancelled(flight: FlightPlan, now: datetime) -> None:
    flight.status = "cancelled"
    flight.est_dep = flight.est_arr = flight.act_dep = flight.act_arr = None
    flight.disrupted_at = announced(flight, now)


def set_delayed(flight: FlightPlan, delay: timedelta, now: datetime) -> None:
    flight.status = "delayed"
    flight.disrupted_at = announced(flight, now)
    flight.est_dep, flight.est_arr = flight.dep + delay, flight.arr + delay
    flight.act_dep = flight.act_arr = None
