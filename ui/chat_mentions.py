"""A message that names another passenger than the one being served waits here, unsent, until
the agent decides: switch to that passenger (and send it for them), send it anyway for the
served passenger ("her friend Grace recommended us"), or drop it. The assistant acts for the
served passenger only, so "Grace Lin wants compensation" sent while serving Farid Haddad would
build a card for Farid.

Only staff are checked (services.support.mentions refuses customers: whether a passenger of
some name exists is not a customer's to learn). Session-state key: chat_mention."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import streamlit as st

from services.core.errors import DomainError
from services.support.mentions import Mention, other_passengers_named
from ui import resources
from ui.chat_state import THREAD, ChatDesk, queue
from ui.safe_text import literal, one_line

MENTION = "chat_mention"
ANYWAY = "anyway"  # the third item of a ("send", text, ANYWAY) request: checked already
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeldMessage:
    passenger_id: int  # the passenger served when it was typed
    text: str
    mentions: tuple[Mention, ...]


def others_named(desk: ChatDesk, text: str) -> list[Mention]:
    """Other passengers `text` names; none for a customer (not checked) or when the check
    itself cannot run (the send that follows reports that problem)."""
    if desk.customer:
        return []
    try:
        with resources.db_session() as session:
            return other_passengers_named(session, desk.context(), text)
    except DomainError as err:
        log.warning("mention check skipped: %s", err.code)
        return []


def hold(desk: ChatDesk, text: str, mentions: list[Mention]) -> None:
    st.session_state[MENTION] = HeldMessage(desk.passenger.id, text, tuple(mentions))


def drop() -> None:
    st.session_state.pop(MENTION, None)


def _send_anyway(text: str) -> None:
    drop()
    queue("send", text, ANYWAY)


def _switch(passenger_id: int, text: str) -> None:
    """Serve the named passenger instead, in a new conversation, and send the message there
    (checked again for that passenger)."""
    drop()
    st.session_state["chat_query"] = ""  # set, not dropped: the box in the browser empties too
    st.session_state.pop("chat_pick", None)
    st.session_state["chat_passenger_id"] = passenger_id
    st.session_state.pop(THREAD, None)
    queue("send", text)


def describe(m: Mention) -> str:
    """The mention as Markdown: "**Grace Lin**", "**Mrs Lin** (12 passengers of that name)",
    "**Grace** (the first name of 16 other passengers)"."""
    name = f"**{one_line(m.written)}**"
    if m.full_name:
        return name if m.count == 1 else f"{name} ({m.count} passengers of that name)"
    who = "another passenger" if m.count == 1 else f"{m.count} other passengers"
    return f"{name} (the first name of {who})"


def held_message(desk: ChatDesk) -> HeldMessage | None:
    """The message waiting for the agent's decision, drawn with its choices."""
    held: HeldMessage | None = st.session_state.get(MENTION)
    if held is None or held.passenger_id != desk.passenger.id:
        drop()
        return None
    served = one_line(desk.passenger.name)
    names = ", ".join(describe(m) for m in held.mentions)
    with st.container(border=True, key="chat_mention"):
        st.warning(
            f"This message names {names}, not **{served}**, the passenger you are helping. "
            f"The assistant acts for {served} only, so nothing has been sent yet.",
            icon=":material/person_alert:",
        )
        st.caption(literal(held.text))
        with st.container(horizontal=True):
            for m in held.mentions:
                if m.passenger_id is not None:
                    st.button(
                        f"Switch to {one_line(m.names[0])} and send",
                        key=f"chat_mention_switch_{m.passenger_id}",
                        type="primary",
                        icon=":material/switch_account:",
                        on_click=_switch,
                        args=(m.passenger_id, held.text),
                    )
            st.button(
                f"Send anyway, for {served}",
                key="chat_mention_send",
                icon=":material/send:",
                on_click=_send_anyway,
                args=(held.text,),
            )
            st.button("Don't send", key="chat_mention_drop", icon=":material/close:", on_click=drop)
    return held
