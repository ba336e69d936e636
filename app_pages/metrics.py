"""Metrics: PLACEHOLDER until issue 6 delivers the real page.

The page is already in the navigation and role table (ui/navigation.py) and checks the role
itself; replace everything below the guard."""

import streamlit as st

from ui.guards import require_page

require_page("metrics")

st.title("Metrics")
st.info(
    "Placeholder: the Metrics page arrives with issue 6 (dashboards).",
    icon=":material/construction:",
)
