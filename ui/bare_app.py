"""The framework's floor for bench/ui_latency.py: a bare Streamlit app with the widgets SkyDesk's
pages use for the timed interactions, nothing else. Served by the bench, never imported."""

import time
from collections.abc import Iterator

import streamlit as st

REPLY = "Anna Keller has two bookings: AL 100 ZRH-LHR and a hotel in London. " * 3


def words() -> Iterator[str]:
    for word in REPLY.split(" "):
        yield word + " "
        time.sleep(0.01)


def chat() -> None:
    st.title("Chat")
    st.text_input("Find a passenger")
    messages = st.session_state.setdefault("messages", [])
    for role, text in messages:
        with st.chat_message(role):
            st.markdown(text)
    if prompt := st.chat_input("Ask about Anna's trips"):
        messages.append(("user", prompt))
        with st.chat_message("user"):
            st.markdown(prompt)
        with st.chat_message("assistant"):
            messages.append(("assistant", st.write_stream(words())))
    if st.button("Approve"):
        st.session_state.approved = st.session_state.get("approved", 0) + 1
        st.markdown(f"Done. Ticket {st.session_state.approved} moved to AL 100.")


def bookings() -> None:
    st.title("Bookings")
    st.text_input("Find a passenger")


def metrics() -> None:
    st.title("Metrics")
    st.caption("Support KPIs and their trends.")


st.navigation(
    [
        st.Page(chat, title="Chat"),
        st.Page(bookings, title="Bookings"),
        st.Page(metrics, title="Metrics"),
    ]
).run()
