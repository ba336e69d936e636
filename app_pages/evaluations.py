"""Evaluations: run the conversation evaluation suite (the visible cases, evals/cases, or the
held-out ones, evals/heldout) with the built-in or an
OpenAI-compatible model, watch its progress, and read the stored runs: pass rate by tag, the
failed cases with their reasons, and the pass-rate trend across runs."""

import streamlit as st

from ui.dashboard_common import replica_caption
from ui.dashboard_evaluations import history, run_history, run_panel, run_results
from ui.guards import require_page

access = require_page("evaluations")

st.title("Evaluations")
replica_caption()
run_panel(access.account.username)
runs = history()
st.subheader("Results")
run_results(runs)
if runs:
    st.subheader("History")
    run_history(runs)
