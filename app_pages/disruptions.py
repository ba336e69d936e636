"""Disruptions: the cancelled and delayed flights with the passengers and parties they affect;
for one, the re-accommodation plan the desk adjusts row by row and approves as one batch, the
batch's result with a CSV, and the notices sent to the passengers. Managers read the plan; only
agents and administrators approve it."""

import streamlit as st

from ui.disruption_batch import approve, batch_result, notices
from ui.disruption_console import adjust_row, choose_flight, flight_desk, forget_plan, plan_table
from ui.guards import require_page

access = require_page("disruptions")

st.title("Disruptions")
if access.read_only:
    st.caption("Read-only view: managers can look at the plans but not approve them.")

flight = choose_flight(access)
if flight is not None:
    st.divider()
    batch_result(flight)
    fd = flight_desk(access, flight)
    if fd is not None:
        plan_table(flight, fd)
        if not access.read_only:
            adjust_row(access, flight, fd)
        approve(access, flight, fd)
        st.button(
            "Plan again", key="disruptions_replan", icon=":material/refresh:",
            on_click=forget_plan, args=(flight.flight_id,),
            help="Plan from the seats and bookings as they are now (drops the adjustments).",
        )  # fmt: skip
    st.divider()
    notices(access, flight)
