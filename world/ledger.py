"""Bookings, tickets, legs, seats and payments written the same way for personas and background
passengers, so both obey the same invariants: an active leg has exactly one seat in the ticket's
cabin, cancelled legs have none, and every ticket was paid for."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from db.models import Fare
from services.payments.pricing import cabin_for_fare, fare_price
from world.ids import booking_reference, ticket_number
from world.schedule import FlightPlan
from world.seating import take_seat
from world.sink import RowSink

CLASSIC_CANCEL_FEE = Decimal("100.00")
ZERO = Decimal("0.00")
FARE_OF = {f.value: f for f in Fare}
CABIN_OF = {f.value: cabin_for_fare(f).value for f in Fare}


def write_booking(sink: RowSink, *, created_at: datetime, booker_id: int) -> int:
    booking_id = sink.next_id("bookings")
    sink.add("bookings", (booking_id, booking_reference(booking_id), created_at, booker_id))
    return booking_id


def refund_for(fare: str, paid: Decimal) -> Decimal:
    """What a passenger's own cancellation gives back (docs/policy.md, "Cancellations and refunds")."""
    if fare in (Fare.FLEX.value, Fare.BUSINESS.value):
        return paid
    if fare == Fare.CLASSIC.value:
        return max(ZERO, paid - CLASSIC_CANCEL_FEE)
    return ZERO


def write_ticket(
    sink: RowSink,
    *,
    booking_id: int,
    passenger_id: int,
    payer_id: int,
    payment_method_id: int,
    fare: str,
    legs: list[FlightPlan],
    issued_at: datetime,
    cancelled_at: datetime | None = None,
) -> int:
    """One ticket with its legs; seats are taken for active legs (callers checked room)."""
    ticket_id = sink.next_id("tickets")
    ticket_no = ticket_number(ticket_id)
    cabin = CABIN_OF[fare]
    status = "cancelled" if cancelled_at is not None else "active"
    sink.add(
        "tickets",
        (ticket_id, ticket_no, booking_id, passenger_id, fare, cabin, status, issued_at,
         payment_method_id),
    )  # fmt: skip
    paid = ZERO
    for sequence, flight in enumerate(legs, start=1):
        # Cached per flight: many tickets share a fare, and Decimal arithmetic is the dearest
        # part of writing a leg.
        price = flight.prices.get(fare)
        if price is None:
            price = flight.prices[fare] = fare_price(flight.base_price, FARE_OF[fare])
        paid += price
        leg_id = sink.next_id("ticket_legs")
        sink.add(
            "ticket_legs",
            (leg_id, ticket_id, flight.id, sequence, fare, cabin, price, status, issued_at),
        )
        if cancelled_at is None:
            seat_id = take_seat(flight, cabin)
            sink.add(
                "seat_assignments", (sink.next_id("seat_assignments"), flight.id, seat_id, leg_id)
            )
    sink.add(
        "payments",
        (sink.next_id("payments"), payer_id, payment_method_id, ticket_id, "charge", paid, "CHF",
         f"ticket {ticket_no} ({fare})", issued_at),
    )  # fmt: skip
    if cancelled_at is not None:
        refund = refund_for(fare, paid)
        if refund > 0:
            sink.add(
                "payments",
                (sink.next_id("payments"), payer_id, payment_method_id, ticket_id, "refund",
                 refund, "CHF", f"cancellation of ticket {ticket_no}", cancelled_at),
            )  # fmt: skip
    return ticket_id
