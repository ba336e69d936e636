"""Hotels, car rentals and excursions: the three kinds declared once (travel_kinds),
their services (hotels, cars, excursions) on the shared steps (travel_bookings), rules
(travel_common) and payments (travel_payments)."""

__all__ = [
    "cars",
    "excursions",
    "hotels",
    "travel_bookings",
    "travel_common",
    "travel_kinds",
    "travel_payments",
]
