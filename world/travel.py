"""Hotels, car rental offers and excursions in every city of the network, and the bookings made
on them (personas and background) within each offer's capacity."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from world.airports import AIRPORTS
from world.sink import RowSink
from world.travel_data import (
    CAR_CLASSES,
    CAR_COMPANIES,
    CITY_COST,
    FAMOUS_EXCURSIONS,
    GENERIC_EXCURSIONS,
    HOTEL_PATTERNS,
    NIGHT_PRICE_BY_STARS,
)

BACKGROUND_SHARE = 0.6  # background bookings leave 40% of every offer free for the demo


def _money(value: float) -> Decimal:
    return Decimal(round(value)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class HotelOffer:
    id: int
    city: str
    stars: int
    price_per_night: Decimal
    rooms: int


@dataclass(frozen=True)
class CarOffer:
    id: int
    city: str
    car_class: str
    price_per_day: Decimal
    units: int


@dataclass(frozen=True)
class ExcursionOffer:
    id: int
    city: str
    price: Decimal
    capacity: int


@dataclass
class TravelBook:
    """The offers by city plus how much of each is taken per day."""

    hotels: dict[str, list[HotelOffer]] = field(default_factory=lambda: defaultdict(list))
    cars: dict[str, list[CarOffer]] = field(default_factory=lambda: defaultdict(list))
    excursions: dict[str, list[ExcursionOffer]] = field(default_factory=lambda: defaultdict(list))
    taken: Counter[tuple[str, int, date]] = field(default_factory=Counter)

    def _free(self, kind: str, offer_id: int, days: list[date], need: int, limit: int) -> bool:
        return all(self.taken[(kind, offer_id, d)] + need <= limit for d in days)

    def _take(self, kind: str, offer_id: int, days: list[date], need: int) -> None:
        for d in days:
            self.taken[(kind, offer_id, d)] += need

    def book_hotel(
        self,
        sink: RowSink,
        hotel: HotelOffer,
        passenger_id: int,
        checkin: date,
        nights: int,
        guests: int,
        created_at: datetime,
        *,
        background: bool,
        status: str = "confirmed",
    ) -> bool:
        days = [checkin + timedelta(days=i) for i in range(nights)]
        limit = int(hotel.rooms * BACKGROUND_SHARE) if background else hotel.rooms
        if status == "confirmed":
            if not self._free("hotel", hotel.id, days, 1, limit):
                return False
            self._take("hotel", hotel.id, days, 1)
        price = hotel.price_per_night * nights
        sink.add(
            "hotel_bookings",
            (sink.next_id("hotel_bookings"), passenger_id, hotel.id, checkin, days[-1] + timedelta(days=1),
             guests, price, status, created_at),
        )  # fmt: skip
        return True

    def book_car(
        self,
        sink: RowSink,
        offer: CarOffer,
        passenger_id: int,
        start: date,
        end: date,
        created_at: datetime,
        *,
        background: bool,
        status: str = "confirmed",
    ) -> bool:
        days = [start + timedelta(days=i) for i in range((end - start).days)]
        limit = int(offer.units * BACKGROUND_SHARE) if background else offer.units
        if status == "confirmed":
            if not self._free("car", offer.id, days, 1, limit):
                return False
            self._take("car", offer.id, days, 1)
        price = offer.price_per_day * len(days)
        sink.add(
            "car_rentals",
            (
                sink.next_id("car_rentals"),
                passenger_id,
                offer.id,
                start,
                end,
                price,
                status,
                created_at,
            ),
        )
        return True

    def book_excursion(
        self,
        sink: RowSink,
        offer: ExcursionOffer,
        passenger_id: int,
        day: date,
        participants: int,
        created_at: datetime,
        *,
        background: bool,
        status: str = "confirmed",
    ) -> bool:
        limit = int(offer.capacity * BACKGROUND_SHARE) if background else offer.capacity
        if status == "confirmed":
            if not self._free("excursion", offer.id, [day], participants, limit):
                return False
            self._take("excursion", offer.id, [day], participants)
        sink.add(
            "excursion_bookings",
            (sink.next_id("excursion_bookings"), passenger_id, offer.id, day, participants,
             offer.price * participants, status, created_at),
        )  # fmt: skip
        return True


def _cities() -> list[str]:
    seen: list[str] = []
    for airport in AIRPORTS:
        if airport.city not in seen:
            seen.append(airport.city)
    return seen


def write_offers(sink: RowSink, rng: random.Random) -> TravelBook:
    """3-6 hotels, 2-4 rental companies with 2-4 classes each, and 3-5 excursions per city."""
    book = TravelBook()
    for city in _cities():
        cost = CITY_COST.get(city, 1.0)
        for pattern, stars in rng.sample(HOTEL_PATTERNS, rng.randint(3, 6)):
            hotel_id = sink.next_id("hotels")
            price = _money(NIGHT_PRICE_BY_STARS[stars] * cost * rng.uniform(0.9, 1.15))
            rooms = rng.randint(40, 320) if stars < 5 else rng.randint(80, 240)
            sink.add("hotels", (hotel_id, pattern.format(city=city), city, stars, price, rooms))
            book.hotels[city].append(HotelOffer(hotel_id, city, stars, price, rooms))
        for company in sorted(rng.sample(CAR_COMPANIES, rng.randint(2, 4))):
            for car_class, models, day_price in rng.sample(CAR_CLASSES, rng.randint(2, 4)):
                offer_id = sink.next_id("car_rental_offers")
                price = _money(day_price * cost * rng.uniform(0.9, 1.15))
                units = rng.randint(4, 16)
                model = rng.choice(models) + " or similar"
                sink.add(
                    "car_rental_offers", (offer_id, company, city, car_class, model, price, units)
                )
                book.cars[city].append(CarOffer(offer_id, city, car_class, price, units))
        famous = list(FAMOUS_EXCURSIONS.get(city, ()))
        generic = rng.sample(GENERIC_EXCURSIONS, len(GENERIC_EXCURSIONS))
        for name, text, hours, base in (famous + generic)[: rng.randint(3, 5)]:
            excursion_id = sink.next_id("excursions")
            price = _money(base * cost)
            capacity = rng.choice((12, 16, 20, 25, 30, 40))
            sink.add(
                "excursions",
                (excursion_id, name.format(city=city), city, text.format(city=city), price, hours,
                 capacity),
            )  # fmt: skip
            book.excursions[city].append(ExcursionOffer(excursion_id, city, price, capacity))
    return book
