"""Audit: the trail of every tool call, approval, denial, refusal, login and admin action.
Filter it, page through it (never the whole table at once), open a record for its arguments
and before -> after, export the matching records as CSV, and verify the hash chain."""

import streamlit as st

from ui.dashboard_audit import (
    audit_filters,
    integrity_check,
    matching_count,
    record_detail,
    summary_and_export,
    trail,
)
from ui.dashboard_common import replica_caption
from ui.guards import require_page

access = require_page("audit")

st.title("Audit")
replica_caption()
trail_tab, chain_tab = st.tabs(["Trail", "Integrity check"])
with trail_tab:
    query = audit_filters()
    total = matching_count(query)
    if total is not None:
        summary_and_export(query, total)
        rows = trail(query, total)
        record_detail(rows)
with chain_tab:
    integrity_check(access.context())
