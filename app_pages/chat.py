"""Chat: PLACEHOLDER until the chat page's issue delivers the real page.

The page is already in the navigation and role table (ui/navigation.py) and checks the role
itself; replace everything below the guard."""

import streamlit as st

from ui.guards import require_page

require_page("chat")

st.title("Chat")
st.info(
    "Placeholder: the Chat page (passenger picker, streaming answers, approval cards) arrives with the agent issue (agent/runtime.py).",
    icon=":material/construction:",
)
