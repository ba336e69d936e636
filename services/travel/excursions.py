"""Excursion search, booking and cancellation under the travel-booking rules.

An excursion runs once a day from 09:00 local time for up to `capacity` participants."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import BookingStatus, Excursion, ExcursionBooking
from services.core.access import current_passenger
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, PolicyViolation, Rule
from services.core.money import money
from services.core.operations import OperationResult, operation
from services.payments.payments import own_card
from services.travel.travel_bookings import TravelKind, cancel_booking, confirm_booking
from services.travel.travel_common import (
    EXCURSION_TIME,
    as_date,
    booking_view,
    check_party,
    city_timezone,
    local_text,
    locked,
    resolve_city,
    start_moment,
)

ONE_DAY = timedelta(days=1)


class ExcursionOffer(BaseModel):
    excursion_id: int
    name: str
    city: str
    description: str
    duration_hours: float
    price_per_participant: Decimal
    participants: int
    total_price: Decimal
    day: date | None = None
    spots_left: int | None = None  # known only for a given day


def _spots_taken(session: Session, ids: list[int], day: date) -> dict[int, int]:
    rows = session.execute(
        select(ExcursionBooking.excursion_id, func.sum(ExcursionBooking.participants))
        .where(
            ExcursionBooking.excursion_id.in_(ids),
            ExcursionBooking.date == day,
            ExcursionBooking.status == BookingStatus.CONFIRMED,
        )
        .group_by(ExcursionBooking.excursion_id)
    )
    return {excursion_id: int(total or 0) for excursion_id, total in rows}


def _check_day(session: Session, city: str, value: date | str, now: datetime) -> date:
    """The excursion day: a date whose 09:00 local start has not passed yet."""
    day = as_date(value, "excursion date")
    tz = city_timezone(session, city)
    start = start_moment(day, EXCURSION_TIME, tz)
    if start <= now:
        today = now.astimezone(tz).date()
        earliest = today if start_moment(today, EXCURSION_TIME, tz) > now else today + ONE_DAY
        raise InvalidInput(
            f"Excursions on {day} start at {local_text(start, tz)}, which has already passed; "
            f"the earliest day that can be booked is {earliest}."
        )
    return day


def _check_spots(session: Session, excursion: Excursion, day: date, participants: int) -> None:
    left = excursion.capacity - _spots_taken(session, [excursion.id], day).get(excursion.id, 0)
    if left < participants:
        raise PolicyViolation(
            Rule.NO_AVAILABILITY,
            f"{excursion.name} on {day} has {max(left, 0)} free spot{'s' if left != 1 else ''} "
            f"left, not enough for {participants}; another day or excursion may have room.",
        )


def _view(booking: ExcursionBooking, excursion: Excursion) -> dict[str, Any]:
    return booking_view(
        booking_id=booking.id,
        name=excursion.name,
        city=excursion.city,
        date=booking.date,
        participants=booking.participants,
        price=booking.price,
        status=booking.status.value,
    )


# What sets excursions apart in the book/cancel steps every travel kind shares (an
# excursion's date cannot be changed: it is cancelled and booked again instead).
EXCURSIONS: TravelKind[ExcursionBooking, Excursion] = TravelKind(
    model=ExcursionBooking,
    record="excursion booking",
    result_key="booking_id",
    label="Excursion",
    cancel_what="excursion",
    starts_at=EXCURSION_TIME,
    free_cancellation="Excursions: free cancellation until 24 hours before the start",
    offer_of=lambda booking: booking.excursion,
    first_day=lambda booking: booking.date,
    view=_view,
    describe=lambda booking, excursion: (
        f"Excursion booking {booking.id} ({excursion.name}, {booking.date})"
    ),
)


@operation("search_excursions", write=False)
def search_excursions(
    session: Session,
    ctx: ServiceContext,
    *,
    city: str,
    day: date | None = None,
    participants: int = 1,
) -> list[ExcursionOffer]:
    """Excursions in a city, cheapest first; with a day, only those with enough free spots."""
    check_party(participants, "participants")
    name = resolve_city(session, city, Excursion.city, "excursions")
    when = None if day is None else _check_day(session, name, day, ctx.clock.now())
    excursions = list(session.scalars(select(Excursion).where(Excursion.city == name)))
    taken = {} if when is None else _spots_taken(session, [e.id for e in excursions], when)
    offers = []
    for e in excursions:
        left = None if when is None else e.capacity - taken.get(e.id, 0)
        if left is not None and left < participants:
            continue
        offers.append(
            ExcursionOffer(
                excursion_id=e.id,
                name=e.name,
                city=e.city,
                description=e.description,
                duration_hours=e.duration_hours,
                price_per_participant=money(e.price),
                participants=participants,
                total_price=money(e.price * participants),
                day=when,
                spots_left=left,
            )
        )
    offers.sort(key=lambda o: (o.total_price, o.name, o.excursion_id))
    return offers


@operation("book_excursion", write=True)
def book_excursion(
    session: Session,
    ctx: ServiceContext,
    *,
    excursion_id: int,
    day: date,
    participants: int = 1,
    payment_method_id: int | None = None,
) -> OperationResult:
    """Book an excursion on a day for the current passenger's party and charge their card."""
    passenger = current_passenger(session, ctx)
    check_party(participants, "participants")
    excursion = locked(session, Excursion, excursion_id, "excursion")
    now = ctx.clock.now()
    day = _check_day(session, excursion.city, day, now)
    method = own_card(session, passenger, payment_method_id).id
    _check_spots(session, excursion, day, participants)
    booking = ExcursionBooking(
        passenger_id=passenger.id,
        excursion_id=excursion.id,
        date=day,
        participants=participants,
        price=money(excursion.price * participants),
        status=BookingStatus.CONFIRMED,
        created_at=now,
    )
    return confirm_booking(
        session,
        ctx,
        EXCURSIONS,
        passenger=passenger,
        booking=booking,
        offer=excursion,
        tz=city_timezone(session, excursion.city),
        payment_method_id=method,
        summary=(
            f"Booked {excursion.name} in {excursion.city} on {day} for {participants} "
            f"participant{'s' if participants > 1 else ''}"
        ),
    )


@operation("cancel_excursion", write=True)
def cancel_excursion(session: Session, ctx: ServiceContext, *, booking_id: int) -> OperationResult:
    """Cancel an excursion booking free of charge (until 24 hours before it starts) and refund it."""
    return cancel_booking(session, ctx, EXCURSIONS, booking_id=booking_id)
