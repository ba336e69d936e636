"""The Chat page's session: which conversation is open for which passenger, and what the person
asked for (a message, an approval, a denial) waiting to be run.

Every control only *queues* its request in a callback (chat_queue); the page runs it in the
conversation column, where the answer streams in, after the transcript. So a click on Approve
and a typed message take the same path, and controls drawn further down (the approval card, the
message box) already reflect the result in the same run.

Session-state keys (all "chat_"): chat_thread (the open conversation and its passenger),
chat_queue, chat_notice, chat_input, plus the picker's chat_passenger_id / chat_pick /
chat_query and the model picker's chat_model."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import streamlit as st

from agent.approvals import ApprovalRequest
from db.models import ConversationStatus
from services.core.context import Actor, ServiceContext
from services.core.errors import DomainError
from services.support import conversations
from services.support.conversations import ConversationSummary, PassengerSummary
from ui import resources
from ui.chat_assistant import assistant
from ui.guards import PageAccess
from ui.passenger_picker import search_mismatch
from ui.safe_text import literal

if TYPE_CHECKING:  # agent.runtime loads LangGraph: only once a conversation needs it
    from agent.runtime import Assistant, Chat

THREAD = "chat_thread"
QUEUE = "chat_queue"
NOTICE = "chat_notice"
INPUT = "chat_input"


# --- requests from the controls (callbacks) ---------------------------------------------------


def queue(*request: Any) -> None:
    """("send", text) | ("approve", approval_id) | ("deny", approval_id, reason_key)."""
    st.session_state[QUEUE] = request


def take_queued() -> tuple[Any, ...] | None:
    return st.session_state.pop(QUEUE, None)


def queue_typed_message() -> None:
    text = st.session_state.get(INPUT)
    if text is not None:
        queue("send", text)


def keep_typed(text: str) -> None:
    """Put a refused message back into the message box (drawn later in this run), so the
    person corrects it instead of typing it again. st.chat_input is a trigger widget: text set
    in its session state before it is drawn fills the box without being sent."""
    if text.strip():
        st.session_state[INPUT] = text


def notify(kind: str, text: str) -> None:
    """A message for the next run: kind "success", "warning" or "error"."""
    st.session_state[NOTICE] = (kind, text)


def show_notice() -> None:
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        kind, text = notice
        icons = {"success": ":material/check_circle:", "warning": ":material/info:"}
        getattr(st, kind)(literal(text), icon=icons.get(kind, ":material/error:"))


def open_conversation(passenger_id: int, thread_id: str | None) -> None:
    """Switch to a listed conversation, or (None) to a new one started by the next message."""
    if thread_id is None:
        st.session_state.pop(THREAD, None)
    else:
        st.session_state[THREAD] = {"passenger_id": passenger_id, "thread_id": thread_id}
    st.session_state.pop(QUEUE, None)


# --- the open conversation --------------------------------------------------------------------


@dataclass
class ChatDesk:
    """What one run of the page works with: who acts, for which passenger, with which model,
    in which conversation (None until the first message starts one)."""

    access: PageAccess
    passenger: PassengerSummary
    provider: str
    chat: Chat | None = None
    summary: ConversationSummary | None = None
    intro: Any = None  # the placeholder of a new conversation's introduction
    _pending: ApprovalRequest | None = None
    _pending_read: bool = False

    @classmethod
    def open(cls, access: PageAccess, passenger_id: int, provider: str) -> ChatDesk | None:
        """The desk for this run, or None (with the reason shown) when the passenger cannot
        be served."""
        try:
            with resources.db_session() as session:
                who = conversations.passenger_summary(session, access.context(passenger_id))
        except DomainError as err:
            st.warning(literal(err.message), icon=":material/info:")
            return None
        desk = cls(access, who, provider)
        desk._resume()
        return desk

    @property
    def actor(self) -> Actor:
        return self.access.account.actor

    @property
    def assistant(self) -> Assistant:
        return assistant(self.provider)

    @property
    def thread_id(self) -> str | None:
        return self.chat.thread_id if self.chat else None

    def context(self) -> ServiceContext:
        """The service context of this passenger and conversation (for the audit)."""
        return replace(self.access.context(self.passenger.id), conversation_id=self.thread_id)

    def _resume(self) -> None:
        """Reopen the session's conversation if it belongs to this passenger; a conversation
        of another passenger (the picker changed) is simply closed."""
        saved = st.session_state.get(THREAD)
        if not saved or saved.get("passenger_id") != self.passenger.id:
            st.session_state.pop(THREAD, None)
            return
        try:
            self.chat = self.assistant.open(saved["thread_id"], self.actor)
            self.refresh()
        except DomainError as err:
            st.session_state.pop(THREAD, None)
            self.chat, self.summary = None, None
            notify("warning", err.message)

    def refresh(self) -> None:
        """Re-read the conversation's row (status, rating, title) after a change."""
        if self.chat is None:
            return
        with resources.db_session() as session:
            self.summary = conversations.get_conversation(
                session, self.context(), self.chat.thread_id
            )

    def start(self) -> Chat:
        """A new conversation about the passenger, opened for the rest of the session."""
        self.chat = self.assistant.start(self.actor, self.passenger.id)
        open_conversation(self.passenger.id, self.chat.thread_id)
        return self.chat

    def pending_approval(self) -> ApprovalRequest | None:
        """The change waiting for a decision (read once per run, and again after a run)."""
        if not self._pending_read:
            self._pending = self.chat.pending_approval() if self.chat else None
            self._pending_read = True
        return self._pending

    def changed(self) -> None:
        """After a run: the pending approval and the conversation's row may have changed."""
        self._pending_read = False
        self.refresh()

    @property
    def customer(self) -> bool:
        """A customer about their own trips: they confirm or decline; staff approve or deny."""
        return self.access.own_passenger_only

    @property
    def locked(self) -> bool:
        """The picker's search does not find this passenger: nothing may be sent or approved
        (the agent may be looking at the wrong passenger)."""
        return not self.customer and search_mismatch("chat")

    @property
    def resolved(self) -> bool:
        return self.summary is not None and self.summary.status == ConversationStatus.RESOLVED

    def conversations(self) -> list[ConversationSummary]:
        with resources.db_session() as session:
            return conversations.list_conversations(session, self.access.context(self.passenger.id))
