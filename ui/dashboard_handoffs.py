"""The Metrics page's small "Live handoff" section: the queue now, time to the first human
reply, and the handoff rate by reason, from services.dashboards.handoffs."""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st

from services.dashboards.handoffs import HandoffStats, handoff_stats
from services.support.escalations import reason_text
from ui import resources
from ui.components import attempt, table
from ui.dashboard_common import count, duration, percent

cc = st.column_config


def reply_time(seconds: float | None) -> str:
    return duration(None if seconds is None else timedelta(seconds=seconds))


def handoff_section(since: datetime, until: datetime) -> None:
    with resources.read_session() as session:
        figures: HandoffStats | None = attempt(
            lambda: handoff_stats(session, since=since, until=until)
        )
    if figures is None:
        return
    st.subheader("Live handoff")
    cards = [
        ("Queue length", count(figures.waiting), f"Waiting for a person now; {figures.held:,} "
         "held by one"),
        ("Handoffs", count(figures.opened), "Conversations queued for a person in the range"),
        ("First human reply p50", reply_time(figures.first_reply_p50_s),
         f"From queueing to a person's first message, {figures.replied:,} answered"),
        ("First human reply p95", reply_time(figures.first_reply_p95_s),
         "95th percentile of the same"),
    ]  # fmt: skip
    for column, (label, value, help_text) in zip(st.columns(len(cards)), cards, strict=True):
        column.metric(label, value, help=help_text, border=True)
    table(
        [
            {"reason": reason_text(r.reason), "handoffs": r.count, "rate": percent(r.rate)}
            for r in figures.by_reason
        ],
        {
            "reason": cc.TextColumn("Reason"),
            "handoffs": cc.NumberColumn("Handoffs"),
            "rate": cc.TextColumn("Handoff rate", help="Of the conversations started"),
        },
        empty="No handoffs in this range.",
        key="metrics_handoff_reasons",
    )
