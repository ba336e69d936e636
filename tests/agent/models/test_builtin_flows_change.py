"""A flight change described in words (agent/models/builtin/flows_change.py), with the real
graph and services: the described flight is the one quoted and proposed, and a confirmation
of a quote makes exactly the quoted change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.models.builtin import BuiltinChatModel
from agent.runtime import Chat
from db.models import Ticket
from services.core.clock import FixedClock
from tests import factories as f
from tests.agent.conftest import AGENT, AssistantFactory, World, assert_no_dangling, day
from tests.agent.models.test_builtin_conversations import play, replies, tools


@pytest.fixture
def chat(make_assistant: AssistantFactory, world: World) -> Chat:
    return make_assistant(model=BuiltinChatModel()).start(AGENT, world.pat)


@pytest.fixture
def evening(session: Session, world: World, clock: FixedClock) -> int:
    """Two more ZRH-LHR flights on D+4: 13:00 and 19:00 Zurich time (`later` leaves at 09:00)."""
    del world  # built first: the airports and the ticket the flights are for
    now = clock.now()
    f.flight(session, "ZRH", "LHR", now + timedelta(days=4, hours=4))
    flight = f.flight(session, "ZRH", "LHR", now + timedelta(days=4, hours=10))
    session.commit()
    return flight.id


def legs(session: Session, ticket_no: str) -> list[int]:
    ticket = session.scalars(select(Ticket).where(Ticket.ticket_no == ticket_no)).one()
    session.refresh(ticket)
    return [leg.flight_id for leg in ticket.active_legs]


def test_the_late_one_named_in_the_request_is_proposed(
    chat: Chat, world: World, evening: int, session: Session
) -> None:
    when = day(4).strftime("%d %B")
    events = play(
        chat, f"pax wants ticket {world.ticket} moved to {when}, the late one", approve=True
    )
    assert tools(events)[-1] == "change_flight"
    assert tools(events).count("quote_flight_change") == 1
    assert legs(session, world.ticket) == [evening]
    assert_no_dangling(chat)


def test_a_confirmed_quote_makes_exactly_the_quoted_change(
    chat: Chat, world: World, evening: int, session: Session
) -> None:
    when = day(4).strftime("%d %B")
    asked = play(
        chat,
        f"what would it cost to switch ticket {world.ticket} to the evening flight on {when}?",
        approve=True,
    )
    assert "change_flight" not in tools(asked) and "CHF" in replies(asked)
    done = play(chat, "alright, do it with the fee", approve=True)
    assert tools(done).count("change_flight") == 1 and "search_flights" not in tools(done)
    assert legs(session, world.ticket) == [evening]
    assert_no_dangling(chat)
