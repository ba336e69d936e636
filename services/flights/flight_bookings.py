"""Buying new tickets and paying compensation."""

from __future__ import annotations

import itertools
import secrets
import string
from collections.abc import Callable, Sequence
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from db.models import (
    Booking,
    Compensation,
    Fare,
    Flight,
    LegStatus,
    Ticket,
    TicketLeg,
    TicketStatus,
)
from services.core.access import current_passenger, owned_ticket
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, PolicyViolation, Rule
from services.core.operations import OperationResult, operation
from services.flights.flights import BOOKABLE, effective_departure, free_seats, load_flights
from services.flights.policy import (
    MAX_CONNECTION,
    MIN_CONNECTION,
    ZERO,
    CompensationDue,
    check_booked_before_disruption,
    check_ticket_not_cancelled,
    compensation_due,
)
from services.flights.seats import assign_seat
from services.flights.tickets import describe, record_payment, route_of
from services.payments.payments import own_card
from services.payments.pricing import cabin_for_fare, fare_price

TICKET_PREFIX = "724"
REFERENCE_ALPHABET = string.ascii_uppercase + string.digits


def _unique(session: Session, column: InstrumentedAttribute[str], make: Callable[[], str]) -> str:
    for _ in range(20):
        value = make()
        if session.scalar(select(column).where(column == value)) is None:
            return value
    raise RuntimeError("could not draw a unique identifier")


def _check_new_itinerary(flights: list[Flight], ctx: ServiceContext) -> None:
    now = ctx.clock.now()
    for flight in flights:
        if flight.status not in BOOKABLE:
            raise PolicyViolation(
                Rule.FLIGHT_NOT_BOOKABLE,
                f"{describe(flight)} is {flight.status.value} and cannot be booked.",
            )
        if effective_departure(flight) <= now:
            raise PolicyViolation(Rule.FLIGHT_IN_PAST, f"{describe(flight)} has already departed.")
    for first, second in itertools.pairwise(flights):
        layover = second.scheduled_departure - first.scheduled_arrival
        if first.destination != second.origin or not MIN_CONNECTION <= layover <= MAX_CONNECTION:
            raise PolicyViolation(
                Rule.ITINERARY_INVALID,
                f"{second.flight_no} does not connect with {first.flight_no}.",
            )


@operation("book_flight", write=True)
def book_flight(
    session: Session,
    ctx: ServiceContext,
    *,
    flight_ids: Sequence[int],
    fare: Fare | str,
    payment_method_id: int | None = None,
) -> OperationResult:
    """Buy a new ticket for the current passenger on the given flights, paid with a card on file."""
    passenger = current_passenger(session, ctx)
    try:
        fare = Fare(fare) if not isinstance(fare, Fare) else fare
    except ValueError:
        raise InvalidInput(
            f"'{fare}' is not a fare; choose Light, Classic, Flex or Business."
        ) from None
    method = own_card(session, passenger, payment_method_id)
    flights = load_flights(session, list(flight_ids), lock=True)
    _check_new_itinerary(flights, ctx)
    cabin = cabin_for_fare(fare)
    seats_left = free_seats(session, flights, cabin)
    for flight in flights:
        if seats_left[flight.id] < 1:
            raise PolicyViolation(
                Rule.NO_SEAT, f"No free {cabin.value} seat is left on {describe(flight)}."
            )
    now = ctx.clock.now()
    booking = Booking(
        reference=_unique(
            session,
            Booking.reference,
            lambda: "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6)),
        ),
        created_at=now,
        booked_by_passenger_id=passenger.id,
    )
    ticket = Ticket(
        ticket_no=_unique(
            session,
            Ticket.ticket_no,
            lambda: TICKET_PREFIX + "".join(secrets.choice(string.digits) for _ in range(10)),
        ),
        booking=booking,
        passenger_id=passenger.id,
        fare=fare,
        cabin=cabin,
        status=TicketStatus.ACTIVE,
        issued_at=now,
        payment_method_id=method.id,
    )
    session.add_all([booking, ticket])
    total = ZERO
    seats = []
    for sequence, flight in enumerate(flights, start=1):
        price = fare_price(flight.base_price, fare)
        total += price
        leg = TicketLeg(
            ticket=ticket,
            flight=flight,
            sequence=sequence,
            fare=fare,
            cabin=cabin,
            price_paid=price,
            status=LegStatus.ACTIVE,
            booked_at=now,
        )
        session.add(leg)
        session.flush()
        seats.append(assign_seat(session, flight, leg, cabin).seat_no)
    record_payment(
        session,
        ctx,
        passenger=passenger,
        ticket=ticket,
        kind="charge",
        amount=total,
        reason=f"new ticket {ticket.ticket_no}",
        payment_method_id=method.id,
    )
    session.flush()
    return OperationResult(
        summary=f"Booked {fare.value} ticket {ticket.ticket_no} ({route_of(flights)}), booking {booking.reference}, charged CHF {total} to {method.brand} ending {method.last4}.",
        before={},
        after={
            "ticket_no": ticket.ticket_no,
            "booking": booking.reference,
            "flights": [describe(f) for f in flights],
            "seats": seats,
        },
        charged=total,
        rule=f"{fare.value} fare",
        data={"ticket_no": ticket.ticket_no, "booking_reference": booking.reference},
    )


class CompensationQuote(BaseModel):
    ticket_no: str
    flight_no: str
    flight: str
    amount: Decimal
    reason: str
    rule: str


def _compensation_due(
    session: Session, ctx: ServiceContext, ticket_no: str, flight_no: str | None
) -> tuple[Ticket, Flight, CompensationDue, int]:
    """The first flight of the ticket that is owed compensation not yet paid, or the refusal.
    Shared by the quote and the payment so both apply the same rules; in the payment the ticket
    and its legs are locked (owned_ticket), so a racing cancellation of the ticket is decided
    either wholly before or wholly after this claim."""
    ticket = owned_ticket(session, ctx, ticket_no)
    legs = list(ticket.legs)
    if flight_no:
        wanted = "".join(flight_no.split()).upper()
        legs = [leg for leg in legs if leg.flight.flight_no.replace(" ", "") == wanted]
        if not legs:
            raise InvalidInput(f"Ticket {ticket.ticket_no} has no flight {flight_no}.")
    paid_flights = set(
        session.scalars(select(Compensation.flight_id).where(Compensation.ticket_id == ticket.id))
    )
    # A flight that qualifies but is refused for this ticket says more than one that does not
    # qualify at all, so its refusal is the one reported.
    not_eligible: PolicyViolation | None = None
    refusal: PolicyViolation | None = None
    for leg in legs:
        flight = leg.flight
        try:
            due = compensation_due(
                flight.status,
                scheduled_departure=flight.scheduled_departure,
                estimated_departure=flight.estimated_departure,
                actual_departure=flight.actual_departure,
            )
        except PolicyViolation as err:
            not_eligible = not_eligible or err
            continue
        try:
            check_ticket_not_cancelled(
                ticket_cancelled=ticket.status == TicketStatus.CANCELLED
                or leg.status == LegStatus.CANCELLED,
                reason=due.reason,
            )
            check_booked_before_disruption(
                booked_at=leg.booked_at, disrupted_at=flight.disrupted_at, flight=describe(flight)
            )
        except PolicyViolation as err:
            refusal = refusal or err
            continue
        if flight.id in paid_flights:
            refusal = PolicyViolation(
                Rule.COMPENSATION_ALREADY_PAID,
                f"Compensation for {flight.flight_no} on this ticket has already been paid.",
            )
            continue
        return ticket, flight, due, len(paid_flights)
    raise (
        refusal
        or not_eligible
        or PolicyViolation(
            Rule.COMPENSATION_NOT_ELIGIBLE,
            "This ticket has no flight that qualifies for compensation.",
        )
    )


def _compensation_rule(due: CompensationDue) -> str:
    return f"Compensation for a {due.reason} flight: CHF {due.amount} per passenger."


@operation("quote_compensation", write=False)
def quote_compensation(
    session: Session, ctx: ServiceContext, *, ticket_no: str, flight_no: str | None = None
) -> CompensationQuote:
    """What compensation the ticket is owed (for the approval card), or the rule that refuses it."""
    ticket, flight, due, _ = _compensation_due(session, ctx, ticket_no, flight_no)
    return CompensationQuote(
        ticket_no=ticket.ticket_no,
        flight_no=flight.flight_no,
        flight=describe(flight),
        amount=due.amount,
        reason=due.reason,
        rule=_compensation_rule(due),
    )


@operation("request_compensation", write=True)
def request_compensation(
    session: Session, ctx: ServiceContext, *, ticket_no: str, flight_no: str | None = None
) -> OperationResult:
    """Pay the compensation a ticket's cancelled or long-delayed flight is due (once per flight)."""
    ticket, flight, due, paid = _compensation_due(session, ctx, ticket_no, flight_no)
    session.add(
        Compensation(
            passenger_id=ticket.passenger_id,
            ticket_id=ticket.id,
            flight_id=flight.id,
            amount=due.amount,
            reason=due.reason,
            created_at=ctx.clock.now(),
        )
    )
    record_payment(
        session,
        ctx,
        passenger=ticket.passenger,
        ticket=ticket,
        kind="refund",
        amount=due.amount,
        reason=f"compensation {due.reason} {flight.flight_no}",
        # Compensation is owed to the passenger, not to whoever paid the ticket.
        payment_method_id=own_card(session, ticket.passenger).id,
    )
    session.flush()
    return OperationResult(
        summary=f"CHF {due.amount} compensation paid for {describe(flight)} ({due.reason}) on ticket {ticket.ticket_no}.",
        before={"compensations": paid},
        after={"compensations": paid + 1, "amount": due.amount},
        refunded=due.amount,
        rule=_compensation_rule(due),
        data={
            "ticket_no": ticket.ticket_no,
            "flight_no": flight.flight_no,
            "amount": due.amount,
        },
    )
