"""Quoting and making flight changes under the fare rules (cancellations: services.flights.cancellations)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy.orm import Session

from db.models import (
    Flight,
    FlightStatus,
    LegStatus,
    Passenger,
    Payment,
    Ticket,
    TicketLeg,
    TicketStatus,
)
from services.core.access import owned_ticket
from services.core.context import ServiceContext
from services.core.errors import PolicyViolation, Rule
from services.core.money import chf, money
from services.core.operations import OperationResult, operation
from services.flights.flights import effective_departure, load_flights
from services.flights.itinerary import check_bookable, check_seats_left, describe, route_of
from services.flights.policy import (
    ZERO,
    change_fee,
    check_rebooking_window,
    check_timing,
)
from services.flights.seats import assign_seat, release_seats
from services.payments.payments import own_card, paying_card
from services.payments.pricing import fare_price


class ChangeQuote(BaseModel):
    ticket_no: str
    fare: str
    cabin: str
    current_flights: list[str]
    new_flights: list[str]
    new_flight_ids: list[int]
    route: str
    change_fee: Decimal
    fare_difference: Decimal
    total: Decimal
    rule: str
    airline_cancelled: bool


def _flown(leg: TicketLeg, now: datetime) -> bool:
    return leg.flight.status in (FlightStatus.DEPARTED, FlightStatus.ARRIVED) or (
        leg.flight.status != FlightStatus.CANCELLED and effective_departure(leg.flight) <= now
    )


def has_flown_leg(ticket: Ticket, now: datetime) -> bool:
    return any(_flown(leg, now) for leg in ticket.active_legs)


def is_airline_cancelled(ticket: Ticket) -> bool:
    return any(leg.flight.status == FlightStatus.CANCELLED for leg in ticket.active_legs)


def check_ticket_changeable(
    ticket: Ticket, now: datetime, what: str, *, rest_of_journey: bool = False
) -> list[TicketLeg]:
    """The legs a change or cancellation acts on: all the ticket's active legs. With
    `rest_of_journey` (a change after the airline cancelled a later leg: a passenger who flew
    the first leg and lost the connection), the legs not flown yet."""
    if ticket.status != TicketStatus.ACTIVE:
        raise PolicyViolation(
            Rule.TICKET_NOT_ACTIVE, f"Ticket {ticket.ticket_no} is already cancelled."
        )
    legs = ticket.active_legs
    if rest_of_journey and is_airline_cancelled(ticket) and has_flown_leg(ticket, now):
        legs = [leg for leg in legs if not _flown(leg, now)]
        if not legs:
            raise PolicyViolation(
                Rule.LEG_FLOWN, f"Every flight of ticket {ticket.ticket_no} has been flown."
            )
    elif has_flown_leg(ticket, now):
        raise PolicyViolation(
            Rule.LEG_FLOWN,
            f"Ticket {ticket.ticket_no} has a flight already flown, so it cannot be {what}.",
        )
    check_timing(
        effective_departure(legs[0].flight),
        now,
        airline_cancelled=is_airline_cancelled(ticket),
        what=what,
    )
    return legs


def _check_itinerary(
    ticket: Ticket, legs: list[TicketLeg], new: list[Flight], now: datetime
) -> None:
    old = [leg.flight for leg in legs]
    if (new[0].origin, new[-1].destination) != (old[0].origin, old[-1].destination):
        raise PolicyViolation(
            Rule.ROUTE_MUST_MATCH,
            f"A change keeps the route {route_of(old)}: the new flights must go from {old[0].origin} "
            f"to {old[-1].destination}.",
        )
    check_bookable(new, now)
    if [f.id for f in new] == [f.id for f in old]:
        raise PolicyViolation(Rule.SAME_ITINERARY, "The ticket is already on these flights.")
    if is_airline_cancelled(ticket):
        check_rebooking_window(old[0].scheduled_departure, new[0].scheduled_departure)


def _quote_change(
    session: Session,
    ctx: ServiceContext,
    ticket_no: str,
    new_flight_ids: Sequence[int],
    *,
    lock: bool,
) -> tuple[Ticket, list[TicketLeg], list[Flight], ChangeQuote]:
    ticket = owned_ticket(session, ctx, ticket_no)
    now = ctx.clock.now()
    legs = check_ticket_changeable(ticket, now, "changed", rest_of_journey=True)
    airline_cancelled = is_airline_cancelled(ticket)
    fee = change_fee(ticket.fare, ticket.passenger.tier, airline_cancelled=airline_cancelled)
    new = load_flights(session, list(new_flight_ids), lock=lock)
    _check_itinerary(ticket, legs, new, now)
    check_seats_left(session, new, ticket.cabin)
    paid = sum((leg.price_paid for leg in legs), ZERO)
    new_price = sum((fare_price(f.base_price, ticket.fare) for f in new), ZERO)
    difference = ZERO if airline_cancelled else max(money(new_price - paid), ZERO)
    quote = ChangeQuote(
        ticket_no=ticket.ticket_no,
        fare=ticket.fare.value,
        cabin=ticket.cabin.value,
        current_flights=[describe(leg.flight) for leg in legs],
        new_flights=[describe(f) for f in new],
        new_flight_ids=[f.id for f in new],
        route=route_of(new),
        change_fee=fee.fee,
        fare_difference=difference,
        total=money(fee.fee + difference),
        rule=fee.rule,
        airline_cancelled=airline_cancelled,
    )
    return ticket, legs, new, quote


@operation("quote_flight_change", write=False)
def quote_flight_change(
    session: Session, ctx: ServiceContext, *, ticket_no: str, new_flight_ids: Sequence[int]
) -> ChangeQuote:
    """What moving a ticket to other flights would cost, or the rule that refuses it."""
    return _quote_change(session, ctx, ticket_no, new_flight_ids, lock=False)[3]


def record_payment(
    session: Session,
    ctx: ServiceContext,
    *,
    passenger: Passenger,
    ticket: Ticket | None,
    kind: str,
    amount: Decimal,
    reason: str,
    payment_method_id: int | None = None,
) -> None:
    if amount <= ZERO:
        return
    # Without a card named by the caller, services.payments.payments applies the one card rule: a
    # charge to the passenger's own card, a refund back to the card that paid.
    paid_by = ticket.payment_method_id if ticket is not None else None
    if payment_method_id is not None:
        method = payment_method_id
    elif kind == "charge":
        method = own_card(session, passenger, paid_by=paid_by).id
    else:
        method = paying_card(session, passenger, paid_by).id
    session.add(
        Payment(
            passenger_id=passenger.id,
            payment_method_id=method,
            ticket_id=ticket.id if ticket else None,
            kind=kind,
            amount=amount,
            reason=reason,
            created_at=ctx.clock.now(),
        )
    )


def refund_ticket(
    session: Session,
    ctx: ServiceContext,
    ticket: Ticket,
    amount: Decimal,
    reason: str,
    *,
    payment_method_id: int | None = None,
) -> None:
    """Money back to the ticket's passenger: to the card that paid, unless a card is named."""
    record_payment(
        session,
        ctx,
        passenger=ticket.passenger,
        ticket=ticket,
        kind="refund",
        amount=amount,
        reason=reason,
        payment_method_id=payment_method_id,
    )


@operation("change_flight", write=True)
def change_flight(
    session: Session, ctx: ServiceContext, *, ticket_no: str, new_flight_ids: Sequence[int]
) -> OperationResult:
    """Move a ticket (all its legs) to other flights on the same route, charging fee and difference."""
    # After an airline cancellation of a later leg, the legs already flown stay as they are.
    ticket, old_legs, new, quote = _quote_change(session, ctx, ticket_no, new_flight_ids, lock=True)
    paid_before = sum((leg.price_paid for leg in old_legs), ZERO)
    release_seats(session, old_legs)
    for leg in old_legs:
        leg.status = LegStatus.EXCHANGED
    prices = [fare_price(f.base_price, ticket.fare) for f in new]
    total_price = sum(prices, ZERO) or Decimal(1)
    worth = paid_before + quote.fare_difference
    sequence_start = max(leg.sequence for leg in ticket.legs) + 1
    for offset, (flight, price) in enumerate(zip(new, prices, strict=True)):
        leg = TicketLeg(
            ticket=ticket,
            flight=flight,
            sequence=sequence_start + offset,
            fare=ticket.fare,
            cabin=ticket.cabin,
            price_paid=money(worth * price / total_price),
            status=LegStatus.ACTIVE,
            # The new leg's own booking time: moving onto a flight already announced as
            # disrupted earns no compensation for it.
            booked_at=ctx.clock.now(),
        )
        session.add(leg)
        session.flush()
        assign_seat(session, flight, leg, ticket.cabin)
    record_payment(
        session,
        ctx,
        passenger=ticket.passenger,
        ticket=ticket,
        kind="charge",
        amount=quote.total,
        reason=f"flight change {ticket.ticket_no}",
    )
    session.flush()
    return OperationResult(
        summary=f"Ticket {ticket.ticket_no} moved to {', '.join(quote.new_flights)}; charged {chf(quote.total)}.",
        before={"flights": quote.current_flights},
        after={"flights": quote.new_flights},
        charged=quote.total,
        rule=quote.rule,
        data={
            "ticket_no": ticket.ticket_no,
            "change_fee": quote.change_fee,
            "fare_difference": quote.fare_difference,
        },
    )
