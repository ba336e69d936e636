"""The Audit page's parts: the filters, one page of the trail, a record's detail with its
before -> after, the CSV export and the integrity check of the hash chain. Each draws what a
services.dashboards function returns; none decides anything.

Session-state keys (all "audit_"): the filters' widgets, audit_page_size, the pager's
audit_cursors / audit_pager_query, audit_record (the record shown in detail) and
audit_integrity (this session's last check of the chain and when it ran)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from services.core import audit_checks
from services.core.context import ServiceContext
from services.dashboards import audit_export, audit_log
from services.dashboards.audit_export import IntegrityReport
from services.dashboards.audit_log import OUTCOMES, AuditFilters, AuditRow
from services.support import passengers
from ui import resources
from ui.components import attempt, table
from ui.dashboard_common import Pager, Period, local, passenger_filter, period_picker
from ui.safe_text import code, literal, one_line

cc = st.column_config
PAGE_SIZES = (25, 50, 100, 200)
OUTCOME_LABELS = {"refused": "refused by rule"}
INTEGRITY = "audit_integrity"
COLUMNS = {
    "seq": cc.NumberColumn("#", format="%d"),
    "ts": cc.DatetimeColumn("When (Zurich)", format="YYYY-MM-DD HH:mm:ss"),
    "actor": cc.TextColumn("Actor"),
    "actor_role": cc.TextColumn("Role"),
    "action": cc.TextColumn("Action or tool"),
    "outcome": cc.TextColumn("Outcome"),
    "rule": cc.TextColumn("Rule"),
    "passenger": cc.TextColumn("Passenger"),
    "conversation_id": cc.TextColumn("Conversation"),
    "message": cc.TextColumn("Message", width="large"),
}


@dataclass(frozen=True)
class AuditQuery:
    """What the filters select: a period and the service's filters (as sorted pairs, so the
    query is hashable and the pager sees when it changes)."""

    period: Period
    filters: tuple[tuple[str, Any], ...]
    page_size: int

    def window(self) -> tuple[datetime, datetime]:
        return self.period.resolve(resources.clock().now())

    def service_filters(self) -> AuditFilters:
        return AuditFilters(**dict(self.filters))  # type: ignore[typeddict-item]


def audit_filters() -> AuditQuery:
    with resources.read_session() as session:
        choices = audit_log.audit_choices(session)
    top = st.columns([2, 2, 2, 3])
    with top[0]:
        period = period_picker("audit", default="Last 7 days")
    actor = top[1].selectbox(
        "Actor", choices.actors, index=None, placeholder="Anyone", key="audit_actor"
    )
    with top[2]:
        passenger_id = passenger_filter("audit")
    outcome = top[3].multiselect(
        "Outcome",
        list(OUTCOMES),
        format_func=lambda o: OUTCOME_LABELS.get(o, o),
        placeholder="Any outcome",
        key="audit_outcome",
    )
    left, right = st.columns([9, 2])
    action = left.multiselect(
        "Action or tool", choices.actions, placeholder="Any action", key="audit_action"
    )
    size = right.selectbox("Rows per page", PAGE_SIZES, index=1, key="audit_page_size")
    filters = {
        "actor": actor,
        "passenger_id": passenger_id,
        "action": tuple(action) or None,
        "outcome": tuple(outcome) or None,
    }
    pairs = tuple(sorted((k, v) for k, v in filters.items() if v is not None))
    return AuditQuery(period, pairs, int(size))


def matching_count(query: AuditQuery) -> int | None:
    since, until = query.window()
    with resources.read_session() as session:
        return attempt(
            lambda: audit_log.audit_count(
                session, since=since, until=until, **query.service_filters()
            )
        )


def _csv(query: AuditQuery, since: datetime, until: datetime) -> Callable[[], str]:
    """The export, made only when the button is clicked (Streamlit runs it on a thread of its
    own, so it gets the session factory now, not Streamlit's resources then)."""
    factory = resources.read_session_factory()
    filters = query.service_filters()

    def build() -> str:
        with factory() as session:
            return "".join(audit_export.export_csv(session, since=since, until=until, **filters))

    return build


def summary_and_export(query: AuditQuery, total: int) -> None:
    since, until = query.window()
    text, button = st.columns([4, 1], vertical_alignment="center")
    text.markdown(f"**{total:,}** matching record{'s' if total != 1 else ''}")
    button.download_button(
        "Export CSV",
        data=_csv(query, since, until),
        file_name=f"skydesk-audit-{local(since):%Y%m%d-%H%M}-{local(until):%Y%m%d-%H%M}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        disabled=total == 0,
        key="audit_export",
        help="The matching records, oldest first, with their details and hashes.",
        width="stretch",
    )


def audit_table_row(row: AuditRow, names: dict[int, str]) -> dict[str, Any]:
    """A table row: local time, the passenger by name (the id when no name is known), and an
    empty cell, never "None", where a record has no value."""
    passenger = (
        "" if row.passenger_id is None else names.get(row.passenger_id, f"#{row.passenger_id}")
    )
    values = {k: ("" if v is None else v) for k, v in vars(row).items()}
    return {**values, "ts": local(row.ts), "passenger": passenger}


def trail(query: AuditQuery, total: int) -> list[AuditRow]:
    """One page of matching records, newest first, with the paging buttons."""
    since, until = query.window()
    pager = Pager("audit", (query.period, query.filters, query.page_size))
    with resources.read_session() as session:
        page = attempt(
            lambda: audit_log.audit_page(
                session,
                since=since,
                until=until,
                limit=query.page_size,
                after_seq=pager.cursor,
                **query.service_filters(),
            )
        )
        names = passengers.passenger_names(session, (r.passenger_id for r in page.rows))
    if page is None:
        return []
    table(
        [audit_table_row(r, names) for r in page.rows],
        COLUMNS,
        empty="No audit records match these filters.",
        key="audit_rows",
    )
    pager.controls(
        page.next_after_seq, shown=len(page.rows), page_size=query.page_size, total=total
    )
    return page.rows


def _label(row: AuditRow) -> str:
    rule = f" ({row.rule})" if row.rule else ""
    return f"#{row.seq} · {local(row.ts):%d %b %H:%M:%S} · {row.action} · {row.outcome}{rule}"


def record_detail(rows: list[AuditRow]) -> None:
    if not rows:
        return
    labels = {r.seq: _label(r) for r in rows}
    seq = st.selectbox(
        "Record on this page",
        list(labels),
        format_func=labels.__getitem__,
        index=None,
        placeholder="Choose a record to see its arguments and before → after",
        key="audit_record",
    )
    if seq is None:
        return
    with resources.read_session() as session:
        detail = audit_log.audit_detail(session, int(seq))
    if detail is None:
        st.caption(f"Record {seq} no longer exists.")
        return
    row = detail.row
    # Every field of a record is stored text (tool names and messages come from the model):
    # shown literally, never as Markdown.
    outcome = OUTCOME_LABELS.get(row.outcome, row.outcome)
    st.markdown(
        f"**#{row.seq} · {one_line(row.action)} · {one_line(outcome)}** by "
        f"{code(row.actor)} ({one_line(row.actor_role)}) at "
        f"{local(row.ts):%Y-%m-%d %H:%M:%S} Zurich"
    )
    facts = [
        f"passenger {row.passenger_id}" if row.passenger_id is not None else "",
        f"conversation {code(row.conversation_id)}" if row.conversation_id else "",
        f"rule {code(row.rule)}" if row.rule else "",
    ]
    if line := " · ".join(f for f in facts if f):
        st.caption(line)
    if row.message:
        st.markdown(f"> {literal(row.message)}")
    args, change = st.columns([2, 3])
    with args:
        st.markdown("**Arguments**")
        if detail.arguments:
            st.json(detail.arguments)
        else:
            st.caption("No arguments recorded.")
    with change:
        st.markdown("**Before → after**")
        if detail.changes:
            # A static table: long values (a ticket's flights) wrap instead of being cut.
            st.table(
                pd.DataFrame(
                    # st.table renders its cells as Markdown.
                    [[one_line(_text(c.before)), one_line(_text(c.after))] for c in detail.changes],
                    index=pd.Index([one_line(c.field) for c in detail.changes], name="Field"),
                    columns=["Before", "After"],
                )
            )
        else:
            st.caption("Nothing changed by this record (no before/after recorded).")
    if detail.hash_matches:
        st.caption(
            f":material/verified: This record's hash matches its content: {code(detail.hash)}"
        )
    else:
        st.error(
            f"This record's content does not match its hash {code(detail.hash)}: it was changed "
            "after it was written.",
            icon=":material/gpp_bad:",
        )
    with st.expander("The whole record"):
        st.json(detail.details)
        st.caption(f"Previous hash {code(detail.prev_hash or '')}")


def _text(value: Any) -> str:
    """A before/after value as a person reads it: lists comma-separated, no JSON quotes."""
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "(none)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def integrity_check(ctx: ServiceContext) -> None:
    """The check buttons, when the chain was last found intact, and the result of this
    session's last check. Each check is recorded on the trail."""
    st.caption(
        "Each record holds the hash of the one before: changing, inserting or deleting any "
        "record breaks the chain from there on. *Check new records* starts where the last "
        "intact check ended; *Verify whole chain* also finds an old record edited in place."
    )
    last_check = st.empty()  # filled after this run's check, so it is never a step behind
    new_only, whole = st.columns(2)
    scope = None
    if new_only.button("Check new records", icon=":material/update:", key="audit_verify_new"):
        scope = True
    if whole.button(
        "Verify whole chain", icon=":material/verified_user:", key="audit_verify", type="primary"
    ):
        scope = False
    if scope is not None:
        with (
            st.spinner("Verifying the chain…"),
            resources.db_session() as session,
            resources.replica_session() as read,
        ):
            # The chain is read from the replica when there is one; the check is recorded on
            # the primary.
            report = attempt(
                lambda: audit_export.integrity_check(
                    session, ctx, new_records_only=scope, read=read
                )
            )
        if report is not None:
            st.session_state[INTEGRITY] = (report, resources.clock().now())
    # From the primary: a check just recorded there may not have reached the replica yet.
    with resources.db_session() as session:
        last = audit_checks.last_intact_check(session)
    if last is not None:
        last_check.caption(
            f"Last found intact up to record {last.checkpoint.seq:,}, by {one_line(last.by)}, "
            f"{local(last.at):%d %b %Y %H:%M} Zurich."
        )
    checked: tuple[IntegrityReport, datetime] | None = st.session_state.get(INTEGRITY)
    if checked is None:
        return
    report, when = checked
    at = f"Checked {local(when):%d %b %Y %H:%M:%S} Zurich."
    if report.ok:
        st.success(f"{literal(str(report))} {at}", icon=":material/verified:")
        return
    st.error(f"{literal(str(report))}. {at}", icon=":material/gpp_bad:")
    if report.first_bad is not None:
        table([audit_table_row(report.first_bad, {})], COLUMNS, empty="", key="audit_first_bad")
