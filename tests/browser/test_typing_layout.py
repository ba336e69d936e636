"""In a real browser (Debian's Chromium): a message the desk refuses (a control character, the
rate limit) stays in the message box with a character counter (issue #13, item 7), and the Chat
page fits laptop screens, 1280 and 1024 px wide: no button label cut short, the approval card's
Approve button in view (item 8). Screenshots of both widths go to the test's temporary folder
(or SKYDESK_LAYOUT_SHOTS)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bench import ui_harness as harness
from services.core.validation import MAX_CHAT_CHARS

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
CHAT_LIMIT = 2  # messages per minute and user: each test signs in as another user
WIDTHS = [(1280, 800, "agent"), (1024, 768, "admin")]
PAGES = {
    "agent": ["Bookings"],
    "admin": ["Bookings", "Audit", "Metrics", "Conversation review", "Evaluations", "Admin"],
}
# Every label in the page whose text is cut (ellipsis or clipped), by its text: the buttons',
# and in the Chat page's conversation list also each entry's status and time line.
CUT_LABELS = """() => [...document.querySelectorAll(
        'button, .st-key-chat_conversations [data-testid="stCaptionContainer"]')]
    .filter(b => b.offsetParent !== null)
    .flatMap(b => [...b.querySelectorAll('p, span, div')]
        .filter(e => e.children.length === 0 && e.textContent.trim()
            && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.textContent.trim()))"""


SERVER_ENV = {"SKYDESK_CHAT_RATE_LIMIT": f"{CHAT_LIMIT}/minute"}


def open_tab(context: Any, server: harness.AppServer, width: int, height: int) -> Any:
    tab = context.new_page()
    tab.set_viewport_size({"width": width, "height": height})
    tab.goto(server.url)
    return tab


def send(page: Any, text: str) -> None:
    harness.ask(page, text)
    harness.settle(page)


def test_a_refused_message_stays_in_the_box_with_a_counter(
    context: Any, server: harness.AppServer
) -> None:
    from playwright.sync_api import expect

    page = open_tab(context, server, 1280, 800)
    harness.sign_in(page, "customer", "customer-demo")  # Anna, about her own trips
    expect(page.get_by_role("heading", name="Chat", exact=True)).to_be_visible()
    harness.settle(page)
    box = page.get_by_test_id("stChatInputTextArea")

    # The counter: the characters typed against the limit, as the person types.
    box.fill("Hello")
    expect(page.get_by_test_id("stChatInput")).to_contain_text(
        re.compile(rf"5/{MAX_CHAT_CHARS:,}|5/{MAX_CHAT_CHARS}")
    )

    # A control character: refused before any conversation starts, and still in the box.
    bad = "What bookings does she have?\x07"
    send(page, bad)
    expect(page.get_by_text(re.compile("control character"))).to_be_visible()
    expect(box).to_have_value(bad)  # waits: the box is drawn after the notice in the run

    for _ in range(CHAT_LIMIT):
        send(page, "What bookings does she have?")
        expect(page.get_by_text(re.compile(r"bookings \(\w+ member\)")).last).to_be_visible()

    # Refused inside the conversation (the runtime's check), and by the rate limit.
    send(page, bad)
    expect(page.get_by_text(re.compile("control character"))).to_be_visible()
    expect(box).to_have_value(bad)  # waits: the box is drawn after the notice in the run
    typed = "Can she take an extra bag on her London flight?"
    box.fill("")
    send(page, typed)
    expect(page.get_by_text(re.compile("Too many messages"))).to_be_visible()
    expect(box).to_have_value(typed)


@pytest.mark.parametrize(("width", "height", "user"), WIDTHS, ids=[f"{w}px" for w, *_ in WIDTHS])
def test_the_chat_fits_a_laptop_screen(
    context: Any, server: harness.AppServer, pictures: Path, width: int, height: int, user: str
) -> None:
    from playwright.sync_api import expect

    folder = pictures
    page = open_tab(context, server, width, height)
    harness.sign_in(page, user, f"{user}-demo")
    if user == "admin":
        harness.open_page(page, "Chat")
    expect(page.get_by_role("heading", name="Chat", exact=True)).to_be_visible()
    harness.pick_passenger(page, "anna.keller@example.com", r"^Anna Keller")
    send(page, "She wants to fly to London one day later")
    expect(page.get_by_text("Which one should I take?")).to_be_visible(
        timeout=harness.FIRST_ANSWER_MS
    )
    for label in ("New conversation", "Mark resolved", "Escalate"):
        expect(page.get_by_role("button", name=label).first).to_be_visible()
    page.screenshot(path=str(folder / f"chat-options-{width}.png"))
    sidebar = page.get_by_test_id("stSidebar").bounding_box()
    assert sidebar is not None and sidebar["width"] <= (300 if width >= 1280 else 240)
    assert page.evaluate(CUT_LABELS) == [], f"labels cut at {width} px"

    send(page, "the first one")
    card = page.locator(".st-key-chat_approval_card")
    expect(card).to_be_visible()
    page.screenshot(path=str(folder / f"chat-card-{width}.png"))
    assert page.evaluate(CUT_LABELS) == [], f"labels cut at {width} px"
    # Approve is in view without scrolling, above the pinned message box.
    approve = card.get_by_role("button", name="Approve").bounding_box()
    message_box = page.get_by_test_id("stChatInput").bounding_box()
    assert approve is not None and message_box is not None
    assert approve["y"] >= 0 and approve["y"] + approve["height"] <= message_box["y"]
    card.get_by_role("button", name="Deny").click()
    expect(card).to_have_count(0)

    # The other pages this user opens fit too.
    for title in PAGES[user]:
        harness.open_page(page, title)
        expect(page.get_by_text("Not allowed.")).to_have_count(0)
        page.screenshot(path=str(folder / f"{title.lower().replace(' ', '-')}-{width}.png"))
        assert page.evaluate(CUT_LABELS) == [], f"labels cut on {title} at {width} px"
