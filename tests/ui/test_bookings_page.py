"""The Bookings page on the seeded demo world: flight search, the passenger picker and 360 view
for an agent, the read-only view for a manager, hotels, cars and excursions by city."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from db.models import Ticket
from services.core.clock import FixedClock, demo_date
from tests.conftest import FROZEN_NOW
from tests.ui.apptest import open_page, signed_in, texts
from world import persona_passenger_id

pytestmark = pytest.mark.usefixtures("app_env")
D = demo_date(FixedClock(FROZEN_NOW))


def tickets_of(app_env, persona: str) -> list[Ticket]:
    with app_env.sessions() as session:
        pid = persona_passenger_id(session, persona)
        return list(session.scalars(select(Ticket).where(Ticket.passenger_id == pid)))


def bookings(role: str):
    return open_page(signed_in(role), "bookings")


def search_flights(at, origin: str, destination: str, day: date):
    at.text_input(key="bookings_origin").input(origin)
    at.text_input(key="bookings_destination").input(destination)
    at.date_input(key="bookings_day").set_value(day)
    return at.button(key="bookings_search_flights").click().run()


def pick(at, query: str, passenger_id: int):
    at.text_input(key="bookings_query").input(query).run()
    return at.selectbox(key="bookings_pick").select(passenger_id).run()


def test_agent_searches_flights() -> None:
    at = search_flights(bookings("agent"), "ZRH", "London", D + timedelta(days=4))
    assert not at.exception
    results = at.dataframe[-1].value
    assert len(results) >= 2  # several economy flights ZRH-LHR that day (world/schedule.py)
    assert "ZRH-LHR" in set(results["route"])  # direct flights first, then connections
    assert all(r.startswith("ZRH-") and r.endswith("-LHR") for r in results["route"])
    assert all(str(no).startswith("AL ") for nos in results["flights"] for no in nos)
    assert results["departs"].str.startswith(f"{D + timedelta(days=4):%Y-%m-%d}").all()
    assert (results["seats_left"] > 0).all() and (results["price"] > 0).all()


def test_a_bad_airport_is_explained() -> None:
    at = search_flights(bookings("agent"), "ZRH", "Atlantis", D + timedelta(days=4))
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "No airport or city called 'Atlantis' in Alpine Air's network."
    ]


def test_agent_picks_anna_and_sees_her_ticket(app_env) -> None:
    (ticket,) = tickets_of(app_env, "anna")
    with app_env.sessions() as session:
        anna = persona_passenger_id(session, "anna")
    at = bookings("agent")
    assert "Find and choose a passenger to see their trips." in texts(at)
    at = pick(at, "Anna Keller", anna)
    assert not at.exception
    assert at.subheader[0].value == "Anna Keller"
    shown = at.dataframe[0].value
    assert list(shown["ticket_no"]) == [ticket.ticket_no]
    assert list(shown["route"]) == ["ZRH-LHR"] and list(shown["fare"]) == ["Classic"]
    legs = at.dataframe[1].value
    assert list(legs["origin"]) == ["ZRH"] and list(legs["destination"]) == ["LHR"]


@pytest.mark.parametrize("by", ["ticket", "reference", "email"])
def test_the_picker_finds_a_passenger_by_ticket_reference_or_email(app_env, by) -> None:
    (ticket,) = tickets_of(app_env, "diego")
    with app_env.sessions() as session:
        diego = persona_passenger_id(session, "diego")
        query = {
            "ticket": ticket.ticket_no,
            "reference": session.get(Ticket, ticket.id).booking.reference,
            "email": "diego.alvarez@example.com",
        }[by]
    at = pick(bookings("agent"), query, diego)
    assert at.subheader[0].value == "Diego Alvarez"
    tables = [df.value for df in at.dataframe]
    assert "Singapore" in set(tables[2]["city"])  # his hotel booking
    assert any("car" in df.columns for df in tables)  # and the car rental


def test_manager_has_a_read_only_view(app_env) -> None:
    with app_env.sessions() as session:
        grace = persona_passenger_id(session, "grace")
    at = pick(bookings("manager"), "grace lin", grace)
    assert not at.exception
    assert "Read-only view: managers can look at bookings but not change them." in texts(at)
    assert at.subheader[0].value == "Grace Lin"
    # The only buttons are searches and the picker's "Clear": nothing that changes a booking.
    assert {b.label for b in at.main.button} <= {"Search flights", "Search", "Clear"}


def test_hotels_cars_and_excursions_by_city() -> None:
    at = bookings("agent")
    at.text_input(key="bookings_city").input("Singapore")
    at.date_input(key="bookings_start").set_value(D + timedelta(days=11))
    at.date_input(key="bookings_end").set_value(D + timedelta(days=14))
    at.button(key="bookings_search_travel").click().run()
    assert not at.exception
    hotels, cars, excursions = (df.value for df in at.dataframe[-3:])
    assert len(hotels) and (hotels["nights"] == 3).all()
    assert len(cars) and (cars["days"] == 3).all()
    assert len(excursions) and (excursions["spots_left"] >= 1).all()
