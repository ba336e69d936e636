"""Fare prices: a flight carries the Classic economy price; the other fares derive from it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from db.models import Cabin, Fare
from services.core.money import CENT

FARE_MULTIPLIER: dict[Fare, Decimal] = {
    Fare.LIGHT: Decimal("0.80"),
    Fare.CLASSIC: Decimal("1.00"),
    Fare.FLEX: Decimal("1.45"),
    Fare.BUSINESS: Decimal("3.20"),
}


def cabin_for_fare(fare: Fare) -> Cabin:
    return Cabin.BUSINESS if fare == Fare.BUSINESS else Cabin.ECONOMY


def fare_price(base_price: Decimal, fare: Fare) -> Decimal:
    """Price of one leg in the given fare (whole francs, as the airline publishes them)."""
    return (base_price * FARE_MULTIPLIER[fare]).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def base_price_for_distance(distance_km: float, *, demand: float = 1.0) -> Decimal:
    """Classic economy price of a leg: a fixed part plus a distance part, scaled by demand."""
    raw = (59 + 0.11 * distance_km) * demand
    return Decimal(round(raw)).quantize(CENT)
