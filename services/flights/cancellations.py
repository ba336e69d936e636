"""Quoting and making ticket cancellations: the fare's refund, less any delay compensation the
ticket was paid (docs/policy.md, Cancellations and refunds)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Compensation, LegStatus, Ticket, TicketStatus
from services.core.access import owned_ticket
from services.core.context import ServiceContext
from services.core.money import chf, money
from services.core.operations import OperationResult, operation
from services.flights.itinerary import describe
from services.flights.policy import (
    ZERO,
    CompensationReason,
    cancellation_refund,
    refund_less_compensation,
)
from services.flights.seats import release_seats
from services.flights.tickets import (
    check_ticket_changeable,
    is_airline_cancelled,
    refund_ticket,
)


class CancellationQuote(BaseModel):
    ticket_no: str
    fare: str
    paid: Decimal
    delay_compensation: Decimal
    refund: Decimal
    rule: str
    airline_cancelled: bool


def delay_compensation_paid(session: Session, ticket: Ticket) -> Decimal:
    """The delay compensation already paid on the ticket. Read after the ticket's row lock (in a
    write), so a claim that committed while this cancellation waited is counted."""
    total = session.scalar(
        select(func.coalesce(func.sum(Compensation.amount), 0)).where(
            Compensation.ticket_id == ticket.id,
            Compensation.reason == CompensationReason.DELAYED.value,
        )
    )
    return money(total or 0)


def _quote_cancel(
    session: Session, ctx: ServiceContext, ticket_no: str
) -> tuple[Ticket, CancellationQuote]:
    ticket = owned_ticket(session, ctx, ticket_no)
    now = ctx.clock.now()
    legs = check_ticket_changeable(ticket, now, "cancelled")
    paid = sum((leg.price_paid for leg in legs), ZERO)
    airline_cancelled = is_airline_cancelled(ticket)
    refund = cancellation_refund(
        ticket.fare, paid, booked_at=ticket.issued_at, now=now, airline_cancelled=airline_cancelled
    )
    compensation = delay_compensation_paid(session, ticket)
    refund = refund_less_compensation(refund, compensation)
    return ticket, CancellationQuote(
        ticket_no=ticket.ticket_no,
        fare=ticket.fare.value,
        paid=paid,
        delay_compensation=compensation,
        refund=refund.amount,
        rule=refund.rule,
        airline_cancelled=airline_cancelled,
    )


@operation("quote_cancellation", write=False)
def quote_cancellation(
    session: Session, ctx: ServiceContext, *, ticket_no: str
) -> CancellationQuote:
    """How much cancelling the ticket would refund, or the rule that refuses it."""
    return _quote_cancel(session, ctx, ticket_no)[1]


@operation("cancel_ticket", write=True)
def cancel_ticket(session: Session, ctx: ServiceContext, *, ticket_no: str) -> OperationResult:
    """Cancel a ticket and refund what the fare rules allow."""
    ticket, quote = _quote_cancel(session, ctx, ticket_no)
    legs = ticket.active_legs
    release_seats(session, legs)
    for leg in legs:
        leg.status = LegStatus.CANCELLED
    ticket.status = TicketStatus.CANCELLED
    refund_ticket(session, ctx, ticket, quote.refund, f"cancellation {ticket.ticket_no}")
    session.flush()
    return OperationResult(
        summary=f"Ticket {ticket.ticket_no} cancelled; refund {chf(quote.refund)}.",
        before={"status": "active", "flights": [describe(leg.flight) for leg in legs]},
        after={"status": "cancelled"},
        refunded=quote.refund,
        rule=quote.rule,
        data={"ticket_no": ticket.ticket_no, "delay_compensation": quote.delay_compensation},
    )
