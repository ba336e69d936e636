"""Audit: PLACEHOLDER until issue 6 delivers the real page.

The page is already in the navigation and role table (ui/navigation.py) and checks the role
itself; replace everything below the guard."""

import streamlit as st

from ui.guards import require_page

require_page("audit")

st.title("Audit")
st.info(
    "Placeholder: the Audit page arrives with issue 6 (dashboards).",
    icon=":material/construction:",
)
