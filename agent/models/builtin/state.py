"""The built-in model's typed working state: what it is doing (`Intent`), how far it got
(`Stage`), the task carried across turns in its notes, and the decision it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Intent(StrEnum):
    """What the user asked for; each has a flow (planner.FLOWS)."""

    CHANGE_FLIGHT = "change_flight"
    QUOTE_CHANGE = "quote_change"  # what a change would cost: never writes
    CANCEL_TICKET = "cancel_ticket"
    QUOTE_CANCEL = "quote_cancel"  # what a cancellation would refund: never writes
    COMPENSATION = "compensation"
    DISRUPTION = "disruption"  # a disrupted passenger's options and entitlements: never writes
    FLIGHT_STATUS = "flight_status"
    BOOK_FLIGHT = "book_flight"
    TRIPS = "trips"
    POLICY = "policy"
    ESCALATE = "escalate"
    OTHER_PERSON = "other_person"  # a request about someone else's bookings: explained, not done
    HOTEL_BOOK = "hotel_book"
    HOTEL_CHANGE = "hotel_change"
    HOTEL_CANCEL = "hotel_cancel"
    CAR_BOOK = "car_book"
    CAR_CHANGE = "car_change"
    CAR_CANCEL = "car_cancel"
    EXCURSION_BOOK = "excursion_book"
    EXCURSION_CANCEL = "excursion_cancel"

    @property
    def asks_only(self) -> bool:
        """An intent that only informs: no write may follow from it."""
        return self in READ_ONLY


READ_ONLY = frozenset(
    {
        Intent.QUOTE_CHANGE,
        Intent.QUOTE_CANCEL,
        Intent.FLIGHT_STATUS,
        Intent.TRIPS,
        Intent.POLICY,
        Intent.OTHER_PERSON,
        Intent.DISRUPTION,
    }
)


class Stage(StrEnum):
    START = "start"
    AWAITING_CHOICE = "awaiting_choice"  # a list was shown; the reply picks from it
    AWAITING_DATE = "awaiting_date"
    AWAITING_TICKET = "awaiting_ticket"
    AWAITING_DETAILS = "awaiting_details"
    AWAITING_CONFIRM = "awaiting_confirm"  # "shall I?": a yes goes ahead
    AWAITING_BOOKING = "awaiting_booking"
    CHOSEN = "chosen"  # the user picked an option: the write comes next
    EXECUTING = "executing"  # a write was called
    DONE = "done"
    REFUSED = "refused"
    FAILED = "failed"

    @property
    def awaiting(self) -> bool:
        return self.value.startswith("awaiting_")


Slots = dict[str, Any]  # the details a task gathered (dates, ticket, places...): see slots.py


@dataclass
class Task:
    """What the model is working on across turns: an intent, its slots and how far it got."""

    intent: Intent
    slots: Slots = field(default_factory=dict)
    stage: Stage = Stage.START
    rule: str = ""  # the selection rule that chose the intent (rules.RULES)

    def __post_init__(self) -> None:
        self.intent = Intent(self.intent)
        self.stage = Stage(self.stage)

    def at(self, stage: Stage, **slots: Any) -> Task:
        """The same task at another stage, with some slots added."""
        return Task(self.intent, {**self.slots, **slots}, stage, self.rule)

    def as_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent.value,
            "slots": self.slots,
            "stage": self.stage.value,
            "rule": self.rule,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Task | None:
        if not data:
            return None
        try:
            return cls(
                Intent(data["intent"]),
                dict(data.get("slots") or {}),
                Stage(data.get("stage", "start")),
                str(data.get("rule") or ""),
            )
        except (KeyError, ValueError):  # notes of another version: start afresh
            return None


@dataclass
class Decision:
    text: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    task: Task | None = None
    options: dict[str, Any] | None = None  # what a follow-up may pick from
    rule: str = ""  # the selection rule behind this decision (shown in the evaluation JSON)
    guarded: list[str] = field(default_factory=list)  # write calls the write guard held back

    def memory(self) -> dict[str, Any]:
        return {
            "task": self.task.as_dict() if self.task else None,
            "options": self.options,
            "rule": self.rule,
        }
