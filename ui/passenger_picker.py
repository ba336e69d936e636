"""The passenger picker shared by the Bookings and Chat pages: search by name, e-mail, ticket
number or booking reference, then choose explicitly (nothing is preselected, so nobody acts
for the wrong passenger because a search happened to return them first).

While the search text does not find the chosen passenger (the agent typed another name and
pressed Enter without choosing), the picker says so and `search_mismatch` is true: the Chat
page locks its message box until the agent chooses from the matches or goes back."""

from __future__ import annotations

import streamlit as st

from services.core.errors import InvalidInput
from services.support.passengers import (
    PassengerMatch,
    find_passengers,
    passenger_by_id,
    search_finds,
)
from ui import resources
from ui.safe_text import literal, one_line


def chosen_passenger(key: str) -> int | None:
    return st.session_state.get(f"{key}_passenger_id")


def search_mismatch(key: str) -> bool:
    """True while the search text does not find the chosen passenger (set by the picker)."""
    return bool(st.session_state.get(f"{key}_mismatch"))


def _back_to(key: str) -> None:
    """Clear the search: the chosen passenger stays, the chat opens again."""
    st.session_state[f"{key}_query"] = ""
    st.session_state.pop(f"{key}_pick", None)


def _mismatch_line(key: str, query: str, name: str, *, chat: bool) -> None:
    held = "the chat is locked" if chat else "their trips are hidden"
    with st.container(key=f"{key}_locked"):
        st.warning(
            f"The search “{one_line(query)}” does not match **{one_line(name)}**, the passenger "
            f"you are helping, so {held}. Choose the passenger you are helping from "
            f"the matches, or go back to {one_line(name)}.",
            icon=":material/lock:",
        )
        st.button(
            f"Back to {one_line(name)}",
            key=f"{key}_back",
            icon=":material/undo:",
            on_click=_back_to,
            args=(key,),
        )


def passenger_picker(key: str, *, locks_chat: bool = False) -> int | None:
    """Draw the picker; returns the chosen passenger's id. State lives under `{key}_...`.

    While the search does not find the chosen passenger: None, or with `locks_chat` the id
    (the Chat page shows the conversation, locked: see search_mismatch)."""
    chosen_key, pick_key = f"{key}_passenger_id", f"{key}_pick"
    query = st.text_input(
        "Find a passenger",
        key=f"{key}_query",
        placeholder="Name, e-mail, ticket number or booking reference",
    )
    matches: list[PassengerMatch] = []
    if query.strip():
        try:
            with resources.db_session() as session:
                matches = find_passengers(session, query=query)
        except InvalidInput as err:
            st.caption(literal(err.message))
        else:
            if not matches:
                st.caption(f"No passenger matches '{one_line(query)}'.")
    if matches:
        labels = {m.id: f"{m.label} (by {m.matched_by})" for m in matches}

        def remember() -> None:
            st.session_state[chosen_key] = st.session_state[pick_key]

        st.selectbox(
            f"{len(matches)} match{'es' if len(matches) != 1 else ''}",
            options=list(labels),
            format_func=labels.__getitem__,
            index=None,
            placeholder="Choose the passenger you are helping",
            key=pick_key,
            on_change=remember,
        )
    return _chosen(key, query, locks_chat=locks_chat)


def _chosen(key: str, query: str, *, locks_chat: bool) -> int | None:
    """The chosen passenger's line: "Helping ...", or why the chat is locked."""
    passenger_id = chosen_passenger(key)
    st.session_state[f"{key}_mismatch"] = False
    if passenger_id is None:
        return None
    with resources.db_session() as session:
        chosen = passenger_by_id(session, passenger_id)
        found = not query.strip() or search_finds(session, query=query, passenger_id=passenger_id)
    if chosen is None:  # gone after a demo reset
        st.session_state.pop(f"{key}_passenger_id", None)
        return None
    if not found:
        st.session_state[f"{key}_mismatch"] = True
        _mismatch_line(key, query, chosen.name, chat=locks_chat)
        return passenger_id if locks_chat else None
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.info(f"Helping **{one_line(chosen.label)}**", icon=":material/person:")
    if right.button("Clear", key=f"{key}_clear"):
        st.session_state.pop(f"{key}_passenger_id", None)
        st.session_state.pop(f"{key}_pick", None)
        st.rerun()
    return passenger_id
