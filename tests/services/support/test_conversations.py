"""A passenger's conversations for the Chat page: who sees which, rating (Feedback and
Conversation.rating), resolving and escalating, each one transaction with its audit record."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    AuditEvent,
    Conversation,
    ConversationStatus,
    Escalation,
    Feedback,
    Role,
    Turn,
)
from services.core import audit
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule
from services.support import conversations
from tests import factories as f


@dataclass
class Desk:
    pax: int  # the passenger served
    other: int  # another passenger
    agent: Actor
    admin: Actor
    manager: Actor
    customer: Actor  # pax's own account
    stranger: Actor  # another customer, bound to `other`
    older: str  # agent's conversation about pax, 2 turns
    newer: str  # the customer's own conversation about pax, 1 turn
    elsewhere: str  # agent's conversation about `other`


def _user(session: Session, name: str, role: Role, clock: FixedClock, pax: int | None = None):
    return f.user(session, name, role, at=clock.now(), passenger_id=pax)


def _conversation(
    session: Session, cid: str, actor: Actor, pax: int, at, turns: int, title: str
) -> str:
    session.add(
        Conversation(
            id=cid,
            user_id=actor.user_id,
            passenger_id=pax,
            title=title,
            status=ConversationStatus.OPEN,
            model="builtin",
            started_at=at,
            updated_at=at,
        )
    )
    session.flush()
    for i in range(turns):
        session.add(
            Turn(
                conversation_id=cid,
                started_at=at + timedelta(seconds=i),
                latency_ms=12.0,
                tool_calls=[],
                tokens_in=1,
                tokens_out=1,
                model="builtin",
            )
        )
    return cid


@pytest.fixture
def desk(session: Session, clock: FixedClock) -> Desk:
    pax = f.passenger(session, name="Anna Keller").id
    other = f.passenger(session, name="Olga Other").id
    agent = _user(session, "agent", Role.AGENT, clock)
    customer = _user(session, "customer", Role.CUSTOMER, clock, pax)
    now = clock.now()
    desk = Desk(
        pax=pax,
        other=other,
        agent=agent,
        admin=_user(session, "admin", Role.ADMIN, clock),
        manager=_user(session, "manager", Role.MANAGER, clock),
        customer=customer,
        stranger=_user(session, "stranger", Role.CUSTOMER, clock, other),
        older=_conversation(session, "t-older", agent, pax, now - timedelta(hours=2), 2, "Move"),
        newer=_conversation(session, "t-newer", customer, pax, now - timedelta(hours=1), 1, "Bags"),
        elsewhere=_conversation(session, "t-else", agent, other, now, 1, "Other"),
    )
    session.commit()
    return desk


def ctx(actor: Actor, pax: int | None, clock: FixedClock, cid: str | None = None):
    return ServiceContext(actor=actor, passenger_id=pax, clock=clock, conversation_id=cid)


def audit_rows(session: Session, action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    return list(session.scalars(query))


def status_of(session: Session, cid: str) -> ConversationStatus:
    session.expire_all()
    conversation = session.get(Conversation, cid)
    assert conversation is not None
    return conversation.status


# --- listing -------------------------------------------------------------------------------------


def test_staff_see_every_conversation_about_the_passenger_latest_first(session, desk, clock):
    for actor in (desk.agent, desk.admin):
        rows = conversations.list_conversations(session, ctx(actor, desk.pax, clock))
        assert [r.id for r in rows] == [desk.newer, desk.older]
        newer, older = rows
        assert (newer.title, newer.held_by, newer.turns) == ("Bags", "customer", 1)
        assert (older.title, older.held_by, older.turns, older.rating) == ("Move", "agent", 2, None)
        assert older.is_open and older.status == ConversationStatus.OPEN


def test_a_customer_sees_only_the_conversations_they_held(session, desk, clock):
    rows = conversations.list_conversations(session, ctx(desk.customer, desk.pax, clock))
    assert [r.id for r in rows] == [desk.newer]
    with pytest.raises(NotFound):
        conversations.get_conversation(session, ctx(desk.customer, desk.pax, clock), desk.older)


def test_a_customer_cannot_list_another_passengers_conversations(session, desk, clock):
    with pytest.raises(PolicyViolation) as err:
        conversations.list_conversations(session, ctx(desk.customer, desk.other, clock))
    assert err.value.rule == Rule.PERMISSION


def test_a_manager_holds_no_conversations_and_the_refusal_is_audited(session, desk, clock):
    with pytest.raises(PolicyViolation) as err:
        conversations.list_conversations(session, ctx(desk.manager, desk.pax, clock))
    assert err.value.rule == Rule.PERMISSION
    (refusal,) = audit_rows(session, "list_conversations")
    assert (refusal.outcome, refusal.actor, refusal.rule) == (
        "refused",
        "manager",
        "permission_denied",
    )


def test_listing_needs_a_passenger_and_honours_the_limit(session, desk, clock):
    with pytest.raises(PolicyViolation) as err:
        conversations.list_conversations(session, ctx(desk.agent, None, clock))
    assert err.value.rule == Rule.NO_PASSENGER
    rows = conversations.list_conversations(session, ctx(desk.agent, desk.pax, clock), limit=1)
    assert [r.id for r in rows] == [desk.newer]


def test_a_conversation_about_another_passenger_is_not_found(session, desk, clock):
    with pytest.raises(NotFound):
        conversations.get_conversation(session, ctx(desk.agent, desk.pax, clock), desk.elsewhere)


def test_passenger_summary_is_the_current_passenger(session, desk, clock):
    who = conversations.passenger_summary(session, ctx(desk.customer, desk.pax, clock))
    assert (who.id, who.name, who.tier) == (desk.pax, "Anna Keller", "regular")
    with pytest.raises(PolicyViolation):
        conversations.passenger_summary(session, ctx(desk.customer, desk.other, clock))


# --- rating --------------------------------------------------------------------------------------


def test_rating_stores_feedback_and_the_conversation_rating_with_an_audit_record(
    session, desk, clock
):
    c = ctx(desk.agent, desk.pax, clock, desk.older)
    result = conversations.rate_conversation(session, c, rating=4, comment="  Quick  ")
    assert result.summary == "Rated the conversation 4 of 5."
    session.expire_all()
    (feedback,) = session.scalars(select(Feedback))
    assert (feedback.conversation_id, feedback.user_id, feedback.rating, feedback.comment) == (
        desk.older,
        desk.agent.user_id,
        4,
        "Quick",
    )
    assert session.get(Conversation, desk.older).rating == 4
    (record,) = audit_rows(session, "rate_conversation")
    assert (record.outcome, record.conversation_id, record.passenger_id) == (
        "executed",
        desk.older,
        desk.pax,
    )
    assert record.details["before"] == {"rating": None}
    assert record.details["after"] == {"rating": 4, "comment": "Quick"}


def test_rating_again_replaces_the_persons_feedback(session, desk, clock):
    c = ctx(desk.agent, desk.pax, clock, desk.older)
    conversations.rate_conversation(session, c, rating=2)
    conversations.rate_conversation(session, c, rating=5)
    conversations.rate_conversation(session, ctx(desk.admin, desk.pax, clock, desk.older), rating=3)
    session.expire_all()
    ratings = sorted((fb.user_id, fb.rating) for fb in session.scalars(select(Feedback)))
    assert ratings == sorted([(desk.agent.user_id, 5), (desk.admin.user_id, 3)])
    assert session.get(Conversation, desk.older).rating == 3
    assert [r.details["before"]["rating"] for r in audit_rows(session, "rate_conversation")] == [
        None,
        2,
        5,
    ]


@pytest.mark.parametrize("rating", [0, 6, -1, "5", 4.5, True, None])
def test_a_bad_rating_is_refused_and_changes_nothing(session, desk, clock, rating):
    with pytest.raises(InvalidInput, match="whole number from 1 to 5"):
        conversations.rate_conversation(
            session, ctx(desk.agent, desk.pax, clock, desk.older), rating=rating
        )
    assert session.scalar(select(func.count()).select_from(Feedback)) == 0
    (record,) = audit_rows(session, "rate_conversation")
    assert record.outcome == "invalid"


def test_a_long_comment_is_refused(session, desk, clock):
    with pytest.raises(InvalidInput, match="1,001 characters long; the limit is 1,000"):
        conversations.rate_conversation(
            session, ctx(desk.agent, desk.pax, clock, desk.older), rating=5, comment="x" * 1001
        )


def test_a_customer_cannot_rate_a_conversation_they_did_not_hold(session, desk, clock):
    with pytest.raises(NotFound):
        conversations.rate_conversation(
            session, ctx(desk.customer, desk.pax, clock, desk.older), rating=1
        )
    conversations.rate_conversation(
        session, ctx(desk.customer, desk.pax, clock, desk.newer), rating=5
    )
    assert session.get(Conversation, desk.newer).rating == 5


def test_rating_needs_an_open_conversation_in_the_context(session, desk, clock):
    with pytest.raises(InvalidInput, match="No conversation is open"):
        conversations.rate_conversation(session, ctx(desk.agent, desk.pax, clock), rating=5)


def test_a_manager_cannot_rate_here(session, desk, clock):
    with pytest.raises(PolicyViolation):
        conversations.rate_conversation(
            session, ctx(desk.manager, desk.pax, clock, desk.older), rating=5
        )
    assert session.get(Conversation, desk.older).rating is None


# --- resolving and escalating --------------------------------------------------------------------


def test_resolving_marks_the_conversation_once(session, desk, clock):
    c = ctx(desk.agent, desk.pax, clock, desk.older)
    conversations.resolve_conversation(session, c)
    assert status_of(session, desk.older) == ConversationStatus.RESOLVED
    with pytest.raises(InvalidInput, match="already marked resolved"):
        conversations.resolve_conversation(session, c)
    first, second = audit_rows(session, "resolve_conversation")
    assert (first.outcome, second.outcome) == ("executed", "invalid")
    assert first.details["before"] == {"status": "open"}


def test_escalating_opens_an_escalation_and_marks_the_conversation(session, desk, clock):
    c = ctx(desk.agent, desk.pax, clock, desk.older)
    result = conversations.escalate_conversation(
        session, c, reason="customer_request", summary="Wants a person at the desk."
    )
    assert result.summary == "Escalated to a human colleague (customer_request)."
    session.expire_all()
    (escalation,) = session.scalars(select(Escalation))
    assert (escalation.passenger_id, escalation.conversation_id, escalation.reason.value) == (
        desk.pax,
        desk.older,
        "customer_request",
    )
    assert (escalation.summary, escalation.created_by) == ("Wants a person at the desk.", "agent")
    conversation = session.get(Conversation, desk.older)
    assert conversation is not None
    assert (conversation.status, conversation.escalation_reason) == (
        ConversationStatus.ESCALATED,
        "customer_request",
    )
    (record,) = audit_rows(session, "escalate_conversation")
    assert (record.outcome, record.conversation_id) == ("executed", desk.older)
    assert record.details["escalation_id"] == escalation.id
    # Escalated, then solved by the colleague: it can still be marked resolved.
    with pytest.raises(InvalidInput, match="already escalated"):
        conversations.escalate_conversation(session, c, reason="tool_failure", summary="again")
    conversations.resolve_conversation(session, c)
    assert status_of(session, desk.older) == ConversationStatus.RESOLVED


@pytest.mark.parametrize(
    ("reason", "summary", "message"),
    [
        ("because", "Wants a person.", "is not an escalation reason"),
        ("customer_request", "   ", "needs a short summary"),
    ],
)
def test_a_bad_escalation_changes_nothing(session, desk, clock, reason, summary, message):
    c = ctx(desk.agent, desk.pax, clock, desk.older)
    with pytest.raises(InvalidInput, match=message):
        conversations.escalate_conversation(session, c, reason=reason, summary=summary)
    assert session.scalar(select(func.count()).select_from(Escalation)) == 0
    assert status_of(session, desk.older) == ConversationStatus.OPEN
    (record,) = audit_rows(session, "escalate_conversation")
    assert record.outcome == "invalid"


def test_a_resolved_conversation_is_not_escalated(session, desk, clock):
    c = ctx(desk.agent, desk.pax, clock, desk.older)
    conversations.resolve_conversation(session, c)
    with pytest.raises(InvalidInput, match="start a new one"):
        conversations.escalate_conversation(
            session, c, reason="customer_request", summary="Late call."
        )
    assert session.scalar(select(func.count()).select_from(Escalation)) == 0


def test_the_audit_chain_holds_after_every_kind_of_change(session, desk, clock):
    c = ctx(desk.agent, desk.pax, clock, desk.older)
    conversations.rate_conversation(session, c, rating=5)
    conversations.escalate_conversation(session, c, reason="missing_knowledge", summary="?")
    conversations.resolve_conversation(session, replace(c, conversation_id=desk.older))
    result = audit.verify(session)
    assert result.ok and result.records == 3, result


def test_contact_data_in_a_comment_is_masked_before_it_is_stored(session, desk, clock):
    c = ctx(desk.agent, desk.pax, clock, desk.older)
    comment = "Call her on 0795550101 or pat (at) example (dot) ch, card 4111 1111 1111 1111"
    conversations.rate_conversation(session, c, rating=2, comment=comment)
    session.expire_all()
    (feedback,) = session.scalars(select(Feedback))
    assert feedback.comment == "Call her on ***01 or p***@example.ch, card **** 1111"
    (record,) = audit_rows(session, "rate_conversation")
    assert "0795550101" not in str(record.details) and "4111 1111" not in str(record.details)
