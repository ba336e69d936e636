"""What a re-accommodation batch reports back: one result per booking group, the tickets' money,
and a CSV of it for the desk (services.reaccommodation.batch writes these)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from services.reaccommodation.batch_types import RowDecision

ZERO = Decimal("0.00")


class RowStatus(StrEnum):
    EXECUTED = "executed"
    ALREADY_EXECUTED = "already_executed"  # an earlier run (a retry, another replica) did it
    REPLANNED = "replanned"  # the approved option failed; the re-planned one executed
    FAILED = "failed"  # nothing of the group changed
    LEFT_FOR_CONVERSATION = "left_for_conversation"


@dataclass(frozen=True)
class TicketOutcome:
    ticket_no: str
    passenger: str
    summary: str
    charged: Decimal = ZERO
    refunded: Decimal = ZERO
    # What the notice told the passenger they are owed, e.g. "EUR 400.00 (CHF 376.00), Art. 7(1)(b)".
    compensation: str = ""


@dataclass(frozen=True)
class RowResult:
    decision: RowDecision  # the decision that executed (the re-planned one when REPLANNED)
    status: RowStatus
    itinerary: str = ""  # the new flights, "AL 102 ZRH-LHR 2026-11-30 07:10, ..."
    tickets: tuple[TicketOutcome, ...] = ()
    reason: str = ""  # the rule's sentence when the approved option (or all options) failed
    rule: str | None = None

    @property
    def charged(self) -> Decimal:
        return sum((t.charged for t in self.tickets), ZERO)

    @property
    def refunded(self) -> Decimal:
        return sum((t.refunded for t in self.tickets), ZERO)


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    rows: tuple[RowResult, ...]

    def count(self, status: RowStatus) -> int:
        return sum(1 for row in self.rows if row.status == status)


CSV_COLUMNS = (
    "batch", "row", "ticket", "passenger", "action", "status", "new itinerary",
    "charged CHF", "refunded CHF", "compensation", "reason",
)  # fmt: skip
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralised(cell: str) -> str:
    """The cell as text a spreadsheet shows, never evaluates: a leading quote defuses a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_START) else cell


def result_csv(result: BatchResult) -> str:
    """One line per ticket (a group's tickets share its status and itinerary)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, row in enumerate(result.rows, start=1):
        by_ticket = {t.ticket_no: t for t in row.tickets}
        for ticket_no in row.decision.ticket_nos:
            outcome = by_ticket.get(ticket_no)
            cells = (
                result.batch_id, str(number), ticket_no,
                outcome.passenger if outcome else "", row.decision.action.value,
                row.status.value, row.itinerary,
                f"{outcome.charged:.2f}" if outcome else "",
                f"{outcome.refunded:.2f}" if outcome else "",
                outcome.compensation if outcome else "", row.reason,
            )  # fmt: skip
            writer.writerow([neutralised(cell) for cell in cells])
    return out.getvalue()
