"""Policy refusals, access denials and failed sign-ins (services/dashboards/refusals.py) on the
hand-built history of dashboard_world.py plus the records below, written by the services
that write them live where one exists. Every figure is worked out by hand in the comments.

Already in dashboard_world: turn c2/1 (24 Nov) has one refused quote; audit refusals
c2_refused (fare_light_no_change, c2) and c5_r1, c5_r2 (within_3h_of_departure, c5)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import get_settings
from db.models import AuditEvent, Conversation, ConversationStatus, Role, Turn, TurnToolCall
from services.core import audit
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.core.errors import PolicyViolation
from services.core.ratelimit import RateLimiter
from services.dashboards import coaching, metrics
from services.dashboards.refusals import refusal_stats
from services.identity import sessions, users
from services.identity.accounts import Account
from services.identity.passwords import hash_password
from tests.services.dashboards.dashboard_world import DAYS, SINCE, UNTIL, History, at, build_history

RANGE: dict[str, Any] = {"since": SINCE, "until": UNTIL}
QUOTE_REFUSED = {"name": "quote_flight_change", "status": "refused"}


def _turn(session: Session, cid: str, when: datetime, calls: list[dict[str, Any]]) -> None:
    turn = Turn(conversation_id=cid, started_at=when, latency_ms=100.0, tool_calls=calls,
                tokens_in=10, tokens_out=10, model="builtin", error=None)  # fmt: skip
    session.add(turn)
    session.flush()
    session.add_all(TurnToolCall.of(turn))


def _refused(session: Session, h: History, when: datetime, **fields: Any) -> None:
    agent = h.users["agent1"]
    ctx = ServiceContext(actor=Actor("agent1", Role.AGENT, agent.id), clock=FixedClock(when),
                         passenger_id=h.passengers[0], conversation_id="c6")  # fmt: skip
    audit.record(session, ctx, outcome="refused", message="refused", **fields)


def _sign_in(
    session: Session,
    username: str,
    password: str,
    when: datetime,
    limiter: RateLimiter | None = None,
) -> None:
    limiter = limiter or RateLimiter("test", "5/minute")
    users.sign_in(session, username=username, password=password, clock=FixedClock(when),
                  limiter=limiter)  # fmt: skip


@pytest.fixture
def history(session: Session) -> History:
    h = build_history(session)
    h.users["agent1"].password_hash = hash_password("right-password")
    # c6 (26 Nov): one turn quoting three options, all refused, and one whose change was
    # refused: two policy refusals, not four.
    session.add(Conversation(id="c6", user_id=h.users["agent1"].id, passenger_id=h.passengers[0],
                             title="Chat c6", status=ConversationStatus.OPEN, model="builtin",
                             started_at=at(26, 2), updated_at=at(26, 3)))  # fmt: skip
    session.flush()
    _turn(session, "c6", at(26, 2, 1), [QUOTE_REFUSED, QUOTE_REFUSED, QUOTE_REFUSED,
                                         {"name": "search_flights", "status": "ok"}])  # fmt: skip
    _turn(session, "c6", at(26, 2, 5), [{"name": "change_flight", "status": "refused"}])
    _turn(session, "c6", at(26, 2, 9), [{"name": "search_flights", "status": "ok"}])
    session.commit()
    for minute in (1, 2, 3):
        _refused(session, h, at(26, 2, minute), action="quote_flight_change",
                 rule="within_3h_of_departure")  # fmt: skip
    _refused(session, h, at(26, 2, 5), action="change_flight", rule="fare_light_no_change")
    # A customer-only-for-their-own-passenger refusal inside c6: an access denial (action).
    _refused(session, h, at(26, 2, 6), action="get_passenger_trips", rule="permission_denied")
    # Forbidden page opens: one before the range, two in it.
    agent, manager = (Account.of(h.users[name]) for name in ("agent1", "manager"))
    for who, when in ((agent, at(20, 8)), (agent, at(25, 8)), (manager, at(26, 1))):
        users.audit_page_refused(session, who, page="Admin", clock=FixedClock(when))
    # An agent flagging a conversation for coaching: a denied action (26 Nov).
    ctx = ServiceContext(actor=agent.actor, clock=FixedClock(at(26, 4)))
    with pytest.raises(PolicyViolation):
        coaching.flag_conversation(session, ctx, "c3", note="look")
    # Sign-ins: wrong password (24), unknown user and a rate-limited one (25), one before the
    # range (20); a good one and a refused cookie (26) are no failed sign-ins.
    _sign_in(session, "agent1", "wrong", at(20, 7))
    _sign_in(session, "agent1", "wrong", at(24, 7))
    once = RateLimiter("test", "1/minute")
    _sign_in(session, "nobody", "whatever", at(25, 7), once)
    _sign_in(session, "nobody", "whatever", at(25, 7, 1), once)  # rate limited
    _sign_in(session, "agent1", "right-password", at(26, 7))
    refused = sessions.sign_in_by_cookie(session, "not-a-token", settings=get_settings(),
                                         clock=FixedClock(at(26, 7, 1)))  # fmt: skip
    assert refused.account is None
    session.commit()
    return h


@pytest.mark.usefixtures("history")
def test_policy_refusals_count_each_refused_turn_once(session: Session) -> None:
    stats = refusal_stats(session, **RANGE)
    # c2/1 (24 Nov); c6/1 with three refused quotes and c6/2 (26 Nov). c6/3 refused nothing.
    assert stats.policy_refusals == 3
    assert [(p.start, p.policy_refusals) for p in stats.series] == [
        (DAYS[0], 1), (DAYS[1], 0), (DAYS[2], 2),
    ]  # fmt: skip
    # Conversations refused under each rule: fare_light_no_change in c2 and c6;
    # within_3h_of_departure in c5 (two records) and c6 (three). permission_denied is an
    # access denial, not a policy rule here.
    assert [(r.rule, r.count) for r in stats.policy_refusals_by_rule] == [
        ("fare_light_no_change", 2),
        ("within_3h_of_departure", 2),
    ]


@pytest.mark.usefixtures("history")
def test_access_denials_are_page_opens_and_denied_actions(session: Session) -> None:
    stats = refusal_stats(session, **RANGE)
    # Pages: agent1 (25 Nov), manager (26 Nov); the one on 20 Nov is out of range.
    # Actions: the permission refusal in c6 and the coaching flag (both 26 Nov).
    assert (stats.page_denials, stats.action_denials, stats.access_denials) == (2, 2, 4)
    assert [p.access_denials for p in stats.series] == [0, 1, 3]


@pytest.mark.usefixtures("history")
def test_failed_sign_ins_leave_out_good_ones_and_refused_cookies(session: Session) -> None:
    stats = refusal_stats(session, **RANGE)
    # Wrong password (24), unknown user and rate limited (25).
    assert stats.failed_sign_ins == 3
    rules = session.scalars(
        select(AuditEvent.rule).where(
            AuditEvent.action == "login", AuditEvent.outcome == "refused", AuditEvent.ts >= SINCE
        )
    ).all()
    assert sorted(r or "" for r in rules) == [
        "cookie_invalid",
        "rate_limited",
        "unknown_user",
        "wrong_password",
    ]
    assert [p.failed_sign_ins for p in stats.series] == [1, 2, 0]


@pytest.mark.usefixtures("history")
def test_the_dashboard_shows_the_three_figures_apart(session: Session) -> None:
    board = metrics.metrics_dashboard(session, **RANGE)
    r = board.refusals
    assert (r.policy_refusals, r.access_denials, r.failed_sign_ins) == (3, 4, 3)
    rows = board.trend_rows()
    assert [row["refusal_policy_refusals"] for row in rows] == [1, 0, 2]
    # Approval cards are counted on their own: the refusals are not among them.
    assert (board.decisions.approved, board.decisions.denied) == (2, 1)


def test_an_empty_range_has_no_refusals(session: Session) -> None:
    stats = refusal_stats(session, since=datetime(2026, 12, 1, tzinfo=UTC),
                          until=datetime(2026, 12, 2, tzinfo=UTC))  # fmt: skip
    assert (stats.policy_refusals, stats.access_denials, stats.failed_sign_ins) == (0, 0, 0)
    assert stats.policy_refusals_by_rule == []
