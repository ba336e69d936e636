"""Migrations that move data: 0004 copies the tool calls already recorded in turns.tool_calls
(the runtime's objects, and the v1 demo history's bare names) into turn_tool_calls."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from sqlalchemy import select, text

from db.migrate import upgrade
from db.models import TurnToolCall
from db.seed.scratch import scratch_engine

SERVER = os.environ.get("TEST_DATABASE_URL")
AT = datetime(2026, 11, 26, 8, 0)


def test_0004_copies_recorded_tool_calls_into_rows() -> None:
    with scratch_engine("migrate", SERVER) as engine:
        upgrade(engine, "0003")
        calls = [
            [{"id": "c1", "name": "search_flights", "args": {}, "status": "ok"},
             {"id": "c2", "name": "change_flight", "args": {}, "status": "awaiting_approval"}],
            ["lookup_policy"],  # a v1 demo history turn: a bare name, no status
            [],
        ]  # fmt: skip
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO conversations (id, title, status, model, started_at, updated_at,"
                    " flagged) VALUES ('c', '', 'open', 'builtin', :at, :at, false)"
                ),
                {"at": AT},
            )
            for turn_calls in calls:
                conn.execute(
                    text(
                        "INSERT INTO turns (conversation_id, started_at, latency_ms, tool_calls,"
                        " tokens_in, tokens_out, model) VALUES ('c', :at, 1, :calls, 0, 0, 'b')"
                    ),
                    {"at": AT, "calls": json.dumps(turn_calls)},
                )
        upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(
                select(TurnToolCall.turn_id, TurnToolCall.name, TurnToolCall.status,
                       TurnToolCall.started_at).order_by(TurnToolCall.id)
            ).all()  # fmt: skip
        assert [tuple(r[:3]) for r in rows] == [
            (1, "search_flights", "ok"),
            (1, "change_flight", "awaiting_approval"),
            (2, "lookup_policy", None),
        ]
        assert {r.started_at.replace(tzinfo=None) for r in rows} == {AT.replace(tzinfo=None)}
        assert all(r.started_at.tzinfo in (None, UTC) for r in rows)
