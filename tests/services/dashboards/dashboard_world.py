"""A small operational history, built with the ORM and services.core.audit, whose dashboard
figures are known by hand (see the numbers in each test). Demo clock: 2026-11-26 08:00 UTC;
the range under test is 2026-11-24 00:00 to 2026-11-27 00:00 (three daily buckets); one
conversation, its turn, feedback and audit record lie before the range and must not count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from db.models import Conversation, ConversationStatus, Feedback, Role, Turn, TurnToolCall, User
from services.core import audit
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from tests import factories as f

SINCE = datetime(2026, 11, 24, tzinfo=UTC)
UNTIL = datetime(2026, 11, 27, tzinfo=UTC)
DAYS = [datetime(2026, 11, d, tzinfo=UTC) for d in (24, 25, 26)]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@dataclass
class History:
    users: dict[str, User]
    passengers: list[int]  # p1, p2
    seqs: dict[str, int]  # audit records by a short name


def _user(session: Session, username: str, role: Role) -> User:
    user = User(
        username=username,
        name=username.title(),
        email=f"{username}@alpine.example",
        password_hash="x",
        role=role,
        created_at=at(1, 0),
    )
    session.add(user)
    session.flush()
    return user


# id, day, hour, agent, passenger index, status, reason, model, rating
CONVERSATIONS = [
    ("c0", (20, 9), "agent1", 0, "resolved", None, "builtin", 1),  # before the range
    ("c1", (24, 10), "agent1", 0, "resolved", None, "builtin", 5),
    ("c2", (24, 15), "agent1", 1, "escalated", "policy_restriction", "gpt-4o-mini", 2),
    ("c3", (25, 9), "agent2", 0, "resolved", None, "builtin", 4),
    ("c5", (25, 12), "agent1", 0, "escalated", "customer_request", "builtin", None),
    ("c4", (26, 7), "agent2", 1, "open", None, "builtin", None),
]
# conversation, minute offset, latency, tool calls, error
TURNS = [
    ("c0", 1, 99_999.0, [{"name": "search_flights", "status": "error"}], None),
    # The change waited for approval in the first turn; it counts once, in the second.
    ("c1", 1, 100.0, [{"name": "search_flights", "status": "ok"}, {"name": "change_flight", "status": "awaiting_approval"}], None),
    ("c1", 2, 200.0, [{"name": "change_flight", "status": "ok"}], None),
    ("c2", 1, 300.0, [{"name": "quote_flight_change", "status": "refused"}], None),
    ("c2", 2, 400.0, [{"name": "search_flights", "status": "error"}], "ModelTimeout"),
    ("c3", 1, 500.0, [], None),
    ("c3", 2, 600.0, [{"name": "cancel_ticket", "status": "ok"}, {"name": "search_flights", "status": "ok"}], None),
    ("c5", 1, 700.0, [{"name": "get_flight_status", "status": "error"}], None),
    ("c4", 1, 800.0, [{"name": "search_flights", "status": "ok"}], None),
    ("c4", 2, 900.0, [], None),
    ("c4", 3, 1000.0, [{"name": "lookup_policy", "status": "ok"}], None),
]  # fmt: skip
# conversation, when, rating
FEEDBACK = [
    ("c0", at(20, 10), 1),
    ("c1", at(24, 11), 5),
    ("c2", at(24, 16), 2),
    ("c3", at(25, 10), 4),
    ("c3", at(26, 6), 3),
]
# name, when, actor, role, passenger index, conversation, action, outcome, rule, details
AUDIT = [
    ("old", at(20, 9, 5), "agent1", Role.AGENT, 0, "c0", "change_flight", "approved", None, {}),
    ("c1_ok", at(24, 10, 5), "agent1", Role.AGENT, 0, "c1", "change_flight", "approved", None, {}),
    ("c1_done", at(24, 10, 6), "agent1", Role.AGENT, 0, "c1", "change_flight", "executed", None,
     {"args": {"ticket_no": "7240000000001", "new_flight_ids": [7]},
      "before": {"flights": ["AL 100"], "departs": "2026-11-29"},
      "after": {"flights": ["AL 102"], "departs": "2026-11-30"}, "charged": "50.00"}),
    ("c2_refused", at(24, 15, 5), "agent1", Role.AGENT, 1, "c2", "quote_flight_change", "refused",
     "fare_light_no_change", {"args": {"ticket_no": "7240000000002"}}),
    ("c2_denied", at(24, 15, 10), "agent1", Role.AGENT, 1, "c2", "cancel_ticket", "denied", None, {}),
    ("c3_ok", at(25, 9, 10), "agent2", Role.AGENT, 0, "c3", "cancel_ticket", "approved", None, {}),
    ("c3_done", at(25, 9, 11), "agent2", Role.AGENT, 0, "c3", "cancel_ticket", "executed", None,
     {"args": {"ticket_no": "7240000000003"}, "before": {"status": "active"},
      "after": {"status": "cancelled"}, "refunded": "120.00"}),
    ("c5_r1", at(25, 12, 5), "agent1", Role.AGENT, 0, "c5", "change_flight", "refused",
     "within_3h_of_departure", {}),
    ("c5_r2", at(25, 12, 6), "agent1", Role.AGENT, 0, "c5", "change_flight", "refused",
     "within_3h_of_departure", {}),
    ("login", at(26, 7, 5), "agent2", Role.AGENT, 1, "c4", "login", "ok", None, {}),
    ("c4_err", at(26, 7, 30), "agent2", Role.AGENT, 1, "c4", "search_flights", "error",
     "OperationalError", {"args": {"origin": "ZRH"}}),
    ("c4_bad", at(26, 7, 40), "agent2", Role.AGENT, 1, "c4", "book_flight", "invalid",
     "invalid_input", {"args": {"flight_id": "=1+1"}}),
]  # fmt: skip


def build_history(session: Session) -> History:
    users = {
        "agent1": _user(session, "agent1", Role.AGENT),
        "agent2": _user(session, "agent2", Role.AGENT),
        "manager": _user(session, "manager", Role.MANAGER),
    }
    passengers = [f.passenger(session).id, f.passenger(session).id]
    starts: dict[str, datetime] = {}
    for cid, (day, hour), agent, p, status, reason, model, rating in CONVERSATIONS:
        starts[cid] = at(day, hour)
        session.add(
            Conversation(
                id=cid, user_id=users[agent].id, passenger_id=passengers[p], title=f"Chat {cid}",
                status=ConversationStatus(status), escalation_reason=reason, model=model,
                started_at=starts[cid], updated_at=at(day, hour, 30), rating=rating,
            )
        )  # fmt: skip
    session.flush()
    model_of = {c[0]: c[6] for c in CONVERSATIONS}
    turns = []
    for cid, minute, latency, calls, error in TURNS:
        mini = model_of[cid] == "gpt-4o-mini"
        turns.append(
            Turn(
                conversation_id=cid, started_at=starts[cid].replace(minute=minute),
                latency_ms=latency, tool_calls=calls, tokens_in=2000 if mini else 1000,
                tokens_out=500 if mini else 100, model=model_of[cid], error=error,
            )
        )  # fmt: skip
    session.add_all(turns)
    session.flush()
    session.add_all(call for turn in turns for call in TurnToolCall.of(turn))
    for cid, when, rating in FEEDBACK:
        session.add(Feedback(conversation_id=cid, rating=rating, created_at=when))
    session.commit()
    seqs = {}
    for name, when, actor, role, p, cid, action, outcome, rule, details in AUDIT:
        ctx = ServiceContext(
            actor=Actor(actor, role, users[actor].id),
            passenger_id=passengers[p],
            clock=FixedClock(when),
            conversation_id=cid,
        )
        fields: dict[str, Any] = {"action": action, "outcome": outcome, "rule": rule}
        event = audit.record(session, ctx, message=f"{action} {outcome}", details=details, **fields)
        seqs[name] = event.seq
    return History(users, passengers, seqs)
