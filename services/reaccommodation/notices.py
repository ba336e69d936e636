"""The notice a re-accommodated passenger receives: what happened to their flight, their new
itinerary (or their refund), what EU 261/2004 entitles them to, and how to claim it. Written
into the outbox inside the change's own transaction (services.notifications.queue_notice)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Session

from db.models import Flight, FlightStatus, NoticeKind, Ticket, TicketLeg
from services.core.context import ServiceContext
from services.disruptions.claims import leg_entitlements
from services.disruptions.eu261 import Entitlements
from services.flights.itinerary import describe
from services.notifications import queue_notice

HOW_TO_CLAIM = (
    "How to claim: compensation is paid on request, once per passenger and flight. Ask in the "
    "SkyDesk chat or at the desk quoting your ticket number {ticket}; it is paid to the card "
    "that paid the ticket."
)


@dataclass(frozen=True)
class Notice:
    subject: str
    body: str
    compensation: (
        str  # one line for the batch's result, e.g. "EUR 400.00 (CHF 376.00), Art. 7(1)(b)"
    )


def disrupted_leg(ticket: Ticket, flight_id: int) -> TicketLeg | None:
    """The ticket's leg on the disrupted flight (the latest, should it have had two)."""
    legs = [leg for leg in ticket.legs if leg.flight_id == flight_id]
    return max(legs, key=lambda leg: leg.sequence) if legs else None


def compensation_line(owed: Entitlements) -> str:
    decision = owed.compensation
    if not decision.entitled:
        return f"none, {decision.article}"
    return f"EUR {decision.amount_eur:.2f} (CHF {decision.amount_chf:.2f}), {decision.article}"


def _entitlement_lines(owed: Entitlements, *, rebooked: bool) -> list[str]:
    compensation = owed.compensation
    lines = ["What you are entitled to under EU Regulation 261/2004:"]
    if compensation.entitled:
        lines.append(
            f"- Compensation of EUR {compensation.amount_eur:.2f}, paid as "
            f"CHF {compensation.amount_chf:.2f} ({compensation.article}). {compensation.sentence}"
        )
    else:
        lines.append(f"- No compensation ({compensation.article}): {compensation.sentence}")
    lines.append(f"- Care ({owed.care.article}): {owed.care.sentence}")
    if rebooked and owed.choice.entitled:
        lines.append(
            "- If the new flight does not suit you, you may still choose a full refund or a "
            f"rerouting on a later date of your choosing instead ({owed.choice.article}): ask "
            "the desk before the new flight departs."
        )
    return lines


def compose(
    session: Session,
    ticket: Ticket,
    disrupted: Flight,
    *,
    new_flights: list[Flight] | None,
    refunded: Decimal | None,
) -> Notice:
    what = "cancelled" if disrupted.status == FlightStatus.CANCELLED else "disrupted"
    old = describe(disrupted)
    greeting = f"Dear {ticket.passenger.full_name},"
    if new_flights:
        itinerary = ", ".join(describe(f) for f in new_flights)
        subject = f"Flight {disrupted.flight_no} {what}: you are rebooked on {itinerary}"
        happened = [
            f"your flight {old} is {what}. We have rebooked ticket {ticket.ticket_no} at no "
            "cost to you on:",
            *[f"  {describe(f)}" for f in new_flights],
            "Your seat is reserved in the same cabin.",
        ]
    else:
        subject = f"Flight {disrupted.flight_no} {what}: your ticket is refunded"
        happened = [
            f"your flight {old} is {what}. As agreed, ticket {ticket.ticket_no} is cancelled "
            f"and CHF {refunded or Decimal('0.00'):.2f} is refunded to the card that paid it."
        ]
    leg = disrupted_leg(ticket, disrupted.id)
    owed = leg_entitlements(session, ticket, leg) if leg is not None else None
    body = [greeting, "", *happened, ""]
    if owed is not None:
        body += [*_entitlement_lines(owed, rebooked=bool(new_flights)), ""]
    body.append(HOW_TO_CLAIM.format(ticket=ticket.ticket_no))
    return Notice(subject, "\n".join(body), compensation_line(owed) if owed else "")


def queue_disruption_notice(
    session: Session,
    ctx: ServiceContext,
    ticket: Ticket,
    disrupted: Flight,
    *,
    dedupe_key: str,
    new_flights: list[Flight] | None = None,
    refunded: Decimal | None = None,
) -> Notice:
    """Compose the notice and queue it in the caller's write transaction."""
    notice = compose(session, ticket, disrupted, new_flights=new_flights, refunded=refunded)
    queue_notice(
        session,
        ctx,
        passenger_id=ticket.passenger_id,
        kind=NoticeKind.REBOOKED if new_flights else NoticeKind.REFUNDED,
        subject=notice.subject,
        body=notice.body,
        dedupe_key=dedupe_key,
        flight_id=disrupted.id,
        ticket_no=ticket.ticket_no,
    )
    return notice
