"""What a re-accommodation batch is given: one approved decision per booking group of one
disrupted flight (what it reports back is in batch_results)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    REBOOK = "rebook"
    REFUND = "refund"
    LEAVE_FOR_CONVERSATION = "leave_for_conversation"


@dataclass(frozen=True)
class RowDecision:
    """One booking group travelling together, and what the approver chose for all of it.
    `new_flight_ids`: the new itinerary's flights in order (REBOOK only)."""

    ticket_nos: tuple[str, ...]
    action: Action
    new_flight_ids: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Batch:
    """The decisions approved at once for one disrupted flight. `batch_id` names the approval:
    each ticket's change runs at most once under "<batch_id>:<ticket_no>"."""

    batch_id: str
    flight_id: int
    rows: tuple[RowDecision, ...]
