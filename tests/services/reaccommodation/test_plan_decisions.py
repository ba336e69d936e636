"""The desk's adjusted plan as the executor's batch (services/reaccommodation/plan_decisions.py):
each adjustment's decision, rows that change nothing left out, and a row whose seat was sold
after the plan re-planned onto the next itinerary with seats for the whole party; SQLite, and
PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import pytest

from db.models import LegStatus, Ticket
from services.core.errors import InvalidInput
from services.disruptions import PartyMember, RowAction, party_options, plan_flight
from services.reaccommodation import (
    Action,
    Adjustment,
    Choice,
    RowStatus,
    batch_from_plan,
    decision_for,
    execute_batch,
    replanner,
    row_key,
)
from tests import factories as f
from tests.services.disruptions.planning import H, booked, cancel, row_of, staff


@pytest.fixture(autouse=True)
def world(session) -> None:
    f.reference_data(session)


def test_each_adjustment_becomes_its_decision(session, clock) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "LHR", now + 6 * H)
    soon = f.flight(session, "ZRH", "LHR", now + 8 * H)
    later = f.flight(session, "ZRH", "LHR", now + 12 * H)
    planned, other, talk, refund = (booked(session, clock, [cancelled]) for _ in range(4))
    session.commit()
    cancel(session, clock, cancelled)
    plan = plan_flight(session, staff(clock), flight_id=cancelled.id)
    [alternative] = [
        o for o in party_options(
            session, staff(clock), party=[PartyMember(other.ticket_no, other.passenger_id)]
        ) if o.flight_ids == (later.id,)
    ]  # fmt: skip
    adjustments = {
        row_key(row_of(plan, other.ticket_no)): Adjustment(Choice.OTHER_OPTION, alternative),
        row_key(row_of(plan, talk.ticket_no)): Adjustment(Choice.CONVERSATION),
        row_key(row_of(plan, refund.ticket_no)): Adjustment(Choice.REFUND),
    }

    batch = batch_from_plan("b-1", plan, adjustments)

    by_ticket = {d.ticket_nos: d for d in batch.rows}
    assert (batch.batch_id, batch.flight_id, len(batch.rows)) == ("b-1", cancelled.id, 4)
    assert by_ticket[(planned.ticket_no,)].action == Action.REBOOK
    assert by_ticket[(planned.ticket_no,)].new_flight_ids == (soon.id,)
    assert by_ticket[(other.ticket_no,)].new_flight_ids == (later.id,)
    assert by_ticket[(talk.ticket_no,)].action == Action.LEAVE_FOR_CONVERSATION
    assert by_ticket[(refund.ticket_no,)].action == Action.REFUND
    # The rows keep the plan's order: its priorities decide who is served first.
    assert [d.ticket_nos for d in batch.rows] == [r.ticket_nos for r in plan.rows]


def test_a_row_with_no_option_is_left_for_a_conversation_and_another_option_needs_one(
    session, clock
) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "SIN", now + 6 * H, hours=12)  # no other flight
    stranded = booked(session, clock, [cancelled])
    session.commit()
    cancel(session, clock, cancelled)
    plan = plan_flight(session, staff(clock), flight_id=cancelled.id)
    row = row_of(plan, stranded.ticket_no)
    assert row.action == RowAction.NO_OPTION

    decision = decision_for(row)
    assert decision is not None and decision.action == Action.LEAVE_FOR_CONVERSATION
    with pytest.raises(InvalidInput, match="Choose the other itinerary"):
        decision_for(row, Adjustment(Choice.OTHER_OPTION))


def test_a_seat_sold_after_the_plan_is_replanned_for_the_whole_party(session, clock) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "LHR", now + 6 * H)
    two_left = f.flight(session, "ZRH", "LHR", now + 8 * H)
    roomy = f.flight(session, "ZRH", "LHR", now + 12 * H)
    f.fill(session, two_left, leave=2, issued_at=now - 30 * 24 * H)
    first = booked(session, clock, [cancelled])
    second = booked(session, clock, [cancelled], party=first)
    session.commit()
    cancel(session, clock, cancelled)
    ctx = staff(clock)
    plan = plan_flight(session, ctx, flight_id=cancelled.id)
    proposed = row_of(plan, first.ticket_no).option
    assert proposed is not None and proposed.flight_ids == (two_left.id,)
    # Meanwhile a conversation sells one of the two seats: the party no longer fits.
    booked(session, clock, [two_left], days_ago=0)
    session.commit()

    result = execute_batch(
        session, ctx, batch_from_plan("b-2", plan, {}), replan=replanner(ctx, plan)
    )

    (row,) = result.rows
    assert row.status == RowStatus.REPLANNED and row.decision.new_flight_ids == (roomy.id,)
    assert row.reason  # why the approved option failed
    session.expire_all()
    for ticket_no in (first.ticket_no, second.ticket_no):
        ticket = session.query(Ticket).filter_by(ticket_no=ticket_no).one()
        assert [leg.flight_id for leg in ticket.legs if leg.status == LegStatus.ACTIVE] == [
            roomy.id
        ]
