"""The Audit page's data: filtered pages of the trail (keyset pagination on seq, never the
whole table), their count, one record's detail with its before -> after, and the values for
the filter pickers. Export and integrity check: audit_export.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypedDict, Unpack

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import Session

from db.models import AuditEvent
from services.core import audit
from services.core.errors import InvalidInput
from services.dashboards.common import TimeRange, check_limit

# executed: a write ran; approved/denied: the agent's answer on an approval card; refused: a
# policy rule said no; invalid: bad input; error: a failure (nothing changed); ok: reads, logins.
OUTCOMES = ("executed", "approved", "denied", "refused", "invalid", "error", "ok")
Order = Literal["newest", "oldest"]


class AuditFilters(TypedDict, total=False):
    """Optional filters shared by the page, the count and the export (all must match)."""

    actor: str | None
    passenger_id: int | None
    action: str | Sequence[str] | None  # the tool or action name(s)
    outcome: str | Sequence[str] | None  # one or more of OUTCOMES
    conversation_id: str | None
    rule: str | None


@dataclass(frozen=True)
class AuditRow:
    seq: int
    ts: datetime
    actor: str
    actor_role: str
    passenger_id: int | None
    conversation_id: str | None
    action: str
    outcome: str
    rule: str | None
    message: str | None


@dataclass(frozen=True)
class AuditPage:
    rows: list[AuditRow]
    # Pass as after_seq for the next page; None on the last page.
    next_after_seq: int | None


@dataclass(frozen=True)
class FieldChange:
    field: str  # dotted path into the record's before/after documents
    before: Any
    after: Any


@dataclass(frozen=True)
class AuditDetail:
    row: AuditRow
    arguments: dict[str, Any]
    before: dict[str, Any]
    after: dict[str, Any]
    changes: list[FieldChange]
    details: dict[str, Any]  # the whole document, for anything not shown above
    prev_hash: str
    hash: str
    hash_matches: bool  # this record's own hash; the chain needs integrity_check()


@dataclass(frozen=True)
class AuditChoices:
    actors: list[str]
    actions: list[str]
    outcomes: tuple[str, ...] = OUTCOMES


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def conditions(
    since: datetime, until: datetime, filters: AuditFilters
) -> list[ColumnElement[bool]]:
    span = TimeRange.of(since, until)
    where = [AuditEvent.ts >= span.since, AuditEvent.ts < span.until]
    outcomes = _as_list(filters.get("outcome"))
    unknown = sorted(set(outcomes) - set(OUTCOMES))
    if unknown:
        raise InvalidInput(f"Unknown outcome {unknown[0]!r}; use one of: {', '.join(OUTCOMES)}.")
    if outcomes:
        where.append(AuditEvent.outcome.in_(outcomes))
    actions = _as_list(filters.get("action"))
    if actions:
        where.append(AuditEvent.action.in_(actions))
    if actor := (filters.get("actor") or "").strip():
        where.append(AuditEvent.actor == actor)
    if (passenger_id := filters.get("passenger_id")) is not None:
        where.append(AuditEvent.passenger_id == passenger_id)
    if conversation_id := filters.get("conversation_id"):
        where.append(AuditEvent.conversation_id == conversation_id)
    if rule := filters.get("rule"):
        where.append(AuditEvent.rule == rule)
    return where


ROW_COLUMNS = (
    AuditEvent.seq,
    AuditEvent.ts,
    AuditEvent.actor,
    AuditEvent.actor_role,
    AuditEvent.passenger_id,
    AuditEvent.conversation_id,
    AuditEvent.action,
    AuditEvent.outcome,
    AuditEvent.rule,
    AuditEvent.message,
)


def audit_row(event: AuditEvent) -> AuditRow:
    """The page's row for one loaded record (a query of ROW_COLUMNS gives the same by name)."""
    return AuditRow(**{column.key: getattr(event, column.key) for column in ROW_COLUMNS})


def audit_page(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    order: Order = "newest",
    limit: int = 50,
    after_seq: int | None = None,
    **filters: Unpack[AuditFilters],
) -> AuditPage:
    """One page of matching records. Keyset pagination: the next page starts after the last
    seq shown, so page 1,000 costs what page 1 does (OFFSET would scan all skipped rows)."""
    check_limit(limit)
    where = conditions(since, until, filters)
    newest = order == "newest"
    if after_seq is not None:
        where.append(AuditEvent.seq < after_seq if newest else AuditEvent.seq > after_seq)
    stmt = (
        select(*ROW_COLUMNS)
        .where(*where)
        .order_by(AuditEvent.seq.desc() if newest else AuditEvent.seq)
        .limit(limit + 1)  # one more than shown: is there a next page?
    )
    rows = [AuditRow(**r._asdict()) for r in session.execute(stmt)]
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(rows, rows[-1].seq if more else None)


def audit_count(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    **filters: Unpack[AuditFilters],
) -> int:
    where = conditions(since, until, filters)
    return session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0


def _flatten(doc: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(doc, dict) and doc:
        out: dict[str, Any] = {}
        for key, value in doc.items():
            out |= _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    return {prefix: doc} if prefix else {}


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Fields whose value differs between the two documents (nested keys dotted, lists
    compared whole), sorted by field: PostgreSQL's JSONB keeps no key order to follow."""
    old, new = _flatten(before), _flatten(after)
    return [
        FieldChange(k, old.get(k), new.get(k))
        for k in sorted(old.keys() | new.keys())
        if old.get(k) != new.get(k)
    ]


def audit_detail(session: Session, seq: int) -> AuditDetail | None:
    event = session.get(AuditEvent, seq)
    if event is None:
        return None
    details = event.details or {}
    before = details.get("before") or {}
    after = details.get("after") or {}
    return AuditDetail(
        row=audit_row(event),
        arguments=details.get("args") or {},
        before=before,
        after=after,
        changes=diff(before, after),
        details=details,
        prev_hash=event.prev_hash,
        hash=event.hash,
        hash_matches=audit.record_hash(event) == event.hash,
    )


def _distinct(session: Session, column: str) -> list[str]:
    """Distinct values of an indexed column by a loose index scan (a recursive CTE that jumps
    from one value to the next through the index): ~30 index probes instead of reading a
    million rows. PostgreSQL and SQLite both run it as written."""
    sql = text(
        f"""
        WITH RECURSIVE v(x) AS (
            SELECT (SELECT min({column}) FROM audit_events)
            UNION ALL
            SELECT (SELECT min({column}) FROM audit_events WHERE {column} > v.x)
            FROM v WHERE v.x IS NOT NULL
        )
        SELECT x FROM v WHERE x IS NOT NULL
        """
    )
    return list(session.scalars(sql))


def audit_choices(session: Session) -> AuditChoices:
    """Values for the page's actor and action pickers (indexes lead with actor and action)."""
    return AuditChoices(actors=_distinct(session, "actor"), actions=_distinct(session, "action"))
