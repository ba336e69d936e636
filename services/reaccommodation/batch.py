"""Executing an approved re-accommodation batch for one disrupted flight.

A staff member (agent or administrator; managers read, customers are refused) approves the
whole plan once. Each booking group (a row) then runs in one transaction of its own, so a group
is all or nothing: every ticket of it is changed with the existing write's own body
(tickets.change_flight, cancellations.cancel_ticket), claimed once under
"<batch_id>:<ticket_no>" (services.core.operations.claim_once), audited on its own, and its
passenger notice is queued in the outbox in that same transaction. A ticket that fails (a seat
sold meanwhile) rolls the whole group back; the group is re-planned once (`replan`) and the new
option tried, else reported failed with the rule's sentence.

Locks are taken in the house order (services/core/access.py): the group's tickets first (in id
order), then their legs, then flights, and the audit head last (every ticket's record is
appended after all the group's changes), so the batch queues behind racing conversations
instead of deadlocking with them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.models import Flight, Passenger, Role, Ticket
from services.core import audit, faults
from services.core.context import ServiceContext
from services.core.errors import (
    AlreadyExecuted,
    DomainError,
    InvalidInput,
    NotFound,
    PolicyViolation,
    Rule,
)
from services.core.operations import (
    audit_failure,
    executed_summary,
)
from services.disruptions.claims import flight_facts
from services.flights.flights import load_flights
from services.flights.itinerary import describe
from services.reaccommodation.batch_results import BatchResult, RowResult, RowStatus, TicketOutcome
from services.reaccommodation.batch_types import Action, Batch, RowDecision
from services.reaccommodation.ticket_step import (
    TicketFailed,
    execute_ticket,
    lock_group,
    ticket_key,
)

APPROVER_ROLES = frozenset({Role.AGENT, Role.ADMIN})
BATCH_ACTION = "reaccommodation_batch"

Replan = Callable[[Session, RowDecision], RowDecision | None]
Progress = Callable[[int, int], None]


def authorize_approver(ctx: ServiceContext) -> None:
    if ctx.actor.role not in APPROVER_ROLES:
        raise PolicyViolation(
            Rule.PERMISSION,
            f"A {ctx.actor.role.value} account cannot approve a re-accommodation batch; an "
            "agent or an administrator approves it.",
        )


def _execute_group(
    session: Session, ctx: ServiceContext, batch: Batch, row: RowDecision, disrupted_id: int
) -> list[TicketOutcome]:
    """All the row's tickets in one transaction: committed together, or none (raises)."""
    audit.begin_write(session)
    try:
        group = lock_group(session, batch, row.ticket_nos)
        disrupted = session.get_one(Flight, disrupted_id)
        done = [execute_ticket(session, ctx, batch, row, t, disrupted) for t in group]
        # The audit head is locked last, after every flight the group took (see the docstring).
        for step in done:
            details = {
                "args": step.args,
                "idempotency_key": step.ctx.idempotency_key,
                **step.result.audit_details(),
            }
            audit.append(session, step.ctx, action=step.action, outcome="executed", details=details)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return [step.outcome for step in done]


def _itinerary(session: Session, row: RowDecision) -> str:
    if row.action != Action.REBOOK or not row.new_flight_ids:
        return ""
    return ", ".join(describe(f) for f in load_flights(session, list(row.new_flight_ids)))


def _already(session: Session, batch: Batch, row: RowDecision) -> dict[str, str]:
    """The row's tickets an earlier run of this batch already executed, with what it did."""
    found = {n: executed_summary(session, ticket_key(batch.batch_id, n)) for n in row.ticket_nos}
    return {n: summary for n, summary in found.items() if summary}


def _already_done(session: Session, row: RowDecision, done: dict[str, str]) -> RowResult:
    """What the page shows for a group an earlier run executed: its summaries, nothing new."""
    rows = session.execute(
        select(Ticket.ticket_no, Passenger.first_name, Passenger.last_name)
        .join(Passenger, Passenger.id == Ticket.passenger_id)
        .where(Ticket.ticket_no.in_(list(done)))
    )
    names = {number: f"{first} {last}" for number, first, last in rows}
    outcomes = tuple(
        TicketOutcome(n, names.get(n, ""), done[n]) for n in row.ticket_nos if n in done
    )
    return RowResult(row, RowStatus.ALREADY_EXECUTED, _itinerary(session, row), outcomes)


@dataclass(frozen=True)
class _Failure:
    message: str
    rule: str | None
    fault: bool = False  # the database failed: no other option would fare better now


def _attempt(
    session: Session, ctx: ServiceContext, batch: Batch, row: RowDecision
) -> list[TicketOutcome] | _Failure:
    try:
        return _execute_group(session, ctx, batch, row, batch.flight_id)
    except TicketFailed as failed:
        err = failed.err
        if isinstance(err, DomainError):
            audit_failure(session, failed.ctx, failed.action, failed.call_args, err)
            return _Failure(err.message, err.code)
        fault = faults.report(err, where=failed.action)
        audit_failure(session, failed.ctx, failed.action, failed.call_args, err, fault=fault)
        return _Failure(faults.unavailable(fault).message, fault.error_type, fault=True)
    except AlreadyExecuted:
        raise  # not a failure: the caller looks at what the other run did
    except DomainError as err:  # the group itself was refused (a ticket not on the flight)
        audit_failure(session, ctx, BATCH_ACTION, {"ticket_nos": list(row.ticket_nos)}, err)
        return _Failure(err.message, err.code)
    except SQLAlchemyError as err:  # the database failed around the changes (audit, commit)
        fault = faults.report(err, where=BATCH_ACTION)
        args = {"ticket_nos": list(row.ticket_nos)}
        audit_failure(session, ctx, BATCH_ACTION, args, err, fault=fault)
        return _Failure(faults.unavailable(fault).message, fault.error_type, fault=True)


def _run_row(
    session: Session, ctx: ServiceContext, batch: Batch, row: RowDecision, replan: Replan | None
) -> RowResult:
    tried: list[RowDecision] = [row]
    first_failure: _Failure | None = None
    for _look in range(3):  # a racing run of the same batch can take the group once, not twice
        current = tried[-1]
        done = _already(session, batch, current)
        if done and len(done) == len(current.ticket_nos):
            result = _already_done(session, current, done)
            session.rollback()
            return result
        if done:  # only part of the group (a batch regrouped between runs): the rest runs
            current = replace(
                current, ticket_nos=tuple(n for n in current.ticket_nos if n not in done)
            )
        session.rollback()
        try:
            outcome = _attempt(session, ctx, batch, current)
        except AlreadyExecuted:  # another run of the batch took it meanwhile: look again
            continue
        if not isinstance(outcome, _Failure):
            if current.action == Action.LEAVE_FOR_CONVERSATION:
                status = RowStatus.LEFT_FOR_CONVERSATION
            else:
                status = RowStatus.EXECUTED if len(tried) == 1 else RowStatus.REPLANNED
            reason = first_failure.message if first_failure else ""
            return RowResult(current, status, _itinerary(session, current), tuple(outcome), reason)
        first_failure = first_failure or outcome
        option = None
        if replan is not None and len(tried) == 1 and not outcome.fault:
            option = replan(session, current)
        session.rollback()
        if option is None or option == current:
            return RowResult(current, RowStatus.FAILED, reason=outcome.message, rule=outcome.rule)
        tried.append(option)
    return _already_done(session, row, _already(session, batch, row))


def execute_batch(
    session: Session,
    ctx: ServiceContext,
    batch: Batch,
    *,
    replan: Replan | None = None,
    progress: Progress | None = None,
) -> BatchResult:
    """Execute every row of an approved batch (see the module's docstring); running the same
    batch again executes nothing twice and reports those rows as already executed."""
    try:
        authorize_approver(ctx)
        flight = session.get(Flight, batch.flight_id)
        if flight is None:
            raise NotFound(f"Flight {batch.flight_id} does not exist.")
        if flight_facts(session, flight).kind is None:
            raise InvalidInput(
                f"{describe(flight)} is neither cancelled nor delayed: there is nobody to "
                "re-accommodate."
            )
    except DomainError as err:
        session.rollback()
        audit_failure(session, ctx, BATCH_ACTION, {"batch_id": batch.batch_id}, err)
        raise
    results: list[RowResult] = []
    total = len(batch.rows)
    for row in batch.rows:
        results.append(_run_row(session, ctx, batch, row, replan))
        if progress is not None:
            progress(len(results), total)
    return BatchResult(batch.batch_id, tuple(results))
