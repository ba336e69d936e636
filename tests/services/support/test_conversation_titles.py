"""The Chat page's conversation titles: what happened (a write before a quote before a search),
with the route or flight from the records the calls name; else the first message, shortened.
And the pending marker: a conversation whose latest turn ended on an approval card."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.models import Conversation, ConversationStatus, Role, Turn, TurnToolCall
from services.core.clock import FixedClock
from services.core.context import ServiceContext
from services.support import conversation_titles, conversations, waiting
from services.support.conversation_titles import shorten
from tests import factories as f


def _conversation(session: Session, cid: str, actor, pax: int, at, first: str) -> None:
    session.add(
        Conversation(
            id=cid, user_id=actor.user_id, passenger_id=pax, title=first,
            status=ConversationStatus.OPEN, model="builtin", started_at=at, updated_at=at,
        )
    )  # fmt: skip
    session.flush()


def _turn(session: Session, cid: str, at, *calls: tuple[str, dict[str, Any], str]) -> None:
    turn = Turn(
        conversation_id=cid,
        started_at=at,
        latency_ms=1.0,
        tool_calls=[
            {"id": f"c{i}", "name": n, "args": a, "status": s} for i, (n, a, s) in enumerate(calls)
        ],
        tokens_in=1,
        tokens_out=1,
        model="builtin",
    )
    session.add(turn)
    session.flush()
    session.add_all(TurnToolCall.of(turn))
    session.flush()


@pytest.fixture
def world(session: Session, clock: FixedClock):
    f.reference_data(session)
    now = clock.now()
    anna = f.passenger(session, name="Anna Keller")
    out = f.flight(session, "ZRH", "LHR", now + timedelta(days=3), flight_no="AL 100")
    later = f.flight(session, "ZRH", "LHR", now + timedelta(days=4), flight_no="AL 102")
    ticket = f.ticket(session, anna, [out], issued_at=now - timedelta(days=20))
    agent = f.user(session, "agent", Role.AGENT, at=now)
    session.commit()
    return {"anna": anna.id, "ticket": ticket.ticket_no, "later": later.id, "agent": agent}


def _titles(session: Session, world, clock) -> dict[str, tuple[str, bool]]:
    ctx = ServiceContext(actor=world["agent"], passenger_id=world["anna"], clock=clock)
    rows = conversations.list_conversations(session, ctx)
    return {r.id: (r.title, r.awaiting_approval) for r in rows}


def test_titles_name_what_happened_not_the_first_message(session, world, clock) -> None:
    now, agent, anna = clock.now(), world["agent"], world["anna"]
    change = {"ticket_no": world["ticket"], "new_flight_ids": [world["later"]]}
    for cid in ("change", "quoted", "comp", "hotel", "chat", "plain"):
        _conversation(session, cid, agent, anna, now, "She wants to fly to London one day later")
    _turn(session, "change", now, ("search_flights", {"origin": "ZRH", "destination": "LHR"}, "ok"))
    _turn(session, "change", now, ("change_flight", change, "awaiting_approval"))
    _turn(session, "change", now, ("change_flight", change, "approved"))
    _turn(session, "quoted", now, ("quote_flight_change", change, "ok"))
    _turn(session, "comp", now, ("request_compensation", {"ticket_no": world["ticket"]}, "ok"))
    _turn(session, "hotel", now, ("search_hotels", {"city": "London"}, "ok"))
    _turn(session, "chat", now, ("lookup_policy", {"question": "bags"}, "ok"))
    session.commit()
    titles = _titles(session, world, clock)
    assert titles["change"] == ("Flight change ZRH-LHR", False)  # approved: nothing waits
    assert titles["quoted"][0] == "Flight change ZRH-LHR"
    assert titles["comp"][0] == "Compensation AL 100"  # the ticket's flight
    assert titles["hotel"][0] == "Hotel in London"
    # Only a policy question (or nothing yet): the first message, shortened at a word.
    assert titles["chat"][0] == titles["plain"][0] == "She wants to fly to London one day later"
    assert len(set(titles.values())) == 4  # a quote and its change share the title


def test_a_card_waiting_in_the_latest_turn_is_marked_and_listed(session, world, clock) -> None:
    now, agent, anna = clock.now(), world["agent"], world["anna"]
    change = {"ticket_no": world["ticket"], "new_flight_ids": [world["later"]]}
    _conversation(session, "waits", agent, anna, now, "Move her flight")
    _turn(session, "waits", now, ("change_flight", change, "awaiting_approval"))
    _conversation(session, "done", agent, anna, now - timedelta(hours=1), "Cancel it")
    _turn(
        session, "done", now, ("cancel_ticket", {"ticket_no": world["ticket"]}, "awaiting_approval")
    )
    _turn(session, "done", now, ("cancel_ticket", {"ticket_no": world["ticket"]}, "denied"))
    session.commit()
    assert _titles(session, world, clock) == {
        "waits": ("Flight change ZRH-LHR", True),
        "done": ("Cancellation ZRH-LHR", False),
    }
    ctx = ServiceContext(actor=agent, clock=clock)
    (item,) = waiting.waiting_approvals(session, ctx)
    assert (item.conversation_id, item.passenger_id, item.passenger_name, item.title) == (
        "waits", anna, "Anna Keller", "Flight change ZRH-LHR",
    )  # fmt: skip
    # Someone else's waiting card is not in this person's sidebar.
    other = f.user(session, "agent2", Role.AGENT, at=now)
    session.commit()
    assert waiting.waiting_approvals(session, ServiceContext(actor=other, clock=clock)) == []


def test_shorten_cuts_at_a_word_and_drops_invisible_characters() -> None:
    text = "Hello\u200b there, she would like to move her flight to the Friday after next please"
    short = shorten(text)
    assert short.endswith("…") and len(short) <= conversation_titles.MAX_TITLE
    assert "\u200b" not in short and short.startswith("Hello there, she would")
    assert shorten("  two\nlines ") == "two lines"
