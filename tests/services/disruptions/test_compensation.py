"""Paying EU 261 compensation from the database (services/flights/flight_bookings.py through
services/disruptions/claims.py): the amount by distance band in CHF with the euros recorded,
the exceptions refused with their article, once per passenger and flight even when claims race
(SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import Compensation, Role
from services.core.context import Actor
from services.core.errors import PolicyViolation, Rule
from services.disruptions import ticket_entitlements
from services.flights import flight_bookings, tickets
from tests import factories as f
from tests.conftest import context_for
from tests.security.consistency import problems, race

H, DAY = timedelta(hours=1), timedelta(days=1)
ADMIN = Actor("ops-admin", Role.ADMIN)


@pytest.fixture
def passenger(session):
    f.reference_data(session)
    p = f.passenger(session)
    session.commit()
    return p


disrupt = f.disrupt


def claim(session, ctx, ticket_no: str) -> str:
    with pytest.raises(PolicyViolation) as err:
        flight_bookings.request_compensation(session, ctx, ticket_no=ticket_no)
    return err.value.code


def test_a_long_haul_cancellation_pays_eur_600_in_chf(session, clock, passenger) -> None:
    gone = f.flight(session, "FRA", "SIN", clock.now() + 2 * DAY, hours=12)
    t = f.ticket(session, passenger, [gone], issued_at=clock.now() - 30 * DAY)
    session.commit()
    disrupt(session, clock, gone, kind="cancelled", cause="crew")
    ctx = context_for(passenger.id, clock)
    quote = flight_bookings.quote_compensation(session, ctx, ticket_no=t.ticket_no)
    assert (quote.amount_eur, quote.article) == (Decimal("600.00"), "Art. 7(1)(c)")
    result = flight_bookings.request_compensation(session, ctx, ticket_no=t.ticket_no)
    assert result.refunded == quote.amount == f.eu261_chf(600)
    (paid,) = session.scalars(select(Compensation))
    assert (paid.amount, paid.amount_eur, paid.eur_chf_rate) == (
        f.eu261_chf(600),
        Decimal("600.00"),
        Decimal("0.94"),
    )
    assert "EUR 600.00" in result.summary and result.data["article"] == "Art. 7(1)(c)"


def test_extraordinary_circumstances_are_refused_with_their_article(
    session, clock, passenger
) -> None:
    stormy = f.flight(session, "ZRH", "LHR", clock.now() + 8 * H)
    t = f.ticket(session, passenger, [stormy], issued_at=clock.now() - 30 * DAY)
    session.commit()
    disrupt(session, clock, stormy, kind="delayed", cause="weather", delay_minutes=300)
    ctx = context_for(passenger.id, clock)
    with pytest.raises(PolicyViolation) as err:
        flight_bookings.quote_compensation(session, ctx, ticket_no=t.ticket_no)
    assert err.value.code == Rule.COMPENSATION_EXTRAORDINARY.value
    assert "Art. 5(3)" in err.value.message
    (owed,) = ticket_entitlements(session, ctx, ticket_no=t.ticket_no)
    # Care and the refund choice stand even so: 5 hours late on a 788 km flight.
    assert owed.care.meals and owed.choice.entitled and not owed.compensation.entitled
    assert session.scalar(select(Compensation)) is None


def test_a_cancellation_two_weeks_ahead_is_refused(session, clock, passenger) -> None:
    later = f.flight(session, "ZRH", "BCN", clock.now() + 20 * DAY)
    t = f.ticket(session, passenger, [later], issued_at=clock.now() - 30 * DAY)
    session.commit()
    disrupt(session, clock, later, kind="cancelled", cause="technical")
    code = claim(session, context_for(passenger.id, clock), t.ticket_no)
    assert code == Rule.COMPENSATION_CANCELLATION_NOTICE.value


def test_a_close_rerouting_on_short_notice_is_refused_a_far_one_paid(
    session, clock, passenger
) -> None:
    """Art. 5(1)(c)(iii): under 7 days' notice, a rerouting leaving no more than an hour early
    and landing no more than 2 hours late owes nothing; one landing a day later owes it all."""
    gone = f.flight(session, "ZRH", "LHR", clock.now() + DAY)
    close = f.flight(session, "ZRH", "LHR", clock.now() + DAY + H)
    far = f.flight(session, "ZRH", "LHR", clock.now() + 2 * DAY)
    near_t = f.ticket(session, passenger, [gone], issued_at=clock.now() - 30 * DAY)
    far_t = f.ticket(session, passenger, [gone], issued_at=clock.now() - 30 * DAY)
    session.commit()
    disrupt(session, clock, gone, kind="cancelled", cause="crew")
    ctx = context_for(passenger.id, clock)
    tickets.change_flight(session, ctx, ticket_no=near_t.ticket_no, new_flight_ids=[close.id])
    tickets.change_flight(session, ctx, ticket_no=far_t.ticket_no, new_flight_ids=[far.id])
    assert claim(session, ctx, near_t.ticket_no) == Rule.COMPENSATION_CANCELLATION_NOTICE.value
    paid = flight_bookings.request_compensation(session, ctx, ticket_no=far_t.ticket_no)
    assert paid.refunded == f.eu261_chf(250)


def test_a_rerouting_landing_within_two_hours_halves_the_compensation(
    session, clock, passenger
) -> None:
    """Art. 7(2): announced 10 days ahead, rerouted three hours earlier (so not exempt under
    Art. 5(1)(c)(ii)) and landing within 2 hours of the original: EUR 125."""
    gone = f.flight(session, "ZRH", "LHR", clock.now() + 10 * DAY)
    early = f.flight(session, "ZRH", "LHR", clock.now() + 10 * DAY - 3 * H)
    t = f.ticket(session, passenger, [gone], issued_at=clock.now() - 30 * DAY)
    session.commit()
    disrupt(session, clock, gone, kind="cancelled", cause="technical")
    ctx = context_for(passenger.id, clock)
    tickets.change_flight(session, ctx, ticket_no=t.ticket_no, new_flight_ids=[early.id])
    quote = flight_bookings.quote_compensation(session, ctx, ticket_no=t.ticket_no)
    assert quote.amount_eur == Decimal("125.00") and quote.article == "Art. 7(1)(a), Art. 7(2)"
    assert quote.amount == f.eu261_chf(125)


def test_a_delay_under_three_hours_at_arrival_is_not_compensated(session, clock, passenger) -> None:
    slow = f.flight(session, "GVA", "LHR", clock.now() + 8 * H)
    t = f.ticket(session, passenger, [slow], issued_at=clock.now() - 30 * DAY)
    session.commit()
    disrupt(session, clock, slow, kind="delayed", cause="technical", delay_minutes=179)
    code = claim(session, context_for(passenger.id, clock), t.ticket_no)
    assert code == Rule.COMPENSATION_NOT_ELIGIBLE.value


def test_racing_claims_for_one_passenger_and_flight_pay_once(
    session_factory, clock, passenger
) -> None:
    """Eight approvals of the same claim at once: the ticket lock and the (ticket, flight) key
    let exactly one pay; the others are told it was paid already."""
    with session_factory() as s:
        gone = f.flight(s, "ZRH", "BCN", clock.now() + 6 * H)
        owner = s.get_one(type(passenger), passenger.id)
        t = f.ticket(s, owner, [gone], issued_at=clock.now() - 30 * DAY)
        s.commit()
        disrupt(s, clock, gone, kind="cancelled", cause="crew")
        ticket_no = t.ticket_no

    outcomes = race(
        session_factory,
        lambda _: context_for(passenger.id, clock),
        lambda s, ctx, _: flight_bookings.request_compensation(s, ctx, ticket_no=ticket_no),
        n=8,
    )
    assert outcomes == {"ok": 1, Rule.COMPENSATION_ALREADY_PAID.value: 7}, outcomes
    with session_factory() as s:
        (paid,) = s.scalars(select(Compensation))
        assert paid.amount == f.eu261_chf(250) and paid.amount_eur == Decimal("250.00")
        assert problems(s) == []
