"""Compensation against farming: each leg's own booking time against the flight's announcement,
no delay compensation on a cancelled ticket, and a cancellation refund less the delay
compensation paid (docs/policy.md; services/flights/flight_bookings.py, services/flights/cancellations.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from db.models import FlightStatus, LegStatus, Ticket
from services.core.errors import PolicyViolation, Rule
from services.flights import cancellations, flight_bookings, tickets
from tests import factories as f
from tests.conftest import context_for

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
DELAY = 4 * HOUR


@pytest.fixture
def setup(session, clock):
    f.reference_data(session)
    now = clock.now()
    world = {
        "plain": f.flight(session, "ZRH", "LHR", now + 2 * DAY - HOUR),
        "delayed": f.flight(
            session, "ZRH", "LHR", now + 2 * DAY, delay=DELAY, disrupted_at=now - 2 * HOUR
        ),
        "passenger": f.passenger(session),
    }
    session.commit()
    return world


def refused(call, **kwargs) -> str:
    with pytest.raises(PolicyViolation) as err:
        call(**kwargs)
    return err.value.code


def test_a_new_ticket_records_when_each_leg_was_booked(session, clock, setup) -> None:
    ctx = context_for(setup["passenger"].id, clock)
    flight_bookings.book_flight(session, ctx, flight_ids=[setup["delayed"].id], fare="Flex")
    ticket = session.scalar(select(Ticket).where(Ticket.passenger_id == setup["passenger"].id))
    assert [leg.booked_at for leg in ticket.legs] == [clock.now()]
    code = refused(
        flight_bookings.quote_compensation, session=session, ctx=ctx, ticket_no=ticket.ticket_no
    )
    assert code == Rule.COMPENSATION_BOOKED_AFTER_DISRUPTION.value


def test_a_change_books_its_new_legs_now_and_keeps_the_old_legs_time(session, clock, setup) -> None:
    issued = clock.now() - 30 * DAY
    t = f.ticket(session, setup["passenger"], [setup["plain"]], issued_at=issued)
    session.commit()
    ctx = context_for(setup["passenger"].id, clock)
    tickets.change_flight(session, ctx, ticket_no=t.ticket_no, new_flight_ids=[setup["delayed"].id])
    session.refresh(t)
    times = {leg.status: leg.booked_at for leg in t.legs}
    assert times == {LegStatus.EXCHANGED: issued, LegStatus.ACTIVE: clock.now()}
    code = refused(
        flight_bookings.request_compensation, session=session, ctx=ctx, ticket_no=t.ticket_no
    )
    assert code == Rule.COMPENSATION_BOOKED_AFTER_DISRUPTION.value


def test_a_ticket_bought_before_the_announcement_is_paid_once(session, clock, setup) -> None:
    t = f.ticket(session, setup["passenger"], [setup["delayed"]], issued_at=clock.now() - 30 * DAY)
    session.commit()
    ctx = context_for(setup["passenger"].id, clock)
    quote = flight_bookings.quote_compensation(session, ctx, ticket_no=t.ticket_no)
    # ZRH-LHR is 788 km and arrives 4 hours late: EUR 250 (Art. 7(1)(a)), paid in CHF.
    assert (quote.amount, quote.amount_eur) == (f.eu261_chf(250), Decimal("250.00"))
    assert quote.article == "Art. 7(1)(a)" and "EUR 250" in quote.rule
    result = flight_bookings.request_compensation(session, ctx, ticket_no=t.ticket_no)
    assert result.refunded == f.eu261_chf(250)


def test_an_unrecorded_announcement_is_refused(session, clock, setup) -> None:
    setup["delayed"].disrupted_at = None
    t = f.ticket(session, setup["passenger"], [setup["delayed"]], issued_at=clock.now() - 30 * DAY)
    session.commit()
    ctx = context_for(setup["passenger"].id, clock)
    code = refused(
        flight_bookings.request_compensation, session=session, ctx=ctx, ticket_no=t.ticket_no
    )
    assert code == Rule.COMPENSATION_DISRUPTION_UNRECORDED.value


def test_the_cancellation_quote_deducts_the_delay_compensation(session, clock, setup) -> None:
    t = f.ticket(session, setup["passenger"], [setup["delayed"]], issued_at=clock.now() - 30 * DAY)
    session.commit()
    ctx = context_for(setup["passenger"].id, clock)
    before = cancellations.quote_cancellation(session, ctx, ticket_no=t.ticket_no)
    assert before.delay_compensation == Decimal("0.00")
    flight_bookings.request_compensation(session, ctx, ticket_no=t.ticket_no)
    after = cancellations.quote_cancellation(session, ctx, ticket_no=t.ticket_no)
    assert after.delay_compensation == f.eu261_chf(250)
    assert after.refund == max(before.refund - f.eu261_chf(250), Decimal("0.00"))
    assert "deducted" in after.rule
    result = cancellations.cancel_ticket(session, ctx, ticket_no=t.ticket_no)
    assert result.refunded == after.refund


def test_the_airlines_cancellation_is_compensated_on_a_cancelled_ticket(
    session, clock, setup
) -> None:
    """Taking the refund for a flight the airline cancelled does not forfeit the compensation: that
    flight cannot be bought after the announcement, so it cannot be farmed."""
    gone = f.flight(session, "ZRH", "BCN", clock.now() + 6 * HOUR, status=FlightStatus.CANCELLED)
    t = f.ticket(session, setup["passenger"], [gone], issued_at=clock.now() - 30 * DAY)
    session.commit()
    ctx = context_for(setup["passenger"].id, clock)
    refund = cancellations.cancel_ticket(session, ctx, ticket_no=t.ticket_no).refunded
    assert refund == sum((leg.price_paid for leg in t.legs), Decimal("0.00"))
    paid = flight_bookings.request_compensation(session, ctx, ticket_no=t.ticket_no).refunded
    assert paid == f.eu261_chf(250)  # ZRH-BCN, 850 km: Art. 7(1)(a)
