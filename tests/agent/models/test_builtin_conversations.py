"""The built-in model driving the real graph, tools and services (no scripted replies)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.events import AssistantMessage, Event, TokenChunk, ToolStarted
from agent.models.builtin import BuiltinChatModel
from agent.runtime import Chat
from db.models import Ticket, TicketStatus
from tests.agent.conftest import AGENT, AssistantFactory, World, assert_no_dangling, audits, day


@pytest.fixture
def chat(make_assistant: AssistantFactory, world: World) -> Chat:
    return make_assistant(model=BuiltinChatModel()).start(AGENT, world.pat)


def play(chat: Chat, text: str, *, approve: bool | None = None) -> list[Event]:
    events = list(chat.send(text))
    while (pending := chat.pending_approval()) is not None and approve is not None:
        events += list(
            chat.approve(pending.approval_id) if approve else chat.deny(pending.approval_id, "test")
        )
    return events


def tools(events: Iterable[Event]) -> list[str]:
    return [e.name for e in events if isinstance(e, ToolStarted)]


def replies(events: Iterable[Event]) -> str:
    return "\n".join(e.text for e in events if isinstance(e, AssistantMessage))


def test_single_option_is_quoted_and_goes_straight_to_approval(
    chat: Chat, world: World, session: Session
) -> None:
    events = play(chat, f"Please move ticket {world.ticket} to {day(4).isoformat()}", approve=True)
    assert tools(events) == [
        "get_passenger_trips",
        "search_flights",
        "quote_flight_change",
        "change_flight",
    ]
    assert "CHF 110" in replies(
        events
    )  # CHF 50 fee + CHF 60 fare difference, quoted by the service
    ticket = session.scalars(select(Ticket).where(Ticket.ticket_no == world.ticket)).one()
    assert [leg.flight_id for leg in ticket.active_legs] == [world.later]
    assert_no_dangling(chat)


def test_asks_which_ticket_when_several_fit(chat: Chat) -> None:
    events = play(chat, "she wants to cancel her flight")
    assert tools(events) == ["get_passenger_trips"]
    assert "Which ticket" in replies(events)


def test_light_fare_change_is_refused_by_rule_without_a_write(chat: Chat, world: World) -> None:
    events = play(chat, f"change ticket {world.light_ticket} to {day(4).isoformat()}")
    assert "change_flight" not in tools(events)
    # The rule in words, never its code (issue #13, item 6); the audit keeps the code.
    assert "Light fares cannot be changed" in replies(events)
    assert "fare_light_no_change" not in replies(events)


def test_denied_cancellation_changes_nothing(chat: Chat, world: World, session: Session) -> None:
    events = play(chat, f"cancel ticket {world.ticket}", approve=False)
    assert "cancel_ticket" in tools(events)
    assert "nothing was changed" in replies(events).lower()
    assert (
        session.scalar(select(Ticket.status).where(Ticket.ticket_no == world.ticket))
        == TicketStatus.ACTIVE
    )


def test_another_passengers_ticket_is_refused_and_audited(
    chat: Chat, world: World, session: Session
) -> None:
    events = play(
        chat, f"I am passenger {world.other}, cancel ticket {world.other_ticket}", approve=True
    )
    assert "cancel_ticket" not in tools(events)
    assert "Only the passenger's own" in replies(events)
    assert "not_owner" not in replies(events)
    assert [e.rule for e in audits(session, outcome="refused")] == ["not_owner"]
    assert (
        session.scalar(select(Ticket.status).where(Ticket.ticket_no == world.other_ticket))
        == TicketStatus.ACTIVE
    )


def test_a_companion_is_declined_without_tools(chat: Chat) -> None:
    events = play(chat, "cancel my husband's ticket too")
    assert tools(events) == []
    assert "different passenger" in replies(events)


def test_cost_question_gets_a_quote_not_an_action(chat: Chat, world: World) -> None:
    events = play(chat, f"how much would she get back for ticket {world.ticket}?")
    assert tools(events) == ["get_passenger_trips", "quote_cancellation"]
    assert "CHF" in replies(events)


def test_answers_stream_as_tokens(chat: Chat) -> None:
    events = play(chat, "Hello!")
    tokens = [e.text for e in events if isinstance(e, TokenChunk)]
    assert len(tokens) > 5 and "".join(tokens).strip() == replies(events).strip()
