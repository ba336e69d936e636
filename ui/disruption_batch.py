"""The Disruptions page's last parts: approving the adjusted plan as one batch (agents and
admins; a manager reads), its progress while it runs, the result per row with a CSV, and the
passenger notices the outbox holds for the flight. The batch is services.reaccommodation's
execute_batch; this module only turns the page's state into its input and draws its output."""

from __future__ import annotations

import streamlit as st

from services.core.errors import DomainError
from services.disruptions import DisruptedFlight
from services.notifications import NoticeStatus, messages_sent
from services.reaccommodation import (
    BatchResult,
    RowStatus,
    batch_from_plan,
    execute_batch,
    replanner,
    result_csv,
)
from ui import resources
from ui.components import attempt, fault_text, table
from ui.disruption_console import FlightDesk, forget_plan
from ui.disruption_format import STATUS_WORDS, notice_rows, result_rows
from ui.guards import PageAccess
from ui.safe_text import literal

cc = st.column_config
NAMES = "disruptions_names"  # ticket number -> passenger name, for the notices' table


def result_key(flight_id: int) -> str:
    return f"disruptions_result_{flight_id}"


def approve(access: PageAccess, flight: DisruptedFlight, fd: FlightDesk) -> None:
    """The approve button and, once clicked, the batch with a progress bar."""
    if access.read_only:
        st.caption("Read-only: an agent or an administrator approves the plan.")
        return
    try:
        batch = batch_from_plan(fd.batch_id, fd.plan, fd.adjustments)
    except DomainError as err:
        st.warning(literal(err.message), icon=":material/info:")
        return
    if not batch.rows:
        st.caption("Nothing to approve: every party keeps its flight.")
        return
    people = sum(len(r.ticket_nos) for r in batch.rows)
    clicked = st.button(
        f"Approve the plan: {len(batch.rows)} parties, {people} passengers",
        key="disruptions_approve",
        type="primary",
        icon=":material/done_all:",
        help="Each passenger's change runs once, audited on its own; a row that fails is "
        "re-planned or reported, never half done.",
    )
    if not clicked:
        return
    bar = st.progress(0.0, text=f"Re-accommodating 0 of {len(batch.rows)} parties")

    def progress(done: int, total: int) -> None:
        bar.progress(
            done / total if total else 1.0, text=f"Re-accommodated {done} of {total} parties"
        )

    ctx = access.context()
    with resources.db_session() as session:
        try:
            result = execute_batch(
                session, ctx, batch, replan=replanner(ctx, fd.plan), progress=progress
            )
        except DomainError as err:
            st.error(literal(err.message), icon=":material/block:")
            return
        except Exception as err:
            st.error(fault_text(err, where="execute_batch"), icon=":material/error:")
            return
    names = st.session_state.setdefault(NAMES, {})
    names.update({p.ticket_no: p.name for r in fd.plan.rows for p in r.passengers})
    st.session_state[result_key(flight.flight_id)] = result
    forget_plan(flight.flight_id)  # what is left is planned afresh on the next run
    st.rerun()


def batch_result(flight: DisruptedFlight) -> None:
    """The last batch's outcome for this flight, row by row, and its CSV."""
    result = st.session_state.get(result_key(flight.flight_id))
    if not isinstance(result, BatchResult):
        return
    st.subheader("Batch result")
    counts = [
        f"{result.count(s)} {STATUS_WORDS[s]}" for s in RowStatus if result.count(s)
    ]  # fmt: skip
    (st.warning if result.count(RowStatus.FAILED) else st.success)(
        f"Batch {literal(result.batch_id)}: " + ", ".join(counts) + "."
    )
    table(
        result_rows(result, st.session_state.get(NAMES, {})),
        {
            "row": cc.NumberColumn("Row", width="small"),
            "passengers": cc.TextColumn("Passengers", width="medium"),
            "action": cc.TextColumn("Action", width="small"),
            "status": cc.TextColumn("Result", width="small"),
            "reason": cc.TextColumn("Why", width="medium", help="Why the first option failed"),
            "itinerary": cc.TextColumn("New itinerary", width="medium"),
            "compensation": cc.TextColumn("Compensation owed", width="medium"),
            "refunded": cc.NumberColumn("Refunded", format="CHF %.2f"),
        },
        empty="The batch had no rows.",
        key="disruptions_result",
    )
    st.download_button(
        "Download the result (CSV)",
        result_csv(result),
        file_name=f"{result.batch_id}.csv",
        mime="text/csv",
        key="disruptions_csv",
        icon=":material/download:",
    )


def notices(access: PageAccess, flight: DisruptedFlight) -> None:
    """The passenger notices queued for this flight, delivered or waiting for the worker."""
    with resources.db_session() as session:
        sent = attempt(lambda: messages_sent(session, access.context(), flight_id=flight.flight_id))
    if sent is None:
        return
    title, refresh = st.columns([5, 1], vertical_alignment="bottom")
    title.subheader(f"Messages sent ({len(sent)})")
    # The outbox worker delivers on its own schedule: a rerun reads what it has done since.
    refresh.button("Refresh", key="disruptions_notices_refresh", icon=":material/refresh:")
    if sent:
        delivered = sum(1 for m in sent if m.status == NoticeStatus.DELIVERED)
        st.caption(f"{delivered} delivered, {len(sent) - delivered} waiting for the outbox worker.")
    table(
        notice_rows(sent, st.session_state.get(NAMES, {})),
        {
            "passenger": cc.TextColumn("Passenger", width="medium"),
            "to": cc.TextColumn("To", width="medium"),
            "subject": cc.TextColumn("Subject", width="large"),
            "status": cc.TextColumn(
                "Status", width="small", help="Queued: the outbox worker has not delivered it yet"
            ),
            "queued": cc.TextColumn("Queued"),
            "delivered": cc.TextColumn("Delivered"),
        },
        empty="No notice has been queued for this flight's passengers.",
        key="disruptions_notices",
    )
    if sent:
        with st.expander("Read a notice", icon=":material/mail:"):
            ids = [m.outbox_id for m in sent]
            chosen = st.selectbox(
                "Notice",
                ids,
                format_func=lambda i: next(m.subject for m in sent if m.outbox_id == i),
                key="disruptions_notice_pick",
            )
            message = next(m for m in sent if m.outbox_id == chosen)
            st.markdown(f"**{literal(message.subject)}**")
            st.markdown(literal(message.body))
