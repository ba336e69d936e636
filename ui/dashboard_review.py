"""The Conversation review page's parts: the filters, one page of conversations, and one
conversation with its transcript (from the assistant's checkpoint, with tool steps and
approvals), its turns, audit records and feedback, and the coaching flag.

Session-state keys (all "review_"): the filters' widgets, the pager's review_cursors /
review_pager_query, review_open (the conversation shown), review_note_<id> (a coaching note
being written) and review_flash (the flag's result, shown once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import streamlit as st

from agent.approvals import ApprovalRequest
from agent.events import HistoryItem
from services.core.errors import DomainError
from services.dashboards import coaching, reviews
from services.dashboards.reviews import ConversationReview, ConversationRow, ReviewFilters
from services.support import passengers
from services.text.words import plural
from ui import resources
from ui.chat_assistant import assistant, available_models
from ui.chat_format import chat_bubbles, reply_markdown, step_line, tool_label
from ui.components import BUILTIN, attempt, fault_text, flash, table
from ui.dashboard_audit import COLUMNS as AUDIT_COLUMNS
from ui.dashboard_audit import audit_table_row
from ui.dashboard_common import Pager, Period, local, passenger_filter, period_picker, stars
from ui.guards import PageAccess
from ui.safe_text import literal, one_line

cc = st.column_config
PAGE_SIZE = 25
FLASH = "review_flash"
OUTCOMES = ("open", "resolved", "escalated")
RATINGS: dict[str, dict[str, Any]] = {
    "Any rating": {},
    "Rated": {"rated": True},
    "Unrated": {"rated": False},
    "4–5 ★ (satisfied)": {"rating": (4, 5)},
    "1–2 ★ (unhappy)": {"rating": (1, 2)},
    **{f"{n} ★": {"rating": n} for n in (5, 4, 3, 2, 1)},
}


@dataclass(frozen=True)
class ReviewQuery:
    period: Period
    filters: tuple[tuple[str, Any], ...]

    def window(self) -> tuple[datetime, datetime]:
        return self.period.resolve(resources.clock().now())

    def service_filters(self) -> ReviewFilters:
        return ReviewFilters(**dict(self.filters))  # type: ignore[typeddict-item]


def review_filters() -> ReviewQuery:
    with resources.read_session() as session:
        agents = {c.id: c.label for c in reviews.agent_choices(session)}
    top = st.columns([2, 2, 2, 2])
    with top[0]:
        period = period_picker("review", default="Last 30 days")
    outcome = top[1].multiselect(
        "Outcome", list(OUTCOMES), placeholder="Any outcome", key="review_outcome"
    )
    rating = top[2].selectbox("Rating", list(RATINGS), key="review_rating")
    agent = top[3].selectbox(
        "Agent",
        list(agents),
        format_func=agents.__getitem__,
        index=None,
        placeholder="Any agent",
        key="review_agent",
    )
    left, right = st.columns([2, 6], vertical_alignment="bottom")
    with left:
        passenger_id = passenger_filter("review")
    flagged = right.toggle("Flagged for coaching only", key="review_flagged")
    filters = {
        "status": tuple(outcome) or None,
        "user_id": agent,
        "passenger_id": passenger_id,
        "flagged": True if flagged else None,
        **RATINGS[rating],
    }
    return ReviewQuery(period, tuple(sorted((k, v) for k, v in filters.items() if v is not None)))


def _plain(row: ConversationRow) -> dict[str, Any]:
    return {
        **vars(row),
        "started_at": local(row.started_at),
        "rating": stars(row.rating) if row.rating else None,
        "reason": (row.escalation_reason or "").replace("_", " ") or None,
    }


def conversation_list(query: ReviewQuery) -> list[ConversationRow]:
    since, until = query.window()
    pager = Pager("review", (query.period, query.filters))
    with resources.read_session() as session:
        total = attempt(
            lambda: reviews.count_conversations(
                session, since=since, until=until, **query.service_filters()
            )
        )
        if total is None:
            return []
        page = reviews.list_conversations(
            session, since=since, until=until, limit=PAGE_SIZE, after=pager.cursor,
            **query.service_filters(),
        )  # fmt: skip
    st.markdown(f"**{total:,}** conversation{'s' if total != 1 else ''}")
    table(
        [_plain(r) for r in page.rows],
        {
            "started_at": cc.DatetimeColumn("Started (Zurich)", format="YYYY-MM-DD HH:mm"),
            "title": cc.TextColumn("Title"),
            "username": cc.TextColumn("Agent"),
            "passenger_name": cc.TextColumn("Passenger"),
            "status": cc.TextColumn("Outcome"),
            "reason": cc.TextColumn("Escalation reason"),
            "rating": cc.TextColumn("Rating"),
            "flagged": cc.CheckboxColumn("Flagged"),
            "turns": cc.NumberColumn("Turns"),
            "model": cc.TextColumn("Model"),
        },
        empty="No conversations match these filters.",
        key="review_rows",
    )
    pager.controls(page.next_cursor, shown=len(page.rows), page_size=PAGE_SIZE, total=total)
    return page.rows


def pick_conversation(rows: list[ConversationRow]) -> str | None:
    if not rows:
        return None
    labels = {
        r.id: f"{local(r.started_at):%d %b %H:%M} · {r.title or 'Untitled'} · "
        f"{r.username or 'unknown'} · {r.status}"
        for r in rows
    }
    return st.selectbox(
        "Open a conversation",
        list(labels),
        format_func=labels.__getitem__,
        index=None,
        placeholder="Choose a conversation on this page to read it",
        key="review_open",
    )


def conversation(access: PageAccess, conversation_id: str) -> None:
    with resources.read_session() as session:
        review = attempt(lambda: reviews.conversation_review(session, conversation_id))
    if review is None:
        return
    c = review.conversation
    st.subheader(one_line(c.title) if c.title else "Untitled conversation")
    reason = f" ({c.escalation_reason.replace('_', ' ')})" if c.escalation_reason else ""
    st.caption(
        f"{c.status}{one_line(reason)} · agent {one_line(c.username or 'unknown')} · passenger "
        f"{one_line(c.passenger_name or 'none')} · model {one_line(c.model)} · started "
        f"{local(c.started_at):%Y-%m-%d %H:%M} Zurich · {plural(len(review.turns), 'turn')} · "
        f"{stars(c.rating)}"
    )
    flash(FLASH)
    coaching_flag(access, c)
    words, turns, trail, feedback = st.tabs(
        ["Transcript", "Turns and tool steps", "Audit records", "Feedback"]
    )
    with words:
        transcript(access, conversation_id)
    with turns:
        turn_table(review)
    with trail:
        with resources.read_session() as session:
            names = passengers.passenger_names(session, (r.passenger_id for r in review.audit))
        table(
            [audit_table_row(r, names) for r in review.audit],
            AUDIT_COLUMNS,
            empty="No audit records for this conversation.",
            key="review_audit",
        )
    with feedback:
        table(
            [{**vars(f), "created_at": local(f.created_at), "stars": stars(f.rating)}
             for f in review.feedback],
            {"created_at": cc.DatetimeColumn("When (Zurich)", format="YYYY-MM-DD HH:mm"),
             "stars": cc.TextColumn("Rating"), "comment": cc.TextColumn("Comment", width="large")},
            empty="No feedback given.",
            key="review_feedback",
        )  # fmt: skip


# --- the transcript ------------------------------------------------------------------------------


def _history(access: PageAccess, conversation_id: str) -> tuple[list[HistoryItem], Any]:
    """The conversation as the assistant's checkpoint holds it (messages, tool results with
    their status) and the approval it waits on, if any."""
    settings = resources.settings()
    # Any model reads the same checkpoint: the one the Chat page uses by default is built already.
    provider = (
        settings.model_provider
        if settings.model_provider in available_models(settings)
        else BUILTIN
    )
    try:
        chat = assistant(provider).open(conversation_id, access.account.actor)
        return chat.history(), chat.pending_approval()
    except DomainError:
        return [], None


def transcript(access: PageAccess, conversation_id: str) -> None:
    items, pending = _history(access, conversation_id)
    if not items:
        st.caption(
            "No transcript is stored for this conversation (the generated demo history has "
            "none): its turns, tool steps and audit records are in the other tabs."
        )
        return
    for role, group in chat_bubbles(items):
        with st.chat_message(role):
            if role == "user":
                st.markdown(literal(group[0].text))
                continue
            steps: list[tuple[str, str]] = []
            for item in group:
                if item.role == "tool":
                    name = item.tool_name or ""
                    line = step_line(name, item.status or "ok", content=item.text)
                    steps.append((name, line))
                elif item.text:
                    _steps(steps)
                    st.markdown(reply_markdown(item.text))
            _steps(steps)
    if isinstance(pending, ApprovalRequest):
        summary = literal(pending.summary)
        st.info(f"Waiting for approval: {summary}", icon=":material/pending_actions:")


def _steps(steps: list[tuple[str, str]]) -> None:
    """A stretch of tool steps, folded under the tools' names."""
    if steps:
        title = " · ".join(dict.fromkeys(tool_label(name) for name, _ in steps))
        with st.expander(title, icon=":material/build:"):
            st.markdown("\n\n".join(line for _, line in steps))
        steps.clear()


def _calls(calls: list[dict[str, Any]]) -> list[str]:
    """ "search_flights: ok" per call, as agent/records.py records it."""
    return [f"{c.get('name')}: {c.get('status') or '?'}" for c in calls]


def turn_table(review: ConversationReview) -> None:
    table(
        [
            {**vars(t), "started_at": local(t.started_at), "steps": _calls(t.tool_calls)}
            for t in review.turns
        ],
        {
            "started_at": cc.DatetimeColumn("Started (Zurich)", format="HH:mm:ss"),
            "steps": cc.ListColumn("Tool calls: status"),
            "latency_ms": cc.NumberColumn("Latency", format="%.0f ms"),
            "tokens_in": cc.NumberColumn("Tokens in"),
            "tokens_out": cc.NumberColumn("Tokens out"),
            "model": cc.TextColumn("Model"),
            "error": cc.TextColumn("Error"),
        },
        empty="No turns recorded.",
        key="review_turns",
    )


# --- the coaching flag ---------------------------------------------------------------------------


def _note_key(conversation_id: str) -> str:
    return f"review_note_{conversation_id}"


def _flag(access: PageAccess, conversation_id: str, flagged: bool) -> None:
    note = st.session_state.get(_note_key(conversation_id), "")
    try:
        with resources.db_session() as session:
            coaching.flag_conversation(
                session, access.context(), conversation_id, note=note, flagged=flagged
            )
    except DomainError as err:
        st.session_state[FLASH] = ("error", err.message)
        return
    except Exception as err:  # a callback's exception would bypass the page's guard
        st.session_state[FLASH] = ("error", fault_text(err, where="review flag"))
        return
    if not flagged:
        st.session_state.pop(_note_key(conversation_id), None)
    st.session_state[FLASH] = (
        "success", "Flagged for coaching." if flagged else "Coaching flag cleared."
    )  # fmt: skip


def coaching_flag(access: PageAccess, c: ConversationRow) -> None:
    if c.flagged:
        note = literal(c.flag_note or "")
        st.warning(f"**Flagged for coaching:** {note}", icon=":material/flag:")
    with st.expander("Coaching flag", icon=":material/flag:"):
        with st.form(f"review_flag_form_{c.id}", border=False):
            st.text_area(
                "Note for the agent's coach",
                value=c.flag_note or "",
                max_chars=coaching.MAX_NOTE,
                placeholder="What should the agent look at in this conversation?",
                key=_note_key(c.id),
            )
            st.form_submit_button(
                "Update the note" if c.flagged else "Flag for coaching",
                icon=":material/flag:",
                key="review_flag",
                on_click=_flag,
                args=(access, c.id, True),
            )
        if c.flagged:
            st.button(
                "Clear the flag",
                key="review_unflag",
                on_click=_flag,
                args=(access, c.id, False),
            )
