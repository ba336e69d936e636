"""Flight changes and cancellations through the services: each rule allowed and refused."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    AuditEvent,
    Fare,
    Flight,
    FlightStatus,
    LegStatus,
    Payment,
    Role,
    SeatAssignment,
    Ticket,
    TicketStatus,
    Tier,
)
from services.core.clock import FixedClock
from services.core.context import Actor
from services.core.errors import DomainError, InvalidInput, NotFound, PolicyViolation, Rule
from services.flights import cancellations, tickets
from services.flights.itinerary import describe
from tests import factories as f
from tests.conftest import context_for

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def world(session: Session, clock: FixedClock) -> dict[str, Any]:
    """ZRH-LHR on D+3 (the ticket's flight), D+4 (dearer) and D+5; ZRH-BCN on D+4."""
    f.reference_data(session)
    now = clock.now()
    flights = {
        "d3": f.flight(session, "ZRH", "LHR", now + 3 * DAY, base_price=200),
        "d4": f.flight(session, "ZRH", "LHR", now + 4 * DAY, base_price=260),
        "d5": f.flight(session, "ZRH", "LHR", now + 5 * DAY, base_price=150),
        "bcn": f.flight(session, "ZRH", "BCN", now + 4 * DAY),
    }
    session.commit()
    return flights


def make_ticket(
    session: Session,
    clock: FixedClock,
    flights: list[Flight],
    *,
    fare=Fare.CLASSIC,
    tier=Tier.REGULAR,
    age=timedelta(days=30),
) -> Ticket:
    owner = f.passenger(session, tier=tier)
    t = f.ticket(session, owner, flights, fare=fare, issued_at=clock.now() - age)
    session.commit()
    return t


def refused(err: pytest.ExceptionInfo[PolicyViolation], rule: Rule) -> None:
    assert err.value.code == rule.value
    assert err.value.message.endswith(".")


# --- changes -----------------------------------------------------------------------------------


def test_classic_change_costs_fee_plus_fare_difference(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]])
    ctx = context_for(t.passenger_id, clock)
    quote = tickets.quote_flight_change(
        session, ctx, ticket_no=t.ticket_no, new_flight_ids=[world["d4"].id]
    )
    assert (quote.change_fee, quote.fare_difference, quote.total) == (
        Decimal("50.00"),
        Decimal("60.00"),
        Decimal("110.00"),
    )
    result = tickets.change_flight(
        session, ctx, ticket_no=t.ticket_no, new_flight_ids=[world["d4"].id]
    )
    assert result.charged == Decimal("110.00")
    session.expire_all()
    assert [leg.flight_id for leg in t.active_legs] == [world["d4"].id]
    assert session.scalar(
        select(func.sum(Payment.amount)).where(Payment.ticket_id == t.id)
    ) == Decimal("110.00")


def test_cheaper_flight_costs_only_the_fee(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]])
    quote = tickets.quote_flight_change(
        session,
        context_for(t.passenger_id, clock),
        ticket_no=t.ticket_no,
        new_flight_ids=[world["d5"].id],
    )
    assert (quote.fare_difference, quote.total) == (Decimal(0), Decimal("50.00"))


def test_gold_member_has_the_classic_fee_waived(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]], tier=Tier.GOLD)
    quote = tickets.quote_flight_change(
        session,
        context_for(t.passenger_id, clock),
        ticket_no=t.ticket_no,
        new_flight_ids=[world["d5"].id],
    )
    assert quote.change_fee == 0 and "waived" in quote.rule


def test_flex_change_is_free(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]], fare=Fare.FLEX)
    result = tickets.change_flight(
        session,
        context_for(t.passenger_id, clock),
        ticket_no=t.ticket_no,
        new_flight_ids=[world["d5"].id],
    )
    assert result.charged == 0


def test_light_fare_change_refused_and_nothing_changes(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]], fare=Fare.LIGHT)
    with pytest.raises(PolicyViolation) as err:
        tickets.change_flight(
            session,
            context_for(t.passenger_id, clock),
            ticket_no=t.ticket_no,
            new_flight_ids=[world["d4"].id],
        )
    refused(err, Rule.FARE_NO_CHANGE)
    session.expire_all()
    assert [leg.flight_id for leg in t.active_legs] == [world["d3"].id]
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.outcome, event.rule) == (
        "change_flight",
        "refused",
        Rule.FARE_NO_CHANGE.value,
    )


def test_change_within_three_hours_of_departure_refused(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]])
    clock.advance(3 * DAY - 2 * HOUR)
    with pytest.raises(PolicyViolation) as err:
        tickets.quote_flight_change(
            session,
            context_for(t.passenger_id, clock),
            ticket_no=t.ticket_no,
            new_flight_ids=[world["d4"].id],
        )
    refused(err, Rule.TOO_CLOSE_TO_DEPARTURE)


def test_change_just_over_three_hours_before_departure_allowed(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]])
    clock.advance(3 * DAY - 3 * HOUR - timedelta(minutes=5))
    quote = tickets.quote_flight_change(
        session,
        context_for(t.passenger_id, clock),
        ticket_no=t.ticket_no,
        new_flight_ids=[world["d4"].id],
    )
    assert quote.total > 0


def test_change_must_keep_origin_and_destination(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]])
    with pytest.raises(PolicyViolation) as err:
        tickets.change_flight(
            session,
            context_for(t.passenger_id, clock),
            ticket_no=t.ticket_no,
            new_flight_ids=[world["bcn"].id],
        )
    refused(err, Rule.ROUTE_MUST_MATCH)


def test_new_flight_must_be_in_the_future(session, clock, world) -> None:
    past = f.flight(session, "ZRH", "LHR", clock.now() - 2 * HOUR)
    t = make_ticket(session, clock, [world["d3"]])
    with pytest.raises(PolicyViolation) as err:
        tickets.change_flight(
            session,
            context_for(t.passenger_id, clock),
            ticket_no=t.ticket_no,
            new_flight_ids=[past.id],
        )
    refused(err, Rule.FLIGHT_IN_PAST)


def test_new_flight_needs_a_free_seat_in_the_cabin(session, clock, world) -> None:
    f.fill(session, world["d4"], issued_at=clock.now() - 40 * DAY)
    t = make_ticket(session, clock, [world["d3"]])
    with pytest.raises(PolicyViolation) as err:
        tickets.change_flight(
            session,
            context_for(t.passenger_id, clock),
            ticket_no=t.ticket_no,
            new_flight_ids=[world["d4"].id],
        )
    refused(err, Rule.NO_SEAT)


def test_change_moves_the_seat(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]])
    tickets.change_flight(
        session,
        context_for(t.passenger_id, clock),
        ticket_no=t.ticket_no,
        new_flight_ids=[world["d4"].id],
    )
    taken = dict(
        session.execute(
            select(SeatAssignment.flight_id, func.count()).group_by(SeatAssignment.flight_id)
        ).all()
    )
    assert taken == {world["d4"].id: 1}


def test_multi_leg_ticket_changes_as_a_whole(session, clock) -> None:
    f.reference_data(session)
    now = clock.now()
    old = [
        f.flight(session, "ZRH", "FRA", now + 10 * DAY),
        f.flight(session, "FRA", "SIN", now + 10 * DAY + 3 * HOUR, hours=12),
    ]
    new = [
        f.flight(session, "ZRH", "FRA", now + 11 * DAY),
        f.flight(session, "FRA", "SIN", now + 11 * DAY + 3 * HOUR, hours=12),
    ]
    t = make_ticket(session, clock, old, fare=Fare.FLEX)
    ctx = context_for(t.passenger_id, clock)
    with pytest.raises(PolicyViolation) as err:
        tickets.change_flight(session, ctx, ticket_no=t.ticket_no, new_flight_ids=[new[0].id])
    refused(err, Rule.ROUTE_MUST_MATCH)
    tickets.change_flight(session, ctx, ticket_no=t.ticket_no, new_flight_ids=[n.id for n in new])
    session.expire_all()
    assert [leg.flight_id for leg in t.active_legs] == [n.id for n in new]
    assert {leg.status for leg in t.legs if leg.flight_id in {o.id for o in old}} == {
        LegStatus.EXCHANGED
    }


def test_ticket_with_a_flown_leg_cannot_change_or_cancel(session, clock) -> None:
    f.reference_data(session)
    now = clock.now()
    out = f.flight(session, "ZRH", "LHR", now - 2 * DAY, status=FlightStatus.ARRIVED)
    back = f.flight(session, "LHR", "ZRH", now + 2 * DAY)
    alt = f.flight(session, "LHR", "ZRH", now + 3 * DAY)
    t = make_ticket(session, clock, [out, back], fare=Fare.FLEX)
    ctx = context_for(t.passenger_id, clock)
    with pytest.raises(PolicyViolation) as change:
        tickets.change_flight(session, ctx, ticket_no=t.ticket_no, new_flight_ids=[alt.id])
    with pytest.raises(PolicyViolation) as cancel:
        cancellations.cancel_ticket(session, ctx, ticket_no=t.ticket_no)
    refused(change, Rule.LEG_FLOWN)
    refused(cancel, Rule.LEG_FLOWN)


def test_a_connection_the_airline_cancelled_after_the_first_leg_flew_is_rebooked_from_there(
    session, clock
) -> None:
    """BER-ZRH flown this morning, ZRH-BCN cancelled by the airline: the rest of the journey
    moves (free), the flown leg stays on the ticket; a cancellation still refuses."""
    f.reference_data(session)
    now = clock.now()
    first = f.flight(session, "ZRH", "LHR", now - 5 * HOUR, status=FlightStatus.ARRIVED)
    lost = f.flight(session, "LHR", "ZRH", now + 2 * HOUR, status=FlightStatus.CANCELLED)
    later = f.flight(session, "LHR", "ZRH", now + 6 * HOUR)
    t = make_ticket(session, clock, [first, lost], fare=Fare.CLASSIC)
    ctx = context_for(t.passenger_id, clock)
    quote = tickets.quote_flight_change(
        session, ctx, ticket_no=t.ticket_no, new_flight_ids=[later.id]
    )
    assert quote.total == 0 and quote.current_flights == [describe(lost)]
    with pytest.raises(PolicyViolation) as wrong_route:  # the rest of the journey: LHR-ZRH
        tickets.quote_flight_change(session, ctx, ticket_no=t.ticket_no, new_flight_ids=[first.id])
    refused(wrong_route, Rule.ROUTE_MUST_MATCH)
    result = tickets.change_flight(session, ctx, ticket_no=t.ticket_no, new_flight_ids=[later.id])
    assert result.charged == 0
    session.expire_all()
    assert [leg.flight_id for leg in t.active_legs] == [first.id, later.id]
    with pytest.raises(PolicyViolation) as cancel:
        cancellations.cancel_ticket(session, ctx, ticket_no=t.ticket_no)
    refused(cancel, Rule.LEG_FLOWN)


def test_airline_cancelled_flight_rebooked_free_even_on_light(session, clock, world) -> None:
    cancelled = f.flight(session, "ZRH", "LHR", clock.now() - HOUR, status=FlightStatus.CANCELLED)
    t = make_ticket(session, clock, [cancelled], fare=Fare.LIGHT)
    result = tickets.change_flight(
        session,
        context_for(t.passenger_id, clock),
        ticket_no=t.ticket_no,
        new_flight_ids=[world["d4"].id],
    )
    assert result.charged == 0 and "airline cancelled" in (result.rule or "")


def test_airline_cancellation_rebooking_limited_to_seven_days(session, clock) -> None:
    f.reference_data(session)
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "LHR", now + DAY, status=FlightStatus.CANCELLED)
    late = f.flight(session, "ZRH", "LHR", now + 9 * DAY)
    t = make_ticket(session, clock, [cancelled], fare=Fare.CLASSIC)
    with pytest.raises(PolicyViolation) as err:
        tickets.change_flight(
            session,
            context_for(t.passenger_id, clock),
            ticket_no=t.ticket_no,
            new_flight_ids=[late.id],
        )
    refused(err, Rule.REBOOKING_WINDOW)


# --- cancellations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fare", "refund"), [(Fare.LIGHT, "0.00"), (Fare.CLASSIC, "100.00"), (Fare.FLEX, "290.00")]
)
def test_cancellation_refund_by_fare(session, clock, world, fare, refund) -> None:
    t = make_ticket(session, clock, [world["d3"]], fare=fare)
    ctx = context_for(t.passenger_id, clock)
    quote = cancellations.quote_cancellation(session, ctx, ticket_no=t.ticket_no)
    result = cancellations.cancel_ticket(session, ctx, ticket_no=t.ticket_no)
    assert quote.refund == result.refunded == Decimal(refund)
    session.expire_all()
    assert t.status == TicketStatus.CANCELLED
    assert session.scalar(select(func.count()).select_from(SeatAssignment)) == 0


def test_full_refund_within_24_hours_of_booking(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]], fare=Fare.LIGHT, age=2 * HOUR)
    quote = cancellations.quote_cancellation(
        session, context_for(t.passenger_id, clock), ticket_no=t.ticket_no
    )
    assert quote.refund == quote.paid == Decimal("160.00")


def test_airline_cancelled_ticket_fully_refunded(session, clock) -> None:
    f.reference_data(session)
    cancelled = f.flight(session, "ZRH", "BCN", clock.now() + HOUR, status=FlightStatus.CANCELLED)
    t = make_ticket(session, clock, [cancelled], fare=Fare.LIGHT)
    result = cancellations.cancel_ticket(
        session, context_for(t.passenger_id, clock), ticket_no=t.ticket_no
    )
    assert result.refunded == Decimal("160.00")


def test_cancellation_within_three_hours_refused(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]], fare=Fare.FLEX)
    clock.advance(3 * DAY - HOUR)
    with pytest.raises(PolicyViolation) as err:
        cancellations.cancel_ticket(
            session, context_for(t.passenger_id, clock), ticket_no=t.ticket_no
        )
    refused(err, Rule.TOO_CLOSE_TO_DEPARTURE)


def test_cancelled_ticket_cannot_be_cancelled_again(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]], fare=Fare.FLEX)
    ctx = context_for(t.passenger_id, clock)
    cancellations.cancel_ticket(session, ctx, ticket_no=t.ticket_no)
    with pytest.raises(PolicyViolation) as err:
        cancellations.cancel_ticket(session, ctx, ticket_no=t.ticket_no)
    refused(err, Rule.TICKET_NOT_ACTIVE)


# --- who may act ------------------------------------------------------------------------------


def test_companion_ticket_on_the_same_booking_is_refused(session, clock, world) -> None:
    diego = f.passenger(session, tier=Tier.GOLD)
    own = f.ticket(session, diego, [world["d3"]], fare=Fare.FLEX, issued_at=clock.now() - 30 * DAY)
    ines = f.passenger(session)
    companion = f.ticket(
        session,
        ines,
        [world["d3"]],
        fare=Fare.FLEX,
        issued_at=clock.now() - 30 * DAY,
        booking=own.booking,
    )
    session.commit()
    ctx = context_for(diego.id, clock)
    with pytest.raises(PolicyViolation) as err:
        cancellations.cancel_ticket(session, ctx, ticket_no=companion.ticket_no)
    refused(err, Rule.NOT_OWNER)
    session.expire_all()
    assert companion.status == TicketStatus.ACTIVE
    assert cancellations.quote_cancellation(session, ctx, ticket_no=own.ticket_no).refund > 0


def test_manager_cannot_change_bookings(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]], fare=Fare.FLEX)
    ctx = context_for(t.passenger_id, clock, Actor("manager", Role.MANAGER))
    with pytest.raises(PolicyViolation) as err:
        cancellations.cancel_ticket(session, ctx, ticket_no=t.ticket_no)
    refused(err, Rule.PERMISSION)


def test_customer_acts_only_for_their_own_passenger(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]], fare=Fare.FLEX)
    other = f.passenger(session)
    session.commit()
    own = context_for(
        t.passenger_id, clock, Actor("anna", Role.CUSTOMER, passenger_id=t.passenger_id)
    )
    assert cancellations.quote_cancellation(session, own, ticket_no=t.ticket_no).refund > 0
    foreign = context_for(t.passenger_id, clock, Actor("eve", Role.CUSTOMER, passenger_id=other.id))
    with pytest.raises(PolicyViolation) as err:
        cancellations.cancel_ticket(session, foreign, ticket_no=t.ticket_no)
    refused(err, Rule.PERMISSION)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ticket_no", "flight_ids", "error"),
    [
        ("12-34", None, InvalidInput),
        ("", None, InvalidInput),
        (None, [999999], NotFound),
        (None, [-4], InvalidInput),
        (None, [], InvalidInput),
    ],
)
def test_bad_input_gets_a_clear_domain_error(
    session, clock, world, ticket_no, flight_ids, error
) -> None:
    t = make_ticket(session, clock, [world["d3"]], fare=Fare.FLEX)
    with pytest.raises(error) as err:
        tickets.change_flight(
            session,
            context_for(t.passenger_id, clock),
            ticket_no=ticket_no if ticket_no is not None else t.ticket_no,
            new_flight_ids=flight_ids if flight_ids is not None else [world["d4"].id],
        )
    assert isinstance(err.value, DomainError) and len(err.value.message) > 15
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event.outcome == "invalid"


def test_an_unknown_ticket_is_refused_like_a_foreign_one(session, clock, world) -> None:
    # One answer for missing and foreign, so probing numbers tells nothing (test_bola.py).
    t = make_ticket(session, clock, [world["d3"]], fare=Fare.FLEX)
    ctx = context_for(t.passenger_id, clock)
    with pytest.raises(PolicyViolation) as err:
        tickets.change_flight(
            session, ctx, ticket_no="7249999999999", new_flight_ids=[world["d4"].id]
        )
    refused(err, Rule.NOT_OWNER)
    assert "No ticket 7249999999999 on" in err.value.message


def test_no_passenger_selected(session, clock, world) -> None:
    t = make_ticket(session, clock, [world["d3"]])
    with pytest.raises(PolicyViolation) as err:
        cancellations.cancel_ticket(session, context_for(None, clock), ticket_no=t.ticket_no)
    refused(err, Rule.NO_PASSENGER)
