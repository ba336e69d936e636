"""The seeded history records tool calls the way the live runtime does: compared with the turns
the runtime itself records on the same world (the built-in model moves Anna's flight and the
agent approves), call by call: keys and types, status values, approval cards answered in the
next turn under the same call id, arguments the tools accept, and turns.error kinds."""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import select

from agent.toolcalls import Status, ToolArgsError, validate_args
from agent.tools import TOOLS
from db.engine import make_session_factory
from db.models import Turn
from tests.conftest import FROZEN_NOW
from tests.demo_chat import move_annas_flight
from world import seed_world
from world.scratch import scratch_engine

# Every status a turn can hold: the tool's answer, or the run paused at an approval card.
STATUSES = {*(status.value for status in Status), "awaiting_approval"}
# turns.error as the runtime writes it (agent.models.explain_failure, the graph's stop
# reasons, the runtime's catch-all).
TURN_ERROR = re.compile(
    r"model_(timeout|http_\d{3}|unreachable|error)|invalid_calls|too_many_steps|"
    r"(service_unavailable|internal_error): \w+ \(reference [0-9a-f]{8}\)"
)


@dataclass
class History:
    live: list[Turn]  # the runtime's turns, in order
    seeded: dict[str, list[Turn]]  # the generator's, by conversation, in order


@pytest.fixture(scope="module")
def history() -> Iterator[History]:
    with scratch_engine("hist", os.environ.get("TEST_DATABASE_URL")) as engine:
        seed_world(engine, now=FROZEN_NOW, scale=0.1, history=200)
        sessions = make_session_factory(engine)
        url = engine.url.render_as_string(hide_password=False)
        thread = move_annas_flight(url, sessions)
        with sessions() as session:
            turns = session.scalars(select(Turn).order_by(Turn.conversation_id, Turn.id)).all()
            session.expunge_all()
        by_conversation: dict[str, list[Turn]] = defaultdict(list)
        for turn in turns:
            by_conversation[turn.conversation_id].append(turn)
        yield History(by_conversation.pop(thread), dict(by_conversation))


def calls(turns: list[Turn]) -> list[dict[str, Any]]:
    return [call for turn in turns for call in turn.tool_calls]


def shape(call: Any) -> tuple[tuple[str, str], ...]:
    """Keys and value types of one recorded call ("str" for a bare name)."""
    if not isinstance(call, dict):
        return (("", type(call).__name__),)
    return tuple(sorted((key, type(value).__name__) for key, value in call.items()))


def test_seeded_calls_have_the_shape_of_live_ones(history: History) -> None:
    live = calls(history.live)
    assert [(c["name"], c["status"]) for c in live][-2:] == [
        ("change_flight", "awaiting_approval"),
        ("change_flight", "ok"),
    ]
    live_shapes = {shape(c) for c in live}
    assert live_shapes == {(("args", "dict"), ("id", "str"), ("name", "str"), ("status", "str"))}
    seeded = [c for turns in history.seeded.values() for c in calls(turns)]
    assert len(seeded) > 500
    assert {shape(c) for c in seeded} == live_shapes
    assert {c["status"] for c in live} <= STATUSES
    # Every outcome a live call can have, failures included, occurs in the seeded history.
    assert {c["status"] for c in seeded} == STATUSES - {"already_done"}
    # Ids are the model's (each model has its own form, all "call_..."); one id is one call,
    # which an approval card's answer repeats.
    assert all(c["id"].startswith("call_") for c in [*live, *seeded])
    assert max(Counter(c["id"] for c in seeded).values()) <= 2


def test_seeded_calls_name_real_tools_with_arguments_they_accept(history: History) -> None:
    for call in (c for turns in history.seeded.values() for c in calls(turns)):
        spec = TOOLS[call["name"]]
        if call["status"] != "invalid":
            try:
                validate_args(spec, call["args"])
            except ToolArgsError as err:
                pytest.fail(f"{call}: {err}")


def test_an_approval_card_is_answered_in_the_next_turn_as_live(history: History) -> None:
    def answered(turns: list[Turn]) -> list[tuple[str, str]]:
        """(tool, final status) of each call that waited at a card and was answered."""
        found = []
        for turn, following in pairwise(turns):
            for call in turn.tool_calls:
                if call["status"] == "awaiting_approval":
                    same = [c for c in following.tool_calls if c["id"] == call["id"]]
                    assert [(c["name"], c["args"]) for c in same] == [(call["name"], call["args"])]
                    found.append((call["name"], same[0]["status"]))
        return found

    assert answered(history.live) == [("change_flight", "ok")]
    outcomes = {status for turns in history.seeded.values() for _, status in answered(turns)}
    assert outcomes == {"ok", "denied", "error"}


def test_seeded_turn_errors_are_the_runtimes_kinds(history: History) -> None:
    errors = [t.error for turns in history.seeded.values() for t in turns if t.error]
    assert errors
    assert all(TURN_ERROR.fullmatch(e) for e in errors), errors
    assert all(t.error is None for t in history.live)
