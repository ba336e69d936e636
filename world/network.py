"""Alpine Air's route network and timetable: which routes, how often, at what local times, on
which aircraft type and under which flight numbers.

The timetable is the airline's, not the seed's: it is the same for every seed and size, so flight
numbers are stable per route and time slot and the personas' connections always exist."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import time, timedelta

from world.airports import HUBS, distance_km

CRUISE_KMH = 800.0
GROUND_MINUTES = 30  # taxi, climb and approach on top of the cruise time
FIRST_DEPARTURE_MIN = 6 * 60 + 30  # short-haul waves run from 06:30 ...
WAVE_MINUTES = 15 * 60  # ... over fifteen hours
NUMBER_BLOCK = 12  # flight numbers reserved per route pair: 6 slots x 2 directions


@dataclass(frozen=True)
class Service:
    """A route pair flown both ways. Slots are local departure times; None means 'derive'."""

    hub: str
    other: str
    frequency: int
    number_base: int
    out_slots: tuple[str, ...] | None = None
    back_slots: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Route:
    origin: str
    destination: str
    type_code: str
    slots: tuple[time, ...]
    numbers: tuple[int, ...]  # one per slot
    spare_number: int  # unused by the timetable: for an extra flight on this route
    distance_km: float
    duration: timedelta
    appeal: float  # relative demand per seat, for background bookings

    @property
    def key(self) -> str:
        return f"{self.origin}-{self.destination}"


LONG_HAUL = [
    # Explicit slots: long haul departs the hub around midday and returns overnight.
    Service("ZRH", "JFK", 1, 14, ("13:05",), ("18:40",)),
    Service("ZRH", "BOS", 1, 52, ("13:40",), ("17:55",)),
    Service("ZRH", "ORD", 1, 56, ("12:45",), ("16:50",)),
    Service("ZRH", "DXB", 1, 60, ("10:35",), ("03:10",)),
    Service("ZRH", "SIN", 1, 64, ("22:40",), ("23:55",)),
    Service("GVA", "JFK", 1, 70, ("11:50",), ("22:10",)),
    Service("GVA", "DXB", 1, 74, ("15:20",), ("09:30",)),
    # Fifth-freedom service Frankfurt-Singapore; feeds the ZRH-FRA-SIN connection.
    Service("FRA", "SIN", 1, 90, ("13:15",), ("23:30",)),
]

# Routes the personas fly get explicit slots so their stories (anna's morning flight with later
# ones the same day, diego's 1-3 h connection in Frankfurt) hold for every seed.
EUROPE_ZRH: list[tuple[str, int, tuple[str, ...] | None, tuple[str, ...] | None]] = [
    ("LHR", 5, ("07:10", "09:40", "12:25", "15:50", "19:15"), ("08:20", "11:05", "14:10", "17:35", "20:45")),
    ("FRA", 4, ("06:45", "09:50", "13:40", "18:05"), ("08:15", "11:30", "15:20", "19:45")),
    ("BCN", 4, ("07:25", "11:05", "15:35", "19:40"), ("09:50", "13:35", "18:05", "21:55")),
    ("CDG", 4, None, None), ("AMS", 4, None, None), ("MUC", 3, None, None),
    ("VIE", 3, None, None), ("FCO", 3, None, None), ("BRU", 3, None, None),
    ("HAM", 3, None, None), ("BER", 3, None, None), ("GVA", 3, None, None),
    ("MAD", 2, None, None), ("LIS", 2, None, None), ("CPH", 2, None, None),
    ("ARN", 2, None, None), ("DUB", 2, None, None), ("PRG", 2, None, None),
    ("BUD", 2, None, None), ("WAW", 2, None, None), ("ATH", 2, None, None),
    ("IST", 2, None, None), ("NCE", 2, None, None), ("MAN", 2, None, None),
    ("OSL", 1, None, None), ("EDI", 1, None, None), ("PMI", 1, None, None),
    ("MXP", 1, None, None),
]  # fmt: skip
EUROPE_GVA: list[tuple[str, int, tuple[str, ...] | None, tuple[str, ...] | None]] = [
    ("LHR", 4, ("06:50", "10:35", "14:40", "19:05"), ("09:30", "13:20", "17:25", "21:20")),
    ("CDG", 4, ("06:55", "10:30", "14:20", "18:45"), ("08:40", "12:25", "16:15", "20:40")),
    ("AMS", 2, None, None), ("FRA", 2, None, None), ("BCN", 2, None, None),
    ("FCO", 2, None, None), ("MAD", 2, None, None), ("LIS", 2, None, None),
    ("BRU", 2, None, None), ("VIE", 1, None, None), ("MUC", 1, None, None),
    ("CPH", 1, None, None), ("DUB", 1, None, None), ("NCE", 1, None, None),
    ("ATH", 1, None, None), ("PMI", 1, None, None), ("MAN", 1, None, None),
    ("EDI", 1, None, None), ("BER", 1, None, None),
]  # fmt: skip
EUROPE_BSL: list[tuple[str, int, tuple[str, ...] | None, tuple[str, ...] | None]] = [
    ("AMS", 2, ("07:40", "17:20"), ("10:05", "19:45")),
    ("LHR", 2, None, None), ("BCN", 1, None, None), ("BER", 1, None, None),
    ("HAM", 1, None, None), ("VIE", 1, None, None), ("PMI", 1, None, None),
    ("LIS", 1, None, None), ("CPH", 1, None, None),
]  # fmt: skip
NUMBER_BASES = {"ZRH": 100, "GVA": 500, "BSL": 800}


def _services() -> list[Service]:
    services = list(LONG_HAUL)
    for hub, table in (("ZRH", EUROPE_ZRH), ("GVA", EUROPE_GVA), ("BSL", EUROPE_BSL)):
        for i, (other, freq, out_slots, back_slots) in enumerate(table):
            base = NUMBER_BASES[hub] + i * NUMBER_BLOCK
            services.append(Service(hub, other, freq, base, out_slots, back_slots))
    return services


def _derived_slots(key: str, frequency: int) -> tuple[time, ...]:
    """Evenly spread departures with a route-specific phase (crc32: stable across processes)."""
    spacing = WAVE_MINUTES // frequency
    phase = (zlib.crc32(key.encode()) % max(1, spacing // 5)) * 5
    minutes = [FIRST_DEPARTURE_MIN + phase + i * spacing for i in range(frequency)]
    return tuple(time(m // 60, m % 60) for m in minutes)


def _parse(slots: tuple[str, ...]) -> tuple[time, ...]:
    return tuple(time.fromisoformat(s) for s in slots)


def _aircraft_type(origin: str, destination: str, frequency: int, dist: float) -> str:
    if dist > 4000:
        return "B77W" if dist > 6200 and "GVA" not in (origin, destination) else "A333"
    if "BSL" in (origin, destination):
        return "BCS3"
    if frequency >= 5:
        return "A321"
    if frequency >= 4 or dist > 1200:
        return "A320"
    return "BCS3"


def block_time(dist: float) -> timedelta:
    minutes = dist / CRUISE_KMH * 60 + GROUND_MINUTES
    return timedelta(minutes=round(minutes / 5) * 5)


def _route(service: Service, outbound: bool) -> Route:
    origin, destination = (service.hub, service.other) if outbound else (service.other, service.hub)
    key = f"{origin}-{destination}"
    explicit = service.out_slots if outbound else service.back_slots
    slots = _parse(explicit) if explicit else _derived_slots(key, service.frequency)
    direction = 0 if outbound else 1
    numbers = tuple(service.number_base + 2 * k + direction for k in range(len(slots)))
    dist = distance_km(origin, destination)
    # Demand per seat: the trunk routes (4+ a day) and long haul sell best; the rest varies a
    # little per route.
    appeal = 0.75 + (zlib.crc32(key[::-1].encode()) % 50) / 100  # 0.75 .. 1.24
    if service.frequency >= 4:
        appeal *= 2.5
    elif dist > 4000:
        appeal *= 1.6
    return Route(
        origin=origin,
        destination=destination,
        type_code=_aircraft_type(origin, destination, service.frequency, dist),
        slots=slots,
        numbers=numbers,
        spare_number=service.number_base + 2 * len(slots) + direction,
        distance_km=dist,
        duration=block_time(dist),
        appeal=appeal,
    )


def build_routes() -> list[Route]:
    routes: list[Route] = []
    for service in _services():
        if service.frequency > NUMBER_BLOCK // 2 - 1:
            raise ValueError(f"{service.hub}-{service.other}: too many slots for its number block")
        routes.append(_route(service, outbound=True))
        routes.append(_route(service, outbound=False))
    return routes


def flight_number(number: int) -> str:
    return f"AL {number}"


def is_hub(code: str) -> bool:
    return code in HUBS
