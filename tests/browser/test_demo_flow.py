"""End to end in a real browser: `streamlit run app.py` over a freshly seeded demo world at the
frozen demo clock, driven in Debian's Chromium. The demo agent moves Anna's flight a day later
through the chat (options, choice, approval card, Approve) and finds the new flight (D+4) on the
Bookings page; then the admin opens the remaining pages. Each page is photographed on the way:
into docs/screenshots/ with `make test-browser` (SKYDESK_SCREENSHOTS), else into a temporary
folder, so `make test` leaves the tracked pictures alone."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bench import ui_harness as harness
from services.core.clock import FixedClock, demo_date
from tests.conftest import FROZEN_NOW

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
SHOTS_ENV = "SKYDESK_SCREENSHOTS"
SEED_HISTORY = True  # the pictures show a desk with a month behind it, as after `make run`
D = demo_date(FixedClock(FROZEN_NOW))
# Every picture in docs/screenshots/, in the order the test takes them (tests/test_screenshots.py
# checks that the folder and the README hold these and no others).
SHOTS = (
    "01-sign-in",
    "12-chat-options",
    "13-chat-approval-card",
    "14-chat-approved",
    "04-bookings-passenger-360",
    "08-admin-users",
    "15-audit",
    "16-metrics",
    "17-conversation-review",
    "18-evaluations",
)


@pytest.fixture
def shot(tmp_path: Path) -> Callable[[Any, str], None]:
    folder = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> None:
        assert name in SHOTS, f"add {name} to SHOTS"
        harness.settle(page)
        page.screenshot(path=str(folder / f"{name}.png"))

    return take


def test_agent_moves_annas_flight_and_admin_opens_every_page(
    page: Any, shot: Callable[[Any, str], None]
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)

    # Sign in as the demo agent; the Chat page is the agent's landing page.
    page.get_by_role("button", name="Sign in").wait_for()
    shot(page, "01-sign-in")
    harness.sign_in(page, "agent", "agent-demo")
    expect(page.get_by_role("heading", name="Chat", exact=True)).to_be_visible()

    # Anna wants to fly one day later: the options, then the first one behind an approval card.
    harness.pick_passenger(page, "anna.keller@example.com", r"^Anna Keller")
    harness.ask(page, "She wants to fly to London one day later")
    expect(page.get_by_text("Which one should I take?")).to_be_visible(
        timeout=harness.FIRST_ANSWER_MS
    )
    shot(page, "12-chat-options")
    harness.ask(page, "the first one")
    card = page.locator(".st-key-chat_approval_card")
    expect(card).to_be_visible()
    before, after = (f"AL 100 ZRH-LHR {D + timedelta(days=n)} 07:10" for n in (3, 4))
    expect(card.get_by_role("cell", name=before)).to_be_visible()
    expect(card.get_by_role("cell", name=after)).to_be_visible()
    expect(card).to_contain_text("Passenger pays CHF 50.00")
    card.scroll_into_view_if_needed()
    shot(page, "13-chat-approval-card")

    card.get_by_role("button", name="Approve").click()
    expect(page.get_by_text(re.compile(r"^Done\. Ticket \d+ moved to AL 100"))).to_be_visible()
    expect(card).to_have_count(0)
    shot(page, "14-chat-approved")

    # The Bookings page shows the new flight, D+4.
    harness.open_page(page, "Bookings")
    harness.pick_passenger(page, "anna.keller@example.com", r"^Anna Keller")
    expect(page.get_by_role("heading", name="Anna Keller")).to_be_visible()
    cells = page.locator("[role=gridcell]")  # the data grid's accessible cells
    expect(cells.filter(has_text=f"{D + timedelta(days=4)} 07:10")).not_to_have_count(0)
    expect(cells.filter(has_text=f"{D + timedelta(days=3)} 07:10")).to_have_count(0)
    shot(page, "04-bookings-passenger-360")

    # The admin sees every other page (the dashboards too, whatever state they are in).
    harness.sign_out(page)
    harness.sign_in(page, "admin", "admin-demo")
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Admin")).to_be_visible()
    for title, name in [
        ("Admin", "08-admin-users"),
        ("Audit", "15-audit"),
        ("Metrics", "16-metrics"),
        ("Conversation review", "17-conversation-review"),
        ("Evaluations", "18-evaluations"),
    ]:
        harness.open_page(page, title)
        expect(page.get_by_text("Not allowed.")).to_have_count(0)
        shot(page, name)
