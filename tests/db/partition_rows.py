"""Rows over several months for the partitioning tests (migration 0014, db/partitions.py):
turns with their tool-call rows and audit records on the chain, written through the models and
the audit service as the app writes them."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from db.engine import make_session_factory
from db.models import Conversation, ConversationStatus, Role, Turn, TurnToolCall
from services.core import audit
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext

SERVER = os.environ.get("TEST_DATABASE_URL")
MONTHS = (datetime(2026, 9, 10, 8, tzinfo=UTC), datetime(2026, 10, 10, 8, tzinfo=UTC),
          datetime(2026, 11, 10, 8, tzinfo=UTC))  # fmt: skip
PER_MONTH = 4  # turns (two tool calls each) and audit records in each month


def write_rows(
    engine: Engine, at: tuple[datetime, ...] = MONTHS, *, conversation: str = "c1"
) -> None:
    """PER_MONTH turns and audit records at each of `at` (an hour apart)."""
    with make_session_factory(engine)() as session:
        if session.get(Conversation, conversation) is None:
            session.add(
                Conversation(id=conversation, status=ConversationStatus.OPEN, model="builtin",
                             started_at=at[0], updated_at=at[0])
            )  # fmt: skip
            session.commit()
        for start in at:
            for i in range(PER_MONTH):
                when = start + timedelta(hours=i)
                calls = [{"name": "search_flights", "status": "ok"}, {"name": "lookup_policy"}]
                turn = Turn(conversation_id=conversation, started_at=when, latency_ms=10.0 + i,
                            tool_calls=calls, tokens_in=1, tokens_out=2, model="builtin")  # fmt: skip
                session.add(turn)
                session.flush()
                session.add_all(TurnToolCall.of(turn))
                session.commit()
                ctx = ServiceContext(actor=Actor("agent", Role.AGENT), passenger_id=None,
                                     clock=FixedClock(when), conversation_id=conversation)  # fmt: skip
                audit.record(session, ctx, action="search_flights", outcome="ok",
                             details={"i": i})  # fmt: skip


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("audit_events", "turns", "turn_tool_calls")
        }


def chain_ok(engine: Engine) -> bool:
    with make_session_factory(engine)() as session:
        return audit.verify(session).ok


def partition_of(engine: Engine, table: str, where: str) -> set[str]:
    with engine.connect() as conn:
        return set(conn.scalars(text(f"SELECT DISTINCT tableoid::regclass::text FROM {table}"
                                     f" WHERE {where}")))  # fmt: skip
