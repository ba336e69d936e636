"""The Audit page's export and integrity check: the filtered trail as CSV, streamed in
chunks, and a recorded check of the chain (services/core/audit_checks.py) with the first broken
record itself."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Unpack

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from db.models import AuditEvent
from services.core.audit_checks import check_chain
from services.core.context import ServiceContext
from services.core.errors import InvalidInput
from services.dashboards.audit_log import AuditFilters, AuditRow, audit_row, conditions

CSV_COLUMNS = (
    "seq", "ts", "actor", "actor_role", "passenger_id", "conversation_id", "action", "outcome",
    "rule", "message", "details", "prev_hash", "hash",
)  # fmt: skip


@dataclass(frozen=True)
class IntegrityReport:
    ok: bool
    records: int
    first_bad_seq: int | None
    problem: str | None
    first_bad: AuditRow | None  # the named record, when it still exists
    after_seq: int = 0  # the check started after this record (0: from the first one)

    def __str__(self) -> str:
        if not self.ok:
            where = "" if self.first_bad_seq is None else f" at record {self.first_bad_seq}"
            return f"Audit chain BROKEN{where}: {self.problem}"
        if self.after_seq:
            plural = "" if self.records == 1 else "s"
            return (
                f"Audit chain intact: {self.records:,} new record{plural} after record "
                f"{self.after_seq:,} checked."
            )
        return f"Audit chain intact: all {self.records:,} records checked."


def _csv_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a leading
    apostrophe (OWASP CSV injection); chat text reaches the trail through tool arguments."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_csv(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    chunk_size: int = 2000,
    **filters: Unpack[AuditFilters],
) -> Iterator[str]:
    """The matching records, oldest first, as CSV text chunks: a header, then one chunk per
    keyset page of `chunk_size` rows, so memory stays flat for a million rows."""
    if chunk_size < 1:
        raise InvalidInput("An export chunk holds at least one row.")
    where = conditions(since, until, filters)
    # details as the database's own JSON text: decoding and re-encoding it in Python doubled
    # the export's time (JSONB prints keys in its own order; the content is the same).
    columns = [
        cast(AuditEvent.details, Text).label(name)
        if name == "details"
        else getattr(AuditEvent, name)
        for name in CSV_COLUMNS
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    last_seq = 0
    while True:
        rows = session.execute(
            select(*columns)
            .where(*where, AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)
            .limit(chunk_size)
        ).all()
        if not rows:
            return
        buffer.seek(0)
        buffer.truncate()
        for row in rows:
            values = dict(row._mapping)
            values["ts"] = values["ts"].isoformat()
            writer.writerow([_csv_cell(values[name]) for name in CSV_COLUMNS])
        yield buffer.getvalue()
        last_seq = rows[-1].seq
        if len(rows) < chunk_size:
            return


def integrity_check(
    session: Session,
    ctx: ServiceContext,
    *,
    new_records_only: bool = False,
    read: Session | None = None,
) -> IntegrityReport:
    """A recorded check of the chain (the whole chain, or the records after the last intact
    check), plus the first broken record itself. `read`: a read replica to read the chain
    from (services.core.audit_checks.check_chain); the check is recorded through `session`."""
    result = check_chain(session, ctx, new_records_only=new_records_only, read=read)
    first_bad = None
    if result.first_bad_seq is not None:
        event = session.get(AuditEvent, result.first_bad_seq)
        if event is not None:
            first_bad = audit_row(event)
    return IntegrityReport(
        result.ok, result.records, result.first_bad_seq, result.problem, first_bad, result.start.seq
    )
