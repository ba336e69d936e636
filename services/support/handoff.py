"""Live handoff to a person: a conversation waits in the Queue when the assistant escalates or
the passenger asks for a person; an agent takes it (one agent: the take locks the row), writes to
the passenger, then hands it back to the assistant or resolves it. While a person holds it the
assistant does not answer (agent/runtime.py hands the passenger's messages here instead).

Every write acts on the context's conversation (ctx.conversation_id), so its audit record is
filed under it, and is one audited transaction (services.core.operations). Rows are locked in
one order, the conversation and then its handoff, so racing writers queue instead of
deadlocking (on SQLite the write's BEGIN IMMEDIATE serialises them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Conversation,
    ConversationStatus,
    EscalationReason,
    Flight,
    FlightStatus,
    Handoff,
    HandoffState,
    LegStatus,
    MessageAuthor,
    Passenger,
    Role,
    Ticket,
    TicketLeg,
    TicketStatus,
    Tier,
)
from services.core.access import current_passenger, for_update
from services.core.context import ServiceContext
from services.core.errors import Conflict, InvalidInput, NotFound, PolicyViolation, Rule
from services.core.operations import OperationResult, operation
from services.core.validation import check_chat_message
from services.support import conversation_titles, live
from services.support.escalations import reason_text

STAFF = frozenset({Role.AGENT, Role.ADMIN})
ACTIVE = (HandoffState.WAITING, HandoffState.HELD)
MAX_QUEUE = 100
# A flight cancelled or delayed within this window around now makes the handoff a disruption:
# the passenger is stranded or about to be, which the desk sees first.
DISRUPTION_WINDOW = timedelta(days=2)
DISRUPTED = (FlightStatus.CANCELLED, FlightStatus.DELAYED)


@dataclass(frozen=True)
class QueueEntry:
    handoff_id: int
    conversation_id: str
    passenger_id: int
    passenger_name: str
    title: str  # services.support.conversation_titles
    reason: EscalationReason
    tier: Tier
    disruption: bool
    state: HandoffState
    waiting_since: datetime
    taken_by: str | None

    @property
    def reason_text(self) -> str:
        return reason_text(self.reason)

    def waited(self, now: datetime) -> timedelta:
        return max(now - self.waiting_since, timedelta(0))


def authorize_staff(ctx: ServiceContext) -> None:
    if ctx.actor.role not in STAFF:
        raise PolicyViolation(
            Rule.PERMISSION, f"A {ctx.actor.role.value} account cannot work the handoff queue."
        )


def _entries(session: Session, rows: list[tuple[Handoff, Passenger]]) -> list[QueueEntry]:
    if not rows:
        return []
    ids = [h.conversation_id for h, _ in rows]
    found = session.execute(
        select(Conversation.id, Conversation.title).where(Conversation.id.in_(ids))
    )
    stored = {cid: title for cid, title in found}
    titles = conversation_titles.titles(session, stored)
    return [
        QueueEntry(
            h.id,
            h.conversation_id,
            p.id,
            p.full_name,
            titles.get(h.conversation_id, ""),
            h.reason,
            h.tier,
            h.disruption,
            h.state,
            h.waiting_since,
            h.taken_by,
        )
        for h, p in rows
    ]


def _listed(session: Session, *where: object) -> list[QueueEntry]:
    rows = session.execute(
        select(Handoff, Passenger)
        .join(Passenger, Passenger.id == Handoff.passenger_id)
        .where(*where)  # type: ignore[arg-type]
        .order_by(Handoff.waiting_since, Handoff.id)
        .limit(MAX_QUEUE)
    )
    return _entries(session, [(h, p) for h, p in rows])


def queue(session: Session, ctx: ServiceContext) -> list[QueueEntry]:
    """The conversations waiting for a person, longest wait first (agents and admins)."""
    authorize_staff(ctx)
    return _listed(session, Handoff.state == HandoffState.WAITING)


def held_by_me(session: Session, ctx: ServiceContext) -> list[QueueEntry]:
    """The conversations this agent holds, taken first first."""
    authorize_staff(ctx)
    return _listed(
        session, Handoff.state == HandoffState.HELD, Handoff.taken_by == ctx.actor.username
    )


def active(session: Session, *, conversation_id: str) -> QueueEntry | None:
    """The conversation's handoff that has not ended (waiting or held), if any. The runtime asks
    before each passenger message; no role check: it reveals only who holds it."""
    found = _listed(session, Handoff.conversation_id == conversation_id, Handoff.state.in_(ACTIVE))
    return found[0] if found else None


def holder(session: Session, *, conversation_id: str) -> str | None:
    """Who holds the conversation, when a person at the desk has taken it: the runtime asks
    before each passenger message, so it is one indexed lookup, not a queue entry."""
    return session.scalar(
        select(Handoff.taken_by)
        .where(Handoff.conversation_id == conversation_id, Handoff.state == HandoffState.HELD)
        .limit(1)
    )


def _disruption(session: Session, passenger: Passenger, now: datetime) -> bool:
    found = session.scalar(
        select(Flight.id)
        .join(TicketLeg, TicketLeg.flight_id == Flight.id)
        .join(Ticket, Ticket.id == TicketLeg.ticket_id)
        .where(
            Ticket.passenger_id == passenger.id,
            Ticket.status == TicketStatus.ACTIVE,
            TicketLeg.status != LegStatus.EXCHANGED,
            Flight.status.in_(DISRUPTED),
            Flight.scheduled_departure >= now - DISRUPTION_WINDOW,
            Flight.scheduled_departure <= now + DISRUPTION_WINDOW,
        )
        .limit(1)
    )
    return found is not None


def _conversation(session: Session, ctx: ServiceContext) -> Conversation:
    """The context's conversation, locked (first, before its handoff: the one lock order)."""
    if not ctx.conversation_id:
        raise InvalidInput("No conversation is open.")
    conversation = session.scalar(
        for_update(select(Conversation).where(Conversation.id == ctx.conversation_id))
    )
    if conversation is None or conversation.passenger_id != ctx.passenger_id:
        raise NotFound(f"There is no conversation {ctx.conversation_id} about this passenger.")
    return conversation


def _active_locked(session: Session, conversation: Conversation) -> Handoff | None:
    return session.scalar(
        for_update(
            select(Handoff).where(
                Handoff.conversation_id == conversation.id, Handoff.state.in_(ACTIVE)
            )
        )
    )


def open_handoff(session: Session, ctx: ServiceContext, *, reason: EscalationReason) -> Handoff:
    """Put the context's conversation in the queue, inside the caller's write (the assistant's
    escalation, the Chat page's Escalate). Already waiting or held: that handoff, unchanged."""
    passenger = current_passenger(session, ctx)
    conversation = _conversation(session, ctx)
    existing = _active_locked(session, conversation)
    if existing is not None:
        return existing
    now = ctx.clock.now()
    handoff = Handoff(
        conversation_id=conversation.id,
        passenger_id=passenger.id,
        reason=reason,
        tier=passenger.tier,
        disruption=_disruption(session, passenger, now),
        state=HandoffState.WAITING,
        waiting_since=now,
    )
    session.add(handoff)
    session.flush()
    note = f"Waiting for a person: {reason_text(reason)}."
    live.add_message(session, handoff, MessageAuthor.DESK, "desk", note, now=now)
    return handoff


@operation("request_person", write=True)
def request_person(
    session: Session, ctx: ServiceContext, *, reason: EscalationReason | str
) -> OperationResult:
    """The conversation escalated (the assistant's escalate_to_human, or the passenger asking for
    a person): marked escalated and waiting in the queue, together."""
    try:
        why = EscalationReason(reason)
    except ValueError:
        raise InvalidInput(f"'{reason}' is not an escalation reason.") from None
    handoff = open_handoff(session, ctx, reason=why)
    conversation = _conversation(session, ctx)
    before = conversation.status
    conversation.status = ConversationStatus.ESCALATED
    conversation.escalation_reason = why.value
    conversation.updated_at = ctx.clock.now()
    return _result(
        handoff, f"Waiting for a person ({why.value}).", before=before.value, reason=why.value
    )


def _result(handoff: Handoff, summary: str, **extra: object) -> OperationResult:
    return OperationResult(
        summary=summary,
        after={"handoff_id": handoff.id, "state": handoff.state.value, **extra},
        data={"handoff_id": handoff.id, "conversation_id": handoff.conversation_id},
    )


def _held_by_actor(session: Session, ctx: ServiceContext) -> tuple[Conversation, Handoff]:
    """The locked conversation and its handoff, which this agent must hold (an admin may end
    any colleague's hold: an agent who left must not strand a passenger)."""
    conversation = _conversation(session, ctx)
    handoff = _active_locked(session, conversation)
    if handoff is None:
        raise Conflict(
            "This conversation is no longer with the desk: it was handed back or resolved."
        )
    if handoff.state != HandoffState.HELD:
        raise Conflict("Nobody holds this conversation yet: take it from the Queue first.")
    if handoff.taken_by != ctx.actor.username and ctx.actor.role != Role.ADMIN:
        raise PolicyViolation(
            Rule.PERMISSION, f"{handoff.taken_by} holds this conversation, not you."
        )
    return conversation, handoff


@operation("take_handoff", write=True, authorize=authorize_staff)
def take(session: Session, ctx: ServiceContext) -> OperationResult:
    """Take a waiting conversation. Two agents at once: the second waits for the first's lock,
    then finds it held and gets a Conflict naming who has it."""
    conversation = _conversation(session, ctx)
    handoff = _active_locked(session, conversation)
    if handoff is None:
        raise Conflict("This conversation is not waiting for a person any more.")
    if handoff.state == HandoffState.HELD:
        raise Conflict(f"{handoff.taken_by} took this conversation first.")
    handoff.state = HandoffState.HELD
    handoff.taken_by, handoff.taken_by_user_id = ctx.actor.username, ctx.actor.user_id
    handoff.taken_at = ctx.clock.now()
    live.add_message(
        session, handoff, MessageAuthor.DESK, ctx.actor.username,
        f"{ctx.actor.username} from the support desk joined the conversation.",
        now=handoff.taken_at,
    )  # fmt: skip
    waited = (handoff.taken_at - handoff.waiting_since).total_seconds()
    return _result(handoff, "Took the conversation from the queue.", waited_s=round(waited, 1))


@operation("post_agent_message", write=True, authorize=authorize_staff)
def post_agent_message(session: Session, ctx: ServiceContext, *, text: str) -> OperationResult:
    """The holding agent writes to the passenger (validated like a chat message); it reaches a
    listener live (services.support.live)."""
    message = check_chat_message(text).text
    _, handoff = _held_by_actor(session, ctx)
    row = live.add_message(
        session, handoff, MessageAuthor.AGENT, ctx.actor.username, message, now=ctx.clock.now()
    )
    if handoff.first_reply_at is None:
        handoff.first_reply_at = row.created_at
    # The text is in handoff_messages; the audit keeps which message and how long.
    return _result(handoff, "Wrote to the passenger.", message_id=row.id, chars=len(message))


@operation("post_passenger_message", write=True)
def post_passenger_message(session: Session, ctx: ServiceContext, *, text: str) -> OperationResult:
    """The passenger's message while a person holds (or is about to take) the conversation:
    stored for that person instead of answered by the assistant."""
    message = check_chat_message(text).text
    current_passenger(session, ctx)
    conversation = _conversation(session, ctx)
    handoff = _active_locked(session, conversation)
    if handoff is None:
        raise Conflict("This conversation is back with the assistant.")
    row = live.add_message(
        session, handoff, MessageAuthor.PASSENGER, ctx.actor.username, message, now=ctx.clock.now()
    )
    conversation.updated_at = row.created_at
    return _result(handoff, "Passed the message to the desk.", message_id=row.id)


def _end(session: Session, ctx: ServiceContext, state: HandoffState, note: str) -> Handoff:
    conversation, handoff = _held_by_actor(session, ctx)
    now = ctx.clock.now()
    handoff.state, handoff.ended_at, handoff.ended_by = state, now, ctx.actor.username
    live.add_message(session, handoff, MessageAuthor.DESK, ctx.actor.username, note, now=now)
    conversation.status = (
        ConversationStatus.RESOLVED if state == HandoffState.RESOLVED else ConversationStatus.OPEN
    )
    conversation.updated_at = now
    return handoff


@operation("hand_back_handoff", write=True, authorize=authorize_staff)
def hand_back(session: Session, ctx: ServiceContext) -> OperationResult:
    """Back to the assistant: the conversation is open again and the assistant answers."""
    handoff = _end(session, ctx, HandoffState.HANDED_BACK, "Handed back to the assistant.")
    return _result(handoff, "Handed the conversation back to the assistant.")


@operation("resolve_handoff", write=True, authorize=authorize_staff)
def resolve(session: Session, ctx: ServiceContext) -> OperationResult:
    """The agent solved it: handoff and conversation resolved."""
    handoff = _end(
        session, ctx, HandoffState.RESOLVED, "The support desk resolved this conversation."
    )
    return _result(handoff, "Resolved the conversation.")
