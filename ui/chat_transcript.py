"""The conversation column: the transcript from the checkpoint, the run a person just asked for
(streamed as it happens, ui/chat_live.py), and the approval card of a change waiting for a
decision. Text from the model, a person or a tool is shown through ui/safe_text.py."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from itertools import chain

import streamlit as st

from agent.approvals import ApprovalRequest
from agent.events import (
    ErrorEvent,
    Event,
    HistoryItem,
)
from services.core.errors import FaultKind, InvalidInput
from services.core.validation import check_chat_message
from ui.chat_format import chat_bubbles, reply_markdown, step_line, steps_label, tool_label
from ui.chat_live import LiveRun, write_safe_stream
from ui.chat_state import ChatDesk, queue, take_queued
from ui.safe_text import literal, one_line

# Refusals before the assistant runs at all: shown as a notice, not as an answer.
NOT_RUN = frozenset(
    {
        "invalid_input",
        "rate_limited",
        "permission_denied",
        "approval_pending",
        "approval_not_pending",
    }
)
# Faults (agent/faults.py): a sentence and a reference, shown as an error.
FAULTS = frozenset({FaultKind.SERVICE_UNAVAILABLE.value, FaultKind.INTERNAL_ERROR.value})
DENY_REASON = "chat_deny_reason"
log = logging.getLogger(__name__)


# --- the transcript ---------------------------------------------------------------------------


def _assistant_bubble(items: list[HistoryItem], waiting: str | None) -> None:
    """Steps and texts in the order they happened; each stretch of steps in one status box."""
    steps: list[tuple[str, str]] = []  # (tool name, its line)

    def flush(*, waits: bool = False) -> None:
        if steps:
            label = steps_label([name for name, _ in steps], waiting=waits)
            with st.status(label, state="complete"):
                st.markdown("\n\n".join(line for _, line in steps))
            steps.clear()

    for item in items:
        if item.role == "tool":
            name = item.tool_name or ""
            steps.append((name, step_line(name, item.status or "ok", content=item.text)))
        elif item.text:
            flush()
            st.markdown(reply_markdown(item.text))
    if waiting:  # the change on the approval card below
        steps.append((waiting, step_line(waiting, "awaiting_approval")))
    flush(waits=bool(waiting))


def transcript(desk: ChatDesk) -> None:
    if desk.chat is None:
        desk.intro = st.empty()  # gives way to the first message
        desk.intro.caption(
            f"Ask anything about {one_line(desk.passenger.name)}'s trips, or click a suggestion below. "
            "Nothing is changed until you approve it."
        )
        return
    try:
        items = desk.chat.history()
    except Exception:  # the conversation store is unreachable: say so, keep the page usable
        log.exception("could not read conversation %s", desk.chat.thread_id)
        st.error(
            "This conversation cannot be loaded right now; please try again in a moment.",
            icon=":material/cloud_off:",
        )
        return
    if not items and desk.summary is not None and desk.summary.turns:
        st.caption("This conversation's transcript is not stored on this desk.")
    pending = desk.pending_approval()
    bubbles = list(chat_bubbles(items))
    for i, (role, group) in enumerate(bubbles):
        with st.chat_message(role):
            if role == "user":
                st.markdown(literal(group[0].text))
            else:
                last = i == len(bubbles) - 1
                _assistant_bubble(group, pending.tool if pending and last else None)


# --- a run, live --------------------------------------------------------------------------------


def play(
    desk: ChatDesk, events: Iterator[Event], *, said: str | None = None, note: str | None = None
) -> None:
    """Draw one run while it happens: the person's message (`said`), then the assistant's
    bubble with a note (an approval or denial), tool steps and the streamed answer. A request
    refused before the run (bad input, rate limit, nothing pending) is a notice instead."""
    if desk.intro is not None:
        desk.intro.empty()
    user = st.empty()
    if said is not None:
        with user.chat_message("user"):
            st.markdown(literal(said))
    first = next(events, None)
    if isinstance(first, ErrorEvent) and first.kind in NOT_RUN | FAULTS:
        # Refused, or failed before anything ran (the database down when Approve was clicked):
        # a notice, not an "Approved by" bubble; the card is still pending.
        user.empty()
        if first.kind in FAULTS:
            st.error(literal(first.message), icon=":material/error:")
        else:
            st.warning(literal(first.message), icon=":material/info:")
        return
    live = LiveRun()
    with st.chat_message("assistant"):
        if note:
            st.caption(note)  # made of safe parts by run_queued
        if first is not None:
            write_safe_stream(live.events(chain([first], events)))
        live.close()
    desk.changed()


def _first_message_problem(desk: ChatDesk, text: str) -> str | None:
    """Why a first message would be refused, so no empty conversation is started for it. The
    runtime checks both again in send(); these are the same checks, asked early."""
    try:
        check_chat_message(text)
    except InvalidInput as err:
        return err.message
    limiter = desk.assistant.rate_limiter
    if limiter is not None and not (verdict := limiter.peek(desk.actor.username)).allowed:
        return (
            f"Too many messages: the limit is {limiter.rate} per user. "
            f"Try again in {verdict.retry_after_s} s."
        )
    return None


def run_queued(desk: ChatDesk) -> None:
    """Run what the person asked for in this click: a message, an approval or a denial."""
    request = take_queued()
    if request is None:
        return
    kind, *rest = request
    by = one_line(desk.actor.username)
    if kind == "send":
        text = str(rest[0])
        if desk.resolved:
            st.warning("This conversation is resolved; start a new one.", icon=":material/info:")
            return
        if desk.chat is None:
            if problem := _first_message_problem(desk, text):
                st.warning(literal(problem), icon=":material/info:")
                return
            desk.start()
        assert desk.chat is not None
        play(desk, desk.chat.send(text), said=text.strip())
    elif kind == "approve" and desk.chat is not None:
        note = f":material/check_circle: Approved by {by}"
        play(desk, desk.chat.approve(rest[0]), note=note)
    elif kind == "deny" and desk.chat is not None:
        reason = (rest[1] or "").strip() or None
        why = f": {one_line(reason)}" if reason else ""
        note = f":material/do_not_disturb_on: Denied by {by}{why}"
        play(desk, desk.chat.deny(rest[0], reason), note=note)


# --- the approval card ---------------------------------------------------------------------------


def _deny(approval_id: str) -> None:
    queue("deny", approval_id, st.session_state.get(DENY_REASON, ""))
    st.session_state[DENY_REASON] = ""


def _cell(value: str | None) -> str:
    return one_line(value) if value else "—"


def approval_card(desk: ChatDesk) -> ApprovalRequest | None:
    """The change waiting for a decision: what changes (before -> after), the money, the rule,
    and Approve / Deny (with an optional reason). Returns the request, if there is one."""
    request = desk.pending_approval()
    if request is None:
        return None
    with st.container(border=True, key="chat_approval_card"):
        st.markdown(f"##### :material/approval: Approval needed: {tool_label(request.tool)}")
        st.markdown(literal(request.summary))
        if request.changes:
            rows = [
                f"| {_cell(c.label)} | {_cell(c.before)} | {_cell(c.after)} |"
                for c in request.changes
            ]
            st.markdown("\n".join(["| What | Before | After |", "|---|---|---|", *rows]))
        money = []
        if request.charge is not None:
            money.append(f"Passenger pays **{request.currency} {request.charge:,.2f}**")
        if request.refund is not None:
            money.append(f"Passenger receives **{request.currency} {request.refund:,.2f}**")
        if money:
            st.markdown(" · ".join(money))
        if request.details:
            st.caption(" · ".join(one_line(d) for d in request.details))
        if request.rule:
            st.caption(f":material/gavel: Rule: {one_line(request.rule)}")
        st.text_input(
            "Reason, if you deny (optional)",
            key=DENY_REASON,
            placeholder="e.g. the customer changed their mind",
        )
        with st.container(horizontal=True):
            st.button(
                "Approve",
                key="chat_approve",
                type="primary",
                icon=":material/check:",
                on_click=queue,
                args=("approve", request.approval_id),
            )
            st.button(
                "Deny",
                key="chat_deny",
                icon=":material/close:",
                on_click=_deny,
                args=(request.approval_id,),
            )
    return request
