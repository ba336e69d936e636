"""The sidebar's "1 approval waiting": every change waiting for a decision in a conversation
this person holds, each a link that opens it on the Chat page (passenger and conversation in
the URL), where its card can be approved or denied. Drawn after the page, so a card approved
or raised in this run is already counted right."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from db.models import Role
from services.core.clock import HOME_TZ
from services.core.context import Actor, ServiceContext
from services.core.errors import DomainError
from services.identity.accounts import Account
from services.support import waiting
from services.support.waiting import WaitingApproval
from ui import resources
from ui.chat_assistant import assistant
from ui.components import MODEL_KEY
from ui.desk_link import chat_link
from ui.safe_text import one_line

if TYPE_CHECKING:  # agent.runtime loads LangGraph: only once something may wait
    from agent.runtime import Assistant

CHAT_ROLES = frozenset({Role.AGENT, Role.ADMIN, Role.CUSTOMER})
SHOWN = 5


def card_waits(helper: Assistant, thread_id: str, actor: Actor) -> bool:
    """Does the assistant hold a card for this conversation now? The records name the
    candidates; the checkpoint is the truth (a seeded or imported conversation can end on a
    card no checkpoint holds, and then nothing can run)."""
    try:
        return helper.open(thread_id, actor).pending_approval() is not None
    except DomainError:  # gone, not this actor's, or the checkpointer unreachable
        return False


CHECKED = "waiting_checked"  # (conversation id, turn that raised it) -> does the card wait


def _confirmed(items: list[WaitingApproval], account: Account) -> list[WaitingApproval]:
    """The items whose card the checkpoint holds. Each answer is kept for the session until
    the conversation moves on (a decision or a message records a new turn), so seeded
    conversations that ended on a card are looked up once, not every run."""
    checked: dict[tuple[str, int], bool] = st.session_state.setdefault(CHECKED, {})
    unknown = [i for i in items if (i.conversation_id, i.turn_id) not in checked]
    if unknown:  # the assistant (LangGraph) is loaded only when something may wait
        helper = assistant(st.session_state.get(MODEL_KEY) or resources.settings().model_provider)
        for i in unknown:
            checked[(i.conversation_id, i.turn_id)] = card_waits(
                helper, i.conversation_id, account.actor
            )
    return [i for i in items if checked[(i.conversation_id, i.turn_id)]]


def waiting_words(count: int, *, own: bool = False) -> str:
    if own:  # a customer confirms their own changes
        return f"{count} change{'s' if count != 1 else ''} to confirm"
    return f"{count} approval{'s' if count != 1 else ''} waiting"


def waiting_approvals(box: DeltaGenerator, account: Account) -> None:
    if account.role not in CHAT_ROLES:
        return
    ctx = ServiceContext(actor=account.actor, clock=resources.clock())
    with resources.db_session() as session:
        candidates = waiting.waiting_approvals(session, ctx)
    # Confirmed once the session is closed: opening the assistant can run the checkpointer's
    # migrations, whose CREATE INDEX CONCURRENTLY waits for every open transaction, this
    # session's included (on PostgreSQL the page would hang).
    items = _confirmed(candidates, account)
    if not items:
        return
    own = account.role == Role.CUSTOMER
    with box.container(key="sidebar_waiting", border=True):
        st.markdown(
            f":orange-badge[:material/pending_actions: {waiting_words(len(items), own=own)}]"
        )
        for item in items[:SHOWN]:
            # The link's label is one line (cut when long): the passenger, or for a customer
            # the change; what it is about on the line below.
            st.page_link(
                "app_pages/chat.py",
                label=one_line(item.title if own else item.passenger_name),
                icon=":material/arrow_forward:",
                help=one_line(item.title),
                query_params=chat_link(item.passenger_id, item.conversation_id),
                width="stretch",
            )
            if not own:
                st.caption(f"{one_line(item.title)} · {item.since.astimezone(HOME_TZ):%d %b %H:%M}")
        if len(items) > SHOWN:
            st.caption(f"and {len(items) - SHOWN} more")
