"""A message naming another passenger than the one served waits, unsent, for the agent
(issue #13, item 1): switch to that passenger and send it there, send it anyway, or drop it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Conversation
from tests.ui.apptest import texts
from tests.ui.test_chat_page import card, chat_page, click, passenger_id, pick, said, say

pytestmark = pytest.mark.usefixtures("app_env")


def conversations_about(app_env, persona: str) -> list[Conversation]:
    pid = passenger_id(app_env, persona)
    with app_env.sessions() as session:
        return list(session.scalars(select(Conversation).where(Conversation.passenger_id == pid)))


def holds(at) -> bool:
    try:
        at.get_by_key("chat_mention")
    except KeyError:
        return False
    return True


def held(at) -> str:
    block = at.get_by_key("chat_mention")
    return "\n".join(str(e.value) for e in [*block.warning, *block.caption])


def test_a_message_naming_another_passenger_is_held(app_env) -> None:
    at = pick(chat_page("agent"), app_env, "farid", "farid")
    at = say(at, "Grace Lin wants compensation for the delay")
    shown = held(at)
    assert "names **Grace Lin**, not **Farid Haddad**" in shown and "nothing has been sent" in shown
    assert "Grace Lin wants compensation for the delay" in shown
    assert not said(at) and not conversations_about(app_env, "farid")
    assert not [b for b in at.button if b.key and b.key.startswith("chat_prompt_")]
    at = at.run()  # still waiting after a rerun
    assert "Grace Lin" in held(at)
    at = click(at, "chat_mention_drop")
    assert not holds(at)
    assert not conversations_about(app_env, "farid")


def test_the_agent_switches_to_the_named_passenger(app_env) -> None:
    at = pick(chat_page("agent"), app_env, "farid", "farid")
    at = say(at, "Grace Lin wants compensation for the delay")
    at = click(at, f"chat_mention_switch_{passenger_id(app_env, 'grace')}")
    assert any("Helping **Grace Lin" in t for t in texts(at))
    assert said(at) == ["Grace Lin wants compensation for the delay"]
    assert "Change for Grace Lin: Pay compensation" in card(at)
    assert not conversations_about(app_env, "farid")
    (conversation,) = conversations_about(app_env, "grace")
    assert conversation.title == "Grace Lin wants compensation for the delay"


def test_a_name_said_in_passing_is_sent_anyway_for_the_served_passenger(app_env) -> None:
    at = pick(chat_page("agent"), app_env, "farid", "farid")
    text = "Her friend Grace recommended us. What bookings does he have?"
    at = say(at, text)
    assert "names **Grace** (the first name of" in held(at)
    assert not [b for b in at.button if b.key and b.key.startswith("chat_mention_switch_")]
    at = click(at, "chat_mention_send")
    assert said(at) == [text]
    assert len(conversations_about(app_env, "farid")) == 1


def test_a_customer_is_never_checked() -> None:
    """A customer naming somebody learns nothing about whether such a passenger exists."""
    at = chat_page("customer")
    at = say(at, "My friend Grace Lin told me about you. What bookings do I have?")
    assert not holds(at)
    assert said(at) == ["My friend Grace Lin told me about you. What bookings do I have?"]
