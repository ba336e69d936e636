"""The passenger and the open conversation in the page's URL (`?passenger=12&conversation=ab..`),
shared by the Chat and Bookings pages: a reload, a new tab or a copied link opens the same
passenger and conversation, and moving between the two pages keeps them.

A link is user input: services.support.links checks it against the signed-in identity (a
customer opens only their own passenger and conversations) and says why one cannot open. It is
read when it differs from what this session last read or wrote (`desk_link`): a reload, a
pasted link, or a page switch that dropped the parameters; otherwise the pickers' choice wins
and is written back at the end of the page."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from services.core.errors import DomainError
from services.support import links
from ui import resources
from ui.chat_state import open_conversation
from ui.guards import PageAccess
from ui.safe_text import literal

PASSENGER, CONVERSATION = "passenger", "conversation"
SYNCED = "desk_link"


@dataclass(frozen=True)
class Link:
    passenger: str | None = None
    conversation: str | None = None
    picker: str | None = None  # the page whose picker last wrote it ("chat", "bookings")


def _synced() -> Link:
    value = st.session_state.get(SYNCED)
    return value if isinstance(value, Link) else Link()


def _param(name: str) -> str | None:
    value = st.query_params.get(name)
    return value if isinstance(value, str) and value else None


def _refuse(err: DomainError, *names: str) -> None:
    st.warning(literal(err.message), icon=":material/link_off:")
    for name in names:
        st.query_params.pop(name, None)


def _chosen_key(picker: str) -> str:
    return f"{picker}_passenger_id"  # ui.passenger_picker's choice


def follow_passenger(access: PageAccess, picker: str) -> None:
    """Before the picker: a passenger named by a new link, or chosen on the other page,
    becomes this picker's choice; one this actor may not open is refused with its reason
    (and dropped from the URL)."""
    synced = _synced()
    raw = _param(PASSENGER) or synced.passenger  # a page switch may drop the parameters
    if raw is None or (raw == synced.passenger and synced.picker == picker):
        return  # this page wrote it: its picker's choice (or its Clear) stands
    try:
        with resources.db_session() as session:
            passenger_id = links.passenger_from_link(session, access.context(None), raw=raw)
    except DomainError as err:
        _refuse(err, PASSENGER, CONVERSATION)
        st.session_state[SYNCED] = Link(picker=picker)
        return
    kept = synced.conversation if raw == synced.passenger else None
    st.session_state[SYNCED] = Link(raw, kept, picker)
    if not access.own_passenger_only:
        st.session_state[_chosen_key(picker)] = passenger_id


def follow_conversation(access: PageAccess, passenger_id: int) -> None:
    """Before the Chat desk opens: a conversation named by a new link (about this passenger,
    visible to this actor) becomes the open one. One this session wrote is left alone: the
    open conversation is the session's (New conversation, a click in the list)."""
    synced = _synced()
    raw = _param(CONVERSATION)
    if raw is None or raw == synced.conversation:
        return
    try:
        with resources.db_session() as session:
            found = links.conversation_from_link(session, access.context(passenger_id), raw=raw)
    except DomainError as err:
        _refuse(err, CONVERSATION)
        st.session_state[SYNCED] = Link(synced.passenger, None, synced.picker)
        return
    st.session_state[SYNCED] = Link(synced.passenger, found.id, synced.picker)
    open_conversation(passenger_id, found.id)


def show(
    picker: str, passenger_id: int | None, conversation_id: str | None, *, own: bool = False
) -> None:
    """After the page: the URL names what the page shows (a customer's own passenger is
    implicit: their links carry only the conversation)."""
    passenger = None if passenger_id is None else str(passenger_id)
    conversation = conversation_id if passenger_id is not None else None
    wanted = {PASSENGER: None if own else passenger, CONVERSATION: conversation}
    for name, value in wanted.items():
        if value is None:
            st.query_params.pop(name, None)
        elif st.query_params.get(name) != value:
            st.query_params[name] = value
    st.session_state[SYNCED] = Link(wanted[PASSENGER], conversation, picker)


def kept_conversation(passenger_id: int | None, *, own: bool = False) -> str | None:
    """The Bookings page keeps the open conversation in its URL while the passenger stays."""
    synced = _synced()
    same = passenger_id is not None and (own or synced.passenger == str(passenger_id))
    return synced.conversation if same else None


def chat_link(passenger_id: int, conversation_id: str) -> dict[str, str]:
    """The query parameters that open this conversation on the Chat page."""
    return {PASSENGER: str(passenger_id), CONVERSATION: conversation_id}
