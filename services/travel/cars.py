"""Car rental search, booking, date changes and cancellation under the travel-booking rules.

A rental takes one car of its offer from pick-up day (09:00) to return day; the car is free
again on the return day, so rentals are counted per day over [start, end)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import BookingStatus, CarRental, CarRentalOffer
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
    MAX_RENTAL_DAYS,
    PICKUP_TIME,
    booking_view,
    city_timezone,
    locked,
    peak_taken,
    resolve_city,
)

RENTAL = Period(("pick-up", "return"), "day", MAX_RENTAL_DAYS)


class CarOffer(BaseModel):
    offer_id: int
    company: str
    city: str
    car_class: str
    model: str
    price_per_day: Decimal
    days: int
    total_price: Decimal
    cars_left: int


def _cars_taken(
    session: Session, ids: list[int], start: date, end: date, exclude: int | None = None
) -> dict[int, int]:
    """Per offer, the most cars rented on any day of [start, end)."""
    cols = (CarRental.offer_id, CarRental.start_date, CarRental.end_date)
    return peak_taken(session, *cols, ids, start, end, exclude_booking_id=exclude)


def _check_car(
    session: Session, offer: CarRentalOffer, start: date, end: date, exclude: int | None = None
) -> None:
    if _cars_taken(session, [offer.id], start, end, exclude).get(offer.id, 0) >= offer.units:
        raise PolicyViolation(
            Rule.NO_AVAILABILITY,
            f"{offer.company} has no {offer.car_class} car ({offer.model}) free for every day "
            f"from {start} to {end}; other dates or another offer in {offer.city} may have one.",
        )


def _view(rental: CarRental, offer: CarRentalOffer) -> dict[str, Any]:
    return booking_view(
        rental_id=rental.id,
        company=offer.company,
        city=offer.city,
        car=f"{offer.car_class} ({offer.model})",
        start=rental.start_date,
        end=rental.end_date,
        days=(rental.end_date - rental.start_date).days,
        price=rental.price,
        status=rental.status.value,
    )


def _move(rental: CarRental, start: date, end: date) -> None:
    rental.start_date, rental.end_date = start, end


# What sets car rentals apart in the book/change/cancel steps every travel kind shares.
CAR_RENTALS: ChangeableKind[CarRental, CarRentalOffer] = ChangeableKind(
    model=CarRental,
    record="car rental",
    result_key="rental_id",
    label="Car rental",
    cancel_what="car rental",
    starts_at=PICKUP_TIME,
    free_cancellation="Car rentals: free cancellation until 24 hours before pick-up",
    offer_of=lambda rental: rental.offer,
    first_day=lambda rental: rental.start_date,
    view=_view,
    describe=lambda rental, offer: (
        f"Car rental {rental.id} ({offer.company}, {offer.city}, {rental.start_date} - "
        f"{rental.end_date})"
    ),
    period=RENTAL,
    span="car rental",
    offer_model=CarRentalOffer,
    offer_record="car rental offer",
    offer_id=lambda rental: rental.offer_id,
    dates=lambda rental: (rental.start_date, rental.end_date),
    move=_move,
    rate=lambda offer: offer.price_per_day,
    check_free=_check_car,
    name=lambda rental, offer: f"Car rental {rental.id} ({offer.company}, {offer.city})",
    change_rule="Car rental date change before pick-up: the price difference is charged or refunded.",
)


@operation("search_car_rentals", write=False)
def search_car_rentals(
    session: Session, ctx: ServiceContext, *, city: str, start: date, end: date
) -> list[CarOffer]:
    """Car rental offers in a city with a car free for every day, cheapest first."""
    name = resolve_city(session, city, CarRentalOffer.city, "car rentals")
    tz = city_timezone(session, name)
    start, end, days = RENTAL.check(start, end, tz, ctx.clock.now())
    offers = list(session.scalars(select(CarRentalOffer).where(CarRentalOffer.city == name)))
    taken = _cars_taken(session, [o.id for o in offers], start, end)
    results = [
        CarOffer(
            offer_id=o.id,
            company=o.company,
            city=o.city,
            car_class=o.car_class,
            model=o.model,
            price_per_day=money(o.price_per_day),
            days=days,
            total_price=money(o.price_per_day * days),
            cars_left=o.units - taken.get(o.id, 0),
        )
        for o in offers
        if o.units - taken.get(o.id, 0) > 0
    ]
    results.sort(key=lambda c: (c.total_price, c.company, c.offer_id))
    return results


@operation("book_car_rental", write=True)
def book_car_rental(
    session: Session,
    ctx: ServiceContext,
    *,
    offer_id: int,
    start: date,
    end: date,
    payment_method_id: int | None = None,
) -> OperationResult:
    """Rent a car for the current passenger and charge it to one of their cards."""
    passenger = current_passenger(session, ctx)
    offer = locked(session, CarRentalOffer, offer_id, "car rental offer")
    tz = city_timezone(session, offer.city)
    now = ctx.clock.now()
    start, end, days = RENTAL.check(start, end, tz, now)
    method = own_card(session, passenger, payment_method_id).id
    _check_car(session, offer, start, end)
    rental = CarRental(
        passenger_id=passenger.id,
        offer_id=offer.id,
        start_date=start,
        end_date=end,
        price=money(offer.price_per_day * days),
        status=BookingStatus.CONFIRMED,
        created_at=now,
    )
    return confirm_booking(
        session,
        ctx,
        CAR_RENTALS,
        passenger=passenger,
        booking=rental,
        offer=offer,
        tz=tz,
        payment_method_id=method,
        summary=(
            f"Rented a {offer.car_class} car ({offer.model}) from {offer.company} in {offer.city}, "
            f"{start} to {end} ({plural(days, 'day')})"
        ),
    )


@operation("change_car_rental", write=True)
def change_car_rental(
    session: Session, ctx: ServiceContext, *, rental_id: int, start: date, end: date
) -> OperationResult:
    """Move a car rental to new dates before pick-up, charging or refunding the difference."""
    return change_booking_dates(
        session, ctx, CAR_RENTALS, booking_id=rental_id, start=start, end=end
    )


@operation("cancel_car_rental", write=True)
def cancel_car_rental(session: Session, ctx: ServiceContext, *, rental_id: int) -> OperationResult:
    """Cancel a car rental free of charge (until 24 hours before pick-up) and refund it."""
    return cancel_booking(session, ctx, CAR_RENTALS, booking_id=rental_id)
