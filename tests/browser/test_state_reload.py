"""State that survives a reload, in a real browser (issue #13, item 2): the sign-in (cookie),
the passenger and the open conversation (the URL), and a pending approval (the server).

Each test signs in through the form, then reloads the tab or opens a second tab in the same
browser context (same cookies), as a person does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from bench import ui_harness as harness

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def _signed_in_tab(context: Any, server: harness.AppServer, who: str, password: str) -> Any:
    tab = context.new_page()
    tab.goto(server.url)
    harness.sign_in(tab, who, password)
    # As soon as the page shows, not once the app is idle: a person may reload at once.
    tab.get_by_role("heading", name="Chat", exact=True).wait_for()
    return tab


def _expect_chat_signed_in(tab: Any) -> None:
    from playwright.sync_api import expect

    expect(tab.get_by_role("heading", name="Chat", exact=True)).to_be_visible(timeout=30_000)
    expect(tab.get_by_role("button", name="Sign out")).to_be_visible()
    expect(tab.get_by_role("textbox", name="Password")).to_have_count(0)


def test_sign_in_survives_a_reload_and_a_new_tab(context: Any, server: harness.AppServer) -> None:
    tab = _signed_in_tab(context, server, "agent", "agent-demo")
    # No click after the sign-in: the cookie must be in the browser already.
    tab.reload()
    harness.settle(tab)
    _expect_chat_signed_in(tab)

    second = context.new_page()
    second.goto(server.url)
    harness.settle(second)
    _expect_chat_signed_in(second)


def test_sign_out_ends_the_cookie_too(context: Any, server: harness.AppServer) -> None:
    from playwright.sync_api import expect

    tab = _signed_in_tab(context, server, "agent", "agent-demo")
    tab.reload()
    harness.settle(tab)
    _expect_chat_signed_in(tab)
    harness.sign_out(tab)
    tab.reload()
    harness.settle(tab)
    expect(tab.get_by_role("textbox", name="Password")).to_be_visible()
    second = context.new_page()
    second.goto(server.url)
    harness.settle(second)
    expect(second.get_by_role("textbox", name="Password")).to_be_visible()
    assert not re.search(r"Sign out", second.content().replace("Sign out of", ""))


def test_reload_keeps_passenger_conversation_and_the_pending_approval(
    context: Any, server: harness.AppServer, pictures: Path
) -> None:
    from playwright.sync_api import expect

    tab = _signed_in_tab(context, server, "agent", "agent-demo")
    harness.pick_passenger(tab, "anna.keller@example.com", r"^Anna Keller")
    harness.ask(tab, "She wants to fly to London one day later")
    # The first answer of a fresh server waits for the assistant's imports (slow on a busy
    # machine): more time than for a click.
    expect(tab.get_by_text("Which one should I take?")).to_be_visible(timeout=120_000)
    harness.ask(tab, "the first one")
    card = tab.locator(".st-key-chat_approval_card")
    expect(card).to_be_visible()
    harness.settle(tab)
    tab.wait_for_url(re.compile(r"passenger=\d+.*conversation=|conversation=.*passenger=\d+"))
    link = parse_qs(urlparse(tab.url).query)
    assert set(link) == {"passenger", "conversation"}, tab.url

    for width in (1280, 1024):  # what a person sees after the reload, at both widths
        tab.set_viewport_size({"width": width, "height": 900})
        tab.reload()
        harness.settle(tab)
        expect(tab.get_by_text("Helping Anna Keller")).to_be_visible()
        expect(card).to_be_visible()  # the same card, from the server
        expect(card.get_by_role("button", name="Approve")).to_be_enabled()
        entries = tab.locator(".st-key-chat_conversations")
        expect(entries.get_by_text("1 approval waiting")).to_be_visible()
        expect(
            entries.get_by_role("button", name=re.compile("^.*Flight change ZRH-LHR"))
        ).to_be_visible()
        sidebar = tab.locator(".st-key-sidebar_waiting")
        expect(sidebar).to_contain_text("1 approval waiting")
        expect(sidebar.get_by_role("link", name=re.compile("Anna Keller"))).to_be_visible()
        tab.evaluate("document.querySelector('section.stMain')?.scrollTo(0, 0)")
        tab.screenshot(path=str(pictures / f"chat-pending-{width}.png"), full_page=True)

    # A new tab on the bare address: signed in, and the sidebar's link opens the card.
    second = context.new_page()
    second.goto(server.url)
    harness.settle(second)
    second.locator(".st-key-sidebar_waiting").get_by_role("link").first.click()
    harness.settle(second)
    expect(second.get_by_text("Helping Anna Keller")).to_be_visible()
    second_card = second.locator(".st-key-chat_approval_card")
    expect(second_card).to_be_visible()
    second_card.get_by_role("button", name="Approve").click()
    expect(second.get_by_text(re.compile(r"^Done\. Ticket \d+ moved to AL 100"))).to_be_visible()
    harness.settle(second)
    expect(second.locator(".st-key-sidebar_waiting")).to_have_count(0)

    # The first tab, reloaded: the conversation is still open, nothing waits any more.
    tab.reload()
    harness.settle(tab)
    expect(tab.get_by_text(re.compile(r"^Done\. Ticket \d+ moved to AL 100"))).to_be_visible()
    expect(card).to_have_count(0)
    expect(tab.get_by_text("1 approval waiting")).to_have_count(0)


def test_bookings_shares_the_passenger_and_a_customer_cannot_open_another(
    context: Any, server: harness.AppServer
) -> None:
    from playwright.sync_api import expect

    tab = _signed_in_tab(context, server, "agent", "agent-demo")
    harness.pick_passenger(tab, "Farid", r"^Farid Haddad")
    tab.wait_for_url(re.compile(r"passenger=\d+"))  # the URL follows at the end of the run
    farid = parse_qs(urlparse(tab.url).query)["passenger"][0]
    harness.open_page(tab, "Bookings")
    expect(tab.get_by_text("Helping Farid Haddad")).to_be_visible()
    # Bookings keeps the passenger in its URL too (written at the end of its run, like Chat).
    tab.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("passenger") == [farid])
    tab.reload()
    harness.settle(tab)
    expect(tab.get_by_role("heading", name="Farid Haddad")).to_be_visible()

    harness.sign_out(tab)
    assert "passenger" not in parse_qs(urlparse(tab.url).query)  # not the next person's
    harness.sign_in(tab, "customer", "customer-demo")
    tab.get_by_role("button", name="Sign out").wait_for()
    harness.settle(tab)
    # The demo customer is Anna Keller: Farid's id in the URL opens nothing of his.
    tab.goto(f"{server.url}/chat?passenger={farid}")
    harness.settle(tab)
    expect(tab.get_by_text("This link is for a passenger other than you")).to_be_visible()
    expect(tab.get_by_text("Your trips, Anna Keller")).to_be_visible()
    expect(tab.get_by_text("Farid Haddad")).to_have_count(0)
    assert "passenger" not in parse_qs(urlparse(tab.url).query)
