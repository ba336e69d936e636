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
from ui import chat_mentions
from ui.chat_format import chat_bubbles, reply_markdown, step_line, steps_label, tool_label
from ui.chat_live import LiveRun, write_safe_stream
from ui.chat_state import ChatDesk, keep_typed, queue, take_queued
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
LOCKED_CARD = "Approve is locked while the search above does not match this passenger."
LOCKED = (
    "Not sent: the search above does not match the passenger you are helping. Choose the "
    "passenger from the matches, or go back to the one you are helping."
)
log = logging.getLogger(__name__)


# --- the transcript ---------------------------------------------------------------------------


def _assistant_bubble(items: list[HistoryItem], waiting: str | None, *, customer: bool) -> None:
    """Steps and texts in the order they happened; each stretch of steps in one status box."""
    steps: list[tuple[str, str]] = []  # (tool name, its line)

    def flush(*, waits: bool = False) -> None:
        if steps:
            label = steps_label([name for name, _ in steps], waiting=waits, customer=customer)
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
        steps.append((waiting, step_line(waiting, "awaiting_approval", customer=customer)))
    flush(waits=bool(waiting))


def transcript(desk: ChatDesk) -> None:
    if desk.chat is None:
        desk.intro = st.empty()  # gives way to the first message
        then = "you confirm it" if desk.customer else "you approve it"
        desk.intro.caption(
            f"Ask anything about {one_line(desk.passenger.name)}'s trips, or click a suggestion "
            f"below. Nothing is changed until {then}."
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
                waits = pending.tool if pending and last else None
                _assistant_bubble(group, waits, customer=desk.customer)


# --- a run, live --------------------------------------------------------------------------------


def play(
    desk: ChatDesk, events: Iterator[Event], *, said: str | None = None, note: str | None = None
) -> bool:
    """Draw one run while it happens: the person's message (`said`), then the assistant's
    bubble with a note (an approval or denial), tool steps and the streamed answer. A request
    refused before the run (bad input, rate limit, nothing pending) is a notice instead, and
    False is returned (True when the run happened)."""
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
        return False
    live = LiveRun(customer=desk.customer)
    with st.chat_message("assistant"):
        if note:
            st.caption(note)  # made of safe parts by run_queued
        if first is not None:
            write_safe_stream(live.events(chain([first], events)))
        live.close()
    desk.changed()
    return True


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


def _send(desk: ChatDesk, text: str, *, checked: bool) -> None:
    """A message: unless `checked`, held back when it names another passenger
    (ui/chat_mentions.py); else sent, starting the conversation if none is open."""
    if desk.resolved:
        st.warning("This conversation is resolved; start a new one.", icon=":material/info:")
        keep_typed(text)
        return
    if desk.chat is None and (problem := _first_message_problem(desk, text)):
        st.warning(literal(problem), icon=":material/info:")
        keep_typed(text)
        return
    if not checked and (named := chat_mentions.others_named(desk, text)):
        chat_mentions.hold(desk, text, named)
        return
    if desk.chat is None:
        desk.start()
    assert desk.chat is not None
    if not play(desk, desk.chat.send(text), said=text.strip()):
        keep_typed(text)  # refused (too long, characters, rate limit): typed again, not lost


def run_queued(desk: ChatDesk) -> None:
    """Run what the person asked for in this click: a message, an approval or a denial."""
    request = take_queued()
    if request is None:
        return
    kind, *rest = request
    chat_mentions.drop()  # a new request replaces a message waiting on a mention
    if desk.locked and kind != "deny":
        st.warning(LOCKED, icon=":material/lock:")
        return
    by = one_line(desk.actor.username)
    if kind == "send":
        _send(desk, str(rest[0]), checked=rest[1:] == [chat_mentions.ANYWAY])
    elif kind == "approve" and desk.chat is not None:
        note = (
            ":material/check_circle: You confirmed"
            if desk.customer
            else f":material/check_circle: Approved by {by}"
        )
        play(desk, desk.chat.approve(rest[0]), note=note)
    elif kind == "deny" and desk.chat is not None:
        reason = (rest[1] or "").strip() or None
        why = f": {one_line(reason)}" if reason else ""
        who = "You declined" if desk.customer else f"Denied by {by}"
        note = f":material/do_not_disturb_on: {who}{why}"
        play(desk, desk.chat.deny(rest[0], reason), note=note)


# --- the approval card ---------------------------------------------------------------------------


def _deny(approval_id: str) -> None:
    queue("deny", approval_id, st.session_state.get(DENY_REASON, ""))
    st.session_state[DENY_REASON] = ""


def _cell(value: str | None) -> str:
    return one_line(value) if value else "—"


def _money(desk: ChatDesk, request: ApprovalRequest) -> str:
    who = ("You pay", "You receive") if desk.customer else ("Passenger pays", "Passenger receives")
    money = []
    if request.charge is not None:
        money.append(f"{who[0]} **{request.currency} {request.charge:,.2f}**")
    if request.refund is not None:
        money.append(f"{who[1]} **{request.currency} {request.refund:,.2f}**")
    return " · ".join(money)


def approval_card(desk: ChatDesk) -> ApprovalRequest | None:
    """The change waiting for a decision, for the passenger it names: what changes (before ->
    after), the money and the card, the rule, and Approve / Deny (with an optional reason); a
    customer confirms or declines their own change."""
    request = desk.pending_approval()
    if request is None:
        return None
    customer = desk.customer
    with st.container(border=True, key="chat_approval_card"):
        st.markdown(
            f"##### {':material/fact_check:' if customer else ':material/approval:'} "
            f"Change for {one_line(desk.passenger.name)}: "
            f"{tool_label(request.tool)}"
        )
        st.caption(
            "Please confirm: nothing changes until you confirm it."
            if customer
            else "Approval needed: nothing changes until you approve it."
        )
        st.markdown(literal(request.summary))
        if request.changes:
            rows = [
                f"| {_cell(c.label)} | {_cell(c.before)} | {_cell(c.after)} |"
                for c in request.changes
            ]
            st.markdown("\n".join(["| What | Before | After |", "|---|---|---|", *rows]))
        if money := _money(desk, request):
            st.markdown(money)
        if request.details:
            st.caption(" · ".join(one_line(d) for d in request.details))
        if request.rule:
            st.caption(f":material/gavel: Rule: {one_line(request.rule)}")
        if desk.locked:
            st.caption(f":material/lock: {LOCKED_CARD}")
        st.text_input(
            "Reason, if you decline (optional)" if customer else "Reason, if you deny (optional)",
            key=DENY_REASON,
            placeholder="e.g. I changed my mind"
            if customer
            else "e.g. the customer changed their mind",
        )
        with st.container(horizontal=True):
            st.button(
                "Confirm" if customer else "Approve",
                key="chat_approve",
                type="primary",
                icon=":material/check:",
                disabled=desk.locked,
                on_click=queue,
                args=("approve", request.approval_id),
            )
            st.button(
                "Decline" if customer else "Deny",
                key="chat_deny",
                icon=":material/close:",
                on_click=_deny,
                args=(request.approval_id,),
            )
    return request
