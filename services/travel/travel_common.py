"""Shared rules for hotel, car and excursion bookings: dates and local start times, party size,
cities, ownership and the cancellation window (docs/policy.md, "Hotels and car rentals", "Excursions").

Cards, charges and refunds are in travel_payments; the book/change/cancel steps the three kinds
share are in travel_bookings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from db.models import Airport, BookingStatus, Passenger
from db.models.travel import TravelBooking, TravelRow
from services.core.access import for_update, not_on_record
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule
from services.core.validation import as_id
from services.flights.policy import TRAVEL_BOOKING_FREE_CANCELLATION, check_travel_cancellation

# The moment a booking "starts": what the 24-hour window and "already started" count from.
CHECKIN_TIME = time(15, 0)
PICKUP_TIME = time(9, 0)
EXCURSION_TIME = time(9, 0)
DEFAULT_TZ = ZoneInfo("Europe/Zurich")
MAX_HOTEL_NIGHTS = 30
MAX_RENTAL_DAYS = 60
MAX_PARTY = 9


def as_date(value: date | str, label: str) -> date:
    """A calendar date from a date, a datetime or an ISO string (tools may pass any of them)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(
            f"The {label} '{value}' is not a date; write it as YYYY-MM-DD, e.g. 2026-12-24."
        ) from None


def resolve_city(session: Session, city: str, column: InstrumentedAttribute[str], what: str) -> str:
    """The offers' spelling of a city (case-insensitive), also found by its airport code."""
    query = (city or "").strip()
    if not query:
        raise InvalidInput(f"Say which city to look for {what} in.")
    names = [query]
    airport = session.get(Airport, query.upper()) if len(query) == 3 else None
    if airport is not None:
        names.append(airport.city)
    for name in names:
        found = session.scalars(
            select(column).where(func.lower(column) == name.lower()).limit(1)
        ).first()
        if found is not None:
            return found
    raise NotFound(f"There are no {what} in {query} in Alpine Air's offer.")


def city_timezone(session: Session, city: str) -> ZoneInfo:
    """The city's time zone from its airport; Zurich time when no airport serves the city."""
    name = session.scalars(
        select(Airport.timezone)
        .where(func.lower(Airport.city) == city.lower())
        .order_by(Airport.code)
        .limit(1)
    ).first()
    try:
        return ZoneInfo(name) if name else DEFAULT_TZ
    except (ZoneInfoNotFoundError, ValueError):
        return DEFAULT_TZ


def start_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def local_text(moment: datetime, tz: ZoneInfo) -> str:
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M} local time"


def check_period(
    start: date | str,
    end: date | str,
    *,
    tz: ZoneInfo,
    now: datetime,
    labels: tuple[str, str],
    unit: str,
    max_units: int,
) -> tuple[date, date, int]:
    """Validate a stay or rental [start, end); returns the dates and its nights or days."""
    start_label, end_label = labels
    start, end = as_date(start, start_label), as_date(end, end_label)
    if end <= start:
        raise InvalidInput(
            f"The {end_label} date ({end}) must be after the {start_label} date ({start})."
        )
    today = now.astimezone(tz).date()
    if start < today:
        raise InvalidInput(
            f"The {start_label} date {start} is in the past; the earliest possible date is {today}."
        )
    length = (end - start).days
    if length > max_units:
        raise InvalidInput(
            f"{length} {unit}s is too long: one booking can cover at most {max_units} {unit}s."
        )
    return start, end, length


def check_party(count: int, what: str) -> None:
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_PARTY:
        raise InvalidInput(
            f"The number of {what} must be a whole number between 1 and {MAX_PARTY}; "
            f"{count!r} was given."
        )


def check_active(status: BookingStatus, what: str, booking_id: int) -> None:
    if status != BookingStatus.CONFIRMED:
        raise PolicyViolation(
            Rule.BOOKING_NOT_ACTIVE,
            f"{what.capitalize()} {booking_id} is already {status.value}, so it cannot be "
            "changed or cancelled; a new booking can be made instead.",
        )


def check_not_started(start: datetime, now: datetime, what: str, tz: ZoneInfo) -> None:
    if now >= start:
        raise PolicyViolation(
            Rule.BOOKING_STARTED,
            f"This {what} started on {local_text(start, tz)}, so it can no longer be changed; "
            "the agent can escalate to a human colleague if something went wrong.",
        )


def check_change_window(
    start: datetime,
    now: datetime,
    *,
    old: tuple[date, date],
    new: tuple[date, date],
    what: str,
    tz: ZoneInfo,
) -> None:
    """Inside the last 24 hours before the start only an extension (same start, later end) is
    allowed: moving or shortening then would undo a booking whose free cancellation has ended."""
    if start - now >= TRAVEL_BOOKING_FREE_CANCELLATION:
        return
    if new[0] == old[0] and new[1] > old[1]:
        return
    deadline = start - TRAVEL_BOOKING_FREE_CANCELLATION
    raise PolicyViolation(
        Rule.BOOKING_CANCEL_WINDOW,
        f"This {what} starts on {local_text(start, tz)}; since {local_text(deadline, tz)} (24 hours "
        "before) it can only be extended to a later end date, not moved or shortened. The agent "
        "can escalate to a human colleague.",
    )


def check_cancellable(
    start: datetime, now: datetime, *, kind: str, what: str, tz: ZoneInfo, changeable: bool
) -> None:
    """The 24-hour free-cancellation window, with what is still possible once it has closed."""
    try:
        check_travel_cancellation(start, now, kind)
    except PolicyViolation as err:
        deadline = start - TRAVEL_BOOKING_FREE_CANCELLATION
        if now >= start:
            instead = "It has already started; the agent can escalate to a human colleague."
        elif changeable:
            instead = (
                "It stays booked; its dates can still be changed until it starts, or the agent "
                "can escalate to a human colleague."
            )
        else:
            instead = "It stays booked; the agent can escalate to a human colleague."
        raise PolicyViolation(
            Rule.BOOKING_CANCEL_WINDOW,
            f"{err.message} This {what} starts on {local_text(start, tz)}, so free cancellation "
            f"ended on {local_text(deadline, tz)}. {instead}",
        ) from None


def locked(session: Session, model: type[TravelRow], record_id: int | str, what: str) -> TravelRow:
    """The row, locked for the rest of the transaction, or NotFound.

    The lock serialises writers of one offer or booking on PostgreSQL (SQLite's write lock
    already does), so two racing requests cannot both take the last unit or refund twice."""
    number = as_id(record_id, what)
    row = session.scalars(for_update(select(model).where(model.id == number))).first()
    if row is None:
        raise NotFound(f"There is no {what} {number}.")
    return row


def owned_booking(
    session: Session,
    model: type[TravelBooking],
    booking_id: int | str,
    passenger: Passenger,
    what: str,
) -> TravelBooking:
    """The booking, locked, if it is the passenger's own (a companion's is not). A missing and
    a foreign booking get the same refusal from the same query (access.not_on_record), and
    somebody else's booking is never locked by the attempt."""
    number = as_id(booking_id, what)
    query = select(model).where(model.id == number, model.passenger_id == passenger.id)
    booking = session.scalars(for_update(query)).first()
    if booking is None:
        raise not_on_record(passenger, what, number)
    return booking


def peak_taken(
    session: Session,
    key: InstrumentedAttribute[int],
    start_col: InstrumentedAttribute[date],
    end_col: InstrumentedAttribute[date],
    ids: list[int],
    start: date,
    end: date,
    *,
    exclude_booking_id: int | None = None,
) -> dict[int, int]:
    """Per offer (hotel or car offer), the most confirmed bookings on any day of [start, end)."""
    model = key.class_
    query = select(key, start_col, end_col).where(
        key.in_(ids),
        model.status == BookingStatus.CONFIRMED,
        start_col < end,
        end_col > start,
    )
    if exclude_booking_id is not None:
        query = query.where(model.id != exclude_booking_id)
    spans: dict[int, list[tuple[date, date, int]]] = defaultdict(list)
    for offer_id, first, last in session.execute(query):
        spans[offer_id].append((first, last, 1))
    return {offer_id: overlaps(s, start, end) for offer_id, s in spans.items()}


def cancellation_deadline(start: datetime, tz: ZoneInfo) -> str:
    return local_text(start - TRAVEL_BOOKING_FREE_CANCELLATION, tz)


def overlaps(spans: Iterable[tuple[date, date, int]], start: date, end: date) -> int:
    """The highest number of units taken on any single day of [start, end)."""
    spans = list(spans)
    peak, day = 0, start
    while day < end:
        peak = max(peak, sum(n for s, e, n in spans if s <= day < e))
        day += timedelta(days=1)
    return peak


def booking_view(**fields: Any) -> dict[str, Any]:
    """A before/after snapshot, with dates as ISO text like the passenger snapshot."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()}
