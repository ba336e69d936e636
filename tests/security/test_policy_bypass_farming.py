"""Compensation farming (issue #10, item 5): book a ticket on a flight already announced as
delayed, claim the delay compensation, cancel within 24 hours for a full refund, repeat.

A compromised model drives every step through the real runtime and a careless agent approves
every card; the passenger must end up with nothing more than they paid. A passenger whose ticket
predates the announcement is still paid, and a claim racing a cancellation never pays both in
full (docs/policy.md, compensation; services/flights/flight_bookings.py, services/flights/cancellations.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Compensation, Fare, Flight, Passenger, Payment, Ticket, TicketStatus
from services.core.clock import FixedClock
from services.core.context import ServiceContext
from services.flights import cancellations, flight_bookings
from tests import factories as f
from tests.agent.conftest import World
from tests.conftest import FROZEN_NOW, context_for
from tests.security.consistency import RACERS, problems, race

DELAY = timedelta(hours=4)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
ZERO = Decimal("0.00")


def delayed_flight(session: Session, clock: FixedClock) -> Flight:
    """ZRH-LHR in two days, announced four hours late two hours ago."""
    now = clock.now()
    flight = f.flight(
        session, "ZRH", "LHR", now + timedelta(days=2), delay=DELAY, disrupted_at=now - 2 * HOUR
    )
    session.commit()
    return flight


def money_of(session: Session, passenger_id: int) -> tuple[Decimal, Decimal]:
    """(charged, refunded) to the passenger's cards so far, compensation included."""
    session.rollback()  # see what the assistant's sessions committed
    totals = dict(
        session.execute(
            select(Payment.kind, func.sum(Payment.amount))
            .where(Payment.passenger_id == passenger_id)
            .group_by(Payment.kind)
        ).all()
    )
    return Decimal(totals.get("charge") or ZERO), Decimal(totals.get("refund") or ZERO)


def compensations(session: Session) -> list[Compensation]:
    session.rollback()
    return list(session.scalars(select(Compensation)))


def test_book_claim_cancel_loop_nets_nothing(attack, world: World, session, clock) -> None:
    flight = delayed_flight(session, clock)
    booked = attack([("book_flight", {"flight_ids": [flight.id], "fare": "Flex"})]).approve_all()
    assert booked.finished[-1].status == "ok"
    session.rollback()
    ticket = session.scalar(
        select(Ticket).where(Ticket.passenger_id == world.pat).order_by(Ticket.id.desc())
    )

    claim = attack([("request_compensation", {"ticket_no": ticket.ticket_no})]).approve_all()
    assert claim.cards == []  # refused in the preview: no card to approve carelessly
    assert claim.finished[-1].rule == "compensation_booked_after_disruption"

    cancel = attack([("cancel_ticket", {"ticket_no": ticket.ticket_no})]).approve_all()
    assert cancel.finished[-1].status == "ok"
    charged, refunded = money_of(session, world.pat)
    assert charged > ZERO and refunded == charged  # the fare back, and not a franc more
    assert compensations(session) == []


def test_moving_a_ticket_onto_the_delayed_flight_earns_nothing(
    attack, world: World, session, clock
) -> None:
    """The same loop through a change: the new leg's own booking time counts, not the ticket's."""
    flight = delayed_flight(session, clock)
    change = {"ticket_no": world.ticket, "new_flight_ids": [flight.id]}
    assert attack([("change_flight", change)]).approve_all().finished[-1].status == "ok"
    claim = attack([("request_compensation", {"ticket_no": world.ticket})]).approve_all()
    assert claim.cards == []
    assert claim.finished[-1].rule == "compensation_booked_after_disruption"
    assert compensations(session) == []


def legit_ticket(session: Session, clock: FixedClock, world: World, fare: Fare) -> Ticket:
    """Pat's ticket on the delayed flight, bought 30 days before the delay was announced."""
    flight = delayed_flight(session, clock)
    pat = session.get_one(Passenger, world.pat)
    ticket = f.ticket(session, pat, [flight], fare=fare, issued_at=clock.now() - 30 * DAY)
    session.commit()
    return ticket


def test_a_ticket_bought_before_the_announcement_is_still_compensated(
    attack, world: World, session, clock
) -> None:
    ticket = legit_ticket(session, clock, world, Fare.CLASSIC)
    claim = attack([("request_compensation", {"ticket_no": ticket.ticket_no})])
    assert claim.cards and claim.cards[0].request.refund == f.eu261_chf(250)  # Art. 7(1)(a)
    assert claim.approve_all().finished[-1].status == "ok"
    assert [c.amount for c in compensations(session)] == [f.eu261_chf(250)]


def test_cancelling_after_a_paid_claim_gives_the_compensation_back(
    attack, world: World, session, clock
) -> None:
    """Even a passenger owed the compensation cannot keep it and the full refund: they do not
    fly the delayed flight. The card says so before the agent approves."""
    ticket = legit_ticket(session, clock, world, Fare.FLEX)
    paid = sum((leg.price_paid for leg in ticket.legs), ZERO)
    claim = attack([("request_compensation", {"ticket_no": ticket.ticket_no})]).approve_all()
    assert claim.finished[-1].status == "ok"
    cancel = attack([("cancel_ticket", {"ticket_no": ticket.ticket_no})])
    card = cancel.cards[0].request
    assert card.refund == max(paid - f.eu261_chf(250), ZERO)
    assert f"CHF {f.eu261_chf(250)}" in " ".join(card.details) and "deducted" in card.rule
    assert cancel.approve_all().finished[-1].status == "ok"
    _, refunded = money_of(session, world.pat)
    assert refunded == paid  # the compensation + the refund less it


def test_no_delay_compensation_on_a_cancelled_ticket(attack, world: World, session, clock) -> None:
    ticket = legit_ticket(session, clock, world, Fare.FLEX)
    assert (
        attack([("cancel_ticket", {"ticket_no": ticket.ticket_no})])
        .approve_all()
        .finished[-1]
        .status
        == "ok"
    )
    claim = attack([("request_compensation", {"ticket_no": ticket.ticket_no})]).approve_all()
    assert claim.cards == []
    assert claim.finished[-1].rule == "compensation_ticket_cancelled"
    assert compensations(session) == []


CLOCK = FixedClock(FROZEN_NOW)


def ctx_of(passenger_id: int) -> ServiceContext:
    return context_for(passenger_id, CLOCK)


@pytest.mark.parametrize("fare", [Fare.FLEX, Fare.CLASSIC])
def test_claims_and_cancels_racing_never_both_pay_in_full(
    session_factory: sessionmaker[Session], fare: Fare
) -> None:
    """Half the racers claim the delay compensation, half cancel the ticket, all at once: on
    PostgreSQL both writes lock the ticket, so whichever runs second sees the first."""
    with session_factory() as s:
        f.reference_data(s)
        flight = f.flight(
            s,
            "ZRH",
            "LHR",
            CLOCK.now() + 2 * DAY,
            delay=DELAY,
            disrupted_at=CLOCK.now() - 2 * HOUR,
        )
        owner = f.passenger(s)
        # Bought an hour before the announcement and within 24 hours: owed the compensation,
        # and a cancellation alone would refund even Classic in full.
        ticket = f.ticket(s, owner, [flight], fare=fare, issued_at=CLOCK.now() - 3 * HOUR)
        paid = sum((leg.price_paid for leg in ticket.legs), ZERO)
        s.add(
            Payment(
                passenger_id=owner.id,
                payment_method_id=ticket.payment_method_id,
                ticket_id=ticket.id,
                kind="charge",
                amount=paid,
                reason=f"new ticket {ticket.ticket_no}",
                created_at=ticket.issued_at,
            )
        )
        s.commit()
        ticket_no, passenger_id = ticket.ticket_no, owner.id

    def work(s: Session, ctx: ServiceContext, i: int) -> object:
        if i < RACERS // 2:
            return flight_bookings.request_compensation(s, ctx, ticket_no=ticket_no)
        return cancellations.cancel_ticket(s, ctx, ticket_no=ticket_no)

    outcomes = race(session_factory, lambda _: ctx_of(passenger_id), work)
    assert not [o for o in outcomes if o.startswith("crash")], outcomes
    with session_factory() as s:
        assert s.scalar(select(Ticket.status).where(Ticket.ticket_no == ticket_no)) == (
            TicketStatus.CANCELLED
        )
        charged, refunded = money_of(s, passenger_id)
        assert charged == paid
        claims = list(s.scalars(select(Compensation)))
        assert len(claims) <= 1, claims
        # The compensation, plus the fare refund less it: never the fare plus the compensation
        # (EU 261's EUR 250 may exceed a cheap fare; the refund then stops at zero).
        compensation = sum((c.amount for c in claims), ZERO)
        assert refunded == max(paid, compensation)
        assert problems(s) == []
    # One cancel ran; the claim either ran before it (paid once, then deducted) or found the
    # ticket cancelled. Every other racer was told why.
    refusals = {"compensation_already_paid", "compensation_ticket_cancelled", "ticket_not_active"}
    assert set(outcomes) <= {"ok"} | refusals, outcomes
    assert outcomes["ok"] == 1 + len(claims)
