"""Buying new tickets and paying compensation."""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Sequence
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from db.models import Booking, Compensation, Flight, Ticket, TicketLeg
from db.models.enums import Fare, FlightStatus, LegStatus, TicketStatus
from services.core.access import current_passenger, legs_on, owned_ticket
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, PolicyViolation, Rule
from services.core.money import chf, eur
from services.core.operations import OperationResult, operation
from services.disruptions.claims import leg_entitlements
from services.disruptions.eu261 import CompensationDecision
from services.flights.flights import load_flights
from services.flights.itinerary import check_bookable, check_seats_left, describe, route_of
from services.flights.policy import (
    ZERO,
    CompensationDue,
    CompensationReason,
    check_booked_before_disruption,
    check_ticket_not_cancelled,
)
from services.flights.seats import assign_seat
from services.flights.tickets import record_payment, refund_ticket
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
    check_bookable(flights, ctx.clock.now())
    cabin = cabin_for_fare(fare)
    check_seats_left(session, flights, cabin)
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
        summary=f"Booked {fare.value} ticket {ticket.ticket_no} ({route_of(flights)}), booking {booking.reference}, charged {chf(total)} to {method.brand} ending {method.last4}.",
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
    amount: Decimal  # CHF, what is paid
    amount_eur: Decimal
    eur_chf_rate: Decimal
    reason: str
    article: str
    rule: str


def _eu261_due(session: Session, ticket: Ticket, leg: TicketLeg) -> CompensationDue:
    """The EU 261/2004 compensation for one leg (services.disruptions), or its refusal."""
    entitled = leg_entitlements(session, ticket, leg)
    decision: CompensationDecision = entitled.compensation
    if not decision.entitled:
        raise PolicyViolation(
            decision.rule or Rule.COMPENSATION_NOT_ELIGIBLE,
            f"{decision.sentence} (EU 261/2004 {decision.article})",
        )
    cancelled = leg.flight.status == FlightStatus.CANCELLED
    return CompensationDue(
        amount=decision.amount_chf,
        amount_eur=decision.amount_eur,
        eur_chf_rate=decision.eur_chf_rate,
        reason=CompensationReason.CANCELLED if cancelled else CompensationReason.DELAYED,
        article=decision.article,
        sentence=decision.sentence,
    )


def _compensation_due(
    session: Session, ctx: ServiceContext, ticket_no: str, flight_no: str | None
) -> tuple[Ticket, Flight, CompensationDue, int]:
    """The first flight of the ticket that is owed compensation not yet paid, or the refusal.
    Shared by the quote and the payment so both apply the same rules; in the payment the ticket
    and its legs are locked (owned_ticket), so a racing cancellation of the ticket is decided
    either wholly before or wholly after this claim."""
    ticket = owned_ticket(session, ctx, ticket_no)
    legs = legs_on(ticket, flight_no)
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
            due = _eu261_due(session, ticket, leg)
        except PolicyViolation as err:
            if err.rule == Rule.COMPENSATION_NOT_ELIGIBLE:
                not_eligible = not_eligible or err
            else:  # a disrupted flight refused (extraordinary, early notice): says more
                refusal = refusal or err
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
    return f"EU 261/2004 {due.article}: {due.sentence}"


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
        amount_eur=due.amount_eur,
        eur_chf_rate=due.eur_chf_rate,
        reason=due.reason,
        article=due.article,
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
            amount_eur=due.amount_eur,
            eur_chf_rate=due.eur_chf_rate,
            reason=due.reason,
            created_at=ctx.clock.now(),
        )
    )
    reason = f"compensation {due.reason} {flight.flight_no}"
    # Compensation is owed to the passenger, not to whoever paid the ticket.
    card = own_card(session, ticket.passenger).id
    refund_ticket(session, ctx, ticket, due.amount, reason, payment_method_id=card)
    session.flush()
    return OperationResult(
        summary=f"{chf(due.amount)} ({eur(due.amount_eur)}) compensation paid for {describe(flight)} ({due.reason}) on ticket {ticket.ticket_no}.",
        before={"compensations": paid},
        after={"compensations": paid + 1, "amount": due.amount, "amount_eur": due.amount_eur},
        refunded=due.amount,
        rule=_compensation_rule(due),
        data={
            "ticket_no": ticket.ticket_no,
            "flight_no": flight.flight_no,
            "amount": due.amount,
            "amount_eur": due.amount_eur,
            "eur_chf_rate": due.eur_chf_rate,
            "article": due.article,
        },
    )
