"""Hotel search, booking, date changes and cancellation under the travel-booking rules.

One booking is one room for its guests; a room is free on a night when the hotel's rooms
outnumber the confirmed bookings covering that night."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import BookingStatus, Hotel, HotelBooking
from services.access import current_passenger
from services.context import ServiceContext
from services.errors import InvalidInput, PolicyViolation, Rule
from services.operations import OperationResult, operation
from services.pricing import money
from services.travel_common import (
    CHECKIN_TIME,
    MAX_HOTEL_NIGHTS,
    booking_view,
    cancellation_deadline,
    charge_booking,
    charge_method,
    check_active,
    check_cancellable,
    check_change_window,
    check_not_started,
    check_party,
    check_period,
    city_timezone,
    locked,
    owned_booking,
    peak_taken,
    refund_booking,
    resolve_city,
    settle_difference,
    start_moment,
)

STAY = ("check-in", "check-out")


class HotelOffer(BaseModel):
    hotel_id: int
    name: str
    city: str
    stars: int
    price_per_night: Decimal
    nights: int
    total_price: Decimal
    rooms_left: int


def _rooms_taken(
    session: Session, ids: list[int], checkin: date, checkout: date, exclude: int | None = None
) -> dict[int, int]:
    """Per hotel, the most rooms booked on any night of [checkin, checkout)."""
    cols = (HotelBooking.hotel_id, HotelBooking.checkin, HotelBooking.checkout)
    return peak_taken(session, *cols, ids, checkin, checkout, exclude_booking_id=exclude)


def _stay(checkin: date, checkout: date, tz: ZoneInfo, now: datetime) -> tuple[date, date, int]:
    return check_period(
        checkin, checkout, tz=tz, now=now, labels=STAY, unit="night", max_units=MAX_HOTEL_NIGHTS
    )


def _check_room(
    session: Session, hotel: Hotel, checkin: date, checkout: date, *, exclude: int | None = None
) -> None:
    taken = _rooms_taken(session, [hotel.id], checkin, checkout, exclude)
    if taken.get(hotel.id, 0) >= hotel.rooms:
        raise PolicyViolation(
            Rule.NO_AVAILABILITY,
            f"{hotel.name} has no free room for every night from {checkin} to {checkout}; "
            f"other dates or another hotel in {hotel.city} may have one.",
        )


def _view(booking: HotelBooking, hotel: Hotel) -> dict[str, Any]:
    return booking_view(
        booking_id=booking.id,
        hotel=hotel.name,
        city=hotel.city,
        checkin=booking.checkin,
        checkout=booking.checkout,
        nights=(booking.checkout - booking.checkin).days,
        guests=booking.guests,
        price=booking.price,
        status=booking.status.value,
    )


def _reasons(booking_id: int) -> list[str]:
    return [f"hotel booking {booking_id}", f"hotel booking {booking_id} change"]


@operation("search_hotels", write=False)
def search_hotels(
    session: Session,
    ctx: ServiceContext,
    *,
    city: str,
    checkin: date,
    checkout: date,
    guests: int = 1,
) -> list[HotelOffer]:
    """Hotels in a city with a free room for every night of the stay, cheapest first."""
    check_party(guests, "guests")
    name = resolve_city(session, city, Hotel.city, "hotels")
    tz = city_timezone(session, name)
    checkin, checkout, nights = _stay(checkin, checkout, tz, ctx.clock.now())
    hotels = list(session.scalars(select(Hotel).where(Hotel.city == name)))
    taken = _rooms_taken(session, [h.id for h in hotels], checkin, checkout)
    offers = [
        HotelOffer(
            hotel_id=h.id,
            name=h.name,
            city=h.city,
            stars=h.stars,
            price_per_night=money(h.price_per_night),
            nights=nights,
            total_price=money(h.price_per_night * nights),
            rooms_left=h.rooms - taken.get(h.id, 0),
        )
        for h in hotels
        if h.rooms - taken.get(h.id, 0) > 0
    ]
    offers.sort(key=lambda o: (o.total_price, o.name, o.hotel_id))
    return offers


@operation("book_hotel", write=True)
def book_hotel(
    session: Session,
    ctx: ServiceContext,
    *,
    hotel_id: int,
    checkin: date,
    checkout: date,
    guests: int = 1,
    payment_method_id: int | None = None,
) -> OperationResult:
    """Book a room for the current passenger and charge the stay to one of their cards."""
    passenger = current_passenger(session, ctx)
    check_party(guests, "guests")
    hotel = locked(session, Hotel, hotel_id, "hotel")
    tz = city_timezone(session, hotel.city)
    now = ctx.clock.now()
    checkin, checkout, nights = _stay(checkin, checkout, tz, now)
    method = charge_method(session, passenger, payment_method_id)
    _check_room(session, hotel, checkin, checkout)
    price = money(hotel.price_per_night * nights)
    booking = HotelBooking(
        passenger_id=passenger.id,
        hotel_id=hotel.id,
        checkin=checkin,
        checkout=checkout,
        guests=guests,
        price=price,
        status=BookingStatus.CONFIRMED,
        created_at=now,
    )
    session.add(booking)
    session.flush()
    charge_booking(
        session,
        ctx,
        passenger,
        amount=price,
        reason=_reasons(booking.id)[0],
        payment_method_id=method,
    )
    deadline = cancellation_deadline(start_moment(checkin, CHECKIN_TIME, tz), tz)
    return OperationResult(
        summary=(
            f"Booked {hotel.name} in {hotel.city} from {checkin} to {checkout} ({nights} nights, "
            f"{guests} guest{'s' if guests > 1 else ''}); charged CHF {price}. "
            f"Free cancellation until {deadline}."
        ),
        after=_view(booking, hotel),
        charged=price,
        rule=f"Hotel bookings: free cancellation until 24 hours before check-in ({deadline}).",
        data={"booking_id": booking.id},
    )


@operation("change_hotel_booking", write=True)
def change_hotel_booking(
    session: Session, ctx: ServiceContext, *, booking_id: int, checkin: date, checkout: date
) -> OperationResult:
    """Move a hotel stay to new dates before check-in, charging or refunding the difference."""
    passenger = current_passenger(session, ctx)
    booking = owned_booking(session, HotelBooking, booking_id, passenger, "hotel booking")
    check_active(booking.status, "hotel booking", booking.id)
    hotel = locked(session, Hotel, booking.hotel_id, "hotel")
    tz = city_timezone(session, hotel.city)
    now = ctx.clock.now()
    starts = start_moment(booking.checkin, CHECKIN_TIME, tz)
    check_not_started(starts, now, "hotel stay", tz)
    checkin, checkout, nights = _stay(checkin, checkout, tz, now)
    check_change_window(
        starts,
        now,
        old=(booking.checkin, booking.checkout),
        new=(checkin, checkout),
        what="hotel stay",
        tz=tz,
    )
    if (checkin, checkout) == (booking.checkin, booking.checkout):
        raise InvalidInput(
            f"Hotel booking {booking.id} is already from {checkin} to {checkout}; nothing to change."
        )
    _check_room(session, hotel, checkin, checkout, exclude=booking.id)
    before = _view(booking, hotel)
    new_price = money(hotel.price_per_night * nights)
    charged, refunded, money_text = settle_difference(
        session, ctx, passenger, old=booking.price, new=new_price, reasons=_reasons(booking.id)
    )
    booking.checkin, booking.checkout, booking.price = checkin, checkout, new_price
    session.flush()
    return OperationResult(
        summary=(
            f"Hotel booking {booking.id} at {hotel.name} moved to {checkin} - {checkout} "
            f"({nights} nights); {money_text}."
        ),
        before=before,
        after=_view(booking, hotel),
        charged=charged,
        refunded=refunded,
        rule="Hotel date change before check-in: the price difference is charged or refunded.",
        data={"booking_id": booking.id},
    )


@operation("cancel_hotel_booking", write=True)
def cancel_hotel_booking(
    session: Session, ctx: ServiceContext, *, booking_id: int
) -> OperationResult:
    """Cancel a hotel booking free of charge (until 24 hours before check-in) and refund it."""
    passenger = current_passenger(session, ctx)
    booking = owned_booking(session, HotelBooking, booking_id, passenger, "hotel booking")
    check_active(booking.status, "hotel booking", booking.id)
    hotel = booking.hotel
    tz = city_timezone(session, hotel.city)
    start = start_moment(booking.checkin, CHECKIN_TIME, tz)
    check_cancellable(
        start, ctx.clock.now(), kind="Hotel", what="hotel booking", tz=tz, changeable=True
    )
    before = _view(booking, hotel)
    booking.status = BookingStatus.CANCELLED
    refund = refund_booking(
        session,
        ctx,
        passenger,
        amount=booking.price,
        reasons=_reasons(booking.id),
        reason=f"hotel booking {booking.id} cancellation",
    )
    session.flush()
    return OperationResult(
        summary=(
            f"Hotel booking {booking.id} at {hotel.name} ({booking.checkin} - {booking.checkout}) "
            f"cancelled; refunded CHF {refund}."
        ),
        before=before,
        after=_view(booking, hotel),
        refunded=refund,
        rule=(
            "Hotel bookings: free cancellation until 24 hours before check-in "
            f"({cancellation_deadline(start, tz)}); the full price is refunded."
        ),
        data={"booking_id": booking.id},
    )
