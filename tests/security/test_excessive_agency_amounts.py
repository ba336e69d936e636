"""A price that changes between the approval card and the click is never charged unapproved."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from db.models import Hotel, HotelBooking, Payment
from tests.agent.conftest import audits, day


def test_hotel_rate_raised_after_the_card_is_refused_in_the_write(attack, world, session) -> None:
    args = {
        "hotel_id": world.hotel,
        "checkin": day(20).isoformat(),
        "checkout": day(23).isoformat(),
        "guests": 1,
    }
    result = attack([("book_hotel", args)])
    assert result.cards[0].request.charge == Decimal("450.00")  # 3 nights at CHF 150, from the DB
    session.rollback()
    session.get(Hotel, world.hotel).price_per_night = Decimal(450)  # the rate triples
    session.commit()
    payments = session.scalar(select(func.count()).select_from(Payment))
    result.approve_all()
    outcome = result.finished[-1]
    assert outcome.status == "refused" and outcome.rule == "price_changed_since_approval"
    assert "from CHF 450.00 to CHF 1350.00" in outcome.content
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Payment)) == payments
    assert session.scalar(select(func.count()).where(HotelBooking.checkin == day(20))) == 0
    assert audits(session, action="book_hotel", outcome="refused")
