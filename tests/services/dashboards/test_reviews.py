"""Conversation review: filters and keyset pages, one conversation with its turns, feedback,
audit records and transcript, and the audited coaching flag (managers and admins only)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Conversation, Role
from services.core import audit
from services.core.context import Actor, ServiceContext
from services.core.errors import InvalidInput, NotFound, PolicyViolation
from services.dashboards import coaching, reviews
from tests.services.dashboards.dashboard_world import SINCE, UNTIL, build_history

RANGE: dict[str, Any] = {"since": SINCE, "until": UNTIL}  # keyword arguments of every query


@pytest.fixture
def history(session):
    return build_history(session)


def ids(session, **filters) -> list[str]:
    out, after = [], None
    while True:
        page = reviews.list_conversations(session, **RANGE, limit=2, after=after, **filters)
        out += [r.id for r in page.rows]
        if page.next_cursor is None:
            return out
        after = page.next_cursor


@pytest.mark.usefixtures("history")
def test_newest_first_in_pages(session) -> None:
    first = reviews.list_conversations(session, **RANGE, limit=2)
    assert [r.id for r in first.rows] == ["c4", "c5"]
    assert ids(session) == ["c4", "c5", "c3", "c2", "c1"]
    assert reviews.count_conversations(session, **RANGE) == 5
    row = first.rows[0]
    assert (row.username, row.status, row.turns, row.rating) == ("agent2", "open", 3, None)
    assert row.passenger_name and row.passenger_name.startswith("Pat ")


def test_filters(session, history) -> None:
    p2 = history.passengers[1]
    agent2 = history.users["agent2"].id
    assert ids(session, status="resolved") == ["c3", "c1"]
    assert ids(session, status=["escalated", "open"]) == ["c4", "c5", "c2"]
    assert ids(session, rating=[4, 5]) == ["c3", "c1"]
    assert ids(session, rating=2) == ["c2"]
    assert ids(session, rated=False) == ["c4", "c5"]
    assert ids(session, passenger_id=p2) == ["c4", "c2"]
    assert ids(session, user_id=agent2) == ["c4", "c3"]
    assert ids(session, user_id=agent2, status="resolved") == ["c3"]
    assert reviews.count_conversations(session, **RANGE, rated=True) == 3


@pytest.mark.usefixtures("history")
def test_unknown_outcome_is_refused(session) -> None:
    with pytest.raises(InvalidInput, match="open, resolved, escalated"):
        reviews.list_conversations(session, **RANGE, status="lost")


@pytest.mark.usefixtures("history")
def test_agent_choices(session) -> None:
    labels = [c.label for c in reviews.agent_choices(session)]
    assert labels == ["Agent1 (agent1)", "Agent2 (agent2)"]


@pytest.mark.usefixtures("history")
def test_review_of_one_conversation(session) -> None:
    loaded = []

    def loader(conversation_id: str) -> list[reviews.TranscriptMessage]:
        loaded.append(conversation_id)
        return [reviews.TranscriptMessage("user", "Can she fly a day earlier?")]

    review = reviews.conversation_review(session, "c2", transcript_loader=loader)
    assert review.conversation.escalation_reason == "policy_restriction"
    assert [t.latency_ms for t in review.turns] == [300.0, 400.0]
    assert review.turns[1].error == "ModelTimeout"
    assert review.turns[0].tool_calls == [{"name": "quote_flight_change", "status": "refused"}]
    assert [f.rating for f in review.feedback] == [2]
    assert [(a.action, a.outcome) for a in review.audit] == [
        ("quote_flight_change", "refused"),
        ("cancel_ticket", "denied"),
    ]
    assert loaded == ["c2"] and review.transcript is not None
    assert review.transcript[0].content.startswith("Can she")
    assert reviews.conversation_review(session, "c1").transcript is None
    with pytest.raises(NotFound):
        reviews.conversation_review(session, "nope")


def test_manager_flags_with_a_note_and_it_is_audited(session, history, clock) -> None:
    ctx = ServiceContext(actor=Actor("manager", Role.MANAGER), clock=clock)
    row = coaching.flag_conversation(session, ctx, "c2", note="  Refusal tone was curt.  ")
    assert (row.flagged, row.flag_note) == (True, "Refusal tone was curt.")
    assert session.get(Conversation, "c2").flagged is True
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.outcome, event.actor, event.conversation_id) == (
        "conversation_flag",
        "executed",
        "manager",
        "c2",
    )
    assert event.passenger_id == history.passengers[1]
    assert event.details["before"] == {"flagged": False, "flag_note": None}
    assert event.details["after"] == {"flagged": True, "flag_note": "Refusal tone was curt."}
    assert audit.verify(session).ok
    assert ids(session, flagged=True) == ["c2"]
    cleared = coaching.flag_conversation(session, ctx, "c2", flagged=False)
    assert (cleared.flagged, cleared.flag_note) == (False, None)
    assert ids(session, flagged=True) == []


@pytest.mark.usefixtures("history")
def test_admin_may_flag_too(session, clock) -> None:
    ctx = ServiceContext(actor=Actor("admin", Role.ADMIN), clock=clock)
    assert coaching.flag_conversation(session, ctx, "c1", note="Model answer").flagged


@pytest.mark.usefixtures("history")
def test_an_agent_may_not_flag_and_the_refusal_is_audited(session, clock) -> None:
    ctx = ServiceContext(actor=Actor("agent1", Role.AGENT), clock=clock)
    with pytest.raises(PolicyViolation, match="managers and admins"):
        coaching.flag_conversation(session, ctx, "c1", note="I was great")
    assert session.get(Conversation, "c1").flagged is False
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.outcome, event.rule) == (
        "conversation_flag",
        "refused",
        "permission_denied",
    )


@pytest.mark.usefixtures("history")
def test_flag_needs_a_note_and_an_existing_conversation(session, clock) -> None:
    ctx = ServiceContext(actor=Actor("manager", Role.MANAGER), clock=clock)
    with pytest.raises(InvalidInput, match="note"):
        coaching.flag_conversation(session, ctx, "c1", note="   ")
    with pytest.raises(InvalidInput, match="under 1000"):
        coaching.flag_conversation(session, ctx, "c1", note="x" * 1001)
    with pytest.raises(NotFound):
        coaching.flag_conversation(session, ctx, "missing", note="look")
    assert audit.verify(session).ok


@pytest.mark.usefixtures("history")
def test_contact_data_in_a_coaching_note_is_masked(session, clock) -> None:
    ctx = ServiceContext(actor=Actor("manager", Role.MANAGER), clock=clock)
    row = coaching.flag_conversation(session, ctx, "c2", note="She gave 79 555 01 01 in chat")
    assert row.flag_note == "She gave ***01 in chat"
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert "555 01 01" not in str(event.details)
