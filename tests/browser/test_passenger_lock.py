"""The wrong passenger, in a real browser (issue #13, item 1): with Farid Haddad chosen, the
agent types "grace lin" into Find a passenger and presses Enter without choosing. The chat is
locked until the search matches the passenger again or another one is chosen; a message that
names another passenger waits for the agent (switch, or send it anyway) before the assistant
sees it; the approval card names the passenger it changes. Pictures at 1280 px go to the
`pictures` folder (tests/browser/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bench import ui_harness as harness

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def shot(page: Any, name: str, folder: Path) -> None:
    harness.settle(page)
    page.screenshot(path=str(folder / f"{name}.png"))


def search(page: Any, text: str) -> None:
    harness.search_passenger(page, text)


def choose(page: Any, query: str, option: str) -> None:
    """harness.pick_passenger, choosing with the keyboard: the list opens over a page that is
    still scrolling, where a click can land on the wrong row."""
    helping = page.get_by_text(re.compile(option.replace("^", "^Helping "))).first
    for attempt in range(3):  # under load the keys can reach the list before it has focus
        harness.open_matches(page, query, option)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        try:
            helping.wait_for(timeout=15_000)
            break
        except Exception:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
    harness.settle(page)


def user_bubbles(page: Any) -> Any:
    return page.get_by_test_id("stChatMessage").filter(
        has=page.get_by_test_id("stChatMessageAvatarUser")
    )


def test_a_search_for_another_passenger_locks_the_chat(page: Any, pictures: Path) -> None:
    from playwright.sync_api import expect

    harness.sign_in(page, "agent", "agent-demo")
    choose(page, "farid", r"^Farid Haddad")
    message_box = page.get_by_test_id("stChatInputTextArea")
    expect(message_box).to_be_enabled()

    # The case from the issue: "grace lin" + Enter, nothing chosen.
    search(page, "grace lin")
    expect(message_box).to_be_disabled()
    lock = page.locator(".st-key-chat_locked")
    expect(lock).to_contain_text("does not match Farid Haddad")
    expect(lock).to_contain_text("chat is locked")
    expect(page.get_by_text("Helping Farid Haddad")).to_have_count(0)
    shot(page, "passenger-lock", pictures)

    # Going back to Farid clears the search and unlocks the chat.
    lock.get_by_role("button", name=re.compile("Back to Farid Haddad")).click()
    harness.settle(page)
    expect(message_box).to_be_enabled()
    expect(page.get_by_text("Helping Farid Haddad")).to_be_visible()

    # A search that still finds Farid (his e-mail) leaves the chat open.
    search(page, "farid.haddad@example.com")
    expect(message_box).to_be_enabled()


def test_a_message_naming_another_passenger_waits_for_the_agent(page: Any, pictures: Path) -> None:
    from playwright.sync_api import expect

    harness.sign_in(page, "agent", "agent-demo")
    choose(page, "farid", r"^Farid Haddad")

    # Named by full name: nothing is sent; the agent can switch to her, with the message.
    harness.ask(page, "Grace Lin wants compensation for the delay")
    warning = page.locator(".st-key-chat_mention")
    expect(warning).to_contain_text("Grace Lin")
    expect(warning).to_contain_text("Farid Haddad")
    expect(user_bubbles(page)).to_have_count(0)
    expect(page.locator(".st-key-chat_approval_card")).to_have_count(0)
    shot(page, "passenger-mention", pictures)
    warning.get_by_role("button", name=re.compile("Switch to Grace Lin")).click()
    card = page.locator(".st-key-chat_approval_card")
    expect(card).to_contain_text("for Grace Lin")
    expect(page.get_by_text("Helping Grace Lin")).to_be_visible()
    shot(page, "passenger-card-header", pictures)

    # Named in passing ("her friend Grace"): the agent sends it anyway, for Farid.
    harness.settle(page)
    choose(page, "farid", r"^Farid Haddad")
    harness.ask(
        page, "Her friend Grace recommended us. She wants compensation for the cancellation"
    )
    expect(warning).to_contain_text("Grace")
    expect(user_bubbles(page)).to_have_count(0)
    warning.get_by_role("button", name=re.compile("Send anyway")).click()
    expect(user_bubbles(page)).to_have_count(1)
    expect(card).to_contain_text("for Farid Haddad")


def test_a_customer_confirms_their_own_change(page: Any, pictures: Path) -> None:
    """Issue #13, item 11: the customer (Anna's own login) confirms or declines, with the
    amount and the card; nothing on the page speaks of an approval."""
    from playwright.sync_api import expect

    harness.sign_in(page, "customer", "customer-demo")
    harness.ask(page, "I want to fly to London one day later")
    expect(page.get_by_text("Which one should I take?")).to_be_visible(
        timeout=harness.FIRST_ANSWER_MS
    )
    harness.ask(page, "the first one")
    card = page.locator(".st-key-chat_approval_card")
    expect(card).to_contain_text("Change for Anna Keller: Change flight")
    expect(card).to_contain_text("You pay CHF 50.00")
    expect(card).to_contain_text(re.compile(r"Anna Keller's \w+ ending \d{4}"))
    expect(card.get_by_role("button", name="Confirm")).to_be_visible()
    expect(card.get_by_role("button", name="Decline")).to_be_visible()
    harness.settle(page)
    assert "approv" not in page.locator("body").inner_text().lower()
    card.scroll_into_view_if_needed()
    shot(page, "customer-confirm", pictures)
    card.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text(re.compile(r"^Done\. Ticket \d+ moved to AL 100"))).to_be_visible()
    expect(page.get_by_text("You confirmed")).to_be_visible()
