"""The Queue page on the demo world with two conversations waiting for a person: the agent
sees each with its reason, tier, disruption and wait, takes one, reads it beside the passenger's
trips, writes to the passenger (stored and audited), and hands it back; a customer may not open
the page, and a second agent's Take of a taken conversation is refused in words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from db.models import AuditEvent, Handoff, HandoffState
from services.support import live
from tests.conftest import FROZEN_NOW
from tests.ui.apptest import NOT_ALLOWED, open_page, signed_in, texts
from tests.ui.conftest import World
from world.handoffs import seed_waiting

pytestmark = pytest.mark.usefixtures("app_env")


@pytest.fixture
def waiting(world: World) -> Iterator[list[str]]:
    ids = seed_waiting(world.sessions, FROZEN_NOW)
    yield ids
    with world.sessions() as session:  # the next test starts with a fresh queue
        for row in session.scalars(select(Handoff).where(Handoff.conversation_id.in_(ids))):
            row.state = HandoffState.RESOLVED
        session.commit()


def queue(role: str = "agent") -> AppTest:
    at = open_page(signed_in(role), "queue")
    assert not at.exception, at.exception
    return at


@pytest.mark.usefixtures("waiting")
def test_waiting_conversations_show_reason_tier_disruption_and_wait() -> None:
    shown = "\n".join(texts(queue()))
    assert "Waiting (2)" in shown
    assert "Farid Haddad" in shown and "Cancelled flight to Barcelona" in shown
    assert "The passenger asks for a person" in shown and "silver" in shown
    assert "disruption" in shown
    assert "waiting **7 min**" in shown  # the longest wait first
    assert shown.index("Farid Haddad") < shown.index("Grace Lin")


def test_take_write_and_hand_back(world: World, waiting: list[str]) -> None:
    farid = waiting[0]
    at = queue()
    [take] = [b for b in at.button if (b.key or "").startswith("queue_take_")][:1]
    at = take.click().run()
    assert not at.exception, at.exception
    shown = "\n".join(texts(at))
    assert "You hold Farid Haddad's conversation." in shown
    assert "Waiting (1)" in shown and "With you (1)" in shown
    assert "need to talk to a person" in shown  # the passenger's message
    assert "Tickets" in shown  # the passenger's trips beside it
    # The assistant as copilot: Chat on this passenger, where its writes wait for approval.
    [copilot] = [p for p in at.page_link if p.label.startswith("Ask the assistant")]
    assert copilot.label == "Ask the assistant about Farid Haddad"
    with world.sessions() as session:
        pax = session.scalars(select(Handoff.passenger_id).where(Handoff.conversation_id == farid))
        assert copilot.proto.query_string == f"passenger={pax.one()}"
    assert copilot.proto.page_script_hash  # a page of the app (Chat), not an external link

    at.text_area(key="queue_reply").input("Hello Farid, I am rebooking you now.")
    at = at.button(key="queue_send").click().run()
    assert not at.exception, at.exception
    with world.sessions() as session:
        said = live.messages(session, conversation_id=farid)
        assert said[-1].text == "Hello Farid, I am rebooking you now."
        assert said[-1].username == "agent"
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.conversation_id == farid)
        ).all()
    assert "take_handoff" in actions and "post_agent_message" in actions

    at = at.button(key="queue_hand_back").click().run()
    assert "Handed back: the assistant answers again." in texts(at)
    assert "With you (1)" not in "\n".join(texts(at))
    with world.sessions() as session:
        row = session.scalars(select(Handoff).where(Handoff.conversation_id == farid)).one()
        assert row.state == HandoffState.HANDED_BACK


@pytest.mark.usefixtures("waiting")
def test_a_conversation_taken_meanwhile_is_refused_in_words() -> None:
    first, second = queue("agent"), queue("admin")
    first = first.button(key=f"queue_take_{_handoff_id(first)}").click().run()
    second = second.button(key=f"queue_take_{_handoff_id(second)}").click().run()
    assert not second.exception, second.exception
    assert "agent took this conversation first." in texts(second)


def _handoff_id(at: AppTest) -> str:
    keys = [b.key or "" for b in at.button]
    return next(k for k in keys if k.startswith("queue_take_")).removeprefix("queue_take_")


def test_customers_may_not_open_the_queue() -> None:
    at = open_page(signed_in("customer"), "queue")
    assert any(NOT_ALLOWED in t for t in texts(at))
