"""Flights and tickets: search and status (flights), the fare policy as pure
functions (policy), what a new itinerary must be (itinerary), buying tickets and compensation
(flight_bookings), changes (tickets), cancellations, and seats."""

__all__ = [
    "cancellations",
    "flight_bookings",
    "flights",
    "itinerary",
    "policy",
    "seats",
    "tickets",
]
