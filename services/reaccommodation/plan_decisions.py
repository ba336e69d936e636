"""From a re-accommodation plan, as the desk adjusted it, to the batch the executor runs: each
row's adjustment (as planned, another option, leave for a conversation, refund instead) made a
`RowDecision`, and the re-planning of a row whose approved option failed (a seat sold
meanwhile): the next itinerary that still fits the whole party."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.orm import Session

from services.core.context import ServiceContext
from services.core.errors import DomainError, InvalidInput
from services.disruptions import Itinerary, PartyMember, Plan, PlanRow, RowAction, party_options
from services.reaccommodation.batch import Replan
from services.reaccommodation.batch_types import Action, Batch, RowDecision


class Choice(StrEnum):
    AS_PLANNED = "as_planned"
    OTHER_OPTION = "other_option"  # an itinerary the desk picked from the party's options
    CONVERSATION = "conversation"  # a person talks it through with the passengers
    REFUND = "refund"


@dataclass(frozen=True)
class Adjustment:
    choice: Choice
    option: Itinerary | None = None  # OTHER_OPTION only


AS_PLANNED = Adjustment(Choice.AS_PLANNED)


def row_key(row: PlanRow) -> str:
    """A row's name that survives re-planning (a party's tickets), for the desk's adjustments."""
    return "|".join(row.ticket_nos)


def decision_for(row: PlanRow, adjustment: Adjustment = AS_PLANNED) -> RowDecision | None:
    """What the executor does for the row; None for a party that keeps its delayed flight
    unchanged. A row with no option, approved as planned, is left for a conversation: a refund
    is the passenger's choice, not the desk's."""
    tickets = row.ticket_nos
    match adjustment.choice:
        case Choice.REFUND:
            return RowDecision(tickets, Action.REFUND)
        case Choice.CONVERSATION:
            return RowDecision(tickets, Action.LEAVE_FOR_CONVERSATION)
        case Choice.OTHER_OPTION:
            if adjustment.option is None:
                raise InvalidInput(
                    f"Choose the other itinerary for booking {row.booking_reference} first."
                )
            return RowDecision(tickets, Action.REBOOK, adjustment.option.flight_ids)
    if row.action == RowAction.REBOOK and row.option is not None:
        return RowDecision(tickets, Action.REBOOK, row.option.flight_ids)
    if row.action == RowAction.NO_OPTION:
        return RowDecision(tickets, Action.LEAVE_FOR_CONVERSATION)
    return None


def batch_from_plan(batch_id: str, plan: Plan, adjustments: Mapping[str, Adjustment]) -> Batch:
    """The approved batch: one decision per row that changes anything, in the plan's order
    (its priorities decide who is served first when seats run short)."""
    decisions = [decision_for(r, adjustments.get(row_key(r), AS_PLANNED)) for r in plan.rows]
    return Batch(batch_id, plan.flight_id, tuple(d for d in decisions if d is not None))


def party_of(plan: Plan, ticket_nos: tuple[str, ...]) -> list[PartyMember]:
    """The plan's passengers with these tickets (the executor's decisions name tickets only)."""
    wanted = set(ticket_nos)
    return [
        PartyMember(p.ticket_no, p.passenger_id)
        for row in plan.rows
        for p in row.passengers
        if p.ticket_no in wanted
    ]


def replanner(ctx: ServiceContext, plan: Plan) -> Replan:
    """The executor's `replan`: a failed rebooking gets the earliest other itinerary with seats
    for the whole party now; a failed refund or escalation, or no such itinerary, gets none."""

    def replan(session: Session, failed: RowDecision) -> RowDecision | None:
        if failed.action != Action.REBOOK:
            return None
        party = party_of(plan, failed.ticket_nos)
        if not party:
            return None
        try:
            options = party_options(
                session, ctx, party=party, exclude=failed.new_flight_ids or (), limit=1
            )
        except DomainError:  # the ticket is no longer on a disrupted flight: nothing to offer
            return None
        if not options:
            return None
        return RowDecision(failed.ticket_nos, Action.REBOOK, options[0].flight_ids)

    return replan
