"""Conversation review: find past conversations by outcome, rating, passenger and agent, read
one (the transcript with its tool steps and approvals, the turns, the audit records and the
feedback), and flag it for coaching with a note (audited)."""

import streamlit as st

from ui.dashboard_common import replica_caption
from ui.dashboard_review import conversation, conversation_list, pick_conversation, review_filters
from ui.guards import require_page

access = require_page("review")

st.title("Conversation review")
replica_caption()
query = review_filters()
rows = conversation_list(query)
chosen = pick_conversation(rows)
if chosen is not None:
    st.divider()
    conversation(access, chosen)
