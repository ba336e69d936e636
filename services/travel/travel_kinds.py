"""The three kinds of travel booking (hotel stays, car rentals, excursions), declared once.

Each kind names its service functions (search, book, change, cancel), the fields its bookings
carry in the passenger snapshot and the results, and how a person calls it. The assistant's
approval previews (agent/travel_previews.py) and the built-in model (agent/models/builtin/)
read this instead of describing the kinds again. A kind's tool names are its service
functions' names: agent/tools.py exposes each service under the same name
(tests/agent/test_tools.py checks they match)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from services.core.operations import OperationResult
from services.travel import cars, excursions, hotels

Write = Callable[..., OperationResult]


class TravelKey(StrEnum):
    HOTEL = "hotel"
    CAR = "car"
    EXCURSION = "excursion"


@dataclass(frozen=True)
class TravelKindSpec:
    key: TravelKey
    noun: str  # "hotel booking": how a sentence or an approval card names one booking
    search: Callable[..., Any]
    book: Write
    change: Write | None  # None: an excursion is cancelled and booked again instead
    cancel: Write
    snapshot_list: str  # the passenger snapshot's list of these bookings
    booking_id: str  # the booking's id in the snapshot and the change/cancel arguments
    offer_id: str  # the search result's id that the book call takes
    start_field: str  # the first day, in the snapshot and in a booking's audit view
    end_field: str | None  # the last day (check-out, return); None for a one-day excursion

    @property
    def label(self) -> str:
        """ "Hotel booking": the noun at the start of a card's line."""
        return self.noun[:1].upper() + self.noun[1:]

    @property
    def search_tool(self) -> str:
        return self.search.__name__

    @property
    def book_tool(self) -> str:
        return self.book.__name__

    @property
    def change_tool(self) -> str | None:
        return self.change.__name__ if self.change else None

    @property
    def cancel_tool(self) -> str:
        return self.cancel.__name__


HOTEL = TravelKindSpec(
    key=TravelKey.HOTEL,
    noun="hotel booking",
    search=hotels.search_hotels,
    book=hotels.book_hotel,
    change=hotels.change_hotel_booking,
    cancel=hotels.cancel_hotel_booking,
    snapshot_list="hotel_bookings",
    booking_id="booking_id",
    offer_id="hotel_id",
    start_field="checkin",
    end_field="checkout",
)
CAR = TravelKindSpec(
    key=TravelKey.CAR,
    noun="car rental",
    search=cars.search_car_rentals,
    book=cars.book_car_rental,
    change=cars.change_car_rental,
    cancel=cars.cancel_car_rental,
    snapshot_list="car_rentals",
    booking_id="rental_id",
    offer_id="offer_id",
    start_field="start",
    end_field="end",
)
EXCURSION = TravelKindSpec(
    key=TravelKey.EXCURSION,
    noun="excursion",
    search=excursions.search_excursions,
    book=excursions.book_excursion,
    change=None,
    cancel=excursions.cancel_excursion,
    snapshot_list="excursions",
    booking_id="booking_id",
    offer_id="excursion_id",
    start_field="date",
    end_field=None,
)
TRAVEL_KINDS: dict[TravelKey, TravelKindSpec] = {k.key: k for k in (HOTEL, CAR, EXCURSION)}
