"""The Queue page's parts: the conversations waiting for a person (reason, tier, disruption, wait
time) with Take, the ones this agent holds, and a held conversation: the whole transcript (the
assistant's turns, then what the passenger and the desk wrote), the passenger's trips, the box
to write to the passenger, Hand back and Resolve. Each draws what services.support.handoff
returns; the writes are its audited services. Text from people and models goes through
ui/safe_text.py."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import streamlit as st

from db.models import MessageAuthor
from services.core.context import ServiceContext
from services.core.errors import DomainError
from services.support import handoff, live
from services.support.handoff import QueueEntry
from ui import desk_link, resources
from ui.bookings import passenger_360
from ui.chat_assistant import assistant
from ui.chat_format import chat_bubbles, reply_markdown
from ui.components import MODEL_KEY, fault_text, flash
from ui.dashboard_common import duration
from ui.guards import PageAccess
from ui.safe_text import literal, one_line

OPEN = "queue_open"  # the conversation id this agent has open on the page
FLASH = "queue_flash"
REPLY = "queue_reply"
LIVE_EVERY = timedelta(seconds=1)  # the page's own listener: new passenger messages within ~1 s
log = logging.getLogger(__name__)


def entry_context(access: PageAccess, entry: QueueEntry) -> ServiceContext:
    return replace(access.context(entry.passenger_id), conversation_id=entry.conversation_id)


def _run(action: str, access: PageAccess, entry: QueueEntry, done: str) -> bool:
    """A handoff write from a button's callback; its outcome is shown once on the next run."""
    with resources.db_session() as session:
        try:
            getattr(handoff, action)(session, entry_context(access, entry))
        except DomainError as err:
            st.session_state[FLASH] = ("error", err.message)
            return False
        except Exception as err:
            st.session_state[FLASH] = ("error", fault_text(err, where=action))
            return False
    st.session_state[FLASH] = ("success", done)
    return True


def _take(access: PageAccess, entry: QueueEntry) -> None:
    if _run("take", access, entry, f"You hold {entry.passenger_name}'s conversation."):
        st.session_state[OPEN] = entry.conversation_id


def _end(access: PageAccess, entry: QueueEntry, action: str, done: str) -> None:
    if _run(action, access, entry, done):
        st.session_state.pop(OPEN, None)


def _tags(entry: QueueEntry) -> str:
    tags = [f":blue-badge[{entry.tier.value}]"]
    if entry.disruption:
        tags.append(":red-badge[:material/flight_land: disruption]")
    return " ".join(tags)


def waiting_list(access: PageAccess) -> None:
    """The queue, longest wait first, each with its reason, tier, disruption and Take."""
    flash(FLASH)
    with resources.db_session() as session:
        entries = handoff.queue(session, access.context())
    now = resources.clock().now()
    st.subheader(f"Waiting ({len(entries)})")
    if not entries:
        st.caption("Nobody is waiting for a person.")
    for entry in entries:
        with st.container(border=True, key=f"queue_entry_{entry.handoff_id}"):
            about, wait, act = st.columns([5, 2, 1], vertical_alignment="center")
            about.markdown(f"**{one_line(entry.passenger_name)}** · {one_line(entry.title)}")
            about.caption(f"{one_line(entry.reason_text).capitalize()}  {_tags(entry)}")
            wait.markdown(f"waiting **{duration(entry.waited(now))}**")
            act.button(
                "Take", key=f"queue_take_{entry.handoff_id}", type="primary",
                on_click=_take, args=(access, entry),
            )  # fmt: skip


def pick_held(access: PageAccess) -> QueueEntry | None:
    """The conversations this agent holds; the one open on the page (just taken, or chosen)."""
    with resources.db_session() as session:
        held = handoff.held_by_me(session, access.context())
    if not held:
        return None
    st.subheader(f"With you ({len(held)})")
    ids = [e.conversation_id for e in held]
    wanted = st.session_state.get(OPEN)
    chosen = st.radio(
        "Open conversation",
        ids,
        index=ids.index(wanted) if wanted in ids else 0,
        format_func=lambda cid: next(
            f"{e.passenger_name} · {e.title}" for e in held if e.conversation_id == cid
        ),
        key="queue_held_pick",
        label_visibility="collapsed",
    )
    st.session_state[OPEN] = chosen
    return next(e for e in held if e.conversation_id == chosen)


def _assistant_part(access: PageAccess, entry: QueueEntry) -> None:
    """What the passenger and the assistant said before the handoff (the checkpoint)."""
    try:
        provider = st.session_state.get(MODEL_KEY) or resources.settings().model_provider
        chat = assistant(provider).open(entry.conversation_id, access.account.actor)
        items = chat.history()
    except Exception:  # the checkpoint store is unreachable: the desk's messages still show
        log.exception("could not read conversation %s", entry.conversation_id)
        st.caption("The assistant's part of this conversation cannot be loaded right now.")
        return
    if not items:
        st.caption("No messages with the assistant are stored for this conversation.")
    for role, group in chat_bubbles(items):
        with st.chat_message(role):
            for item in group:
                if item.role == "user":
                    st.markdown(literal(item.text))
                elif item.role == "assistant" and item.text:
                    st.markdown(reply_markdown(item.text))


AVATARS = {MessageAuthor.PASSENGER: "user", MessageAuthor.AGENT: ":material/support_agent:"}


@st.fragment(run_every=LIVE_EVERY)
def _desk_part(conversation_id: str) -> None:
    """The passenger's and the desk's messages, re-read every second (a short poll: the page's
    own listener; the API's streams use services.support.live)."""
    with resources.db_session() as session:
        said = live.messages(session, conversation_id=conversation_id)
    for message in said:
        if message.author == MessageAuthor.DESK:
            st.caption(f":material/info: {one_line(message.text)}")
            continue
        with st.chat_message(message.author.value, avatar=AVATARS[message.author]):
            st.caption(f"{one_line(message.username)} · {message.created_at:%H:%M}")
            st.markdown(literal(message.text))


def _send(access: PageAccess, entry: QueueEntry) -> None:
    text = st.session_state.get(REPLY, "")
    with resources.db_session() as session:
        try:
            handoff.post_agent_message(session, entry_context(access, entry), text=text)
        except DomainError as err:
            st.session_state[FLASH] = ("error", err.message)
            return
        except Exception as err:
            st.session_state[FLASH] = ("error", fault_text(err, where="post_agent_message"))
            return
    st.session_state[REPLY] = ""


def held_conversation(access: PageAccess, entry: QueueEntry) -> None:
    """The open conversation: transcript and reply box beside the passenger's trips."""
    talk, trips = st.columns([3, 2])
    with talk:
        st.subheader(one_line(entry.title) or "Conversation")
        st.caption(f"{one_line(entry.reason_text).capitalize()}  {_tags(entry)}")
        _assistant_part(access, entry)
        _desk_part(entry.conversation_id)
        st.text_area("Write to the passenger", key=REPLY, max_chars=1000)
        send, back, done = st.columns(3)
        send.button("Send", key="queue_send", type="primary", on_click=_send, args=(access, entry))
        back.button(
            "Hand back to the assistant", key="queue_hand_back", on_click=_end,
            args=(access, entry, "hand_back", "Handed back: the assistant answers again."),
        )  # fmt: skip
        done.button(
            "Resolve", key="queue_resolve", on_click=_end,
            args=(access, entry, "resolve", "Resolved the conversation."),
        )  # fmt: skip
    with trips:
        copilot_link(entry)
        passenger_360(access, entry.passenger_id)


def copilot_link(entry: QueueEntry) -> None:
    """The assistant as the agent's copilot on this passenger: the Chat page, with the
    passenger chosen, where every write it proposes waits for this agent's approval."""
    st.page_link(
        "app_pages/chat.py",
        label=f"Ask the assistant about {one_line(entry.passenger_name)}",
        icon=":material/smart_toy:",
        help="Opens Chat on this passenger; each change it proposes waits for your approval.",
        query_params={desk_link.PASSENGER: str(entry.passenger_id)},
    )
