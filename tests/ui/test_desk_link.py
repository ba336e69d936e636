"""The passenger and conversation in the URL (ui/desk_link.py) under AppTest: a new session
with the URL (what a reload or a new tab is) opens the same passenger, conversation and
waiting card; a link this identity may not open says why and opens nothing."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.ui.apptest import APP, sign_in, texts
from tests.ui.test_chat_page import card, chat_page, click, has_card, passenger_id, pick, say

pytestmark = pytest.mark.usefixtures("app_env")


def reopened(username: str, **link: str) -> AppTest:
    """A fresh browser session on this URL: the sign-in form, then the page the link names."""
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in link.items():
        at.query_params[name] = value
    at = sign_in(at.run(), username)
    assert not at.exception, at.exception
    return at


def test_the_url_names_the_passenger_and_conversation_and_a_reload_keeps_them(app_env) -> None:
    at = pick(chat_page("agent"), app_env, "anna", "Anna Keller")
    anna = str(passenger_id(app_env, "anna"))
    assert at.query_params["passenger"] == anna
    at = say(at, "She wants to fly to London one day later")
    at = say(at, "the first one")
    assert has_card(at)
    conversation = at.query_params["conversation"]
    # The list: the summary title, status and time, and the card waiting.
    entry = at.button(key=f"chat_open_{conversation}")
    assert entry.label == "Flight change ZRH-LHR"
    assert any("1 approval waiting" in t for t in texts(at))

    again = reopened("agent", passenger=anna, conversation=conversation)
    assert any(i.value.startswith("Helping **Anna Keller") for i in again.info)
    assert has_card(again) and "Change for Anna Keller: Change flight" in card(again)
    assert any("1 approval waiting" in m.value for m in again.sidebar.markdown)
    again = click(again, "chat_approve")
    assert not has_card(again)
    assert not any("approval waiting" in m.value for m in again.sidebar.markdown)


def test_a_customer_cannot_open_another_passenger_or_conversation(app_env) -> None:
    farid = str(passenger_id(app_env, "farid"))
    at = reopened("customer", passenger=farid)
    shown = texts(at)
    assert (
        "This link is for a passenger other than you: a customer account shows only its own trips."
        in shown
    )
    assert "Your trips, **Anna Keller**" in shown
    assert not any("Farid" in t for t in shown)
    assert "passenger" not in at.query_params

    at = reopened("customer", conversation="0123456789abcdef")
    assert any("There is no conversation 0123456789abcdef" in t for t in texts(at))
    assert "conversation" not in at.query_params


def test_staff_are_told_when_a_linked_passenger_does_not_exist() -> None:
    at = reopened("agent", passenger="999999")
    assert "Passenger 999999 does not exist." in texts(at)
    assert "passenger" not in at.query_params
    assert (
        at.session_state["chat_passenger_id"] is None
        if "chat_passenger_id" in at.session_state
        else True
    )
