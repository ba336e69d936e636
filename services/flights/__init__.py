"""Flights and tickets: search and status (flights), the fare policy as pure
functions (policy), what a new itinerary must be (itinerary), buying tickets and compensation
(flight_bookings), changes (tickets), cancellations, seats, and a disrupted passenger's
options and EU 261 entitlements (disruption_options)."""

__all__ = [
    "cancellations",
    "disruption_options",
    "flight_bookings",
    "flights",
    "itinerary",
    "policy",
    "seats",
    "tickets",
]
