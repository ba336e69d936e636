"""Around the conversation: the passenger's conversations to resume, this conversation's rating
and its Mark resolved / Escalate actions, suggested prompts, and the message box. The actions
are service calls (services.support.conversations), run in callbacks; their outcome is a notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from db.models import ConversationStatus, EscalationReason
from services.core.clock import HOME_TZ
from services.core.context import ServiceContext
from services.core.errors import DomainError, ServiceUnavailable
from services.core.validation import MAX_CHAT_CHARS
from services.support import conversations
from services.support.conversations import ConversationSummary
from services.support.escalations import MAX_SUMMARY
from ui import resources
from ui.chat_mentions import MENTION
from ui.chat_prompts import suggestions
from ui.chat_state import INPUT, ChatDesk, notify, open_conversation, queue, queue_typed_message
from ui.components import fault_text
from ui.safe_text import literal, one_line
from ui.waiting_panel import card_waits, waiting_words

STATUS_BADGES = {
    ConversationStatus.OPEN: ("Open", "blue", ":material/forum:"),
    ConversationStatus.RESOLVED: ("Resolved", "green", ":material/task_alt:"),
    ConversationStatus.ESCALATED: ("Escalated", "orange", ":material/support_agent:"),
}
ESCALATE_REASON, ESCALATE_SUMMARY = "chat_escalate_reason", "chat_escalate_summary"
REASON_WORDS = {
    EscalationReason.CUSTOMER_REQUEST: "Asks for a person",
    EscalationReason.MISSING_KNOWLEDGE: "Missing knowledge",
    EscalationReason.UNSUPPORTED_REQUEST: "Unsupported request",
    EscalationReason.POLICY_RESTRICTION: "Needs a policy exception",
    EscalationReason.TOOL_FAILURE: "A system failed",
}


def _service(action: Callable[..., Any], ctx: ServiceContext, done: str, **kwargs: Any) -> None:
    """A conversation action in a callback: the service decides; the outcome is a notice."""
    try:
        with resources.db_session() as session:
            action(session, ctx, **kwargs)
    except ServiceUnavailable as err:
        notify("error", err.message)
    except DomainError as err:
        notify("warning", err.message)
    except Exception as err:  # a callback's exception would bypass the page's guard
        notify("error", fault_text(err, where="conversation action"))
    else:
        notify("success", done)


# --- the conversations to resume ---------------------------------------------------------------


def _when(c: ConversationSummary) -> str:
    return f"{c.updated_at.astimezone(HOME_TZ):%d %b %H:%M}"


def _waiting(desk: ChatDesk, c: ConversationSummary) -> bool:
    """The open conversation's card as the assistant has it now; the others' as recorded."""
    if c.id == desk.thread_id:
        return desk.pending_approval() is not None
    return c.awaiting_approval and card_waits(desk.assistant, c.id, desk.actor)


def _entry(desk: ChatDesk, c: ConversationSummary, waiting: bool) -> None:
    """One conversation: its title (a button that opens it), then status, time and the
    pending marker below."""
    label, color, icon = STATUS_BADGES[c.status]
    title = one_line(c.title)  # a button label is Markdown
    held = f"{one_line(c.held_by or 'unknown')} · " if not desk.access.own_passenger_only else ""
    st.button(
        title,
        key=f"chat_open_{c.id}",
        icon=":material/pending_actions:" if waiting else icon,
        help=f"{title} · {held}{c.turns} turn{'s' if c.turns != 1 else ''}",
        type="primary" if c.id == desk.thread_id else "tertiary",
        on_click=open_conversation,
        args=(desk.passenger.id, c.id),
        width="stretch",
    )
    st.caption(f":{color}-badge[{label}] · {_when(c)}")
    if waiting:
        own = desk.access.own_passenger_only
        st.caption(f":orange-badge[:material/pending_actions: {waiting_words(1, own=own)}]")


# Each title wraps onto a second line rather than being cut ("What bookin...es she have?" at
# 1024 px, where the side column is ~190 px); the entries sit close together, each title with
# its status line.
LIST_STYLE = """<style>
.st-key-chat_conversations button { justify-content: flex-start; min-height: 2rem; }
.st-key-chat_conversations button [data-testid="stMarkdownContainer"],
.st-key-chat_conversations [data-testid="stCaptionContainer"] { min-width: 0; }
.st-key-chat_conversations button p,
.st-key-chat_conversations [data-testid="stCaptionContainer"] p {
  white-space: normal; overflow-wrap: anywhere; text-align: left;
}
.st-key-chat_conversations [data-testid="stCaptionContainer"] { margin-top: -0.9rem; }
</style>"""


def conversation_list(desk: ChatDesk) -> None:
    st.html(LIST_STYLE)
    try:
        rows = desk.conversations()
    except DomainError as err:
        st.markdown("**Conversations**")
        st.caption(literal(err.message))
        return
    waiting = {c.id: _waiting(desk, c) for c in rows}
    count = sum(waiting.values())
    own = desk.access.own_passenger_only
    st.markdown("**Conversations**")
    if count:
        st.caption(f":orange-badge[:material/pending_actions: {waiting_words(count, own=own)}]")
    st.button(
        "New conversation",
        key="chat_new",
        icon=":material/add_comment:",
        disabled=desk.chat is None,
        on_click=open_conversation,
        args=(desk.passenger.id, None),
        width="stretch",
    )
    if not rows:
        st.caption(
            "No earlier conversations."
            if own
            else f"No conversations about {one_line(desk.passenger.name)} yet."
        )
        return
    with st.container(
        height=360 if len(rows) > 5 else "content", border=False, key="chat_conversations"
    ):
        for c in rows:
            _entry(desk, c, waiting[c.id])


# --- this conversation: rating, resolve, escalate ------------------------------------------------


def _rate(ctx: ServiceContext, key: str) -> None:
    stars = st.session_state.get(key)
    if stars is not None:
        rating = int(stars) + 1
        _service(
            conversations.rate_conversation, ctx, f"Rated {rating} of 5. Thank you.", rating=rating
        )


def _escalate(ctx: ServiceContext) -> None:
    _service(
        conversations.escalate_conversation,
        ctx,
        "Escalated to a colleague.",
        reason=st.session_state.get(ESCALATE_REASON) or EscalationReason.CUSTOMER_REQUEST,
        summary=st.session_state.get(ESCALATE_SUMMARY, ""),
    )


def conversation_actions(desk: ChatDesk) -> None:
    summary = desk.summary
    if desk.chat is None or summary is None:
        return
    st.markdown("**This conversation**")
    label, color, icon = STATUS_BADGES[summary.status]
    reason = f" · {one_line(summary.escalation_reason)}" if summary.escalation_reason else ""
    st.badge(label + reason, color=color, icon=icon)  # type: ignore[arg-type]
    ctx = desk.context()
    rating_key = f"chat_rating_{summary.id}"
    st.caption("How helpful was the assistant?")
    st.feedback(
        "stars",
        key=rating_key,
        default=summary.rating - 1 if summary.rating else None,
        on_change=_rate,
        args=(ctx, rating_key),
    )
    st.button(
        "Mark resolved",
        key="chat_resolve",
        icon=":material/task_alt:",
        disabled=summary.status == ConversationStatus.RESOLVED,
        on_click=_service,
        args=(conversations.resolve_conversation, ctx, "Marked resolved."),
        width="stretch",
    )
    if summary.status != ConversationStatus.OPEN:
        return
    with (
        st.popover("Escalate", icon=":material/support_agent:", width="stretch"),
        st.form("chat_escalate_form", border=False),
    ):
        st.selectbox(
            "Reason",
            list(EscalationReason),
            format_func=lambda r: REASON_WORDS[r],
            key=ESCALATE_REASON,
        )
        st.text_area(
            "Summary for the colleague",
            key=ESCALATE_SUMMARY,
            value=summary.first_message,
            max_chars=MAX_SUMMARY,
        )
        st.form_submit_button(
            "Escalate", key="chat_escalate", type="primary", on_click=_escalate, args=(ctx,)
        )


# --- prompts and the message box -----------------------------------------------------------------


def suggested_prompts(desk: ChatDesk) -> None:
    if desk.resolved or desk.locked or desk.pending_approval() is not None:
        return
    if st.session_state.get(MENTION) is not None:  # a message waits for the agent's decision
        return
    prompts = suggestions(desk.passenger.email, own=desk.access.own_passenger_only)
    with st.container(horizontal=True, key="chat_prompts"):
        for i, text in enumerate(prompts):
            st.button(
                text,
                key=f"chat_prompt_{i}",
                icon=":material/lightbulb:",
                on_click=queue,
                args=("send", text),
            )


def message_box(desk: ChatDesk | None) -> None:
    """The chat input, pinned to the bottom of the page; closed while it cannot be used."""
    if desk is None:
        placeholder, disabled = "Choose a passenger first", True
    elif desk.locked:
        first = desk.passenger.name.split()[0]
        placeholder = f"Locked: the search does not match {first}; choose or go back"
        disabled = True
    elif desk.pending_approval() is not None:
        placeholder = (
            "Confirm or decline the change above first"
            if desk.customer
            else "Approve or deny the change above first"
        )
        disabled = True
    elif desk.resolved:
        placeholder, disabled = "This conversation is resolved; start a new one", True
    else:
        first = desk.passenger.name.split()[0]
        placeholder, disabled = f"Ask about {first}'s trips…", False
    # max_chars: the browser shows the count against the limit and takes no more characters
    # (services.core.validation checks it again); a message refused anyway is put back.
    st.chat_input(
        placeholder,
        key=INPUT,
        on_submit=queue_typed_message,
        disabled=disabled,
        max_chars=MAX_CHAT_CHARS,
    )
