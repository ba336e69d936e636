"""The Disruptions console end to end in a real browser (issue #15): the demo agent opens the
page, picks farid's cancelled Barcelona flight, reads the plan, approves it as one batch, sees
each row's result, and, once the outbox worker has run, the passengers' notices delivered.
The picture goes to docs/screenshots/ with `make test-browser` (SKYDESK_SCREENSHOTS), else into
a temporary folder."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bench import ui_harness as harness
from db.engine import make_engine, make_session_factory
from db.models import Flight, FlightStatus, LegStatus, Ticket, TicketLeg
from services.core.clock import FixedClock
from services.notifications import DemoAdapter, deliver_pending
from tests.conftest import FROZEN_NOW
from world import persona_passenger_id

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]
SHOTS_ENV = "SKYDESK_SCREENSHOTS"
SHOTS = ("23-disruptions",)
# farid's flight: the day's next ZRH-BCN departure, cancelled for lack of crew (world/disruptions.py).
FARID_FLIGHT = re.compile(r"^AL \d+ ZRH-BCN [\d-]+ [\d:]+ · cancelled · \d+ passengers")


def _deliver_notices(database_url: str) -> int:
    """What the outbox worker (`python -m services.notifications deliver`) does, once."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            run = deliver_pending(session, DemoAdapter(), limit=500, clock=FixedClock(FROZEN_NOW))
    finally:
        engine.dispose()
    return run.delivered


def _farid_moved_off(database_url: str) -> bool:
    """farid's ticket is on no cancelled flight any more, and he has a new flight to Barcelona."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            farid = persona_passenger_id(session, "farid")
            legs = session.execute(
                select(Flight.status, Flight.destination)
                .join(TicketLeg, TicketLeg.flight_id == Flight.id)
                .join(Ticket, Ticket.id == TicketLeg.ticket_id)
                .where(Ticket.passenger_id == farid, TicketLeg.status == LegStatus.ACTIVE)
            ).all()
    finally:
        engine.dispose()
    statuses = {status for status, _ in legs}
    return FlightStatus.CANCELLED not in statuses and ("BCN" in {d for _, d in legs})


def test_an_agent_re_accommodates_farids_cancelled_flight(
    page: Any, server: harness.AppServer, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    harness.sign_in(page, "agent", "agent-demo")
    expect(page.get_by_role("heading", name="Chat", exact=True)).to_be_visible()
    harness.open_page(page, "Disruptions")
    expect(
        page.get_by_role("heading", name=re.compile(r"^Disrupted flights \(\d+\)"))
    ).to_be_visible()

    page.get_by_test_id("stSelectbox").filter(has_text="Flight to re-accommodate").click()
    page.get_by_role("option", name=FARID_FLIGHT).first.click()
    harness.settle(page)
    expect(
        page.get_by_role("heading", name=re.compile(r"^Plan for AL \d+ ZRH-BCN"))
    ).to_be_visible()
    expect(page.get_by_text("within the airline's control (compensation owed)")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Re-accommodated")).to_be_visible()

    approve = page.get_by_role("button", name=re.compile(r"^Approve the plan: \d+ parties"))
    approve.click()
    expect(page.get_by_role("heading", name="Batch result")).to_be_visible(timeout=180_000)
    harness.settle(page, timeout_ms=60_000)
    outcome = page.get_by_test_id("stAlert").filter(has_text=re.compile(r"^Batch console-"))
    expect(outcome).to_contain_text(re.compile(r"\d+ executed"))
    # Everyone is placed, the passengers who already flew their first leg included.
    expect(outcome).not_to_contain_text("failed")
    assert _farid_moved_off(server.database_url)
    expect(page.get_by_role("button", name="Download the result (CSV)")).to_be_visible()
    sent = page.get_by_role("heading", name=re.compile(r"^Messages sent \((\d+)\)"))
    expect(sent).to_be_visible()
    queued = int(re.search(r"\((\d+)\)", sent.inner_text()).group(1))  # type: ignore[union-attr]
    assert queued > 0
    expect(
        page.get_by_text(f"0 delivered, {queued} waiting for the outbox worker.")
    ).to_be_visible()

    # The outbox worker runs (here once, in the test); the page reads what it delivered.
    assert _deliver_notices(server.database_url) == queued
    page.get_by_role("button", name="Refresh").click()
    harness.settle(page)
    expect(
        page.get_by_text(f"{queued} delivered, 0 waiting for the outbox worker.")
    ).to_be_visible()
    page.get_by_text("Read a notice").click()
    harness.settle(page)
    expect(page.get_by_text("How to claim", exact=False).first).to_be_visible()

    folder = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    # The picture: the chosen flight, the batch's result and the plan of what is left.
    page.get_by_test_id("stSelectbox").filter(has_text="Flight to re-accommodate").evaluate(
        "e => e.scrollIntoView({block: 'start'})"
    )
    harness.settle(page)
    page.screenshot(path=str(folder / "23-disruptions.png"))
