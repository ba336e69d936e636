"""A disrupted passenger's options and entitlements (services/flights/disruption_options.py):
the free rebookings after a cancellation (same route, within 7 days, a free seat in the ticket's
cabin, earliest arrival first), the Art. 8 refund, compensation and care with their articles,
a clear answer when nothing is disrupted, a foreign ticket refused like any other, and nothing
written (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import Payment, Role, TicketLeg
from services.core.context import Actor
from services.core.errors import PolicyViolation, Rule
from services.flights.disruption_options import MAX_OPTIONS, disruption_options
from tests import factories as f
from tests.conftest import context_for

H, DAY = timedelta(hours=1), timedelta(days=1)
ADMIN = Actor("ops-admin", Role.ADMIN)


@pytest.fixture
def passenger(session):
    f.reference_data(session)
    p = f.passenger(session)
    session.commit()
    return p


disrupt = f.disrupt


def test_a_cancelled_flight_lists_free_rebookings_by_arrival_with_refund_and_entitlements(
    session, clock, passenger
) -> None:
    gone = f.flight(session, "ZRH", "LHR", clock.now() + 6 * H)
    late_direct = f.flight(session, "ZRH", "LHR", clock.now() + 9 * H, hours=3)
    early_direct = f.flight(session, "ZRH", "LHR", clock.now() + 10 * H, hours=1.5)
    full = f.flight(session, "ZRH", "LHR", clock.now() + 7 * H)
    beyond = f.flight(session, "ZRH", "LHR", clock.now() + 6 * H + 8 * DAY)
    f.flight(session, "ZRH", "BCN", clock.now() + 8 * H)  # another route
    t = f.ticket(session, passenger, [gone], issued_at=clock.now() - 30 * DAY)
    f.fill(session, full, issued_at=clock.now() - 20 * DAY)
    session.commit()
    disrupt(session, clock, gone, kind="cancelled", cause="crew")

    answer = disruption_options(session, context_for(passenger.id, clock))

    (flight,) = answer.disrupted
    assert (flight.ticket_no, flight.kind, flight.cause) == (
        t.ticket_no,
        "cancelled",
        "crew availability",
    )
    assert not flight.extraordinary
    # Earliest arrival first: the later departure that lands sooner leads; a full flight, one
    # outside the 7-day window and another route are not offered.
    assert [o.flight_ids for o in flight.rebooking] == [[early_direct.id], [late_direct.id]]
    assert [o.option for o in flight.rebooking] == [1, 2]
    assert beyond.id not in {i for o in flight.rebooking for i in o.flight_ids}
    assert flight.compensation.entitled and flight.compensation.article == "Art. 7(1)(a)"
    assert (flight.compensation.amount_eur, flight.compensation.amount_chf) == (
        Decimal("250.00"),
        f.eu261_chf(250),
    )
    assert flight.care.entitled and flight.care.meals
    assert flight.refund.entitled and flight.refund.article == "Art. 5(1)(a), Art. 8"
    assert flight.refund.amount == t.legs[0].price_paid  # an airline cancellation refunds in full
    steps = " ".join(flight.next_steps)
    assert "option 1" in steps and "refund" in steps and "Claim the compensation" in steps


def test_the_options_are_a_few_at_most(session, clock, passenger) -> None:
    gone = f.flight(session, "ZRH", "LHR", clock.now() + 6 * H)
    for n in range(MAX_OPTIONS + 2):
        f.flight(session, "ZRH", "LHR", clock.now() + (8 + n) * H)
    f.ticket(session, passenger, [gone], issued_at=clock.now() - 30 * DAY)
    session.commit()
    disrupt(session, clock, gone, kind="cancelled", cause="technical")
    (flight,) = disruption_options(session, context_for(passenger.id, clock)).disrupted
    assert len(flight.rebooking) == MAX_OPTIONS


def test_an_extraordinary_cause_refuses_compensation_with_its_article(
    session, clock, passenger
) -> None:
    stormy = f.flight(session, "ZRH", "LHR", clock.now() + 8 * H)
    f.ticket(session, passenger, [stormy], issued_at=clock.now() - 30 * DAY)
    session.commit()
    disrupt(session, clock, stormy, kind="delayed", cause="weather", delay_minutes=300)

    (flight,) = disruption_options(session, context_for(passenger.id, clock)).disrupted

    assert (flight.kind, flight.cause, flight.extraordinary) == ("delayed", "weather", True)
    assert flight.delay_minutes == 300
    assert flight.new_departure_local is not None
    assert flight.new_departure_local - flight.scheduled_departure_local == 5 * H
    assert not flight.compensation.entitled
    assert flight.compensation.article == "Art. 5(3)"
    assert flight.compensation.rule == Rule.COMPENSATION_EXTRAORDINARY.value
    # Care and the refund choice stand even so; a delay is not a free rebooking.
    assert flight.care.entitled and flight.refund.entitled and flight.rebooking == []
    assert not any("Claim the compensation" in s for s in flight.next_steps)


def test_a_passenger_without_a_disruption_is_told_so(session, clock, passenger) -> None:
    fine = f.flight(session, "ZRH", "LHR", clock.now() + 8 * H)
    t = f.ticket(session, passenger, [fine], issued_at=clock.now() - 30 * DAY)
    session.commit()
    ctx = context_for(passenger.id, clock)
    for answer in (
        disruption_options(session, ctx),
        disruption_options(session, ctx, ticket_no=t.ticket_no),
    ):
        assert answer.disrupted == []
        assert answer.summary.startswith("No disrupted flight")


def test_another_passengers_ticket_is_refused_like_any_foreign_ticket(
    session, clock, passenger
) -> None:
    other = f.passenger(session)
    gone = f.flight(session, "ZRH", "LHR", clock.now() + 6 * H)
    theirs = f.ticket(session, other, [gone], issued_at=clock.now() - 30 * DAY)
    session.commit()
    disrupt(session, clock, gone, kind="cancelled", cause="crew")
    ctx = context_for(passenger.id, clock)
    with pytest.raises(PolicyViolation) as err:
        disruption_options(session, ctx, ticket_no=theirs.ticket_no)
    assert err.value.rule == Rule.NOT_OWNER
    with pytest.raises(PolicyViolation) as missing:
        disruption_options(session, ctx, ticket_no="7249999999999")
    assert missing.value.message.replace("7249999999999", theirs.ticket_no) == err.value.message
    # Without a ticket number only the passenger's own tickets are read.
    assert disruption_options(session, ctx).disrupted == []


def test_it_only_reads(session, clock, passenger) -> None:
    gone = f.flight(session, "ZRH", "LHR", clock.now() + 6 * H)
    f.flight(session, "ZRH", "LHR", clock.now() + 9 * H)
    f.ticket(session, passenger, [gone], issued_at=clock.now() - 30 * DAY)
    session.commit()
    disrupt(session, clock, gone, kind="cancelled", cause="crew")
    before = (
        session.scalar(select(func.count(TicketLeg.id))),
        session.scalar(select(func.count(Payment.id))),
    )
    disruption_options(session, context_for(passenger.id, clock))
    session.rollback()
    after = (
        session.scalar(select(func.count(TicketLeg.id))),
        session.scalar(select(func.count(Payment.id))),
    )
    assert after == before
