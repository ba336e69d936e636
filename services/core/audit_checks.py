"""Recorded checks of the audit chain.

Every check is itself an audit record (`verify_audit_chain`, outcome intact or broken) that
names the last record it found intact. So who checked, and when, is on the trail, inside the
chain a tamperer would have to rewrite; and the next check may start from that record ("new
records only"), which takes milliseconds where a million-record chain takes a minute. The check
from the first record stays the thorough one: see services.core.audit.verify for what a check from
a checkpoint cannot see.

A check is also compared with the signed anchors exported outside the database
(services/core/audit_anchor.py), and a check that finds the chain intact exports a new one: that is
what catches a rewrite by someone who can write the database (a shortened, re-hashed or emptied
chain verifies on its own)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import get_settings
from db.models import AuditEvent, Role
from services.core import audit, replica
from services.core.audit import START, Checkpoint, VerifyResult
from services.core.audit_anchor import AnchorStore, anchor_store, chain_problem
from services.core.context import ServiceContext
from services.core.errors import PolicyViolation, Rule

VERIFY_ACTION = "verify_audit_chain"
INTACT, BROKEN = "ok", "error"  # outcomes the Audit page already filters by
CHECK_ROLES = frozenset({Role.MANAGER, Role.ADMIN, Role.SYSTEM})


@dataclass(frozen=True)
class LastCheck:
    """The newest check that found the chain intact."""

    checkpoint: Checkpoint
    at: datetime
    by: str


def last_intact_check(session: Session) -> LastCheck | None:
    row = session.execute(
        select(AuditEvent.ts, AuditEvent.actor, AuditEvent.details)
        .where(AuditEvent.action == VERIFY_ACTION, AuditEvent.outcome == INTACT)
        .order_by(AuditEvent.ts.desc(), AuditEvent.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    checkpoint = Checkpoint(int(row.details["verified_to_seq"]), str(row.details["verified_hash"]))
    return LastCheck(checkpoint, row.ts, row.actor)


def check_chain(
    session: Session,
    ctx: ServiceContext,
    *,
    new_records_only: bool = False,
    anchors: AnchorStore | None = None,
    read: Session | None = None,
) -> VerifyResult:
    """Verify the chain (from the last intact check with `new_records_only`, else from the
    first record) against the exported anchors, record the check, intact or broken, on the
    trail, and export an anchor of an intact one. `anchors`: this deployment's store (settings)
    for the session's own database unless given. `read`: a read replica's session to read the
    chain from (once it has replayed what `session`'s primary had committed; else the primary
    is read); the check is always recorded through `session`."""
    if ctx.actor.role not in CHECK_ROLES:
        raise PolicyViolation(
            Rule.PERMISSION, "Only managers and admins can check the audit trail."
        )
    # Resolved first: a deployment without a usable key or directory learns it before a check
    # that could not be anchored is recorded.
    store = anchors or anchor_store(get_settings(), session.get_bind().engine.url)
    reader, read_from = _reader(session, read)
    previous = last_intact_check(reader) if new_records_only else None
    result = audit.verify(reader, after=previous.checkpoint if previous else START)
    mismatch = chain_problem(reader, store) if result.ok else None
    if mismatch is not None:
        result = replace(result, ok=False, first_bad_seq=mismatch.seq, problem=mismatch.problem)
    audit.record(
        session,
        ctx,
        action=VERIFY_ACTION,
        outcome=INTACT if result.ok else BROKEN,
        rule=None if result.ok else "audit_chain_broken",
        message=str(result),
        details={
            "scope": "new records" if result.start.seq else "whole chain",
            "from_seq": result.start.seq + 1,
            "verified_to_seq": result.last.seq,
            "verified_hash": result.last.hash,
            "records": result.records,
            "first_bad_seq": result.first_bad_seq,
            **({} if read_from is None else {"read_from": read_from}),
        },
    )
    if result.ok and result.last.seq:
        # The record the check found intact, not the check record: only verified records are
        # vouched for (the check record is anchored by the next check).
        store.export(result.last, ctx.clock.now())
    return result


def _reader(session: Session, read: Session | None) -> tuple[Session, str | None]:
    """The session to read the chain from and, with a replica configured, which one it is."""
    if read is None:
        return session, None
    if replica.caught_up(session, read, timeout_s=get_settings().read_database_catch_up_s):
        return read, "read replica"
    return session, "primary: the read replica had not caught up"
