"""Live handoff: a conversation handed to a person waits in the Queue with its reason, tier and
disruption; one agent takes it (raced in threads: one wins, the others get a Conflict), writes to
the passenger, hands it back or resolves it; every change is audited; messages reach a listener
live (polling on SQLite, LISTEN/NOTIFY on PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import (
    AuditEvent,
    Conversation,
    ConversationStatus,
    EscalationReason,
    FlightStatus,
    Handoff,
    HandoffState,
    MessageAuthor,
    Role,
    Tier,
)
from services.core import audit
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.core.errors import Conflict, InvalidInput, PolicyViolation
from services.support import conversations, handoff, live
from tests import factories as f
from tests.conftest import FROZEN_NOW
from tests.security.consistency import race

RACERS = 10


@dataclass
class Desk:
    pax: int
    conversation: str
    customer: Actor
    agents: list[Actor]
    admin: Actor
    clock: FixedClock

    def ctx(self, actor: Actor) -> ServiceContext:
        return ServiceContext(
            actor=actor, passenger_id=self.pax, clock=self.clock, conversation_id=self.conversation
        )


@pytest.fixture
def desk(session: Session) -> Desk:
    """A gold passenger whose flight tomorrow is cancelled, her own conversation, ten agents."""
    clock = FixedClock(FROZEN_NOW)
    f.reference_data(session)
    now = clock.now()
    flight = f.flight(session, "ZRH", "LHR", now + timedelta(days=1), status=FlightStatus.CANCELLED)
    pax = f.passenger(session, name="Gina Gold", tier=Tier.GOLD)
    f.ticket(session, pax, [flight], issued_at=now - timedelta(days=20))
    customer = f.user(session, "gina", Role.CUSTOMER, at=now, passenger_id=pax.id)
    agents = [f.user(session, f"agent{i}", Role.AGENT, at=now) for i in range(RACERS)]
    admin = f.user(session, "boss", Role.ADMIN, at=now)
    session.add(
        Conversation(
            id="c1",
            user_id=customer.user_id,
            passenger_id=pax.id,
            title="My flight is cancelled",
            status=ConversationStatus.OPEN,
            model="builtin",
            started_at=now,
            updated_at=now,
        )
    )
    session.commit()
    return Desk(pax.id, "c1", customer, agents, admin, clock)


def _status(session: Session) -> ConversationStatus:
    conversation = session.get(Conversation, "c1")
    assert conversation is not None
    return conversation.status


def _ask_for_person(session: Session, desk: Desk) -> None:
    conversations.escalate_conversation(
        session,
        desk.ctx(desk.customer),
        reason=EscalationReason.CUSTOMER_REQUEST,
        summary="I want to talk to a person",
    )


def test_asking_for_a_person_queues_the_conversation_with_reason_tier_and_disruption(
    session: Session, desk: Desk
) -> None:
    _ask_for_person(session, desk)
    desk.clock.advance(timedelta(minutes=4))
    [entry] = handoff.queue(session, desk.ctx(desk.agents[0]))
    assert entry.conversation_id == "c1" and entry.passenger_name == "Gina Gold"
    assert entry.reason == EscalationReason.CUSTOMER_REQUEST
    assert entry.reason_text == "the passenger asks for a person"
    assert entry.tier == Tier.GOLD and entry.disruption is True
    assert entry.state == HandoffState.WAITING and entry.taken_by is None
    assert entry.waited(desk.clock.now()) == timedelta(minutes=4)
    # Asking twice does not queue it twice (the conversation is already escalated).
    with pytest.raises(InvalidInput):
        _ask_for_person(session, desk)
    assert len(handoff.queue(session, desk.ctx(desk.admin))) == 1


def test_only_agents_and_admins_see_the_queue(session: Session, desk: Desk) -> None:
    _ask_for_person(session, desk)
    with pytest.raises(PolicyViolation):
        handoff.queue(session, desk.ctx(desk.customer))
    with pytest.raises(PolicyViolation):
        handoff.take(session, desk.ctx(desk.customer))


def test_take_write_hand_back_each_audited(session: Session, desk: Desk) -> None:
    _ask_for_person(session, desk)
    anna, ben = desk.agents[0], desk.agents[1]
    handoff.take(session, desk.ctx(anna))
    assert handoff.queue(session, desk.ctx(anna)) == []
    [held] = handoff.held_by_me(session, desk.ctx(anna))
    assert held.taken_by == "agent0"
    with pytest.raises(Conflict, match="agent0 took this conversation first"):
        handoff.take(session, desk.ctx(ben))
    with pytest.raises(PolicyViolation, match="agent0 holds this conversation"):
        handoff.post_agent_message(session, desk.ctx(ben), text="Hi, Ben here")
    with pytest.raises(InvalidInput):
        handoff.post_agent_message(session, desk.ctx(anna), text="   ")

    desk.clock.advance(timedelta(seconds=90))
    handoff.post_agent_message(session, desk.ctx(anna), text="Hello Gina, I am on it.")
    session.rollback()
    row = session.scalars(select(Handoff)).one()
    assert row.first_reply_at is not None and row.first_reply_at - row.waiting_since == timedelta(
        seconds=90
    )
    said = live.messages(session, conversation_id="c1")
    assert [(m.author, m.text) for m in said][-1] == (
        MessageAuthor.AGENT,
        "Hello Gina, I am on it.",
    )

    handoff.hand_back(session, desk.ctx(anna))
    session.rollback()
    assert _status(session) == ConversationStatus.OPEN
    assert handoff.active(session, conversation_id="c1") is None
    with pytest.raises(Conflict):
        handoff.post_agent_message(session, desk.ctx(anna), text="still there?")
    session.rollback()
    trail = session.execute(
        select(AuditEvent.action, AuditEvent.outcome, AuditEvent.actor).order_by(AuditEvent.seq)
    ).all()
    assert [tuple(r) for r in trail[-7:]] == [
        ("take_handoff", "executed", "agent0"),
        ("take_handoff", "invalid", "agent1"),  # the Conflict, with its sentence
        ("post_agent_message", "refused", "agent1"),
        ("post_agent_message", "invalid", "agent0"),
        ("post_agent_message", "executed", "agent0"),
        ("hand_back_handoff", "executed", "agent0"),
        ("post_agent_message", "invalid", "agent0"),
    ]
    assert audit.verify(session).ok


def test_resolve_closes_conversation_and_an_admin_may_end_a_colleagues_hold(
    session: Session, desk: Desk
) -> None:
    _ask_for_person(session, desk)
    handoff.take(session, desk.ctx(desk.agents[0]))
    handoff.resolve(session, desk.ctx(desk.admin))
    session.rollback()
    assert _status(session) == ConversationStatus.RESOLVED
    row = session.scalars(select(Handoff)).one()
    assert (row.state, row.ended_by) == (HandoffState.RESOLVED, "boss")


def test_the_assistant_escalating_again_after_a_hand_back_queues_a_new_handoff(
    session: Session, desk: Desk
) -> None:
    _ask_for_person(session, desk)
    handoff.take(session, desk.ctx(desk.agents[0]))
    handoff.hand_back(session, desk.ctx(desk.agents[0]))
    handoff.request_person(session, desk.ctx(desk.customer), reason="tool_failure")
    [entry] = handoff.queue(session, desk.ctx(desk.agents[1]))
    assert entry.reason == EscalationReason.TOOL_FAILURE
    assert _status(session) == ConversationStatus.ESCALATED


def test_two_agents_taking_at_once_one_wins(
    session: Session, session_factory: sessionmaker[Session], desk: Desk
) -> None:
    _ask_for_person(session, desk)
    outcomes = race(
        session_factory,
        lambda i: desk.ctx(desk.agents[i]),
        lambda s, ctx, _i: handoff.take(s, ctx),
        n=RACERS,
    )
    assert outcomes == Counter({"ok": 1, "conflict": RACERS - 1})
    session.rollback()
    row = session.scalars(select(Handoff)).one()
    assert row.state == HandoffState.HELD
    takes = session.scalars(select(AuditEvent).where(AuditEvent.action == "take_handoff")).all()
    assert [e.outcome for e in takes].count("executed") == 1
    assert {e.actor for e in takes if e.outcome == "executed"} == {row.taken_by}


def test_a_listener_receives_new_messages_live_and_resumes_without_repeats(
    session: Session, session_factory: sessionmaker[Session], desk: Desk
) -> None:
    _ask_for_person(session, desk)
    handoff.take(session, desk.ctx(desk.agents[0]))
    seen = live.messages(session, conversation_id="c1")
    cursor = seen[-1].id
    feed = live.LiveFeed(session_factory)
    got: list[live.LiveMessage] = []
    arrived = threading.Event()

    def listen() -> None:
        for message in feed.subscribe("c1", cursor, timeout=10):
            got.append(message)
            arrived.set()
            return

    try:
        assert feed.wait_ready()
        listener = threading.Thread(target=listen)
        listener.start()
        handoff.post_agent_message(session, desk.ctx(desk.agents[0]), text="Hello Gina")
        # Generous: delivery takes ~POLL_S on SQLite and a notification on PostgreSQL.
        assert arrived.wait(timeout=10)
        listener.join(timeout=10)
        assert [m.text for m in got] == ["Hello Gina"]
        # Resuming from the last id seen: nothing again, and the next message only.
        handoff.post_agent_message(session, desk.ctx(desk.agents[0]), text="Second")
        again = list(feed.subscribe("c1", got[-1].id, timeout=0))
        assert [m.text for m in again] == ["Second"]
    finally:
        feed.close()


def test_a_message_that_rolled_back_is_never_delivered(session: Session, desk: Desk) -> None:
    _ask_for_person(session, desk)
    handoff.take(session, desk.ctx(desk.agents[0]))
    with pytest.raises(PolicyViolation):  # not the holder: the write rolls back
        handoff.post_agent_message(session, desk.ctx(desk.agents[1]), text="sneaky")
    after = replace(desk.ctx(desk.agents[0]))
    handoff.post_agent_message(session, after, text="real")
    texts = [m.text for m in live.messages(session, conversation_id="c1")]
    assert "sneaky" not in texts and texts[-1] == "real"
