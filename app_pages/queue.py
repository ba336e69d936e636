"""Queue: the conversations waiting for a person, each with its reason, the passenger's tier,
a disruption flag and how long it has waited. Take one, read the whole conversation beside the
passenger's trips, write to the passenger, then hand it back to the assistant or resolve it."""

import streamlit as st

from ui.guards import require_page
from ui.handoff_desk import held_conversation, pick_held, waiting_list

access = require_page("queue")

st.title("Queue")
waiting_list(access)
held = pick_held(access)
if held is not None:
    st.divider()
    held_conversation(access, held)
