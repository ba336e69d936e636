"""The first decision on an approval card wins, across replicas (issue #10, item 2).

Approve in one replica and deny in another at the same moment: each tries to INSERT its decision
under the approval id, in a transaction of its own, before anything runs. The primary key lets
exactly one in; the other gets an IntegrityError, reads the winner and is told what was decided.
The winner's decision is audited in the same transaction as its row, so the trail holds one
decision per card."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import ApprovalDecision
from services.core import audit
from services.core.context import ServiceContext


class Verdict(enum.StrEnum):
    APPROVED = "approved"
    DENIED = "denied"


@dataclass(frozen=True)
class StoredDecision:
    approval_id: str
    verdict: Verdict
    actor: str
    decided_at: datetime
    won: bool  # this call's decision is the stored one (first, or the same decision again)

    def explain(self) -> str:
        """For a late or conflicting decision: what was decided, and that nothing else was."""
        when = self.decided_at.strftime("%H:%M")
        return (
            f"This request was already {self.verdict.value} by {self.actor} at {when} UTC; "
            "nothing else was done."
        )


def _stored(row: ApprovalDecision, wanted: Verdict) -> StoredDecision:
    verdict = Verdict(row.decision)
    return StoredDecision(row.approval_id, verdict, row.actor, row.decided_at, verdict == wanted)


def stored_decision(session: Session, approval_id: str) -> StoredDecision | None:
    row = session.get(ApprovalDecision, approval_id)
    return None if row is None else _stored(row, Verdict(row.decision))


def decide(
    session: Session,
    ctx: ServiceContext,
    approval_id: str,
    verdict: Verdict,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> StoredDecision:
    """Store `verdict` as the decision on `approval_id` unless one is stored already.

    Returns the stored decision; `won` is False when a different decision came first (the
    caller must then do nothing). The same decision twice is idempotent and audited once."""
    action = "approve" if verdict is Verdict.APPROVED else "deny"
    existing = stored_decision(session, approval_id)
    session.rollback()
    if existing is not None:
        return _late(
            session, ctx, action, replace(existing, won=existing.verdict == verdict), details
        )
    audit.begin_write(session)
    try:
        session.add(
            ApprovalDecision(
                approval_id=approval_id,
                decision=verdict.value,
                actor=ctx.actor.username,
                decided_at=ctx.clock.now(),
                conversation=ctx.conversation_id,
            )
        )
        session.flush()  # the primary key decides the race here
        audit.append(
            session, ctx, action=action, outcome=verdict.value, message=reason, details=details
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        with session.begin():
            row = session.get(ApprovalDecision, approval_id)
        assert row is not None  # the row that beat us is committed
        return _late(session, ctx, action, _stored(row, verdict), details)
    return StoredDecision(approval_id, verdict, ctx.actor.username, ctx.clock.now(), True)


def _late(
    session: Session,
    ctx: ServiceContext,
    action: str,
    result: StoredDecision,
    details: dict[str, Any] | None,
) -> StoredDecision:
    """A conflicting decision that came second is audited as such (a repeat of the same
    decision is not: it changes nothing and the first is on record)."""
    if not result.won:
        audit.record_or_log(
            session,
            ctx,
            action=action,
            outcome="too_late",
            rule="already_decided",
            message=result.explain(),
            details=details,
        )
    return result
