"""The audit trail: append-only, hash-chained records of every tool call, approval, denial,
refusal, login and admin action. `python -m services.audit verify [--new-records-only]` checks
the chain and records the check (services/core/audit_checks.py)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from db.engine import SQLITE_IMMEDIATE
from db.models import AuditEvent, AuditHead
from services.core.context import ServiceContext
from services.text.masking import mask_text, mask_value

log = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
HEAD_ID = 1


def jsonable(value: Any) -> Any:
    """Plain JSON values only, so a record hashes the same after a database round trip."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return value


# The fields a record's hash covers, in the table's column order.
HASHED_FIELDS = (
    "seq", "ts", "actor", "actor_role", "passenger_id", "conversation_id",
    "action", "outcome", "rule", "message", "details", "prev_hash",
)  # fmt: skip


def fields_hash(fields: Mapping[str, Any]) -> str:
    """The hash of one record given as its HASHED_FIELDS (`ts` an aware datetime): what a bulk
    writer that builds no AuditEvent objects (world.history) chains with."""
    return values_hash([fields[name] for name in HASHED_FIELDS])


def values_hash(values: Sequence[Any]) -> str:
    """The same hash from the HASHED_FIELDS' values in their order (verification reads rows as
    tuples: a Row's attribute lookup by name cost a quarter of a whole-chain check)."""
    payload = dict(zip(HASHED_FIELDS, values, strict=True))
    payload["ts"] = payload["ts"].isoformat()
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_hash(event: AuditEvent | Row[Any]) -> str:
    """The hash of one record (an AuditEvent, or a row selected with its hashed columns)."""
    return fields_hash({name: getattr(event, name) for name in HASHED_FIELDS})


def begin_write(session: Session) -> None:
    """Start a write transaction that holds SQLite's write lock from its first statement.

    Write services own their transaction, so an open read-only transaction is ended first."""
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a write service was given a session with unflushed changes")
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={SQLITE_IMMEDIATE: True})


def append(
    session: Session,
    ctx: ServiceContext,
    *,
    action: str,
    outcome: str,
    rule: str | None = None,
    message: str | None = None,
    details: dict[str, Any] | None = None,
    passenger_id: int | None = None,
) -> AuditEvent:
    """Add a record inside the caller's transaction; the caller commits.

    The message and the call's arguments are free text (a model's or a person's): contact data
    and card numbers in them are masked before they become part of the chain."""
    details = dict(details or {})
    if "args" in details:
        details["args"] = mask_value(jsonable(details["args"]))
    head = session.get(AuditHead, HEAD_ID, with_for_update=True)
    if head is None:
        raise RuntimeError("audit_head row missing: run the migrations")
    # The UTC column round-trips microseconds; the timestamp is hashed as stored.
    event = AuditEvent(
        seq=head.last_seq + 1,
        ts=ctx.clock.now(),
        actor=ctx.actor.username,
        actor_role=ctx.actor.role.value,
        passenger_id=passenger_id if passenger_id is not None else ctx.passenger_id,
        conversation_id=ctx.conversation_id,
        action=action,
        outcome=outcome,
        rule=rule,
        message=mask_text(message) if message else message,
        details=jsonable(details),
        prev_hash=head.last_hash,
    )
    event.hash = record_hash(event)
    head.last_seq, head.last_hash = event.seq, event.hash
    session.add(event)
    return event


def record(session: Session, ctx: ServiceContext, **fields: Any) -> AuditEvent:
    """Append and commit in a transaction of its own (refusals, logins, approvals)."""
    begin_write(session)
    try:
        event = append(session, ctx, **fields)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return event


def record_or_log(session: Session, ctx: ServiceContext, **fields: Any) -> None:
    """record() for a failure being reported: if the database itself is gone, the log line is
    the record of last resort, and the caller's own error is what the user sees."""
    try:
        record(session, ctx, **fields)
    except SQLAlchemyError:
        log.exception(
            "could not audit %s %s by %s",
            fields.get("outcome"),
            fields.get("action"),
            ctx.actor.username,
        )


@dataclass(frozen=True)
class Checkpoint:
    """A record up to which the chain was found intact: a later check can start from it."""

    seq: int
    hash: str


START = Checkpoint(0, GENESIS_HASH)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    records: int  # how many records this check read (from `start` on)
    first_bad_seq: int | None = None
    problem: str | None = None
    start: Checkpoint = START
    last: Checkpoint = START  # the last record found intact

    def __str__(self) -> str:
        scope = f" after record {self.start.seq}" if self.start.seq else ""
        if self.ok:
            return f"audit chain intact: {self.records} records{scope}"
        where = "" if self.first_bad_seq is None else f" at record {self.first_bad_seq}"
        return f"audit chain BROKEN{where}: {self.problem}"


def verify(session: Session, *, batch: int = 5000, after: Checkpoint = START) -> VerifyResult:
    """Walk the chain in order and report the first changed, inserted or deleted record.

    With `after` (the checkpoint of an earlier intact check), only the records after it are
    read, and the checkpoint record itself must still hash to what it did: that catches any
    rewrite that re-chains the older records, but not an old record edited without rehashing
    (its stored hash then no longer matches its content); only a check from the start does."""
    prev_hash, expected_seq, count, last = after.hash, after.seq + 1, 0, after
    # Plain rows, not ORM objects: a million-record chain verifies ~40% faster.
    columns = select(*AuditEvent.__table__.columns).order_by(AuditEvent.seq)
    if after.seq:
        anchor = session.execute(columns.where(AuditEvent.seq == after.seq)).first()
        if anchor is None or anchor.hash != after.hash or record_hash(anchor) != anchor.hash:
            problem = f"record {after.seq}, where the last check ended, was changed or deleted"
            return VerifyResult(False, 0, after.seq, problem, after, after)
        columns = columns.where(AuditEvent.seq > after.seq)
    rows = session.execute(columns.execution_options(yield_per=batch))
    position = {column.name: i for i, column in enumerate(AuditEvent.__table__.columns)}
    hashed = [position[name] for name in HASHED_FIELDS]
    at_seq, at_hash, at_prev = position["seq"], position["hash"], position["prev_hash"]

    def broken(seq: int, problem: str) -> VerifyResult:
        return VerifyResult(False, count, seq, problem, after, last)

    for event in rows:
        count += 1
        seq, stored_hash = event[at_seq], event[at_hash]
        if seq != expected_seq:
            gap = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}-{seq - 1}"
            return broken(expected_seq, f"record(s) {gap} deleted")
        if values_hash([event[i] for i in hashed]) != stored_hash:
            return broken(seq, "record content changed (hash mismatch)")
        if event[at_prev] != prev_hash:
            return broken(seq, "link to the previous record broken (changed or inserted)")
        prev_hash, expected_seq = stored_hash, seq + 1
        last = Checkpoint(seq, stored_hash)
    head = session.get(AuditHead, HEAD_ID)
    if head is not None and (head.last_seq != expected_seq - 1 or head.last_hash != prev_hash):
        if head.last_seq > expected_seq - 1:
            return broken(
                expected_seq, f"record(s) {expected_seq}-{head.last_seq} deleted from the end"
            )
        return broken(expected_seq - 1, "chain head does not match the last record")
    return VerifyResult(True, count, start=after, last=last)


def count_events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0
