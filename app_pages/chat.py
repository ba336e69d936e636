"""Chat: the support agent (or admin) and the assistant, about one passenger's trips.

Pick the passenger (a customer talks about their own trips only), start or resume a
conversation, and ask; the answer streams in with its tool steps. Every change the assistant
proposes waits on an approval card until someone approves or denies it (a customer confirms
or declines their own). While the picker's search does not find the chosen passenger the chat
is locked, and a message naming another passenger waits for the agent before it is sent. Each
conversation can be rated, marked resolved or escalated to a colleague."""

import streamlit as st

from ui.chat_assistant import model_picker, warm_up
from ui.chat_mentions import held_message
from ui.chat_panel import conversation_actions, conversation_list, message_box, suggested_prompts
from ui.chat_state import ChatDesk, show_notice
from ui.chat_transcript import approval_card, run_queued, transcript
from ui.desk_link import follow_conversation, follow_passenger, show
from ui.guards import require_page
from ui.passenger_picker import passenger_picker
from ui.safe_text import one_line

access = require_page("chat")

heading, model = st.columns([4, 1], vertical_alignment="bottom")
heading.title("Chat")
with model:
    provider = model_picker()

follow_passenger(access, "chat")  # a reload or a link keeps passenger and conversation
if access.own_passenger_only:
    passenger_id = access.account.passenger_id
else:
    passenger_id = passenger_picker("chat", locks_chat=True)
if passenger_id is not None:
    follow_conversation(access, passenger_id)

desk = ChatDesk.open(access, passenger_id, provider) if passenger_id is not None else None
if desk is None:
    st.caption("Find and choose the passenger you are helping to start a conversation.")
else:
    if access.own_passenger_only:
        st.info(f"Your trips, **{one_line(desk.passenger.name)}**", icon=":material/person:")
    # The side column's labels ("New conversation", "Mark resolved") need ~180 px at 1024 px.
    conversation, side = st.columns([5, 2], gap="medium")
    with side:
        show_notice()
    with conversation:
        transcript(desk)
        run_queued(desk)
        held_message(desk)
        approval_card(desk)
        suggested_prompts(desk)
    with side:
        conversation_list(desk)
        conversation_actions(desk)
message_box(desk)
show("chat", passenger_id, desk.thread_id if desk else None, own=access.own_passenger_only)
warm_up()
