"""Hotel search, booking, date changes and cancellation under the travel-booking rules.

One booking is one room for its guests; a room is free on a night when the hotel's rooms
outnumber the confirmed bookings covering that night."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import BookingStatus, Hotel, HotelBooking
from services.core.access import current_passenger
from services.core.context import ServiceContext
from services.core.errors import PolicyViolation, Rule
from services.core.money import money
from services.core.operations import OperationResult, operation
from services.payments.payments import own_card
from services.text.words import plural
from services.travel.travel_bookings import (
    ChangeableKind,
    Period,
    cancel_booking,
    change_booking_dates,
    confirm_booking,
)
from services.travel.travel_common import (
    CHECKIN_TIME,
    MAX_HOTEL_NIGHTS,
    booking_view,
    check_party,
    city_timezone,
    locked,
    peak_taken,
    resolve_city,
)

STAY = Period(("check-in", "check-out"), "night", MAX_HOTEL_NIGHTS)


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


def _check_room(
    session: Session, hotel: Hotel, checkin: date, checkout: date, exclude: int | None = None
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


def _move(booking: HotelBooking, checkin: date, checkout: date) -> None:
    booking.checkin, booking.checkout = checkin, checkout


# What sets hotel stays apart in the book/change/cancel steps every travel kind shares.
HOTEL_STAYS: ChangeableKind[HotelBooking, Hotel] = ChangeableKind(
    model=HotelBooking,
    record="hotel booking",
    result_key="booking_id",
    label="Hotel",
    cancel_what="hotel booking",
    starts_at=CHECKIN_TIME,
    free_cancellation="Hotel bookings: free cancellation until 24 hours before check-in",
    offer_of=lambda booking: booking.hotel,
    first_day=lambda booking: booking.checkin,
    view=_view,
    describe=lambda booking, hotel: (
        f"Hotel booking {booking.id} at {hotel.name} ({booking.checkin} - {booking.checkout})"
    ),
    period=STAY,
    span="hotel stay",
    offer_model=Hotel,
    offer_record="hotel",
    offer_id=lambda booking: booking.hotel_id,
    dates=lambda booking: (booking.checkin, booking.checkout),
    move=_move,
    rate=lambda hotel: hotel.price_per_night,
    check_free=_check_room,
    name=lambda booking, hotel: f"Hotel booking {booking.id} at {hotel.name}",
    change_rule="Hotel date change before check-in: the price difference is charged or refunded.",
)


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
    checkin, checkout, nights = STAY.check(checkin, checkout, tz, ctx.clock.now())
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
    checkin, checkout, nights = STAY.check(checkin, checkout, tz, now)
    method = own_card(session, passenger, payment_method_id).id
    _check_room(session, hotel, checkin, checkout)
    booking = HotelBooking(
        passenger_id=passenger.id,
        hotel_id=hotel.id,
        checkin=checkin,
        checkout=checkout,
        guests=guests,
        price=money(hotel.price_per_night * nights),
        status=BookingStatus.CONFIRMED,
        created_at=now,
    )
    return confirm_booking(
        session,
        ctx,
        HOTEL_STAYS,
        passenger=passenger,
        booking=booking,
        offer=hotel,
        tz=tz,
        payment_method_id=method,
        summary=(
            f"Booked {hotel.name} in {hotel.city} from {checkin} to {checkout} ({plural(nights, 'night')}, "
            f"{guests} guest{'s' if guests > 1 else ''})"
        ),
    )


@operation("change_hotel_booking", write=True)
def change_hotel_booking(
    session: Session, ctx: ServiceContext, *, booking_id: int, checkin: date, checkout: date
) -> OperationResult:
    """Move a hotel stay to new dates before check-in, charging or refunding the difference."""
    return change_booking_dates(
        session, ctx, HOTEL_STAYS, booking_id=booking_id, start=checkin, end=checkout
    )


@operation("cancel_hotel_booking", write=True)
def cancel_hotel_booking(
    session: Session, ctx: ServiceContext, *, booking_id: int
) -> OperationResult:
    """Cancel a hotel booking free of charge (until 24 hours before check-in) and refund it."""
    return cancel_booking(session, ctx, HOTEL_STAYS, booking_id=booking_id)
