"""Flight search, status and seat inventory."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, computed_field
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from db.models import Aircraft, Airport, Cabin, Fare, Flight, FlightStatus, Seat, SeatAssignment
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, NotFound
from services.flights.policy import MAX_CONNECTION, MIN_CONNECTION
from services.payments.pricing import fare_price

BOOKABLE = (FlightStatus.SCHEDULED, FlightStatus.DELAYED)
HUBS = ("ZRH", "GVA", "BSL")


class FlightView(BaseModel):
    id: int
    flight_no: str
    origin: str
    destination: str
    departure_local: datetime
    arrival_local: datetime
    status: FlightStatus
    estimated_departure_local: datetime | None = None
    delay_minutes: int = 0
    free_seats: int | None = None
    price: Decimal | None = None  # one leg in the fare asked for

    @computed_field  # type: ignore[prop-decorator]
    @property
    def arrival_day_offset(self) -> int:
        """+1 when the flight lands on the next local day ("departs 23:30, arrives 05:50")."""
        return day_offset(self.departure_local, self.arrival_local)


class ItineraryView(BaseModel):
    legs: list[FlightView]
    price: Decimal
    free_seats: int

    @property
    def flight_ids(self) -> list[int]:
        return [leg.id for leg in self.legs]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def arrival_day_offset(self) -> int:
        """Days from the first departure's local date to the last arrival's."""
        return day_offset(self.legs[0].departure_local, self.legs[-1].arrival_local)


def day_offset(departure_local: datetime, arrival_local: datetime) -> int:
    """How many calendar days after the departure (each in its own local time) it arrives."""
    return (arrival_local.date() - departure_local.date()).days


def day_mark(offset: int) -> str:
    """ " (+1)" for an arrival on the next day, "" on the same day."""
    return f" ({offset:+d})" if offset else ""


def effective_departure(flight: Flight) -> datetime:
    return flight.actual_departure or flight.estimated_departure or flight.scheduled_departure


def flight_view(
    flight: Flight, *, free_seats: int | None = None, fare: Fare | None = None
) -> FlightView:
    origin_tz = ZoneInfo(flight.origin_airport.timezone)
    dest_tz = ZoneInfo(flight.destination_airport.timezone)
    estimated = flight.estimated_departure
    delay = int((estimated - flight.scheduled_departure).total_seconds() // 60) if estimated else 0
    arrival = flight.estimated_arrival or flight.scheduled_arrival
    return FlightView(
        id=flight.id,
        flight_no=flight.flight_no,
        origin=flight.origin,
        destination=flight.destination,
        departure_local=flight.scheduled_departure.astimezone(origin_tz),
        arrival_local=arrival.astimezone(dest_tz),
        status=flight.status,
        estimated_departure_local=estimated.astimezone(origin_tz) if estimated else None,
        delay_minutes=max(delay, 0),
        free_seats=free_seats,
        price=fare_price(flight.base_price, fare) if fare else None,
    )


def resolve_airport(session: Session, text: str) -> Airport:
    """An airport from its IATA code or its city's name."""
    query = (text or "").strip()
    if not query:
        raise InvalidInput("An airport is missing; give a three-letter code such as ZRH or a city.")
    airport = session.get(Airport, query.upper()) if len(query) == 3 else None
    if airport is None:
        airport = session.scalars(
            select(Airport).where(func.lower(Airport.city) == query.lower()).order_by(Airport.code)
        ).first()
    if airport is None:
        raise NotFound(f"No airport or city called '{query}' in Alpine Air's network.")
    return airport


def free_seats(session: Session, flights: Iterable[Flight], cabin: Cabin) -> dict[int, int]:
    """Seats left per flight in the cabin: the seat map minus the seats taken."""
    flights = list(flights)
    if not flights:
        return {}
    ids = [f.id for f in flights]
    # Each flight's seats in the cabin, by its aircraft's type, in the query (not one lazy
    # load of the aircraft per flight).
    capacity = dict(
        session.execute(
            select(Flight.id, func.count(Seat.id))
            .join(Aircraft, Aircraft.registration == Flight.aircraft_registration)
            .join(Seat, Seat.aircraft_type_code == Aircraft.type_code)
            .where(Flight.id.in_(ids), Seat.cabin == cabin)
            .group_by(Flight.id)
        ).all()
    )
    taken = dict(
        session.execute(
            select(SeatAssignment.flight_id, func.count())
            .join(Seat, Seat.id == SeatAssignment.seat_id)
            .where(SeatAssignment.flight_id.in_(ids), Seat.cabin == cabin)
            .group_by(SeatAssignment.flight_id)
        ).all()
    )
    return {f.id: capacity.get(f.id, 0) - taken.get(f.id, 0) for f in flights}


def _local_day_window(airport: Airport, day: date) -> tuple[datetime, datetime]:
    tz = ZoneInfo(airport.timezone)
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def _departures(
    session: Session, origin: str, destination: str | None, start: datetime, end: datetime
) -> list[Flight]:
    query = select(Flight).where(
        Flight.origin == origin,
        Flight.scheduled_departure >= start,
        Flight.scheduled_departure < end,
    )
    if destination is not None:
        query = query.where(Flight.destination == destination)
    return list(session.scalars(query.order_by(Flight.scheduled_departure)))


def search_flights(
    session: Session,
    ctx: ServiceContext,
    *,
    origin: str,
    destination: str,
    day: date,
    fare: Fare = Fare.CLASSIC,
    seats: int = 1,
    connections: bool = True,
) -> list[ItineraryView]:
    """Bookable itineraries departing `day` (local date at the origin), direct flights and
    one-stop connections through a hub together in order of departure (a direct flight first
    at the same time); each with seats left in the fare's cabin."""
    if seats < 1:
        raise InvalidInput("The number of seats must be at least 1.")
    src, dst = resolve_airport(session, origin), resolve_airport(session, destination)
    if src.code == dst.code:
        raise InvalidInput("Origin and destination are the same airport.")
    now = ctx.clock.now()
    cabin = Cabin.BUSINESS if fare == Fare.BUSINESS else Cabin.ECONOMY
    start, end = _local_day_window(src, day)
    direct = [[f] for f in _departures(session, src.code, dst.code, start, end)]
    chains = list(direct)
    if connections:
        chains += _connections(session, src.code, dst.code, start, end)
    flights = {f.id: f for chain in chains for f in chain}
    seats_left = free_seats(session, flights.values(), cabin)
    results = []
    for chain in chains:
        if any(f.status not in BOOKABLE or effective_departure(f) <= now for f in chain):
            continue
        left = min(seats_left[f.id] for f in chain)
        if left < seats:
            continue
        legs = [flight_view(f, free_seats=seats_left[f.id], fare=fare) for f in chain]
        price = sum((leg.price or Decimal(0) for leg in legs), Decimal(0))
        results.append(ItineraryView(legs=legs, price=price, free_seats=left))
    results.sort(key=lambda it: (it.legs[0].departure_local, len(it.legs)))
    return results


def _connections(
    session: Session, src: str, dst: str, start: datetime, end: datetime
) -> list[list[Flight]]:
    first_legs = [
        f
        for f in _departures(session, src, None, start, end)
        if f.destination in HUBS or src in HUBS
    ]
    first_legs = [f for f in first_legs if f.destination != dst]
    if not first_legs:
        return []
    second = aliased(Flight)
    candidates = session.scalars(
        select(second).where(
            second.origin.in_({f.destination for f in first_legs}),
            second.destination == dst,
            second.scheduled_departure >= start + MIN_CONNECTION,
            second.scheduled_departure < end + MAX_CONNECTION,
        )
    ).all()
    chains = []
    for first in first_legs:
        for nxt in candidates:
            layover = nxt.scheduled_departure - first.scheduled_arrival
            if nxt.origin == first.destination and MIN_CONNECTION <= layover <= timedelta(hours=6):
                chains.append([first, nxt])
    return chains


def get_flight_status(session: Session, *, flight_no: str, day: date) -> FlightView:
    """Status of a flight on a day (local date at its origin)."""
    number = normalize_flight_no(flight_no)
    candidates = session.scalars(
        select(Flight).where(
            Flight.flight_no == number,
            Flight.scheduled_departure
            >= datetime.combine(day - timedelta(days=1), time.min, tzinfo=ZoneInfo("UTC")),
            Flight.scheduled_departure
            < datetime.combine(day + timedelta(days=2), time.min, tzinfo=ZoneInfo("UTC")),
        )
    ).all()
    for flight in candidates:
        if (
            flight.scheduled_departure.astimezone(ZoneInfo(flight.origin_airport.timezone)).date()
            == day
        ):
            return flight_view(flight)
    raise NotFound(f"Flight {number} does not operate on {day.isoformat()}.")


def normalize_flight_no(flight_no: str) -> str:
    compact = "".join((flight_no or "").split()).upper()
    if len(compact) < 3 or not compact[:2].isalpha() or not compact[2:].isdigit():
        raise InvalidInput(f"'{flight_no}' is not a flight number; they look like AL 123.")
    return f"{compact[:2]} {compact[2:]}"


def load_flights(
    session: Session, flight_ids: Sequence[int], *, lock: bool = False
) -> list[Flight]:
    """The flights in the order given; `lock` takes row locks in id order to avoid deadlocks."""
    if not flight_ids:
        raise InvalidInput("No flight was chosen.")
    if any(not isinstance(fid, int) or fid <= 0 for fid in flight_ids):
        raise InvalidInput("Flight ids are positive whole numbers.")
    query = select(Flight).where(Flight.id.in_(sorted(set(flight_ids)))).order_by(Flight.id)
    if lock:
        query = query.with_for_update()
    found = {f.id: f for f in session.scalars(query)}
    missing = [fid for fid in flight_ids if fid not in found]
    if missing:
        raise NotFound(f"No flight with id {missing[0]}.")
    return [found[fid] for fid in flight_ids]
