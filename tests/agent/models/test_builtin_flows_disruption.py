"""A disrupted passenger's questions to the built-in model (agent/models/builtin/
flows_disruption.py and disruption_cues.py), with the real graph, tools and services: each kind
of question (options, what is owed, care, "anything I can do"), in several wordings and in
German and French, reads disruption_options and writes nothing; a pick from the options then
proposes the change on its approval card, free of charge as the airline cancelled."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.language import detect_language
from agent.models.builtin import BuiltinChatModel
from agent.models.builtin.glossary import to_english
from agent.models.builtin.lexicon import WRITE_TOOLS
from agent.models.builtin.rules import select as select_task
from agent.models.builtin.state import Intent
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import understand
from db.models import Role, Ticket
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.disruptions import disrupt_flight
from tests import factories as f
from tests.agent.conftest import AGENT, AssistantFactory, World, assert_no_dangling, audits
from tests.agent.models.test_builtin_conversations import play, replies, tools

TODAY = date(2026, 11, 26)


def intent_of(text: str) -> Intent | None:
    lang = detect_language(text)
    english = to_english(text, lang) if lang else text
    t = Transcript(TODAY, "Pat Keller", "regular", english, {})
    task = select_task(understand(english, TODAY, "Pat Keller"), t, None, None)
    return task.intent if task else None


@pytest.mark.parametrize(
    "text",
    [
        # what can I do
        "My flight was cancelled, what are my options?",
        "his flight got cancelled - what now?",
        "the airline cancelled my flight, what can I do?",
        "is there anything I can do, my flight is delayed",
        "flight's 4 hours late, any alternatives?",
        # what am I owed
        "what am I owed for the delay?",
        "what are my rights? my flight was cancelled",
        "Would she be entitled to anything for the delay? Don't do anything yet.",
        # care
        "can I get a hotel?",
        "my flight is delayed, do I get meal vouchers?",
        "Her flight is late. Does she get something to eat?",
        # German and French, through the glossary
        "Mein Flug wurde annulliert, welche Optionen habe ich?",
        "Mein Flug ist verspätet, was steht mir zu?",
        "Mon vol a été annulé, quelles sont mes options ?",
        "Mon vol est retardé, à quoi ai-je droit ?",
    ],
)
def test_a_disrupted_passengers_question_reads_the_options(text: str) -> None:
    assert intent_of(text) is Intent.DISRUPTION


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("my flight was cancelled, rebook me on the next one", Intent.CHANGE_FLIGHT),
        ("my flight was cancelled, I want my compensation", Intent.COMPENSATION),
        ("what would i get back if i cancelled?", Intent.QUOTE_CANCEL),
        ("is my flight delayed?", Intent.FLIGHT_STATUS),
        ("can i get a hotel in london for two nights?", Intent.HOTEL_BOOK),
        ("How late is her flight to London going to be?", Intent.FLIGHT_STATUS),
    ],
)
def test_requests_and_other_questions_keep_their_own_intent(text: str, intent: Intent) -> None:
    assert intent_of(text) is intent


def test_disruption_is_a_read_only_intent() -> None:
    assert Intent.DISRUPTION.asks_only


@pytest.fixture
def rebookings(session: Session, world: World, clock: FixedClock) -> tuple[int, int]:
    """Two more ZRH-BCN flights today for pat's cancelled one (15:00 Zurich): 13:00 and 19:00."""
    del world  # built first: the airports and the cancelled ticket
    now = clock.now()
    afternoon = f.flight(session, "ZRH", "BCN", now + timedelta(hours=4))
    evening = f.flight(session, "ZRH", "BCN", now + timedelta(hours=10))
    session.commit()
    return afternoon.id, evening.id


def legs(session: Session, ticket_no: str) -> list[int]:
    session.rollback()
    ticket = session.scalars(select(Ticket).where(Ticket.ticket_no == ticket_no)).one()
    return [leg.flight_id for leg in ticket.active_legs]


def test_options_question_then_a_pick_proposes_the_free_change(
    make_assistant: AssistantFactory, world: World, rebookings: tuple[int, int], session: Session
) -> None:
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, world.pat)
    asked = play(chat, "my flight was cancelled, what are my options?", approve=True)
    assert tools(asked) == ["disruption_options"]
    text = replies(asked)
    assert "1. AL" in text and "2. AL" in text and "free of charge" in text
    assert "refund" in text and "Compensation: CHF" in text and "meals" in text
    assert "I haven't changed anything" in text
    assert not audits(session, action="change_flight")

    picked = play(chat, "put me on the evening one", approve=True)
    assert tools(picked)[-1] == "change_flight"
    assert legs(session, world.cancelled_ticket) == [rebookings[1]]
    # Through the approval card, executed once, and free: the airline cancelled.
    assert len(audits(session, action="approve")) == 1
    assert len(audits(session, action="change_flight", outcome="executed")) == 1
    assert "charged CHF 0.00" in replies(picked)
    assert_no_dangling(chat)


@pytest.mark.parametrize(
    "question",
    [
        "what am I owed for the cancelled flight?",
        "my flight was cancelled, can I get a hotel?",
        "is there anything I can do? my flight was cancelled",
        "what are my options, my flight got cancelled. just asking",
    ],
)
def test_a_question_proposes_no_write(
    make_assistant: AssistantFactory, world: World, rebookings: tuple[int, int], question: str
) -> None:
    del rebookings
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, world.pat)
    events = play(chat, question, approve=True)
    assert "disruption_options" in tools(events)
    assert not WRITE_TOOLS & set(tools(events))
    assert chat.pending_approval() is None


def test_an_extraordinary_delay_is_explained_with_its_article(
    make_assistant: AssistantFactory, session: Session, world: World, clock: FixedClock
) -> None:
    del world  # built first: the airports and aircraft
    wendy = f.passenger(session, name="Wendy Weather")
    stormy = f.flight(session, "ZRH", "LHR", clock.now() + timedelta(hours=8))
    f.ticket(session, wendy, [stormy], issued_at=clock.now() - timedelta(days=30))
    session.commit()
    admin = ServiceContext(Actor("ops-admin", Role.ADMIN), clock=clock)
    disrupt_flight(
        session, admin, flight_id=stormy.id, kind="delayed", cause="weather", delay_minutes=300
    )
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, wendy.id)
    events = play(chat, "what am I owed for the delay?", approve=True)
    assert tools(events) == ["disruption_options"]
    text = replies(events)
    assert "weather" in text and "Compensation: none" in text and "Art. 5(3)" in text
    assert "meals" in text and "refund" in text  # care and the Art. 8 refund still stand


def test_a_passenger_without_a_disruption_is_told_so(
    make_assistant: AssistantFactory, session: Session, world: World, clock: FixedClock
) -> None:
    del world
    calm = f.passenger(session, name="Carl Calm")
    fine = f.flight(session, "ZRH", "LHR", clock.now() + timedelta(days=2))
    f.ticket(session, calm, [fine], issued_at=clock.now() - timedelta(days=30))
    session.commit()
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, calm.id)
    events = play(chat, "what are my options? is my flight cancelled or delayed?", approve=True)
    assert "disruption_options" in tools(events)
    assert "No disrupted flight" in replies(events)
