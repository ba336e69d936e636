"""Executing an approved re-accommodation of a disrupted flight's passengers.

- batch_types: what a batch is given (`Action`, `RowDecision` per booking group, `Batch`);
  batch_results: what it reports (`RowStatus`, `RowResult`, `BatchResult`, `result_csv`).
- batch: `execute_batch` (each group in one transaction, each ticket once and audited on its
  own through the existing writes, a failed group re-planned once or failed whole).
- ticket_step: one ticket's change inside its group's transaction.
- plan_decisions: the desk's adjusted plan as a `Batch` (`batch_from_plan`), and the
  `replanner` a failed row is re-planned with.
- notices: the passenger's notice (what happened, the new itinerary, the EU 261 entitlements,
  how to claim), queued in the outbox in the change's own transaction.

A package of its own, not part of services.disruptions: it uses the flight writes
(services.flights) and escalations (services.support), which themselves read
services.disruptions' entitlements, and sibling packages may not import each other in a cycle."""

from services.reaccommodation.batch import APPROVER_ROLES, execute_batch
from services.reaccommodation.batch_results import (
    BatchResult,
    RowResult,
    RowStatus,
    TicketOutcome,
    result_csv,
)
from services.reaccommodation.batch_types import Action, Batch, RowDecision
from services.reaccommodation.plan_decisions import (
    AS_PLANNED,
    Adjustment,
    Choice,
    batch_from_plan,
    decision_for,
    replanner,
    row_key,
)
from services.reaccommodation.ticket_step import ticket_key

__all__ = [
    "APPROVER_ROLES",
    "AS_PLANNED",
    "Action",
    "Adjustment",
    "Batch",
    "BatchResult",
    "Choice",
    "RowDecision",
    "RowResult",
    "RowStatus",
    "TicketOutcome",
    "batch_from_plan",
    "decision_for",
    "execute_batch",
    "replanner",
    "result_csv",
    "row_key",
    "ticket_key",
]
