"""Executing an approved re-accommodation batch (services/reaccommodation/batch.py): each ticket
once, audited on its own, a booking group all or nothing (re-planned or failed, never half
applied), the passenger's notice queued iff the change committed, the CSV safe to open in a
spreadsheet, and only agents and administrators approving (SQLite, and PostgreSQL when
TEST_DATABASE_URL is set)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from db.models import (
    AuditEvent,
    Escalation,
    Flight,
    NoticeKind,
    OutboxMessage,
    Passenger,
    Payment,
    Role,
    Ticket,
    TicketStatus,
)
from services.core.context import Actor
from services.core.errors import InvalidInput, PolicyViolation, Rule
from services.reaccommodation.batch import execute_batch
from services.reaccommodation.batch_results import RowStatus, result_csv
from services.reaccommodation.batch_types import Action, Batch, RowDecision
from tests import factories as f
from tests.services.reaccommodation.batch_world import (
    active_flights,
    build,
    executed_records,
    free_economy,
    notices,
    rebook_all,
    staff,
)


@pytest.fixture
def world(session, clock):
    return build(session, clock)


def every_ticket(world) -> list[str]:
    return [n for group in world.groups for n in group]


def test_a_batch_rebooks_each_passenger_once_each_audited_once(session, clock, world) -> None:
    seen: list[tuple[int, int]] = []
    result = execute_batch(
        session, staff(clock), rebook_all(world), progress=lambda d, t: seen.append((d, t))
    )
    assert [r.status for r in result.rows] == [RowStatus.EXECUTED] * 3
    assert seen == [(1, 3), (2, 3), (3, 3)]
    for number in every_ticket(world):
        assert active_flights(session, number) == [world.later[0]]
    assert executed_records(session, "change_flight") == {n: 1 for n in every_ticket(world)}
    assert sum(r.charged for r in result.rows) == 0  # free after an airline cancellation
    assert notices(session) == {n: 1 for n in every_ticket(world)}
    # Each record is the approving agent's, for that ticket's own passenger.
    for event in session.scalars(select(AuditEvent).where(AuditEvent.action == "change_flight")):
        assert event.actor == "anna"
        assert event.passenger_id == world.passengers[event.details["args"]["ticket_no"]]
        assert event.details["idempotency_key"] == f"batch-1:{event.details['args']['ticket_no']}"


def test_the_notice_says_what_happened_what_is_owed_and_how_to_claim(session, clock, world) -> None:
    execute_batch(session, staff(clock), rebook_all(world))
    number = world.groups[0][0]
    notice = session.scalar(select(OutboxMessage).where(OutboxMessage.ticket_no == number))
    assert notice.kind == NoticeKind.REBOOKED and notice.delivered_at is None
    assert notice.passenger_id == world.passengers[number]
    assert "cancelled" in notice.subject and "rebooked" in notice.subject
    # ZRH-LHR is under 1,500 km: EUR 250 (Art. 7(1)(a)), the rerouting arriving a day late.
    assert "EUR 250.00" in notice.body and f"CHF {f.eu261_chf(250)}" in notice.body
    assert "Art. 7(1)(a)" in notice.body
    assert "Care (" in notice.body and "How to claim" in notice.body and number in notice.body
    assert "full refund" in notice.body and "Art. 8" in notice.body


def test_running_the_same_batch_again_executes_nothing_new(session, clock, world) -> None:
    execute_batch(session, staff(clock), rebook_all(world))
    records = session.scalar(select(func.count()).select_from(AuditEvent))
    again = execute_batch(session, staff(clock), rebook_all(world))
    assert [r.status for r in again.rows] == [RowStatus.ALREADY_EXECUTED] * 3
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == records
    assert executed_records(session, "change_flight") == {n: 1 for n in every_ticket(world)}
    assert notices(session) == {n: 1 for n in every_ticket(world)}


def sell_all_but(session, clock, flight_id: int, leave: int) -> None:
    """Live bookings took the flight's seats since the plan was made."""
    flight = session.get_one(Flight, flight_id)
    f.fill(session, flight, leave=leave, issued_at=clock.now())
    session.commit()


def test_a_group_whose_seat_was_sold_meanwhile_is_replanned_whole(session, clock, world) -> None:
    # 4 seats left: the pair and the single fit; the third of the family of three does not.
    sell_all_but(session, clock, world.later[0], leave=4)
    asked: list[RowDecision] = []

    def replan(_session, row: RowDecision) -> RowDecision:
        asked.append(row)
        return RowDecision(row.ticket_nos, Action.REBOOK, (world.later[1],))

    result = execute_batch(session, staff(clock), rebook_all(world), replan=replan)
    family = world.groups[2]
    assert [r.status for r in result.rows] == [
        RowStatus.EXECUTED, RowStatus.EXECUTED, RowStatus.REPLANNED,
    ]  # fmt: skip
    assert asked == [rebook_all(world).rows[2]]
    assert result.rows[2].decision.new_flight_ids == (world.later[1],)
    assert "No free economy seat" in result.rows[2].reason
    for number in family:  # all three together on the later flight, none left behind
        assert active_flights(session, number) == [world.later[1]]
    assert executed_records(session, "change_flight") == {n: 1 for n in every_ticket(world)}
    refused = session.scalars(
        select(AuditEvent.rule).where(
            AuditEvent.action == "change_flight", AuditEvent.outcome == "refused"
        )
    ).all()
    assert refused == [Rule.NO_SEAT.value]
    assert notices(session) == {n: 1 for n in every_ticket(world)}


def test_a_group_with_no_other_option_fails_whole(session, clock, world) -> None:
    sell_all_but(session, clock, world.later[0], leave=4)
    result = execute_batch(session, staff(clock), rebook_all(world), replan=lambda _s, _row: None)
    failed = result.rows[2]
    assert failed.status == RowStatus.FAILED and failed.rule == Rule.NO_SEAT.value
    assert failed.reason.startswith("No free economy seat is left on")
    for number in world.groups[2]:  # the two who had a seat gave it back with the third
        assert active_flights(session, number) == [world.cancelled]
        assert number not in executed_records(session, "change_flight")
        assert number not in notices(session)  # no change committed, no notice
    assert free_economy(session, world.later[0]) == 1


def test_refund_rows_refund_in_full_with_a_notice(session, clock, world) -> None:
    pair = world.groups[0]
    paid = {
        n: sum(leg.price_paid for leg in session.scalar(select(Ticket).where(Ticket.ticket_no == n)).legs)
        for n in pair
    }  # fmt: skip
    session.rollback()
    batch = Batch("b-refund", world.cancelled, (RowDecision(pair, Action.REFUND),))
    result = execute_batch(session, staff(clock), batch)
    assert result.rows[0].status == RowStatus.EXECUTED
    assert result.rows[0].refunded == sum(paid.values())
    for number in pair:
        ticket = session.scalar(select(Ticket).where(Ticket.ticket_no == number))
        assert ticket.status == TicketStatus.CANCELLED
        refund = session.scalar(select(Payment).where(Payment.ticket_id == ticket.id))
        assert (refund.kind, refund.amount) == ("refund", paid[number])
    kinds = set(session.scalars(select(OutboxMessage.kind)))
    assert kinds == {NoticeKind.REFUNDED}
    assert executed_records(session, "cancel_ticket") == {n: 1 for n in pair}


def test_leaving_a_group_for_a_conversation_opens_an_escalation_only(session, clock, world) -> None:
    pair = world.groups[0]
    batch = Batch("b-talk", world.cancelled, (RowDecision(pair, Action.LEAVE_FOR_CONVERSATION),))
    result = execute_batch(session, staff(clock), batch)
    again = execute_batch(session, staff(clock), batch)
    assert result.rows[0].status == RowStatus.LEFT_FOR_CONVERSATION
    assert again.rows[0].status == RowStatus.ALREADY_EXECUTED
    opened = session.scalars(select(Escalation)).all()
    assert sorted(e.passenger_id for e in opened) == sorted(world.passengers[n] for n in pair)
    assert all("b-talk" in e.summary for e in opened)
    for number in pair:
        assert active_flights(session, number) == [world.cancelled]
    assert notices(session) == {}


def test_a_row_naming_a_ticket_of_another_flight_changes_nothing(session, clock, world) -> None:
    stranger = f.passenger(session)
    other = f.ticket(session, stranger, [session.get_one(Flight, world.later[1])],
                     issued_at=clock.now())  # fmt: skip
    session.commit()
    row = RowDecision((world.groups[1][0], other.ticket_no), Action.REBOOK, (world.later[0],))
    result = execute_batch(session, staff(clock), Batch("b-forged", world.cancelled, (row,)))
    assert result.rows[0].status == RowStatus.FAILED
    assert "not on the disrupted flight" in result.rows[0].reason
    assert active_flights(session, other.ticket_no) == [world.later[1]]
    assert active_flights(session, world.groups[1][0]) == [world.cancelled]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.CUSTOMER])
def test_managers_and_customers_cannot_approve_a_batch(session, clock, world, role) -> None:
    actor = Actor("someone", role, passenger_id=world.passengers[world.groups[1][0]])
    with pytest.raises(PolicyViolation) as err:
        execute_batch(session, staff(clock, actor), rebook_all(world))
    assert err.value.code == Rule.PERMISSION.value
    for number in every_ticket(world):
        assert active_flights(session, number) == [world.cancelled]
    refusal = session.scalar(select(AuditEvent).where(AuditEvent.outcome == "refused"))
    assert (refusal.action, refusal.actor_role) == ("reaccommodation_batch", role.value)
    assert notices(session) == {}


def test_the_csv_defuses_formulas_in_passenger_names(session, clock, world) -> None:
    number = world.groups[1][0]
    passenger = session.get_one(Passenger, world.passengers[number])
    passenger.first_name, passenger.last_name = '=HYPERLINK("http://x.example")', "-2+3"
    session.commit()
    result = execute_batch(session, staff(clock), rebook_all(world))
    lines = list(csv.reader(io.StringIO(result_csv(result))))
    assert lines[0][:4] == ["batch", "row", "ticket", "passenger"]
    assert len(lines) == 1 + len(every_ticket(world))
    row = next(line for line in lines if line[2] == number)
    assert row[3].startswith("'=HYPERLINK") and row[5] == "executed"
    assert Decimal(row[7]) == 0 and row[6].startswith("AL ")
    assert all(not cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


def test_a_flight_that_is_not_disrupted_has_nobody_to_re_accommodate(session, clock, world) -> None:
    batch = Batch("b-calm", world.later[0], ())
    with pytest.raises(InvalidInput) as err:
        execute_batch(session, staff(clock), batch)
    assert "neither cancelled nor delayed" in err.value.message


def test_a_group_whose_commit_fails_keeps_neither_its_changes_nor_its_notices(
    session, clock, world, monkeypatch
) -> None:
    """The notice is queued in the change's transaction: the database failing as the second
    group commits loses both, and the group is reported failed, not re-planned."""
    commits = {"n": 0}
    real_commit = session.commit

    def commit() -> None:
        commits["n"] += 1
        if commits["n"] == 2:  # the second group's transaction
            session.rollback()
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"))
        real_commit()

    monkeypatch.setattr(session, "commit", commit)
    replans: list[RowDecision] = []
    result = execute_batch(
        session, staff(clock), rebook_all(world), replan=lambda _s, row: replans.append(row)
    )
    monkeypatch.undo()
    assert [r.status for r in result.rows] == [
        RowStatus.EXECUTED, RowStatus.FAILED, RowStatus.EXECUTED,
    ]  # fmt: skip
    failed = result.rows[1]
    assert replans == [] and failed.rule == "OperationalError"
    assert failed.reason and "server closed" not in failed.reason  # the log has the text
    single = world.groups[1][0]
    assert active_flights(session, single) == [world.cancelled]
    assert single not in notices(session) and single not in executed_records(
        session, "change_flight"
    )
    assert set(notices(session)) == set(world.groups[0]) | set(world.groups[2])
