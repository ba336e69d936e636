"""Car rental search, booking, date changes and cancellation under the travel-booking rules.

A rental takes one car of its offer from pick-up day (09:00) to return day; the car is free
again on the return day, so rentals are counted per day over [start, end)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import BookingStatus, CarRental, CarRentalOffer
from services.access import current_passenger
from services.context import ServiceContext
from services.errors import InvalidInput, PolicyViolation, Rule
from services.operations import OperationResult, operation
from services.pricing import money
from services.travel_common import (
    MAX_RENTAL_DAYS,
    PICKUP_TIME,
    booking_view,
    cancellation_deadline,
    charge_booking,
    charge_method,
    check_active,
    check_cancellable,
    check_change_window,
    check_not_started,
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

RENTAL = ("pick-up", "return")


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


def _period(start: date, end: date, tz: ZoneInfo, now: datetime) -> tuple[date, date, int]:
    return check_period(
        start, end, tz=tz, now=now, labels=RENTAL, unit="day", max_units=MAX_RENTAL_DAYS
    )


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


def _reasons(rental_id: int) -> list[str]:
    return [f"car rental {rental_id}", f"car rental {rental_id} change"]


@operation("search_car_rentals", write=False)
def search_car_rentals(
    session: Session, ctx: ServiceContext, *, city: str, start: date, end: date
) -> list[CarOffer]:
    """Car rental offers in a city with a car free for every day, cheapest first."""
    name = resolve_city(session, city, CarRentalOffer.city, "car rentals")
    tz = city_timezone(session, name)
    start, end, days = _period(start, end, tz, ctx.clock.now())
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
    start, end, days = _period(start, end, tz, now)
    method = charge_method(session, passenger, payment_method_id)
    _check_car(session, offer, start, end)
    price = money(offer.price_per_day * days)
    rental = CarRental(
        passenger_id=passenger.id,
        offer_id=offer.id,
        start_date=start,
        end_date=end,
        price=price,
        status=BookingStatus.CONFIRMED,
        created_at=now,
    )
    session.add(rental)
    session.flush()
    charge_booking(
        session,
        ctx,
        passenger,
        amount=price,
        reason=_reasons(rental.id)[0],
        payment_method_id=method,
    )
    deadline = cancellation_deadline(start_moment(start, PICKUP_TIME, tz), tz)
    return OperationResult(
        summary=(
            f"Rented a {offer.car_class} car ({offer.model}) from {offer.company} in {offer.city}, "
            f"{start} to {end} ({days} days); charged CHF {price}. "
            f"Free cancellation until {deadline}."
        ),
        after=_view(rental, offer),
        charged=price,
        rule=f"Car rentals: free cancellation until 24 hours before pick-up ({deadline}).",
        data={"rental_id": rental.id},
    )


@operation("change_car_rental", write=True)
def change_car_rental(
    session: Session, ctx: ServiceContext, *, rental_id: int, start: date, end: date
) -> OperationResult:
    """Move a car rental to new dates before pick-up, charging or refunding the difference."""
    passenger = current_passenger(session, ctx)
    rental = owned_booking(session, CarRental, rental_id, passenger, "car rental")
    check_active(rental.status, "car rental", rental.id)
    offer = locked(session, CarRentalOffer, rental.offer_id, "car rental offer")
    tz = city_timezone(session, offer.city)
    now = ctx.clock.now()
    starts = start_moment(rental.start_date, PICKUP_TIME, tz)
    check_not_started(starts, now, "car rental", tz)
    start, end, days = _period(start, end, tz, now)
    check_change_window(
        starts,
        now,
        old=(rental.start_date, rental.end_date),
        new=(start, end),
        what="car rental",
        tz=tz,
    )
    if (start, end) == (rental.start_date, rental.end_date):
        raise InvalidInput(
            f"Car rental {rental.id} is already from {start} to {end}; nothing to change."
        )
    _check_car(session, offer, start, end, exclude=rental.id)
    before = _view(rental, offer)
    new_price = money(offer.price_per_day * days)
    charged, refunded, money_text = settle_difference(
        session, ctx, passenger, old=rental.price, new=new_price, reasons=_reasons(rental.id)
    )
    rental.start_date, rental.end_date, rental.price = start, end, new_price
    session.flush()
    return OperationResult(
        summary=(
            f"Car rental {rental.id} ({offer.company}, {offer.city}) moved to {start} - {end} "
            f"({days} days); {money_text}."
        ),
        before=before,
        after=_view(rental, offer),
        charged=charged,
        refunded=refunded,
        rule="Car rental date change before pick-up: the price difference is charged or refunded.",
        data={"rental_id": rental.id},
    )


@operation("cancel_car_rental", write=True)
def cancel_car_rental(session: Session, ctx: ServiceContext, *, rental_id: int) -> OperationResult:
    """Cancel a car rental free of charge (until 24 hours before pick-up) and refund it."""
    passenger = current_passenger(session, ctx)
    rental = owned_booking(session, CarRental, rental_id, passenger, "car rental")
    check_active(rental.status, "car rental", rental.id)
    offer = rental.offer
    tz = city_timezone(session, offer.city)
    start = start_moment(rental.start_date, PICKUP_TIME, tz)
    check_cancellable(
        start, ctx.clock.now(), kind="Car rental", what="car rental", tz=tz, changeable=True
    )
    before = _view(rental, offer)
    rental.status = BookingStatus.CANCELLED
    refund = refund_booking(
        session,
        ctx,
        passenger,
        amount=rental.price,
        reasons=_reasons(rental.id),
        reason=f"car rental {rental.id} cancellation",
    )
    session.flush()
    return OperationResult(
        summary=(
            f"Car rental {rental.id} ({offer.company}, {offer.city}, {rental.start_date} - "
            f"{rental.end_date}) cancelled; refunded CHF {refund}."
        ),
        before=before,
        after=_view(rental, offer),
        refunded=refund,
        rule=(
            "Car rentals: free cancellation until 24 hours before pick-up "
            f"({cancellation_deadline(start, tz)}); the full price is refunded."
        ),
        data={"rental_id": rental.id},
    )
