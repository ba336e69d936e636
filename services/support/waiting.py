"""Changes waiting for a decision, as the records show them: the conversations whose latest
turn ended on an approval card (the runtime records that call as "awaiting_approval"; the
run that approves or denies it records a new turn). The card itself lives in the assistant's
checkpoint: these records name the candidates in one query, and the page confirms each with
the checkpoint (ui/waiting_panel.card_waits) before it shows one, so a conversation that ended
on a card no checkpoint holds (seeded history) shows nothing that cannot run."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Exists, ScalarSelect, func, select
from sqlalchemy.orm import Session

from db.models import Conversation, Passenger, Turn, TurnToolCall
from services.core.context import ServiceContext
from services.support import conversation_titles

AWAITING_APPROVAL = "awaiting_approval"  # the status agent/streaming.py records on a card
MAX_WAITING = 20


@dataclass(frozen=True)
class WaitingApproval:
    conversation_id: str
    passenger_id: int
    passenger_name: str
    title: str  # services.support.conversation_titles
    since: datetime
    turn_id: int  # the turn that raised the card: a later card is another one


def _latest_turn() -> ScalarSelect[int]:
    return (
        select(func.max(Turn.id))
        .where(Turn.conversation_id == Conversation.id)
        .correlate(Conversation)
        .scalar_subquery()
    )


def awaiting_approval() -> Exists:
    """True for a Conversation row (correlated) whose latest turn ended on an approval card."""
    latest = _latest_turn()
    return (
        select(TurnToolCall.id)
        .where(TurnToolCall.turn_id == latest, TurnToolCall.status == AWAITING_APPROVAL)
        .correlate(Conversation)
        .exists()
    )


def _held_by(ctx: ServiceContext) -> ColumnElement[bool]:
    return Conversation.user_id == ctx.actor.user_id


def waiting_approvals(session: Session, ctx: ServiceContext) -> list[WaitingApproval]:
    """The cards waiting in the conversations this person holds (any passenger; a customer
    holds only conversations about their own), latest first; a resolved conversation's card
    too, so that nothing that could still run goes unseen."""
    if ctx.actor.user_id is None:
        return []
    rows = session.execute(
        select(Conversation, Passenger, _latest_turn())
        .join(Passenger, Passenger.id == Conversation.passenger_id)
        .where(_held_by(ctx), awaiting_approval())
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(MAX_WAITING)
    )
    found = list(rows)
    titles = conversation_titles.titles(session, {c.id: c.title for c, _, _ in found})
    return [
        WaitingApproval(c.id, p.id, p.full_name, titles[c.id], c.updated_at, turn)
        for c, p, turn in found
    ]
