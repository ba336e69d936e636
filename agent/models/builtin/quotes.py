"""Answers from the fare policy itself (services.flights.policy) when a question names no new
flight: what a change would cost, until when an airline-cancelled flight can be rebooked."""

from __future__ import annotations

from datetime import date
from typing import Any

from agent.models.builtin.render import day_text
from agent.models.builtin.state import Decision, Stage, Task
from db.models import Fare, Tier
from services.core.errors import PolicyViolation
from services.flights.policy import AIRLINE_CANCELLATION_REBOOKING_WINDOW, change_fee


def airline_cancelled(ticket: dict[str, Any]) -> bool:
    return any(leg.get("status") == "cancelled" for leg in ticket.get("legs", []))


def fee_answer(task: Task, ticket: dict[str, Any], tier: str, who: str) -> Decision:
    """ "Is a change free?": the fee the policy sets for this ticket, and what to say next."""
    try:
        fee = change_fee(
            Fare(ticket["fare"]), Tier(tier), airline_cancelled=airline_cancelled(ticket)
        )
    except PolicyViolation as refused:
        text = f"{who} ticket {ticket['ticket_no']} ({ticket['fare']} fare) can't be changed: {refused.message} (rule: {refused.code})"
        return Decision(text, task=task.at(Stage.DONE, ticket_no=ticket["ticket_no"]))
    cost = (
        "free of charge"
        if not fee.fee
        else f"CHF {fee.fee:.0f} change fee plus any fare difference"
    )
    window = rebooking_window(ticket)
    text = (
        f"A change of {who} ticket {ticket['ticket_no']} ({ticket['route']}, {ticket['fare']} fare) "
        f"is {cost}: {fee.rule}"
        + (f" {window}" if window else "")
        + " Tell me the new date and I'll quote the exact options; nothing is changed until you choose one."
    )
    return Decision(text, task=task.at(Stage.AWAITING_DATE, ticket_no=ticket["ticket_no"]))


def rebooking_window(ticket: dict[str, Any]) -> str | None:
    """For a flight the airline cancelled: the free rebooking window, with its last day."""
    legs = [leg for leg in ticket.get("legs", []) if leg.get("status") == "cancelled"]
    if not legs:
        return None
    departed = date.fromisoformat(legs[0]["departure_local"][:10])
    last = (departed + AIRLINE_CANCELLATION_REBOOKING_WINDOW).isoformat()
    days = AIRLINE_CANCELLATION_REBOOKING_WINDOW.days
    return (
        f"{legs[0]['flight_no']} was cancelled by the airline, so it can be rebooked free of charge "
        f"on the same route on a flight departing within {days} days of the cancelled one "
        f"(until {day_text(last)}; rule: airline_cancellation_rebooking_window), or refunded in full."
    )
