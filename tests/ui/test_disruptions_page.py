"""The Disruptions page on the demo world: an agent sees the disrupted flights with their
counts, opens farid's cancelled Barcelona flight, reads the plan, adjusts a row and approves
the batch (each ticket changed once and audited, the notices queued); a manager reads the plan
with no approve button; an administrator approves like an agent; a customer is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from db.models import AuditEvent, FlightStatus, LegStatus, OutboxMessage, Role, Ticket, TicketLeg
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.disruptions import disrupted_flights
from tests.conftest import FROZEN_NOW
from tests.ui.apptest import NOT_ALLOWED, open_page, page_content, signed_in, texts
from tests.ui.conftest import World
from world import persona_passenger_id

pytestmark = pytest.mark.usefixtures("app_env")
APPROVE = "disruptions_approve"
WEEK = timedelta(days=7)  # the page's default window


@dataclass(frozen=True)
class Flights:
    farid: int  # farid's cancelled Barcelona flight
    other_cancelled: list[int]  # the other cancelled flights with passengers


@pytest.fixture(scope="module")
def flights(world: World) -> Flights:
    """Read once, before any test of the module approves a batch (and so moves passengers)."""
    with world.sessions() as session:
        ctx = ServiceContext(Actor("probe", Role.AGENT), clock=FixedClock(FROZEN_NOW))
        rows = disrupted_flights(session, ctx, since=FROZEN_NOW, until=FROZEN_NOW + WEEK)
        farid = persona_passenger_id(session, "farid")
        his = set(
            session.scalars(
                select(TicketLeg.flight_id)
                .join(Ticket, Ticket.id == TicketLeg.ticket_id)
                .where(Ticket.passenger_id == farid, TicketLeg.status == LegStatus.ACTIVE)
            )
        )
    (farid_flight,) = [r.flight_id for r in rows if r.flight_id in his]
    others = [
        r.flight_id for r in rows
        if r.status == FlightStatus.CANCELLED and r.passengers and r.flight_id != farid_flight
    ]  # fmt: skip
    return Flights(farid_flight, others)


def disruptions(role: str, flight_id: int | None = None) -> AppTest:
    at = open_page(signed_in(role), "disruptions")
    assert not at.exception, at.exception
    if flight_id is not None:
        at = at.selectbox(key="disruptions_pick").select(flight_id).run()
        assert not at.exception, at.exception
    return at


def test_a_manager_reads_the_plan_but_cannot_approve_it(flights: Flights) -> None:
    at = disruptions("manager", flights.other_cancelled[0])
    shown = "\n".join(texts(at))
    assert "Read-only view" in shown and "Plan for AL " in shown
    assert "an agent or an administrator approves the plan" in shown
    assert not [b for b in at.button if b.key == APPROVE]
    assert not [r for r in at.radio if (r.key or "").startswith("disruptions_adjust")]


def test_an_agent_sees_the_flights_the_plan_and_approves_the_batch(
    world: World, flights: Flights
) -> None:
    farid = flights.farid
    at = disruptions("agent")
    listed = at.dataframe[0].value
    row = listed[listed["flight"].str.startswith("AL 126 ZRH-BCN")].iloc[0]
    assert (row["status"], row["cause"], row["extraordinary"]) == (
        "cancelled", "crew availability", "no",
    )  # fmt: skip
    assert row["passengers"] > 20 and row["parties"] > 10

    at = disruptions("agent", farid)
    shown = "\n".join(texts(at))
    assert "Plan for AL 126 ZRH-BCN" in shown and "within the airline's control" in shown
    plan = at.dataframe[1].value
    farid_row = plan[plan["passengers"].str.contains("Farid Haddad")].iloc[0]
    assert farid_row["choice"] == "As planned"
    assert farid_row["itinerary"].startswith("AL ") and "→" in farid_row["itinerary"]
    assert farid_row["compensation"].startswith("EUR 250 / CHF")  # ZRH-BCN is under 1,500 km

    # Leave the first party (not farid's) for a conversation: the table shows the choice.
    party = at.selectbox(key=f"disruptions_adjust_row_{farid}")
    other = next(i for i, label in enumerate(party.options) if "Farid Haddad" not in label)
    at = party.select_index(other).run()
    radio = next(r for r in at.radio if (r.key or "").startswith("disruptions_adjust_choice"))
    assert radio.options[0].startswith("As planned: AL ")
    at = radio.set_value(radio.options.index("Leave for a conversation")).run()
    assert not at.exception, at.exception
    plan = at.dataframe[1].value
    assert "Leave for a conversation" in set(plan["choice"])

    at = at.button(key=APPROVE).click().run(timeout=180)
    assert not at.exception, at.exception
    shown = "\n".join(texts(at))
    assert "Batch result" in shown and "executed" in shown
    result = at.dataframe[1].value
    farid_result = result[result["passengers"].str.contains("Farid Haddad")].iloc[0]
    assert farid_result["status"] == "executed" and farid_result["itinerary"].startswith("AL ")
    assert "left for a conversation" in set(result["status"])
    assert [b for b in at.get("download_button")]
    notices = at.dataframe[-1].value
    assert "Messages sent" in shown and len(notices) >= 1
    assert any(n == "Farid Haddad" for n in notices["passenger"])

    with world.sessions() as session:
        pid = persona_passenger_id(session, "farid")
        legs = session.scalars(
            select(TicketLeg.flight_id)
            .join(Ticket, Ticket.id == TicketLeg.ticket_id)
            .where(Ticket.passenger_id == pid, TicketLeg.status == LegStatus.ACTIVE)
        ).all()
        assert farid not in legs  # rebooked off the cancelled flight
        changes = session.scalar(
            select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == "change_flight", AuditEvent.outcome == "executed",
                AuditEvent.passenger_id == pid,
            )
        )  # fmt: skip
        assert changes == 1
        assert session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.flight_id == farid)
        ) == len(notices)


def test_an_admin_approves_like_an_agent(flights: Flights) -> None:
    at = disruptions("admin", flights.other_cancelled[-1])
    assert "Plan for AL " in "\n".join(texts(at))
    at = at.button(key=APPROVE).click().run(timeout=180)
    assert not at.exception, at.exception
    assert "Batch result" in "\n".join(texts(at))


def test_a_customer_is_refused_and_sees_nothing_else() -> None:
    at = open_page(signed_in("customer"), "disruptions")
    assert not at.exception
    assert page_content(at) == [
        ("error", f"**{NOT_ALLOWED}** The Disruptions page is not available to the customer role.")
    ]
