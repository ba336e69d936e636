"""`make run`'s bootstrap: an empty database is seeded with the demo world and its 30 days of
history, a demo world is kept while it is current, and one made by an older generator or
anchored over a day ago is made anew, its history moved with it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from db.engine import make_session_factory
from db.models import AuditEvent, Conversation, DemoMeta, TurnToolCall
from services.cli import audit_command
from services.dashboards import reviews
from services.dashboards.metrics import metrics_dashboard
from world import PERSONAS, persona_passenger_id, seed_world, world_anchor
from world.bootstrap import ensure_demo_world
from world.generator import DEMO_HISTORY, DEMO_HISTORY_DAYS, GENERATOR_VERSION, world_meta
from world.handoffs import WAITING
from world.scratch import scratch_engine

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SERVER = os.environ.get("TEST_DATABASE_URL")


def meta(engine) -> dict[str, str]:
    with make_session_factory(engine)() as session:
        return world_meta(session)


def test_a_current_world_is_kept_and_an_older_generators_world_is_regenerated() -> None:
    with scratch_engine("bootstrap", SERVER) as engine:
        seed_world(engine, now=NOW, scale=0.05)
        assert ensure_demo_world(engine, now=NOW + timedelta(hours=3)) == "ready"
        with engine.begin() as conn:
            conn.execute(update(DemoMeta).where(DemoMeta.key == "version").values(value="1"))
        later = NOW + timedelta(hours=4)
        assert ensure_demo_world(engine, now=later) == "regenerated"
        assert meta(engine)["version"] == GENERATOR_VERSION
        with make_session_factory(engine)() as session:
            assert world_anchor(session) == later
        assert ensure_demo_world(engine, now=later + timedelta(days=2)) == "re-anchored"


def _figures(engine, now):
    since, until = now - timedelta(days=30), now + timedelta(minutes=1)
    with make_session_factory(engine)() as session:
        board = metrics_dashboard(session, since=since, until=until)
        review = reviews.list_conversations(session, since=since, until=until, limit=10)
        reviewed = reviews.count_conversations(session, since=since, until=until)
        started = session.execute(
            select(func.min(Conversation.started_at), func.max(Conversation.started_at))
        ).one()
        personas = [persona_passenger_id(session, key) for key in PERSONAS]
        theirs = session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.passenger_id.in_(personas))
        )
    return board, review, reviewed, started, theirs


def test_a_fresh_bootstrap_shows_a_recent_history_and_its_audit_trail_verifies(capsys) -> None:
    with scratch_engine("bootstrap", SERVER) as engine:
        assert ensure_demo_world(engine, now=NOW) == "seeded"
        board, review, reviewed, (first, last), theirs = _figures(engine, NOW)
        # Every figure of the Metrics page has something to show.
        # All of it within the 30 days, and the two conversations waiting in the Queue.
        assert board.conversations.total == DEMO_HISTORY + len(WAITING)
        assert board.conversations.escalated > 0 and board.conversations.open > 0
        assert board.turns.total > board.conversations.total and board.turns.errors > 0
        assert board.tools.calls > 0 and board.tools.errors > 0
        assert board.decisions.approved > board.decisions.denied > 0
        refusals = board.refusals
        assert refusals.policy_refusals > 0 and refusals.policy_refusals_by_rule
        assert refusals.page_denials > 0 and refusals.failed_sign_ins > 0
        assert board.csat.rated > 0 and board.usage.hosted_turns > 0
        # The Review page lists them; the last one started on the demo day.
        assert reviewed == DEMO_HISTORY + len(WAITING) and len(review.rows) == 10
        assert NOW - timedelta(days=DEMO_HISTORY_DAYS) <= first < last <= NOW
        assert last > NOW - timedelta(days=1)
        # The personas' chats are the demo's own, but for the two waiting in the Queue.
        assert theirs == len(WAITING)
        with make_session_factory(engine)() as session:
            refused_calls = session.scalar(
                select(func.count())
                .select_from(TurnToolCall)
                .where(TurnToolCall.status == "refused")
            )
            refusal_records = session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.outcome == "refused", AuditEvent.conversation_id.is_not(None))
            )
        # Every refused call has its audit record; a turn with several counts once.
        assert refused_calls == refusal_records > refusals.policy_refusals
        url = engine.url.render_as_string(hide_password=False)
        assert audit_command(["verify", "--database-url", url]) == 0, capsys.readouterr().out


def test_the_history_moves_with_the_world_when_it_is_re_anchored(capsys) -> None:
    with scratch_engine("bootstrap", SERVER) as engine:
        assert ensure_demo_world(engine, now=NOW) == "seeded"
        later = NOW + timedelta(days=5)
        assert ensure_demo_world(engine, now=later) == "re-anchored"
        board, _, _, (first, last), _ = _figures(engine, later)
        assert board.conversations.total == DEMO_HISTORY + len(WAITING)
        assert (
            later - timedelta(days=DEMO_HISTORY_DAYS) <= first
            and later - timedelta(days=1) < last <= later
        )
        url = engine.url.render_as_string(hide_password=False)
        assert audit_command(["verify", "--database-url", url]) == 0, capsys.readouterr().out
