"""What an approval card shows before a write runs. The amounts and the card charged or refunded
come from the write itself, run and rolled back (services.payments.quotes); the services' quotes add the
fee breakdown, and a new ticket is checked against the same flight search the model used
(hotels, cars and excursions: agent/travel_previews.py). Each write tool's spec carries its
preview (agent.tools.ToolSpec.preview). A preview that finds the
action refused raises the refusal, so a refused action never reaches an approval card."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from langchain_core.messages import BaseMessage
from sqlalchemy.orm import Session

from agent.approvals import Change
from services.core import audit
from services.core.access import current_passenger
from services.core.context import ServiceContext
from services.core.errors import DomainError, PolicyViolation, Rule
from services.core.money import chf
from services.flights import cancellations, flight_bookings, flights, itinerary, tickets
from services.payments.quotes import quote
from services.support.escalations import reason_text
from services.text.words import plural

Preview = dict[str, Any]  # the ApprovalRequest fields: summary, changes, charge, refund, ...

# What a write tool's spec carries (agent.tools.ToolSpec.preview): the card's fields from the
# session, the run's context, the call's validated arguments and the conversation so far.
PreviewFn = Callable[[Session, ServiceContext, dict[str, Any], Sequence[BaseMessage]], Preview]


class SearchFirst(DomainError):
    code = "search_first"


def refuse(
    session: Session, ctx: ServiceContext, tool: str, args: Any, err: PolicyViolation
) -> NoReturn:
    """A refusal found by the preview itself (not by a service) is audited here, like the
    services audit theirs, then handed back to the model."""
    audit.record(
        session,
        ctx,
        action=tool,
        outcome="refused",
        rule=err.code,
        message=err.message,
        details={"args": args, "stage": "approval preview"},
    )
    raise err


def change_flight_preview(s: Session, ctx: ServiceContext, a: dict[str, Any], _: Any) -> Preview:
    q = tickets.quote_flight_change(
        s, ctx, ticket_no=a["ticket_no"], new_flight_ids=a["new_flight_ids"]
    )
    w = quote(tickets.change_flight, s, ctx, **a)
    return {
        "summary": f"Move ticket {q.ticket_no} ({q.fare}) to {', '.join(q.new_flights)}",
        "changes": [
            Change(
                label="Flights", before="; ".join(q.current_flights), after="; ".join(q.new_flights)
            )
        ],
        "charge": w.charge,
        "details": [
            f"Change fee {chf(q.change_fee)}",
            f"Fare difference {chf(q.fare_difference)}",
            *w.card_lines(),
        ],
        "rule": q.rule,
    }


def cancel_ticket_preview(s: Session, ctx: ServiceContext, a: dict[str, Any], _: Any) -> Preview:
    q = cancellations.quote_cancellation(s, ctx, ticket_no=a["ticket_no"])
    w = quote(cancellations.cancel_ticket, s, ctx, **a)
    return {
        "summary": f"Cancel ticket {q.ticket_no} ({q.fare}) and refund {chf(q.refund)}",
        "changes": [Change(label="Ticket status", before="active", after="cancelled")],
        "refund": w.refund,
        "details": [
            f"Paid {chf(q.paid)}",
            *(
                [f"Delay compensation already paid, deducted: {chf(q.delay_compensation)}"]
                if q.delay_compensation
                else []
            ),
            *w.card_lines(),
        ],
        "rule": q.rule,
    }


def request_compensation_preview(
    s: Session, ctx: ServiceContext, a: dict[str, Any], _: Any
) -> Preview:
    q = flight_bookings.quote_compensation(
        s, ctx, ticket_no=a["ticket_no"], flight_no=a.get("flight_no")
    )
    w = quote(flight_bookings.request_compensation, s, ctx, **a)
    return {
        "summary": f"Pay {chf(q.amount)} compensation for {q.flight} ({q.reason}) on ticket {q.ticket_no}",
        "changes": [
            Change(label=f"Compensation for {q.flight_no}", before="none", after=chf(q.amount))
        ],
        "refund": w.refund,
        "details": w.card_lines(),
        "rule": q.rule,
    }


def book_flight_preview(s: Session, ctx: ServiceContext, a: dict[str, Any], _: Any) -> Preview:
    legs = flights.load_flights(s, a["flight_ids"])
    first = flights.flight_view(legs[0])
    # The price and the seats come from the same search the model used, so an itinerary that
    # is not bookable (departed, cancelled, full, not a connection) is refused here.
    found = flights.search_flights(
        s,
        ctx,
        origin=legs[0].origin,
        destination=legs[-1].destination,
        day=first.departure_local.date(),
        fare=a["fare"],
    )
    offered = next((it for it in found if it.flight_ids == list(a["flight_ids"])), None)
    if offered is None:
        refuse(
            s,
            ctx,
            "book_flight",
            a,
            PolicyViolation(
                Rule.FLIGHT_NOT_BOOKABLE,
                f"{', '.join(itinerary.describe(f) for f in legs)} cannot be booked: it has departed, "
                "is cancelled or full, or the flights do not connect. Search again.",
            ),
        )
    passenger = current_passenger(s, ctx)
    w = quote(flight_bookings.book_flight, s, ctx, **a)
    return {
        "summary": f"Book a {a['fare']} ticket {itinerary.route_of(legs)} for {passenger.full_name}",
        "changes": [
            Change(label="New ticket", after="; ".join(itinerary.describe(f) for f in legs))
        ],
        "charge": w.charge,
        "details": [f"{plural(offered.free_seats, 'seat')} left", *w.card_lines()],
        "rule": f"{a['fare']} fare",
    }


def escalate_preview(_s: Session, _ctx: ServiceContext, a: dict[str, Any], _: Any) -> Preview:
    return {
        "summary": f"Hand the conversation to a human colleague ({reason_text(a['reason'])})",
        "changes": [
            Change(label="Escalation", before="none", after=f"open ({reason_text(a['reason'])})")
        ],
        "details": [a["summary"]],
    }
