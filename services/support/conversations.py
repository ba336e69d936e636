"""A passenger's conversations as the Chat page sees them: the list to resume one from, its
rating, and closing it (resolved, or escalated to a human colleague).

The writes act on the context's conversation (ctx.conversation_id), so their audit records are
filed under it. Who may see what: staff (agent, admin) see every conversation about the passenger they serve; a
customer sees only the conversations they held themselves about their own passenger. Rating,
resolving and escalating are writes: one transaction each, audited (services.core.operations)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from db.models import (
    Conversation,
    ConversationStatus,
    EscalationReason,
    Feedback,
    Passenger,
    Role,
    Turn,
    User,
)
from services.core.access import current_passenger
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule
from services.core.operations import OperationResult, operation
from services.support import conversation_titles, escalations, handoff
from services.support.waiting import awaiting_approval
from services.text.masking import mask_text

CHAT_ROLES = frozenset({Role.AGENT, Role.ADMIN, Role.CUSTOMER, Role.SYSTEM})
MAX_LIST = 100
MAX_COMMENT = 1_000
RATINGS = range(1, 6)


@dataclass(frozen=True)
class PassengerSummary:
    id: int
    name: str
    email: str
    tier: str


@dataclass(frozen=True)
class ConversationSummary:
    id: str  # the LangGraph thread id
    title: str  # what happened ("Flight change ZRH-LHR"), else the first message, shortened
    status: ConversationStatus
    escalation_reason: str | None
    rating: int | None
    model: str
    started_at: datetime
    updated_at: datetime
    held_by: str | None  # the username of whoever held it
    turns: int
    first_message: str = ""
    awaiting_approval: bool = False  # its latest turn ended on an approval card

    @property
    def is_open(self) -> bool:
        return self.status == ConversationStatus.OPEN


def _check_role(ctx: ServiceContext) -> None:
    if ctx.actor.role not in CHAT_ROLES:
        raise PolicyViolation(
            Rule.PERMISSION, f"A {ctx.actor.role.value} account does not hold conversations."
        )


Row = tuple[Conversation, str | None, int, bool]


def _summaries(session: Session, rows: list[Row]) -> list[ConversationSummary]:
    titles = conversation_titles.titles(session, {c.id: c.title for c, _, _, _ in rows})
    return [
        _summary(c, username, turns or 0, titles[c.id], bool(waiting))
        for c, username, turns, waiting in rows
    ]


def _summary(
    row: Conversation, held_by: str | None, turns: int, title: str, waiting: bool
) -> ConversationSummary:
    return ConversationSummary(
        id=row.id,
        title=title,
        status=row.status,
        escalation_reason=row.escalation_reason,
        rating=row.rating,
        model=row.model,
        started_at=row.started_at,
        updated_at=row.updated_at,
        held_by=held_by,
        turns=turns,
        first_message=row.title,
        awaiting_approval=waiting,
    )


def _visible(ctx: ServiceContext, passenger: Passenger) -> list[ColumnElement[bool]]:
    """The conditions for the conversations this actor may see about this passenger."""
    where: list[ColumnElement[bool]] = [Conversation.passenger_id == passenger.id]
    if ctx.actor.role == Role.CUSTOMER:
        where.append(Conversation.user_id == ctx.actor.user_id)
    return where


def _query(
    ctx: ServiceContext, passenger: Passenger
) -> Select[Conversation, str | None, int, bool]:
    turns = (
        select(func.count(Turn.id))
        .where(Turn.conversation_id == Conversation.id)
        .correlate(Conversation)
        .scalar_subquery()
    )
    return (
        select(Conversation, User.username, turns, awaiting_approval())
        .outerjoin(User, User.id == Conversation.user_id)
        .where(*_visible(ctx, passenger))
    )


def passenger_summary(session: Session, ctx: ServiceContext) -> PassengerSummary:
    """Who the conversation is about: the current passenger (a customer: their own)."""
    _check_role(ctx)
    passenger = current_passenger(session, ctx)
    return PassengerSummary(
        passenger.id, passenger.full_name, passenger.email, passenger.tier.value
    )


@operation("list_conversations", write=False)
def list_conversations(
    session: Session, ctx: ServiceContext, *, limit: int = 20
) -> list[ConversationSummary]:
    """The current passenger's conversations this actor may resume, latest activity first."""
    _check_role(ctx)
    passenger = current_passenger(session, ctx)
    limit = max(1, min(int(limit), MAX_LIST))
    rows = session.execute(
        _query(ctx, passenger)
        .order_by(Conversation.updated_at.desc(), Conversation.id.desc())
        .limit(limit)
    )
    return _summaries(session, list(rows))


def get_conversation(
    session: Session, ctx: ServiceContext, conversation_id: str
) -> ConversationSummary:
    """One conversation, if this actor may see it (NotFound otherwise: a customer learns
    nothing about conversations that are not theirs)."""
    _check_role(ctx)
    passenger = current_passenger(session, ctx)
    row = session.execute(
        _query(ctx, passenger).where(Conversation.id == str(conversation_id))
    ).first()
    if row is None:
        raise NotFound(f"There is no conversation {conversation_id} about {passenger.full_name}.")
    return _summaries(session, [row])[0]


def _own_conversation(session: Session, ctx: ServiceContext) -> Conversation:
    """The context's conversation, locked for the change, once get_conversation allows it."""
    conversation_id = ctx.conversation_id
    if not conversation_id:
        raise InvalidInput("No conversation is open; send a message first.")
    get_conversation(session, ctx, conversation_id)
    # populate_existing: get_conversation loaded the row unlocked, and a locked get alone does
    # not refresh that copy, so two racing escalations both saw the conversation open.
    conversation = session.get(
        Conversation, conversation_id, with_for_update=True, populate_existing=True
    )
    assert conversation is not None
    return conversation


def _check_rating(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or rating not in RATINGS:
        raise InvalidInput(f"A rating is a whole number from 1 to 5, not {rating!r}.")
    return rating


def _check_comment(comment: str | None) -> str | None:
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            f"The comment is {len(text):,} characters long; the limit is {MAX_COMMENT:,}."
        )
    return mask_text(text) or None  # a comment is free text: no contact data or card numbers


@operation("rate_conversation", write=True)
def rate_conversation(
    session: Session,
    ctx: ServiceContext,
    *,
    rating: int,
    comment: str | None = None,
) -> OperationResult:
    """The actor's rating (1-5) of a conversation. Rating again replaces the actor's earlier
    feedback (one Feedback row per person and conversation); Conversation.rating is the latest."""
    _check_role(ctx)
    rating = _check_rating(rating)
    comment = _check_comment(comment)
    conversation = _own_conversation(session, ctx)
    before = conversation.rating
    feedback = session.scalar(
        select(Feedback).where(
            Feedback.conversation_id == conversation.id, Feedback.user_id == ctx.actor.user_id
        )
    )
    now = ctx.clock.now()
    if feedback is None:
        feedback = Feedback(conversation_id=conversation.id, user_id=ctx.actor.user_id)
        session.add(feedback)
    feedback.rating, feedback.comment, feedback.created_at = rating, comment, now
    conversation.rating = rating
    session.flush()
    return OperationResult(
        summary=f"Rated the conversation {rating} of 5.",
        before={"rating": before},
        after={"rating": rating, "comment": comment},
        data={"conversation_id": conversation.id, "feedback_id": feedback.id},
    )


@operation("resolve_conversation", write=True)
def resolve_conversation(session: Session, ctx: ServiceContext) -> OperationResult:
    """Mark a conversation resolved (an escalated one too, once the colleague has solved it)."""
    _check_role(ctx)
    conversation = _own_conversation(session, ctx)
    before = conversation.status
    if before == ConversationStatus.RESOLVED:
        raise InvalidInput("This conversation is already marked resolved.")
    conversation.status = ConversationStatus.RESOLVED
    conversation.updated_at = ctx.clock.now()
    return OperationResult(
        summary="Marked the conversation resolved.",
        before={"status": before.value},
        after={"status": ConversationStatus.RESOLVED.value},
        data={"conversation_id": conversation.id},
    )


@operation("escalate_conversation", write=True)
def escalate_conversation(
    session: Session,
    ctx: ServiceContext,
    *,
    reason: EscalationReason | str,
    summary: str,
) -> OperationResult:
    """Hand the conversation to a human colleague: an escalation record for the passenger (as
    the assistant's escalate_to_human opens) and the conversation marked escalated, together."""
    _check_role(ctx)
    conversation = _own_conversation(session, ctx)
    if conversation.status == ConversationStatus.ESCALATED:
        raise InvalidInput("This conversation is already escalated.")
    if conversation.status == ConversationStatus.RESOLVED:
        raise InvalidInput("This conversation is resolved; start a new one to escalate.")
    # The escalation service's own body (its validation and record), inside this transaction.
    opened: OperationResult = escalations.escalate.__wrapped__(
        session,
        ctx,
        reason=reason,
        summary=summary,
    )
    # ...and the conversation waits in the desk's Queue for a person, in the same transaction.
    queued = handoff.open_handoff(session, ctx, reason=EscalationReason(reason))
    conversation.status = ConversationStatus.ESCALATED
    conversation.escalation_reason = EscalationReason(reason).value
    conversation.updated_at = ctx.clock.now()
    return OperationResult(
        summary=opened.summary,
        before={"status": ConversationStatus.OPEN.value},
        after={
            "status": ConversationStatus.ESCALATED.value,
            "handoff_id": queued.id,
            **opened.after,
        },
        data={"conversation_id": conversation.id, **opened.data},
    )
