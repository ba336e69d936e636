"""Who gets the last seats (the configured priorities against one running seat inventory),
who may plan, and one ticket's options (services/disruptions/planner.py); SQLite, and
PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import event

from config import get_settings
from db.models import Flight, Role, Tier
from services.core.context import Actor, ServiceContext
from services.core.errors import InvalidInput, PolicyViolation, Rule
from services.disruptions import (
    Priority,
    RowAction,
    candidates,
    greedy_plan,
    options_for_ticket,
    parse_priorities,
    plan_flight,
)
from services.flights import flights as flight_search
from services.flights import policy
from tests import factories as f
from tests.services.disruptions.planning import H, booked, cancel, row_of, staff


@pytest.fixture(autouse=True)
def world(session) -> None:
    f.reference_data(session)


@pytest.fixture
def one_seat_left(session, clock) -> tuple[Flight, Flight, Flight]:
    """A cancelled ZRH-LHR, the next flight with one economy seat left, a later one with room."""
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "LHR", now + 6 * H)
    next_one = f.flight(session, "ZRH", "LHR", now + 8 * H)
    later = f.flight(session, "ZRH", "LHR", now + 20 * H)
    f.fill(session, next_one, leave=1, issued_at=now - 30 * 24 * H)
    return cancelled, next_one, later


def test_gold_gets_the_last_seat_before_an_earlier_booking(session, clock, one_seat_left) -> None:
    cancelled, next_one, later = one_seat_left
    early_regular = booked(session, clock, [cancelled], days_ago=40)
    late_gold = booked(session, clock, [cancelled], tier=Tier.GOLD, days_ago=2)
    session.commit()
    cancel(session, clock, cancelled)

    plan = plan_flight(session, staff(clock), flight_id=cancelled.id)
    greedy = greedy_plan(session, staff(clock), flight_ids=[cancelled.id])

    gold_row = row_of(plan, late_gold.ticket_no)
    assert gold_row.priorities == (Priority.GOLD,) and plan.rows[0] is gold_row
    assert gold_row.option is not None and gold_row.option.flight_ids == (next_one.id,)
    assert row_of(plan, early_regular.ticket_no).option.flight_ids == (later.id,)  # type: ignore[union-attr]
    # First come, first served: the earlier booking takes it.
    assert row_of(greedy, early_regular.ticket_no).option.flight_ids == (next_one.id,)  # type: ignore[union-attr]
    assert row_of(greedy, late_gold.ticket_no).option.flight_ids == (later.id,)  # type: ignore[union-attr]


def test_the_configured_order_is_honoured(session, clock, monkeypatch) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "LHR", now + 6 * H)
    three_left = f.flight(session, "ZRH", "LHR", now + 8 * H)
    f.flight(session, "ZRH", "LHR", now + 20 * H)
    f.fill(session, three_left, leave=3, issued_at=now - 30 * 24 * H)
    gold = booked(session, clock, [cancelled], tier=Tier.GOLD, days_ago=30)
    first = booked(session, clock, [cancelled], days_ago=5)
    family = [first, booked(session, clock, [cancelled], party=first),
              booked(session, clock, [cancelled], party=first)]  # fmt: skip
    session.commit()
    cancel(session, clock, cancelled)

    default = plan_flight(session, staff(clock), flight_id=cancelled.id)
    monkeypatch.setenv("SKYDESK_REACCOMMODATION_PRIORITIES", "family, gold")
    get_settings.cache_clear()
    families_first = plan_flight(session, staff(clock), flight_id=cancelled.id)

    assert default.priorities == (Priority.GOLD, Priority.TIGHT_CONNECTION, Priority.FAMILY)
    assert row_of(default, gold.ticket_no).option.flight_ids == (three_left.id,)  # type: ignore[union-attr]
    assert row_of(default, family[0].ticket_no).option.flight_ids != (three_left.id,)  # type: ignore[union-attr]
    assert families_first.priorities == (Priority.FAMILY, Priority.GOLD)
    family_row = row_of(families_first, family[0].ticket_no)
    assert family_row.option is not None and family_row.option.flight_ids == (three_left.id,)
    assert row_of(families_first, gold.ticket_no).option.flight_ids != (three_left.id,)  # type: ignore[union-attr]


def test_two_parties_never_get_the_same_last_seat(session, clock, one_seat_left) -> None:
    cancelled, next_one, later = one_seat_left
    tickets = [booked(session, clock, [cancelled], days_ago=d) for d in (9, 8, 7)]
    tickets.append(booked(session, clock, [cancelled], tier=Tier.GOLD, days_ago=1))
    session.commit()
    cancel(session, clock, cancelled)
    # The later flight: 6 economy seats, one sold after the plan's world was made.
    f.fill(session, later, leave=5, issued_at=clock.now())
    session.commit()

    for plan in (
        plan_flight(session, staff(clock), flight_id=cancelled.id),
        greedy_plan(session, staff(clock), flight_ids=[cancelled.id]),
    ):
        seats = Counter(fid for r in plan.rows if r.option for fid in r.option.flight_ids)
        assert seats == {next_one.id: 1, later.id: 3}
        assert all(r.action == RowAction.REBOOK for r in plan.rows)
        assert {t for r in plan.rows for t in r.ticket_nos} == {t.ticket_no for t in tickets}


@pytest.mark.parametrize("role", [Role.AGENT, Role.MANAGER, Role.ADMIN])
def test_staff_may_plan(session, clock, one_seat_left, role) -> None:
    cancelled = one_seat_left[0]
    booked(session, clock, [cancelled])
    session.commit()
    cancel(session, clock, cancelled)
    assert len(plan_flight(session, staff(clock, role), flight_id=cancelled.id).rows) == 1


def test_a_customer_cannot_plan(session, clock, one_seat_left) -> None:
    cancelled = one_seat_left[0]
    ticket = booked(session, clock, [cancelled])
    session.commit()
    cancel(session, clock, cancelled)
    customer = ServiceContext(
        Actor("pat", Role.CUSTOMER, passenger_id=ticket.passenger_id),
        passenger_id=ticket.passenger_id, clock=clock,
    )  # fmt: skip
    with pytest.raises(PolicyViolation) as refused:
        plan_flight(session, customer, flight_id=cancelled.id)
    assert refused.value.code == Rule.PERMISSION


def test_a_flight_not_disrupted_has_nothing_to_plan(session, clock, one_seat_left) -> None:
    with pytest.raises(InvalidInput, match="only a cancelled or delayed flight"):
        plan_flight(session, staff(clock), flight_id=one_seat_left[1].id)


def test_options_for_a_ticket_earliest_arrival_first_with_a_seat(
    session, clock, one_seat_left
) -> None:
    cancelled, next_one, later = one_seat_left
    via = (f.flight(session, "ZRH", "GVA", clock.now() + 7 * H, hours=0.75),
           f.flight(session, "GVA", "LHR", clock.now() + 9 * H))  # fmt: skip
    f.fill(session, next_one, leave=0, issued_at=clock.now() - 30 * 24 * H)
    ticket = booked(session, clock, [cancelled])
    session.commit()
    cancel(session, clock, cancelled)
    ctx = ServiceContext(Actor("pat", Role.CUSTOMER, passenger_id=ticket.passenger_id),
                         passenger_id=ticket.passenger_id, clock=clock)  # fmt: skip

    options = options_for_ticket(session, ctx, ticket_no=ticket.ticket_no)

    assert [o.flight_ids for o in options] == [(via[0].id, via[1].id), (later.id,)]
    assert options[0].via == ("GVA",) and options[0].seats_left == 6
    assert all(cancelled.id not in o.flight_ids for o in options)


def test_options_need_a_disrupted_flight(session, clock, one_seat_left) -> None:
    ticket = booked(session, clock, [one_seat_left[2]])
    session.commit()
    ctx = ServiceContext(Actor("agent", Role.AGENT), passenger_id=ticket.passenger_id, clock=clock)
    with pytest.raises(InvalidInput, match="no cancelled or delayed flight"):
        options_for_ticket(session, ctx, ticket_no=ticket.ticket_no)


def test_priorities_parse_in_order_and_refuse_unknown_names() -> None:
    assert parse_priorities(" Family,gold,family ") == (Priority.FAMILY, Priority.GOLD)
    assert parse_priorities("") == ()
    with pytest.raises(InvalidInput, match="'vip' is not a re-accommodation priority"):
        parse_priorities("gold,vip")


def test_the_planner_follows_the_booking_rules_it_cannot_import() -> None:
    """services.flights imports services.disruptions, so the planner keeps copies; they agree."""
    assert candidates.REBOOKING_WINDOW == policy.AIRLINE_CANCELLATION_REBOOKING_WINDOW
    assert candidates.BOOKING_MIN_CONNECTION == policy.MIN_CONNECTION
    assert candidates.BOOKABLE == flight_search.BOOKABLE


def _statements_to_plan(session, clock, passengers: int) -> int:
    cancelled = f.flight(session, "ZRH", "LHR", clock.now() + 6 * H)
    f.flight(session, "ZRH", "LHR", clock.now() + 9 * H)
    f.flight(session, "ZRH", "GVA", clock.now() + 7 * H, hours=0.75)
    f.flight(session, "GVA", "LHR", clock.now() + 9 * H)
    for n in range(passengers):
        booked(session, clock, [cancelled], tier=Tier.GOLD if n % 2 else Tier.REGULAR)
    session.commit()
    cancel(session, clock, cancelled)
    session.expire_all()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        plan = plan_flight(session, staff(clock), flight_id=cancelled.id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert plan.summary.re_accommodated == passengers
    return len(statements)


def test_a_plan_reads_in_a_fixed_number_of_queries(session, clock) -> None:
    """Set-based: six passengers cost the same queries as two (none per ticket or route)."""
    few = _statements_to_plan(session, clock, 2)
    many = _statements_to_plan(session, clock, 6)
    assert many == few <= 12
