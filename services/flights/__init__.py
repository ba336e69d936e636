"""Flights and tickets: search and status (flights), the fare policy as pure
functions (policy), buying tickets and compensation (flight_bookings), changes (tickets),
cancellations, and seats."""

__all__ = [
    "cancellations",
    "flight_bookings",
    "flights",
    "policy",
    "seats",
    "tickets",
]
