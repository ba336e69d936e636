"""The passenger picker's lock (issue #13, item 1): with Farid Haddad chosen, a search that does
not find him ("grace lin" + Enter, nothing chosen) locks the Chat page and hides his trips on
the Bookings page, with a line that says why and what to do; a search that still finds him
(e-mail, ticket, a word of his name) leaves everything open."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import Conversation, Ticket
from tests.ui.apptest import open_page, signed_in, texts
from tests.ui.test_chat_page import chat_page, click, passenger_id, pick

pytestmark = pytest.mark.usefixtures("app_env")
LOCK_LINE = "does not match **Farid Haddad**, the passenger you are helping, so the chat is locked"


def search(at, text: str):
    at = at.text_input(key="chat_query").input(text).run()
    assert not at.exception, at.exception
    return at


def farid(app_env):
    return pick(chat_page("agent"), app_env, "farid", "farid")


def headings(at) -> list[str]:
    return [h.value for kind in (at.title, at.header, at.subheader) for h in kind]


def locked(at) -> bool:
    return at.chat_input(key="chat_input").disabled


def test_a_search_for_another_passenger_locks_the_chat(app_env) -> None:
    at = farid(app_env)
    assert not locked(at)
    assert any("Helping **Farid Haddad" in t for t in texts(at))
    at = search(at, "grace lin")  # Enter, and nothing chosen
    assert locked(at)
    assert "Locked: the search does not match Farid" in at.chat_input(key="chat_input").placeholder
    assert any(LOCK_LINE in w.value for w in at.warning), texts(at)
    assert not any("Helping" in t for t in texts(at))
    assert not [b for b in at.button if b.key and b.key.startswith("chat_prompt_")]
    # Back to Farid: the search is cleared and the chat opens again.
    at = click(at, "chat_back")
    assert at.text_input(key="chat_query").value == ""
    assert not locked(at)
    assert any("Helping **Farid Haddad" in t for t in texts(at))


def test_choosing_from_the_matches_serves_that_passenger(app_env) -> None:
    at = search(farid(app_env), "grace lin")
    at = at.selectbox(key="chat_pick").select(passenger_id(app_env, "grace")).run()
    assert not locked(at)
    assert any("Helping **Grace Lin" in t for t in texts(at))


@pytest.mark.parametrize("query", ["haddad", "FARID.HADDAD@example.com", "ticket"])
def test_a_search_that_still_finds_him_leaves_the_chat_open(app_env, query) -> None:
    if query == "ticket":
        with app_env.sessions() as session:
            query = session.scalars(
                select(Ticket.ticket_no).where(
                    Ticket.passenger_id == passenger_id(app_env, "farid")
                )
            ).first()
    at = search(farid(app_env), query)
    assert not locked(at), texts(at)


def test_a_message_sent_while_locked_is_not_sent(app_env) -> None:
    """A message sent in the same run as the search that locks the chat (typed while the
    search box still had the focus): the assistant does not see it, no conversation starts."""
    at = farid(app_env)
    at.text_input(key="chat_query").input("grace lin")
    at = at.chat_input(key="chat_input").set_value("She wants compensation for the delay").run()
    assert any("Not sent: the search above does not match" in w.value for w in at.warning)
    assert not at.chat_message
    with app_env.sessions() as session:
        pid = passenger_id(app_env, "farid")
        assert not list(
            session.scalars(select(Conversation).where(Conversation.passenger_id == pid))
        )


def test_the_bookings_page_hides_his_trips_while_the_search_does_not_find_him(app_env) -> None:
    at = open_page(signed_in("agent"), "bookings")
    at.text_input(key="bookings_query").input("farid").run()
    at = at.selectbox(key="bookings_pick").select(passenger_id(app_env, "farid")).run()
    assert "Farid Haddad" in headings(at)
    at = at.text_input(key="bookings_query").input("grace lin").run()
    assert not at.exception
    assert any("so their trips are hidden" in w.value for w in at.warning), texts(at)
    assert "Farid Haddad" not in headings(at)
