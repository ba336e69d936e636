"""The re-accommodation planner (services/disruptions/planner.py): who is affected, which
itinerary each party gets, in which order, against which seats; SQLite, and PostgreSQL when
TEST_DATABASE_URL is set. The worlds are a few flights on the factories' 6+2-seat test jet."""

from __future__ import annotations

import pytest

from db.models import Cabin, Fare, Flight
from services.core.context import ServiceContext
from services.disruptions import (
    Priority,
    RowAction,
    Strategy,
    disrupt_flight,
    greedy_plan,
    plan_flight,
    plan_flights,
)
from tests import factories as f
from tests.services.disruptions.planning import ADMIN, H, booked, cancel, row_of, staff


@pytest.fixture(autouse=True)
def world(session) -> None:
    f.reference_data(session)


def test_a_delay_that_breaks_a_connection_makes_its_passengers_travel_again(session, clock) -> None:
    now = clock.now()
    feeder = f.flight(session, "GVA", "ZRH", now + 6 * H, hours=1)
    tight = f.flight(session, "ZRH", "LHR", now + 8 * H)  # 1 h after the feeder lands
    loose = f.flight(session, "ZRH", "FRA", now + 12 * H)
    direct = f.flight(session, "GVA", "LHR", now + 10 * H)
    f.flight(session, "GVA", "FRA", now + 14 * H)
    missed = booked(session, clock, [feeder, tight])
    holds = booked(session, clock, [feeder, loose])
    ends_here = booked(session, clock, [feeder])
    elsewhere = booked(session, clock, [direct])
    session.commit()
    disrupt_flight(
        session, ServiceContext(ADMIN, clock=clock), flight_id=feeder.id, kind="delayed",
        cause="technical", delay_minutes=150,
    )  # fmt: skip

    plan = plan_flight(session, staff(clock), flight_id=feeder.id)

    assert {t for r in plan.rows for t in r.ticket_nos} == {
        missed.ticket_no,
        holds.ticket_no,
        ends_here.ticket_no,
    }
    assert elsewhere.ticket_no not in {t for r in plan.rows for t in r.ticket_nos}
    broken = row_of(plan, missed.ticket_no)
    assert broken.action == RowAction.REBOOK and (broken.origin, broken.destination) == (
        "GVA",
        "LHR",
    )
    assert broken.option is not None and broken.option.flight_ids == (direct.id,)
    assert feeder.id not in broken.option.flight_ids
    assert broken.priorities == (Priority.TIGHT_CONNECTION,)
    assert row_of(plan, holds.ticket_no).action == RowAction.KEEP
    kept = row_of(plan, ends_here.ticket_no)
    assert kept.action == RowAction.KEEP and kept.arrival_delay_minutes == 150
    assert plan.summary.re_accommodated == 1 and plan.summary.kept == 2


def test_a_party_gets_one_itinerary_with_seats_for_all_of_them(session, clock) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "LHR", now + 6 * H)
    two_left = f.flight(session, "ZRH", "LHR", now + 8 * H)
    roomy = f.flight(session, "ZRH", "LHR", now + 12 * H)
    f.fill(session, two_left, leave=2, issued_at=now - 30 * 24 * H)
    first = booked(session, clock, [cancelled])
    family = [first, booked(session, clock, [cancelled], party=first),
              booked(session, clock, [cancelled], party=first)]  # fmt: skip
    session.commit()
    cancel(session, clock, cancelled)

    plan = plan_flight(session, staff(clock), flight_id=cancelled.id)

    (row,) = plan.rows
    assert set(row.ticket_nos) == {t.ticket_no for t in family}
    assert row.option is not None and row.option.flight_ids == (roomy.id,)
    assert row.priorities == (Priority.FAMILY,)
    assert row.arrival_delay_minutes == 6 * 60


def test_each_passenger_keeps_the_cabin_of_the_ticket(session, clock) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "LHR", now + 6 * H)
    business_full = f.flight(session, "ZRH", "LHR", now + 8 * H)
    later = f.flight(session, "ZRH", "LHR", now + 11 * H)
    f.fill(session, business_full, leave=0, cabin=Cabin.BUSINESS, issued_at=now - 30 * 24 * H)
    economy = booked(session, clock, [cancelled], days_ago=20)
    business = booked(session, clock, [cancelled], fare=Fare.BUSINESS, days_ago=30)
    session.commit()
    cancel(session, clock, cancelled)

    plan = plan_flight(session, staff(clock), flight_id=cancelled.id)

    assert row_of(plan, economy.ticket_no).option.flight_ids == (business_full.id,)  # type: ignore[union-attr]
    business_row = row_of(plan, business.ticket_no)
    assert business_row.passengers[0].cabin == "business"
    assert business_row.option is not None and business_row.option.flight_ids == (later.id,)


@pytest.fixture
def via_geneva(session, clock) -> dict[str, Flight]:
    """ZRH-LHR cancelled; a connection via GVA leaves first but lands last, a later direct
    flight lands first, and another connection via GVA lands before the direct."""
    now = clock.now()
    flights = {
        "cancelled": f.flight(session, "ZRH", "LHR", now + 6 * H),
        # lands 30 minutes before fast_2 leaves: too short a connection for it
        "slow_1": f.flight(session, "ZRH", "GVA", now + 6.5 * H, hours=1.5),
        "slow_2": f.flight(session, "GVA", "LHR", now + 13 * H),  # lands now + 14.5 h
        "direct": f.flight(session, "ZRH", "LHR", now + 9 * H),  # lands now + 10.5 h
        "fast_1": f.flight(session, "ZRH", "GVA", now + 7 * H, hours=0.75),
        "fast_2": f.flight(session, "GVA", "LHR", now + 8.5 * H),  # lands now + 10 h
    }
    session.commit()
    return flights


def test_the_earliest_arrival_wins_even_through_another_hub(session, clock, via_geneva) -> None:
    ticket = booked(session, clock, [via_geneva["cancelled"]])
    session.commit()
    cancel(session, clock, via_geneva["cancelled"])

    (row,) = plan_flight(session, staff(clock), flight_id=via_geneva["cancelled"].id).rows

    assert row.option is not None and row.option.via == ("GVA",)
    assert row.option.flight_ids == (via_geneva["fast_1"].id, via_geneva["fast_2"].id)
    assert row.arrival_delay_minutes == 150  # lands now + 10 h instead of now + 7.5 h
    assert row.ticket_nos == (ticket.ticket_no,)


def test_greedy_takes_the_first_departure_and_arrives_later(session, clock, via_geneva) -> None:
    booked(session, clock, [via_geneva["cancelled"]])
    session.commit()
    cancel(session, clock, via_geneva["cancelled"])
    ids = [via_geneva["cancelled"].id]

    greedy = greedy_plan(session, staff(clock), flight_ids=ids)
    planner = plan_flight(session, staff(clock), flight_id=ids[0])

    (g_row,), (p_row,) = greedy.rows, planner.rows
    assert g_row.option is not None and g_row.option.flight_ids[0] == via_geneva["slow_1"].id
    assert greedy.strategy == Strategy.GREEDY and greedy.priorities == ()
    assert g_row.option.flight_ids[1] == via_geneva["slow_2"].id
    assert p_row.option is not None and p_row.option.flight_ids[0] == via_geneva["fast_1"].id
    assert (
        greedy.summary.total_arrival_delay_minutes,
        planner.summary.total_arrival_delay_minutes,
    ) == (420, 150)


def test_no_option_within_the_rebooking_window_gives_a_reason(session, clock) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "SIN", now + 6 * H, hours=12)
    f.flight(session, "ZRH", "SIN", now + 6 * H + 8 * 24 * H, hours=12)  # a day too late
    ticket = booked(session, clock, [cancelled])
    session.commit()
    cancel(session, clock, cancelled)

    (row,) = plan_flight(session, staff(clock), flight_id=cancelled.id).rows

    assert row.action == RowAction.NO_OPTION and row.option is None
    assert row.reason is not None and "7-day rebooking window" in row.reason
    assert "refund" in row.reason
    (p,) = row.passengers
    assert p.ticket_no == ticket.ticket_no and p.entitlements.refund_choice
    assert p.entitlements.compensation_eur == 600 and p.entitlements.care_meals


def test_a_full_alternative_is_named_as_the_reason(session, clock) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "LHR", now + 6 * H)
    full = f.flight(session, "ZRH", "LHR", now + 8 * H)
    f.fill(session, full, leave=1, issued_at=now - 30 * 24 * H)
    first = booked(session, clock, [cancelled])
    booked(session, clock, [cancelled], party=first)
    session.commit()
    cancel(session, clock, cancelled)

    (row,) = plan_flight(session, staff(clock), flight_id=cancelled.id).rows

    assert row.action == RowAction.NO_OPTION
    assert row.reason is not None and "full in economy for a party of 2" in row.reason


def test_the_rerouting_arrival_decides_the_compensation(session, clock) -> None:
    """ZRH-SIN is over 3,500 km: arriving within 4 hours halves the EUR 600 (Art. 7(2))."""
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "SIN", now + 6 * H, hours=12)
    f.flight(session, "ZRH", "SIN", now + 9 * H, hours=12)
    booked(session, clock, [cancelled])
    session.commit()
    cancel(session, clock, cancelled)

    (row,) = plan_flight(session, staff(clock), flight_id=cancelled.id).rows

    (p,) = row.passengers
    assert row.arrival_delay_minutes == 180
    assert p.entitlements.compensation_eur == 300
    assert "Art. 7(2)" in p.entitlements.compensation_article
    assert p.entitlements.compensation_chf == f.eu261_chf(300)


def test_a_passenger_on_the_way_in_waits_for_the_feeder(session, clock) -> None:
    now = clock.now()
    feeder = f.flight(session, "GVA", "ZRH", now + 5 * H, hours=1)  # lands now + 6 h
    cancelled = f.flight(session, "ZRH", "LHR", now + 7 * H)
    too_soon = f.flight(session, "ZRH", "LHR", now + 6.5 * H)  # 30 min after landing
    # 48 min after landing, before the cancelled flight's own time: the passenger is there.
    reachable = f.flight(session, "ZRH", "LHR", now + 6.8 * H)
    f.flight(session, "ZRH", "LHR", now + 9 * H)
    ticket = booked(session, clock, [feeder, cancelled])
    session.commit()
    cancel(session, clock, cancelled)

    (row,) = plan_flight(session, staff(clock), flight_id=cancelled.id).rows

    assert (row.origin, row.destination) == ("ZRH", "LHR") and row.ticket_nos == (ticket.ticket_no,)
    assert row.option is not None and row.option.flight_ids == (reachable.id,)
    assert too_soon.id not in row.option.flight_ids


def test_a_storm_shares_one_seat_inventory_across_its_flights(session, clock) -> None:
    now = clock.now()
    first = f.flight(session, "ZRH", "LHR", now + 6 * H)
    second = f.flight(session, "ZRH", "LHR", now + 7 * H)
    last_seat = f.flight(session, "ZRH", "LHR", now + 9 * H)
    later = f.flight(session, "ZRH", "LHR", now + 30 * H)
    f.fill(session, last_seat, leave=1, issued_at=now - 30 * 24 * H)
    on_first = booked(session, clock, [first], days_ago=3)
    on_second = booked(session, clock, [second], days_ago=4)
    session.commit()
    cancel(session, clock, first)
    cancel(session, clock, second)

    plan = plan_flights(session, staff(clock), flight_ids=[first.id, second.id])

    assert plan.flight_ids == (first.id, second.id)
    # Booked a day earlier, the second flight's passenger is served first.
    assert row_of(plan, on_second.ticket_no).option.flight_ids == (last_seat.id,)  # type: ignore[union-attr]
    assert row_of(plan, on_first.ticket_no).option.flight_ids == (later.id,)  # type: ignore[union-attr]


def test_a_ticket_bought_after_the_announcement_is_owed_care_but_no_compensation(
    session, clock
) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "SIN", now + 6 * H, hours=12)
    f.flight(session, "ZRH", "SIN", now + 30 * H, hours=12)
    before = booked(session, clock, [cancelled], days_ago=10)
    session.commit()
    cancel(session, clock, cancelled)
    after = booked(session, clock, [cancelled], days_ago=0, party=before)
    session.commit()

    (row,) = plan_flight(session, staff(clock), flight_id=cancelled.id).rows

    owed = {p.ticket_no: p.entitlements for p in row.passengers}
    assert owed[before.ticket_no].compensation_eur == 600
    assert owed[after.ticket_no].compensation_eur == 0
    assert "booked on this ticket after" in owed[after.ticket_no].compensation_sentence
    assert owed[after.ticket_no].care_meals and owed[after.ticket_no].refund_choice


def test_a_seat_left_on_an_onward_flight_goes_to_the_next_party(session, clock) -> None:
    """LHR-ZRH is cancelled and its passenger rerouted LHR-GVA direct, which frees the last
    seat of the ZRH-GVA flight they were connecting to, for a cancelled ZRH-GVA's passenger."""
    now = clock.now()
    inbound = f.flight(session, "LHR", "ZRH", now + 4 * H)
    onward = f.flight(session, "ZRH", "GVA", now + 7 * H, hours=0.75)
    direct = f.flight(session, "LHR", "GVA", now + 5 * H)
    short_hop = f.flight(session, "ZRH", "GVA", now + 6 * H, hours=0.75)
    f.flight(session, "ZRH", "GVA", now + 30 * H, hours=0.75)
    connecting = booked(session, clock, [inbound, onward], days_ago=20)
    f.fill(session, onward, leave=0, issued_at=now - 30 * 24 * H)
    stranded = booked(session, clock, [short_hop], days_ago=10)
    session.commit()
    cancel(session, clock, inbound)
    cancel(session, clock, short_hop)

    plan = plan_flights(session, staff(clock), flight_ids=[inbound.id, short_hop.id])

    assert row_of(plan, connecting.ticket_no).option.flight_ids == (direct.id,)  # type: ignore[union-attr]
    assert row_of(plan, stranded.ticket_no).option.flight_ids == (onward.id,)  # type: ignore[union-attr]
