"""Evaluations: PLACEHOLDER until its issue delivers the real page.

The page is already in the navigation and role table (ui/navigation.py) and checks the role
itself; replace everything below the guard."""

import streamlit as st

from ui.guards import require_page

require_page("evaluations")

st.title("Evaluations")
st.info(
    "Placeholder: the Evaluations page arrives with the evaluations issue (evals/).",
    icon=":material/construction:",
)
