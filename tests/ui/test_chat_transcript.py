"""The approval card names the passenger it changes (issue #13, item 1); a customer confirms or
declines their own change, with the amount and the card, and never reads "approval" (item 11)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.ui.apptest import texts
from tests.ui.test_chat_page import card, chat_page, click, pick, replies, say, snapshot_of

pytestmark = pytest.mark.usefixtures("app_env")


def everything(at) -> str:
    """Every text a person can read on the page: messages, captions, labels, placeholders,
    the steps' titles and lines."""
    parts = texts(at)
    parts += [b.label for b in at.button] + [b.help or "" for b in at.button]
    parts += [t.label for t in at.text_input] + [t.placeholder for t in at.text_input]
    parts += [c.placeholder for c in at.chat_input]
    parts += [s.label for s in at.status] + [m.value for s in at.status for m in s.markdown]
    return "\n".join(parts)


def test_the_card_names_the_passenger_it_changes(app_env) -> None:
    at = pick(chat_page("agent"), app_env, "farid", "farid")
    at = say(at, "He wants compensation for the cancelled flight")
    shown = card(at)
    assert "Change for Farid Haddad: Pay compensation" in shown, shown
    assert "Approval needed: nothing changes until you approve it." in shown
    assert "Passenger receives **CHF" in shown
    assert [at.button(key=k).label for k in ("chat_approve", "chat_deny")] == ["Approve", "Deny"]


def customer_card(at):
    at = say(at, "I want to fly to London one day later")
    return say(at, "the first one")


def test_a_customer_confirms_their_own_change(app_env) -> None:
    (before,) = snapshot_of(app_env, "anna")["tickets"]
    at = customer_card(chat_page("customer"))
    shown = card(at)
    assert "Change for Anna Keller: Change flight" in shown
    assert "Please confirm: nothing changes until you confirm it." in shown
    assert "You pay **CHF 50.00**" in shown
    assert re.search(r"Anna Keller's \w+ ending \d{4}", shown), shown  # the card charged
    assert [at.button(key=k).label for k in ("chat_approve", "chat_deny")] == [
        "Confirm",
        "Decline",
    ]
    assert at.chat_input(key="chat_input").placeholder == (
        "Confirm or decline the change above first"
    )
    assert "approv" not in everything(at).lower(), everything(at)

    at = click(at, "chat_approve")
    assert any("You confirmed" in c.value for c in at.caption)
    assert replies(at)[-1].startswith("Done. Ticket")
    (ticket,) = snapshot_of(app_env, "anna")["tickets"]
    assert ticket["departs_date"] == str(
        date.fromisoformat(before["departs_date"]) + timedelta(days=1)
    )
    assert "approv" not in everything(at.run()).lower()


def test_a_customer_declines_their_own_change(app_env) -> None:
    before = snapshot_of(app_env, "anna")  # the module's world: maybe moved by the test above
    at = customer_card(chat_page("customer"))
    assert at.text_input(key="chat_deny_reason").label == "Reason, if you decline (optional)"
    at.text_input(key="chat_deny_reason").input("I changed my mind")
    at = click(at, "chat_deny")
    assert any("You declined: I changed my mind" in c.value for c in at.caption)
    assert snapshot_of(app_env, "anna") == before
    assert "approv" not in everything(at.run()).lower(), everything(at)
