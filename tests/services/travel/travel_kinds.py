"""How the shared travel-rule tests reach each kind of travel booking through its service: one
Kind per hotel stays, car rentals and excursions, and the marks that run a test for each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.models import CarRental, ExcursionBooking, HotelBooking
from services.core.operations import OperationResult
from services.travel import cars, excursions, hotels
from tests import factories as f
from tests.services.travel.travel_helpers import (
    BOOKED_AT,
    World,
    car_world,
    day,
    excursion_world,
    hotel_world,
)


@dataclass(frozen=True)
class Kind:
    """How these tests reach one kind of travel booking through its service."""

    name: str
    model: type[Any]
    world: Callable[[Session], World[Any]]
    # A booking of one night, day or participant from `first`, made 20 days ago: add(s, owner,
    # offer, first).
    add: Callable[..., Any]
    # Book one night, day or participant from day(2), unless `arguments` say otherwise:
    # book(s, ctx, offer, **arguments).
    book: Callable[..., OperationResult]
    cancel: Callable[..., OperationResult]  # cancel(s, ctx, booking_id)
    change: Callable[..., OperationResult] | None  # change(s, ctx, booking_id, start, end)
    record: str  # as messages name a booking: "There is no hotel booking 5."
    id_arg: str  # the services' name for the booking's id
    cancel_action: str  # the audited action
    starts_at: str  # the local start time the 24-hour window counts from
    unit_price: Decimal  # one night, day or participant of the cheap offer
    window_closes_in: timedelta  # from FROZEN_NOW to 24 hours before tomorrow's start in London
    fill_dear: dict[str, Any]  # booking arguments that take more than half of the dear offer


HOTEL = Kind(
    name="hotel",
    model=HotelBooking,
    world=hotel_world,
    add=lambda s, owner, hotel, first: f.hotel_booking(
        s, owner, hotel, first, 1, created_at=BOOKED_AT
    ),
    book=lambda s, ctx, hotel, **arguments: hotels.book_hotel(
        s, ctx, **{"hotel_id": hotel.id, "checkin": day(2), "checkout": day(3), **arguments}
    ),
    cancel=lambda s, ctx, booking_id: hotels.cancel_hotel_booking(s, ctx, booking_id=booking_id),
    change=lambda s, ctx, booking_id, start, end: hotels.change_hotel_booking(
        s, ctx, booking_id=booking_id, checkin=start, checkout=end
    ),
    record="hotel booking",
    id_arg="booking_id",
    cancel_action="cancel_hotel_booking",
    starts_at="15:00",
    unit_price=Decimal("120.00"),
    window_closes_in=timedelta(hours=7),
    fill_dear={},
)
CAR = Kind(
    name="car",
    model=CarRental,
    world=car_world,
    add=lambda s, owner, offer, first: f.car_rental(
        s, owner, offer, first, 1, created_at=BOOKED_AT
    ),
    book=lambda s, ctx, offer, **arguments: cars.book_car_rental(
        s, ctx, **{"offer_id": offer.id, "start": day(2), "end": day(3), **arguments}
    ),
    cancel=lambda s, ctx, rental_id: cars.cancel_car_rental(s, ctx, rental_id=rental_id),
    change=lambda s, ctx, rental_id, start, end: cars.change_car_rental(
        s, ctx, rental_id=rental_id, start=start, end=end
    ),
    record="car rental",
    id_arg="rental_id",
    cancel_action="cancel_car_rental",
    starts_at="09:00",
    unit_price=Decimal("50.00"),
    window_closes_in=timedelta(hours=1),
    fill_dear={},
)
EXCURSION = Kind(
    name="excursion",
    model=ExcursionBooking,
    world=excursion_world,
    add=lambda s, owner, tour, first: f.excursion_booking(
        s, owner, tour, first, created_at=BOOKED_AT
    ),
    book=lambda s, ctx, tour, **arguments: excursions.book_excursion(
        s, ctx, **{"excursion_id": tour.id, "day": day(2), **arguments}
    ),
    cancel=lambda s, ctx, booking_id: excursions.cancel_excursion(s, ctx, booking_id=booking_id),
    change=None,  # an excursion is cancelled and booked again instead
    record="excursion booking",
    id_arg="booking_id",
    cancel_action="cancel_excursion",
    starts_at="09:00",
    unit_price=Decimal("40.00"),
    window_closes_in=timedelta(hours=1),
    fill_dear={"participants": 3},  # of the boat tour's 4 places
)

every_kind = pytest.mark.parametrize("kind", [HOTEL, CAR, EXCURSION], ids=lambda k: k.name)
changeable_kind = pytest.mark.parametrize("kind", [HOTEL, CAR], ids=lambda k: k.name)


def case_id(value: object) -> str | None:
    """Test ids like "hotel-must be after": the kind and the words the message must contain."""
    if isinstance(value, Kind):
        return value.name
    return value if isinstance(value, str) else None
