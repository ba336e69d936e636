"""The Conversation review page on a demo world with history plus one real conversation (the
agent moves Anna's flight and approves the change): filters by rating and outcome, the
transcript with its tool steps and approval, and the audited coaching flag."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from agent.checkpoint import open_checkpointer
from agent.checkpoint_store import footprint
from agent.retention import expire_checkpoints
from db.engine import make_session_factory
from db.models import AuditEvent, Conversation
from services.dashboards import reviews
from tests.conftest import FROZEN_NOW
from tests.demo_chat import MOVE, TITLE, move_annas_flight
from tests.ui.apptest import open_page, page_content, signed_in, texts
from tests.ui.conftest import World
from world import seed_world
from world.scratch import scratch_engine

pytestmark = pytest.mark.usefixtures("app_env")
UNTIL = FROZEN_NOW + timedelta(minutes=1)  # the page's "Last 30 days" ends with this minute
SINCE = UNTIL - timedelta(days=30)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with scratch_engine("ui", os.environ.get("TEST_DATABASE_URL")) as engine:
        seed_world(engine, size="demo", now=FROZEN_NOW, history=60)
        url = engine.url.render_as_string(hide_password=False)
        sessions = make_session_factory(engine)
        move_annas_flight(url, sessions)
        yield World(url, engine, sessions)
        st.cache_resource.clear()


def review(role: str = "manager") -> AppTest:
    at = open_page(signed_in(role), "review")
    assert not at.exception, at.exception
    return at


def rows(at: AppTest) -> list[dict[str, Any]]:
    return at.dataframe[0].value.to_dict("records")


def count_shown(at: AppTest) -> int:
    return int(at.markdown[0].value.split("**")[1].replace(",", ""))


def service_count(world: World, **filters) -> int:
    with world.sessions() as session:
        return reviews.count_conversations(session, since=SINCE, until=UNTIL, **filters)


def the_real_conversation(world: World) -> str:
    with world.sessions() as session:
        return session.scalars(select(Conversation.id).where(Conversation.title == TITLE)).one()


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_the_list_for_managers_and_admins(app_env, role: str) -> None:
    at = review(role)
    assert at.title[0].value == "Conversation review"
    assert count_shown(at) == service_count(app_env) > 25
    assert len(rows(at)) == 25  # one page
    assert rows(at)[0]["title"] == "Move Anna's flight"  # newest first
    assert {"Outcome", "Agent", "Rating", "Time range"} <= {
        w.label for w in [*at.selectbox, *at.multiselect]
    }


@pytest.mark.parametrize("role", ["agent", "customer"])
def test_agents_and_customers_are_not_allowed(role: str) -> None:
    at = open_page(signed_in(role), "review")
    assert not at.exception
    assert page_content(at) == [
        ("error", f"**Not allowed.** The Conversation review page is not available to the "
                  f"{role} role.")
    ]  # fmt: skip


def test_filter_by_rating_and_outcome(app_env) -> None:
    at = review().selectbox(key="review_rating").select("5 ★").run()
    assert {r["rating"] for r in rows(at)} == {"★★★★★"}
    assert count_shown(at) == service_count(app_env, rating=5) > 0
    at = at.selectbox(key="review_rating").select("Any rating").run()
    at = at.multiselect(key="review_outcome").select("escalated").run()
    assert {r["status"] for r in rows(at)} == {"escalated"}
    assert count_shown(at) == service_count(app_env, status="escalated") > 0
    at = at.selectbox(key="review_rating").select("Unrated").run()
    # An unrated conversation's cell is empty (never "None").
    assert {(r["status"], r["rating"]) for r in rows(at)} <= {("escalated", "")}
    assert count_shown(at) == service_count(app_env, status="escalated", rated=False)


def test_a_transcript_with_tool_steps_and_the_approval(app_env) -> None:
    at = review()
    at = at.selectbox(key="review_open").select(the_real_conversation(app_env)).run()
    assert not at.exception
    assert at.subheader[0].value == "Move Anna's flight"
    said = [m.markdown[0].value for m in at.chat_message if m.name == "user"]
    assert said == MOVE
    answers = " ".join(md.value for m in at.chat_message if m.name == "assistant"
                       for md in m.markdown)  # fmt: skip
    assert "Change flight" in answers and "CHF 50" in answers
    (tab,) = [t for t in at.tabs if t.label == "Audit records"]
    audit = tab.dataframe[0].value
    assert {"approve", "change_flight"} <= set(audit["action"])
    assert {"approved", "executed"} <= set(audit["outcome"])


def test_generated_turns_list_tool_steps_as_live_ones_do(app_env) -> None:
    """The turn table's "tool: status" steps, for the real conversation and for generated
    ones (world's history records calls as the runtime does)."""
    step = re.compile(r"[a-z_]+: (ok|error|refused|invalid|denied|already_done|awaiting_approval)")
    real = the_real_conversation(app_env)
    generated = [r["id"] for r in rows(review()) if r["id"] != real][:4]
    seen = {}
    for conversation_id in [real, *generated]:
        at = review().selectbox(key="review_open").select(conversation_id).run()
        assert not at.exception
        (tab,) = [t for t in at.tabs if t.label == "Turns and tool steps"]
        seen[conversation_id] = [s for row in tab.dataframe[0].value["steps"] for s in row]
    assert seen[real][-2:] == ["change_flight: awaiting_approval", "change_flight: ok"]
    assert sum(len(seen[c]) for c in generated) > 0
    bad = {c: [s for s in steps if not step.fullmatch(s)] for c, steps in seen.items()}
    assert bad == {c: [] for c in seen}


def test_flag_for_coaching_with_a_note(app_env) -> None:
    conversation_id = the_real_conversation(app_env)
    at = review()
    at = at.selectbox(key="review_open").select(conversation_id).run()
    note = "Good quote, but confirm the new departure time with the customer."
    at.text_area(key=f"review_note_{conversation_id}").input(note)
    at = at.button(key="review_flag").click().run()
    assert not at.exception
    assert "Flagged for coaching." in texts(at)
    assert f"**Flagged for coaching:** {note}" in texts(at)
    with app_env.sessions() as session:
        flagged = session.get(Conversation, conversation_id)
        assert (flagged.flagged, flagged.flag_note) == (True, note)
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.outcome, event.actor, event.conversation_id) == (
        "conversation_flag", "executed", "manager", conversation_id
    )  # fmt: skip
    assert event.details["after"] == {"flagged": True, "flag_note": note}
    # The flagged filter finds it.
    at = at.toggle(key="review_flagged").set_value(True).run()
    assert conversation_id in [r["id"] for r in rows(at)]


def test_the_transcript_outlives_checkpoint_retention(app_env) -> None:
    """Last in this module: it deletes the real conversation's checkpoints."""
    real = the_real_conversation(app_env)
    with open_checkpointer(app_env.url) as checkpointer:
        report = expire_checkpoints(
            app_env.sessions, checkpointer.saver, now=FROZEN_NOW + timedelta(days=200), days=180
        )
        assert report.deleted == [real]  # the generated history has no transcripts to keep
        assert footprint(checkpointer.saver, real).rows == 0
    at = review().selectbox(key="review_open").select(real).run()
    assert not at.exception
    said = [m.markdown[0].value for m in at.chat_message if m.name == "user"]
    assert said == MOVE
    answers = " ".join(md.value for m in at.chat_message if m.name == "assistant"
                       for md in m.markdown)  # fmt: skip
    assert "Change flight" in answers and "CHF 50" in answers
