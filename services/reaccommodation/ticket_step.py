"""One ticket's step inside its group's transaction (services.reaccommodation.batch): claimed once
under "<batch_id>:<ticket_no>", changed by the existing write's own body (tickets.change_flight,
cancellations.cancel_ticket, or an escalation for a group left for a conversation) with a
context for that ticket's passenger, and its notice queued. Nothing here commits or audits: the
group does both once every ticket has succeeded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.models import EscalationReason, Flight, Ticket
from services.core import audit
from services.core.access import for_update, normalize_ticket_no
from services.core.context import Approved, ServiceContext
from services.core.errors import AlreadyExecuted, DomainError, NotFound
from services.core.operations import OperationResult, check_approved, claim_once, remember_summary
from services.flights import cancellations, tickets
from services.flights.flights import load_flights
from services.flights.itinerary import describe
from services.reaccommodation.batch_results import ZERO, TicketOutcome
from services.reaccommodation.batch_types import Action, Batch, RowDecision
from services.reaccommodation.notices import queue_disruption_notice
from services.support import escalations


def ticket_key(batch_id: str, ticket_no: str) -> str:
    return f"{batch_id}:{ticket_no}"


@dataclass
class TicketStep:
    ctx: ServiceContext
    action: str
    args: dict[str, Any]
    result: OperationResult
    outcome: TicketOutcome


class TicketFailed(Exception):
    """A ticket of the group was refused (or the database failed): the group rolls back."""

    def __init__(
        self, ticket_ctx: ServiceContext, action: str, args: dict[str, Any], err: Exception
    ):
        super().__init__(str(err))
        self.ctx = ticket_ctx
        self.action = action
        self.call_args = args
        self.err = err


def lock_group(session: Session, batch: Batch, ticket_nos: tuple[str, ...]) -> list[Ticket]:
    """The group's tickets, locked in id order, each on the disrupted flight: a row naming any
    other ticket is refused (an approval moves only the passengers of its flight)."""
    numbers = [normalize_ticket_no(n) for n in ticket_nos]
    found = list(
        session.scalars(
            for_update(select(Ticket).where(Ticket.ticket_no.in_(numbers)).order_by(Ticket.id))
        )
    )
    by_no = {t.ticket_no: t for t in found}
    for number in numbers:
        ticket = by_no.get(number)
        if ticket is None or not any(leg.flight_id == batch.flight_id for leg in ticket.legs):
            raise NotFound(f"Ticket {number} is not on the disrupted flight of this batch.")
    return [by_no[n] for n in numbers]


def execute_ticket(
    session: Session, ctx: ServiceContext, batch: Batch, row: RowDecision, ticket: Ticket,
    disrupted: Flight,
) -> TicketStep:  # fmt: skip
    key = ticket_key(batch.batch_id, ticket.ticket_no)
    base = replace(ctx, passenger_id=ticket.passenger_id)
    kwargs: dict[str, Any]
    write: Callable[..., OperationResult]
    if row.action == Action.REBOOK:
        action, write = "change_flight", tickets.change_flight.__wrapped__
        kwargs = {"ticket_no": ticket.ticket_no, "new_flight_ids": list(row.new_flight_ids or ())}
        # Rebooking after an airline cancellation is free: a charge refuses the ticket.
        tctx = base.once(key, Approved(charge=ZERO))
    elif row.action == Action.REFUND:
        action, write = "cancel_ticket", cancellations.cancel_ticket.__wrapped__
        kwargs = {"ticket_no": ticket.ticket_no}
        # The console promises the full fare back (the airline-cancelled path): anything less
        # refuses the ticket instead of refunding a reduced amount unapproved.
        paid = sum((leg.price_paid for leg in ticket.active_legs), ZERO)
        tctx = base.once(key, Approved(refund=paid))
    else:
        # The desk's existing "needs a person" write: an open escalation for the passenger.
        action, write = "escalate_to_human", escalations.escalate.__wrapped__
        kwargs = {
            "reason": EscalationReason.UNSUPPORTED_REQUEST,
            "summary": (
                f"Re-accommodation of ticket {ticket.ticket_no} from {describe(disrupted)} left "
                f"for a conversation by {ctx.actor.username} (batch {batch.batch_id})."
            ),
        }
        tctx = base.once(key)
    args = {"ticket_no": ticket.ticket_no, **audit.jsonable(kwargs), "batch_id": batch.batch_id}
    try:
        claim_once(session, tctx, action)
        result: OperationResult = write(session, tctx, **kwargs)
        check_approved(tctx, result)
        remember_summary(session, tctx, result.summary)
        compensation = ""
        if row.action != Action.LEAVE_FOR_CONVERSATION:
            new = (
                load_flights(session, list(row.new_flight_ids or ()))
                if row.new_flight_ids
                else None
            )
            notice = queue_disruption_notice(
                session, tctx, ticket, disrupted, dedupe_key=key,
                new_flights=new if row.action == Action.REBOOK else None,
                refunded=result.refunded,
            )  # fmt: skip
            compensation = notice.compensation
    except AlreadyExecuted:
        raise
    except (DomainError, SQLAlchemyError) as err:
        raise TicketFailed(tctx, action, args, err) from err
    outcome = TicketOutcome(
        ticket_no=ticket.ticket_no,
        passenger=ticket.passenger.full_name,
        summary=result.summary,
        charged=result.charged,
        refunded=result.refunded,
        compensation=compensation,
    )
    return TicketStep(tctx, action, args, result, outcome)
