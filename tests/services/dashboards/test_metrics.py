"""Metrics aggregates on a hand-built history: every figure is checked against a number
worked out by hand from tests/services/dashboards/dashboard_world.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.core.errors import InvalidInput
from services.dashboards import metrics
from services.dashboards.common import TimeRange
from tests.services.dashboards.dashboard_world import DAYS, SINCE, UNTIL, build_history

RANGE: dict[str, Any] = {"since": SINCE, "until": UNTIL}  # keyword arguments of every query


@pytest.fixture
def history(session):
    return build_history(session)


@pytest.mark.usefixtures("history")
def test_conversations_resolution_and_escalation(session) -> None:
    stats = metrics.conversation_stats(session, **RANGE)
    # c1..c5 in the range (c0 is before it): 2 resolved, 2 escalated, 1 open.
    assert (stats.total, stats.resolved, stats.escalated, stats.open) == (5, 2, 2, 1)
    assert stats.resolution_rate == pytest.approx(0.4)
    assert stats.escalation_rate == pytest.approx(0.4)
    assert [(r.reason, r.count, r.rate) for r in stats.by_reason] == [
        ("customer_request", 1, pytest.approx(0.2)),
        ("policy_restriction", 1, pytest.approx(0.2)),
    ]
    assert [(p.start, p.conversations, p.resolved, p.escalated) for p in stats.series] == [
        (DAYS[0], 2, 1, 1),
        (DAYS[1], 2, 1, 1),
        (DAYS[2], 1, 0, 0),
    ]


@pytest.mark.usefixtures("history")
def test_turn_counts_errors_and_latency_percentiles(session) -> None:
    stats = metrics.turn_stats(session, **RANGE)
    # Ten turns in the range with latencies 100, 200, ..., 1000 ms; one failed.
    assert (stats.total, stats.errors) == (10, 1)
    assert stats.error_rate == pytest.approx(0.1)
    # percentile_cont: p50 between 500 and 600; p95 at rank 1 + 9 * 0.95 = 9.55.
    assert stats.latency_p50_ms == pytest.approx(550.0)
    assert stats.latency_p95_ms == pytest.approx(955.0)
    assert [
        (p.start, p.turns, p.errors, p.latency_p50_ms, p.latency_p95_ms) for p in stats.series
    ] == [
        (DAYS[0], 4, 1, pytest.approx(250.0), pytest.approx(385.0)),
        (DAYS[1], 3, 0, pytest.approx(600.0), pytest.approx(690.0)),
        (DAYS[2], 3, 0, pytest.approx(900.0), pytest.approx(990.0)),
    ]


@pytest.mark.usefixtures("history")
def test_percentiles_of_a_single_turn_and_of_no_turns(session) -> None:
    one = metrics.turn_stats(
        session,
        since=datetime(2026, 11, 25, 12, tzinfo=UTC),
        until=datetime(2026, 11, 25, 13, tzinfo=UTC),
    )
    assert (one.total, one.latency_p50_ms, one.latency_p95_ms) == (1, 700.0, 700.0)
    none = metrics.turn_stats(
        session, since=datetime(2026, 12, 1, tzinfo=UTC), until=datetime(2026, 12, 2, tzinfo=UTC)
    )
    assert (none.total, none.error_rate, none.latency_p50_ms) == (0, None, None)
    assert [p.turns for p in none.series] == [0]


@pytest.mark.usefixtures("history")
def test_tool_calls_by_tool_and_error_rate(session) -> None:
    stats = metrics.tool_stats(session, **RANGE)
    assert (stats.calls, stats.errors) == (9, 2)
    assert stats.error_rate == pytest.approx(2 / 9)
    assert [(t.tool, t.calls, t.errors) for t in stats.by_tool] == [
        ("search_flights", 4, 1),
        ("cancel_ticket", 1, 0),
        ("change_flight", 1, 0),
        ("get_flight_status", 1, 1),
        ("lookup_policy", 1, 0),
        ("quote_flight_change", 1, 0),
    ]
    assert [(p.calls, p.errors) for p in stats.series] == [(4, 1), (3, 1), (2, 0)]


@pytest.mark.usefixtures("history")
def test_approvals_and_denials_of_approval_cards(session) -> None:
    stats = metrics.decision_stats(session, **RANGE)
    # The approval before the range does not count; refusals are no decisions (test_refusals).
    assert (stats.approved, stats.denied) == (2, 1)
    assert stats.approval_rate == pytest.approx(2 / 3)
    assert stats.denial_rate == pytest.approx(1 / 3)
    assert [(p.approved, p.denied) for p in stats.series] == [(1, 1), (1, 0), (0, 0)]


@pytest.mark.usefixtures("history")
def test_csat_share_of_4_and_5_and_mean(session) -> None:
    stats = metrics.csat_stats(session, **RANGE)
    # Ratings 5, 2, 4, 3 in the range (the 1 before it is out).
    assert stats.rated == 4
    assert stats.mean == pytest.approx(3.5)
    assert stats.satisfied_share == pytest.approx(0.5)
    assert stats.distribution == {1: 0, 2: 1, 3: 1, 4: 1, 5: 1}
    assert [(p.rated, p.mean, p.satisfied_share) for p in stats.series] == [
        (2, pytest.approx(3.5), pytest.approx(0.5)),
        (1, pytest.approx(4.0), pytest.approx(1.0)),
        (1, pytest.approx(3.0), pytest.approx(0.0)),
    ]


@pytest.mark.usefixtures("history")
def test_tokens_and_cost_by_model(session) -> None:
    usage = metrics.usage_stats(session, **RANGE)
    assert [(u.model, u.turns, u.tokens_in, u.tokens_out, u.offline) for u in usage.by_model] == [
        ("builtin", 8, 8000, 800, True),
        ("gpt-4o-mini", 2, 4000, 1000, False),
    ]
    # 4,000 x $0.15/M + 1,000 x $0.60/M; the built-in model is free and its tokens are no cost.
    assert [u.cost_usd for u in usage.by_model] == [0.0, pytest.approx(0.0012)]
    assert usage.cost_usd == pytest.approx(0.0012)
    assert (usage.hosted_tokens_in, usage.hosted_tokens_out) == (4000, 1000)
    assert (usage.offline_turns, usage.hosted_turns) == (8, 2)
    unpriced = metrics.usage_stats(session, **RANGE, prices={})
    assert unpriced.unpriced_models == ["gpt-4o-mini"]
    assert unpriced.by_model[1].cost_usd is None


def test_price_lookup_by_prefix() -> None:
    table = metrics.MODEL_PRICES_USD_PER_MTOK
    assert metrics.price_of("gpt-4o-mini-2024-07-18", table) == table["gpt-4o-mini"]
    assert metrics.price_of("gpt-4o-2024-08-06", table) == table["gpt-4o"]
    assert metrics.price_of("builtin-v2", table) == (0.0, 0.0)
    assert metrics.price_of("skydesk-builtin-1", table) == (0.0, 0.0)
    assert metrics.price_of("llama-3.1-8b", table) is None
    assert metrics.is_offline("builtin") and metrics.is_offline("scripted")
    assert not metrics.is_offline("gpt-4o-mini")


@pytest.mark.usefixtures("history")
def test_whole_dashboard_and_trend_rows(session) -> None:
    board = metrics.metrics_dashboard(session, **RANGE)
    assert board.turns.total == 10 and board.refusals.policy_refusals == 1
    rows = board.trend_rows()
    assert [r["start"] for r in rows] == DAYS
    assert rows[0]["turn_turns"] == 4 and rows[0]["refusal_policy_refusals"] == 1
    assert rows[2]["csat_mean"] == pytest.approx(3.0)


@pytest.mark.usefixtures("history")
def test_hourly_buckets_cover_the_range(session) -> None:
    stats = metrics.turn_stats(session, **RANGE, bucket="hour")
    assert len(stats.series) == 72
    busy = {p.start: p.turns for p in stats.series if p.turns}
    assert busy == {
        datetime(2026, 11, 24, 10, tzinfo=UTC): 2,
        datetime(2026, 11, 24, 15, tzinfo=UTC): 2,
        datetime(2026, 11, 25, 9, tzinfo=UTC): 2,
        datetime(2026, 11, 25, 12, tzinfo=UTC): 1,
        datetime(2026, 11, 26, 7, tzinfo=UTC): 3,
    }
    hour = next(p for p in stats.series if p.start == datetime(2026, 11, 26, 7, tzinfo=UTC))
    assert (hour.latency_p50_ms, hour.latency_p95_ms) == (
        pytest.approx(900.0),
        pytest.approx(990.0),
    )


@pytest.mark.parametrize(
    ("since", "until", "bucket", "message"),
    [
        (UNTIL, SINCE, "day", "before its end"),
        (SINCE.replace(tzinfo=None), UNTIL, "day", "time zone"),
        (SINCE, UNTIL, "week", "hour or day"),
        (SINCE, SINCE + timedelta(days=120), "hour", "more than 2000"),
    ],
)
def test_bad_ranges_are_refused_with_a_reason(since, until, bucket, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        TimeRange.of(since, until, bucket)
