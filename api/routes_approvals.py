"""Approval cards: approve or deny. For a customer, the card is their own explicit
confirmation. The first decision wins (services.core.approvals stores it under the approval id;
the runtime runs a card's write once); the same decision again is idempotent (200, nothing
runs), a different one afterwards is a conflict (409)."""

from __future__ import annotations

import itertools
from enum import StrEnum
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from agent.events import ErrorEvent
from api import streams
from api.chats import open_chat, require_chat_role
from api.deps import Caller, State
from api.problems import Problem
from services.core.approvals import StoredDecision, Verdict, stored_decision
from services.core.errors import NotFound
from services.support.event_log import conversation_of_approval

router = APIRouter(prefix="/api/v1/approvals", tags=["approvals"])
# What the runtime answers a decision that came too late (another tab, replica or click).
SETTLED = frozenset({"approval_not_pending", "approval_already_decided"})


class DecisionKind(StrEnum):
    APPROVE = "approve"
    DENY = "deny"


class DecisionIn(BaseModel):
    decision: DecisionKind
    reason: str | None = Field(default=None, max_length=500)


class DecisionOut(BaseModel):
    approval_id: str
    conversation_id: str
    decision: Verdict
    outcome: str = Field(description="decided: this call ran it; already_decided: idempotent")
    decided_by: str | None = None
    events: list[dict[str, Any]] = []


def _settled(stored: StoredDecision | None, wanted: Verdict, out: DecisionOut) -> DecisionOut:
    if stored is None:
        raise Problem(409, "This approval is no longer pending.", slug="approval-not-pending")
    if stored.verdict != wanted:
        raise Problem(409, stored.explain(), slug="approval-already-decided")
    return out.model_copy(update={"outcome": "already_decided", "decided_by": stored.actor})


@router.post("/{approval_id}", response_model=DecisionOut, summary="Approve or deny a card")
def decide(approval_id: str, body: DecisionIn, caller: Caller, state: State) -> DecisionOut:
    require_chat_role(caller)
    with state.session_factory() as session:
        conversation_id = conversation_of_approval(session, approval_id=approval_id)
    if conversation_id is None:
        raise NotFound(f"There is no approval {approval_id}.")
    chat = open_chat(state, caller, conversation_id)
    wanted = Verdict.APPROVED if body.decision is DecisionKind.APPROVE else Verdict.DENIED
    out = DecisionOut(
        approval_id=approval_id, conversation_id=conversation_id, decision=wanted, outcome=""
    )

    def stored() -> StoredDecision | None:
        with state.session_factory() as session:
            return stored_decision(session, approval_id)

    if (earlier := stored()) is not None:
        return _settled(earlier, wanted, out)
    if body.decision is DecisionKind.APPROVE:
        run = iter(chat.approve(approval_id))
    else:
        run = iter(chat.deny(approval_id, body.reason))
    # The runtime's lock makes a concurrent second decision wait for the first run, then
    # answer "not pending": that answer is not logged, the stored decision says what to reply.
    first = next(run, None)
    if isinstance(first, ErrorEvent) and first.kind in SETTLED:
        for _ in run:
            pass
        return _settled(stored(), wanted, out)
    events = itertools.chain([first] if first is not None else [], run)
    logged = streams.log(state, conversation_id, events, claimed=False)
    return out.model_copy(
        update={
            "outcome": "decided",
            "decided_by": caller.username,
            "events": [streams.as_json(e) for e in logged],
        }
    )
