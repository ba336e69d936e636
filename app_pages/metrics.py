"""Metrics: the support desk's KPIs over a chosen range, each with its trend: conversations,
turns, resolution and escalation (by reason), approvals and denials, policy refusals (by rule),
turn latency, tool errors, satisfaction, tokens and estimated cost by model. Live refresh
re-reads the figures every 30 seconds."""

import streamlit as st

from ui.dashboard_common import period_picker
from ui.dashboard_metrics import live_dashboard
from ui.guards import require_page

access = require_page("metrics")

st.title("Metrics")
picker, toggle = st.columns([3, 1], vertical_alignment="bottom")
with picker:
    period = period_picker("metrics", default="Last 7 days")
live = toggle.toggle("Live refresh", value=True, key="metrics_live", help="Every 30 seconds")
live_dashboard(period, live=live)
