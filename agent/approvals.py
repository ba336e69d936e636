"""The approval card a write waits behind, and the decision that answers it."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class Change(BaseModel):
    """One line of 'what changes': label, value before, value after."""

    label: str
    before: str | None = None
    after: str | None = None


class ApprovalRequest(BaseModel):
    """The payload of `interrupt()`: plain JSON, so it lives in the checkpoint and any
    replica can show it after a restart."""

    approval_id: str
    thread_id: str
    tool_call_id: str
    tool: str
    args: dict[str, Any]
    summary: str  # one line for a human
    changes: list[Change] = Field(default_factory=list)
    charge: Decimal | None = None  # what the passenger pays, as quoted by the services
    refund: Decimal | None = None  # what the passenger gets back
    currency: str = "CHF"
    details: list[str] = Field(default_factory=list)  # fee breakdown and other facts
    rule: str | None = None  # the policy line the quote follows


class Decision(BaseModel):
    """The resume value of the interrupt. It repeats the amounts the approver saw: the node
    passes them into the write, which refuses inside its transaction if they no longer hold."""

    approved: bool
    reason: str | None = None
    by: str | None = None
    charge: Decimal | None = None
    refund: Decimal | None = None

    @classmethod
    def approve(cls, request: ApprovalRequest, by: str) -> Decision:
        return cls(approved=True, by=by, charge=request.charge, refund=request.refund)

    @classmethod
    def deny(cls, by: str, reason: str | None) -> Decision:
        return cls(approved=False, by=by, reason=reason)


def approval_id(thread_id: str, message_id: str | None, tool_call_id: str) -> str:
    """Stable for one tool call, unique across turns even when a model reuses call ids such as
    'call_0', and short enough for executed_actions.key (100 characters)."""
    digest = hashlib.sha256(f"{message_id}|{tool_call_id}".encode()).hexdigest()[:24]
    return f"{thread_id}:{digest}"


def decision_details(request: ApprovalRequest) -> dict[str, Any]:
    """What the audit records with a decision on `request`."""
    return {"tool": request.tool, "args": request.args, "approval_id": request.approval_id}
