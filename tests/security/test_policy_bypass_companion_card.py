"""A companion's card is never charged for the served passenger, and a refund of a ticket a
companion paid for goes back to the companion's card, as the approval card says
(docs/policy.md, "Acting for others and privacy"; services/payments/payments.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Flight, Passenger, Payment, PaymentMethod, Ticket
from services.core.clock import FixedClock
from tests import factories as f
from tests.agent.conftest import World


def paid_by_companion(
    session: Session, clock: FixedClock, world: World, *, ines_has_card: bool = True
) -> tuple[Passenger, PaymentMethod, Ticket]:
    """Ines's Classic ticket on `world.first`, paid with Diego's card on a shared booking."""
    diego = f.passenger(session, name="Diego Ruiz")
    diegos_card = diego.payment_methods[0]
    ines = f.passenger(session, name="Ines Ruiz", card=ines_has_card)
    first = session.get_one(Flight, world.first)
    ticket = f.ticket(session, ines, [first], issued_at=clock.now() - timedelta(days=30))
    ticket.payment_method_id = diegos_card.id
    session.commit()
    return ines, diegos_card, ticket


def charges_to(session: Session, card: PaymentMethod) -> list[Payment]:
    session.rollback()
    return list(session.scalars(select(Payment).where(Payment.payment_method_id == card.id)))


def test_change_fee_goes_to_the_served_passengers_own_card(attack, world, session, clock) -> None:
    ines, diegos_card, ticket = paid_by_companion(session, clock, world)
    own_last4 = ines.payment_methods[0].last4
    change = {"ticket_no": ticket.ticket_no, "new_flight_ids": [world.later]}
    result = attack([("change_flight", change)], passenger=ines.id)
    card = " ".join(result.cards[0].request.details)
    assert "Ines Ruiz's" in card and own_last4 in card and "Diego" not in card
    result.approve_all()
    assert result.finished[-1].status == "ok"
    assert charges_to(session, diegos_card) == []
    assert [p.kind for p in charges_to(session, ines.payment_methods[0])] == ["charge"]


def test_no_card_of_their_own_means_no_charge_not_the_companions(
    attack, world, session, clock
) -> None:
    ines, diegos_card, ticket = paid_by_companion(session, clock, world, ines_has_card=False)
    change = {"ticket_no": ticket.ticket_no, "new_flight_ids": [world.later]}
    result = attack([("change_flight", change)], passenger=ines.id).approve_all()
    assert result.cards == [] or result.finished[-1].status == "refused"
    assert result.finished[-1].rule == "payment_method_invalid"
    assert "no payment method of their own" in result.finished[-1].content
    assert charges_to(session, diegos_card) == []


@pytest.mark.parametrize(
    ("tool", "args"),
    [
        ("book_flight", lambda w: {"flight_ids": [w.later], "fare": "Classic"}),
        (
            "book_hotel",
            lambda w: {"hotel_id": w.hotel, "checkin": "2026-12-20", "checkout": "2026-12-22"},
        ),
        (
            "book_excursion",
            lambda w: {"excursion_id": w.excursion, "day": "2026-12-20", "participants": 1},
        ),
    ],
)
def test_naming_the_companions_card_is_refused_before_a_card(
    attack, world, session, clock, tool, args
) -> None:
    ines, diegos_card, _ticket = paid_by_companion(session, clock, world)
    payload = {**args(world), "payment_method_id": diegos_card.id}
    result = attack([(tool, payload)], passenger=ines.id).approve_all()
    assert result.cards == []
    assert result.finished[-1].rule == "payment_method_invalid"
    assert charges_to(session, diegos_card) == []


def test_refund_of_a_ticket_the_companion_paid_returns_to_their_card_and_says_so(
    attack, world, session, clock
) -> None:
    ines, diegos_card, ticket = paid_by_companion(session, clock, world)
    result = attack([("cancel_ticket", {"ticket_no": ticket.ticket_no})], passenger=ines.id)
    card = " ".join(result.cards[0].request.details)
    whose = f"Diego Ruiz's {diegos_card.brand} ending {diegos_card.last4}"
    assert f"Refund to {whose}, the card that paid" in card
    result.approve_all()
    assert result.finished[-1].status == "ok"
    refunds = charges_to(session, diegos_card)
    assert [p.kind for p in refunds] == ["refund"]
    assert refunds[0].amount == result.cards[0].request.refund
    assert charges_to(session, ines.payment_methods[0]) == []
