"""Dashboard aggregates on a generated history (world, 200 conversations over 60 days): tool
failures, failed turns, refusals and denials show up at realistic rates, and the SQL figures
agree with a count of the stored rows made here in Python."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_session_factory
from db.models import AuditEvent, Conversation, ConversationStatus, Turn
from services.dashboards import metrics, reviews
from tests.conftest import FROZEN_NOW
from world import seed_world
from world.scratch import scratch_engine

RANGE: dict[str, Any] = {
    "since": FROZEN_NOW - timedelta(days=61),
    "until": FROZEN_NOW + timedelta(minutes=1),
}


@pytest.fixture(scope="module")
def sessions() -> Iterator[sessionmaker[Session]]:
    with scratch_engine("dash", os.environ.get("TEST_DATABASE_URL")) as engine:
        seed_world(engine, now=FROZEN_NOW, scale=0.1, history=200)
        yield make_session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as s:
        yield s


def test_tool_error_rate_is_realistic_and_matches_the_rows(session: Session) -> None:
    stats = metrics.tool_stats(session, **RANGE)
    assert 0.01 < stats.error_rate < 0.08  # type: ignore[operator]
    # Counted by hand: calls paused at an approval card count in the turn that answers them.
    counted: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for calls in session.scalars(select(Turn.tool_calls)):
        for call in calls:
            if call["status"] != "awaiting_approval":
                counted[call["name"]] += 1
                failed[call["name"]] += call["status"] == "error"
    assert (stats.calls, stats.errors) == (counted.total(), failed.total())
    assert {(t.tool, t.calls, t.errors) for t in stats.by_tool} == {
        (name, n, failed[name]) for name, n in counted.items()
    }
    assert sum(t.errors > 0 for t in stats.by_tool) >= 3  # failures are not one tool's quirk
    assert sum(p.errors for p in stats.series) == stats.errors
    # The Metrics page's KPI card is this figure.
    page = metrics.metrics_dashboard(session, **RANGE)
    assert page.tools.error_rate == stats.error_rate


def test_failed_turns_refusals_and_denials_occur(session: Session) -> None:
    turns = metrics.turn_stats(session, **RANGE)
    assert 0 < turns.error_rate < 0.06  # type: ignore[operator]
    decisions = metrics.decision_stats(session, **RANGE)
    assert decisions.approved > decisions.denied > 0
    refusals = metrics.refusal_stats(session, **RANGE)
    assert refusals.policy_refusals > 0 and refusals.policy_refusals_by_rule


def test_an_escalated_conversation_ends_with_the_approved_escalation(session: Session) -> None:
    escalated = session.scalars(
        select(Conversation.id).where(Conversation.status == ConversationStatus.ESCALATED)
    ).all()
    assert escalated
    for conversation_id in escalated:
        review = reviews.conversation_review(session, conversation_id)
        last = review.turns[-1].tool_calls[-1]
        assert isinstance(last, dict), last
        assert (last["name"], last["status"]) == ("escalate_to_human", "ok")
        assert last["args"]["reason"] == review.conversation.escalation_reason


def test_refusal_figures_match_the_rows(session: Session) -> None:
    stats = metrics.refusal_stats(session, **RANGE)
    refused_turns = sum(
        any(call["status"] == "refused" for call in calls)
        for calls in session.scalars(select(Turn.tool_calls))
    )
    events = session.execute(select(AuditEvent.action, AuditEvent.outcome, AuditEvent.rule)).all()
    refused = [(action, rule) for action, outcome, rule in events if outcome == "refused"]
    assert stats.policy_refusals == refused_turns > 0
    assert stats.page_denials == sum(action == "page_open" for action, _ in refused) > 0
    assert stats.failed_sign_ins == sum(action == "login" for action, _ in refused) > 0
    assert stats.action_denials == sum(
        rule == "permission_denied" and action not in ("login", "page_open")
        for action, rule in refused
    )
