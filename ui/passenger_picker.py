"""The passenger picker shared by the Bookings and Chat pages: search by name, e-mail, ticket
number or booking reference, then choose explicitly (nothing is preselected, so nobody acts
for the wrong passenger because a search happened to return them first)."""

from __future__ import annotations

import streamlit as st

from services.core.errors import InvalidInput
from services.support.passengers import PassengerMatch, find_passengers, passenger_label
from ui import resources
from ui.safe_text import literal, one_line


def chosen_passenger(key: str) -> int | None:
    return st.session_state.get(f"{key}_passenger_id")


def passenger_picker(key: str) -> int | None:
    """Draw the picker; returns the chosen passenger's id. State lives under `{key}_...`."""
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
    passenger_id = chosen_passenger(key)
    if passenger_id is not None:
        with resources.db_session() as session:
            label = passenger_label(session, passenger_id)
        if label is None:  # gone after a demo reset
            st.session_state.pop(chosen_key, None)
            return None
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.info(f"Helping **{one_line(label)}**", icon=":material/person:")
        if right.button("Clear", key=f"{key}_clear"):
            st.session_state.pop(chosen_key, None)
            st.session_state.pop(pick_key, None)
            st.rerun()
    return passenger_id
