"""Evaluation runs: what the runner stores, the history and trend the page reads, and the
regressions between two runs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.models import EvaluationRun
from services.core.errors import InvalidInput, NotFound
from services.dashboards import evaluations

CASES = [
    {"id": "anna-move-next-day", "passed": True, "tags": ["flights", "change"]},
    {"id": "ben-light-no-change", "passed": True, "tags": ["flights", "refusal"]},
    {
        "id": "farid-cancelled",
        "passed": False,
        "tags": ["flights", "refusal"],
        "reason": "no quote",
    },
    {"id": "diego-hotel", "passed": True, "tags": ["hotels"], "turns": 3},
]


def save(session, clock, cases, *, hours: int = 0, model: str = "builtin"):
    start = clock.now() + timedelta(hours=hours)
    return evaluations.save_run(
        session,
        started_at=start,
        finished_at=start + timedelta(seconds=42),
        model=model,
        results=cases,
        triggered_by="manager",
    )


def test_save_derives_counts_and_the_tag_table(session, clock) -> None:
    run = save(session, clock, CASES)
    assert (run.cases, run.passed, run.failed, run.pass_rate) == (4, 3, 1, 0.75)
    assert run.duration_s == 42
    flights = run.by_tag["flights"]
    assert (flights.cases, flights.passed, flights.failed) == (3, 2, 1)
    assert flights.pass_rate == pytest.approx(2 / 3)
    assert run.by_tag["refusal"] == evaluations.TagResult(2, 1, 1, 0.5)
    assert run.by_tag["hotels"] == evaluations.TagResult(1, 1, 0, 1.0)
    stored = session.get(EvaluationRun, run.id)
    assert stored.triggered_by == "manager" and stored.results[3]["turns"] == 3
    detail = evaluations.get_run(session, run.id)
    assert [r["id"] for r in detail.failures] == ["farid-cancelled"]
    assert detail.failures[0]["reason"] == "no quote"


def test_history_newest_first_and_trends(session, clock) -> None:
    first = save(session, clock, CASES)
    better = [dict(c, passed=True) for c in CASES]
    second = save(session, clock, better, hours=1)
    other = save(session, clock, CASES[:1], hours=2, model="gpt-4o-mini")
    assert [r.id for r in evaluations.run_history(session)] == [other.id, second.id, first.id]
    assert [r.id for r in evaluations.run_history(session, model="builtin")] == [
        second.id,
        first.id,
    ]
    overall, by_tag = evaluations.pass_rate_trend(session, model="builtin")
    assert [(p.run_id, p.pass_rate) for p in overall] == [(first.id, 0.75), (second.id, 1.0)]
    assert [p.pass_rate for p in by_tag["refusal"]] == [0.5, 1.0]
    assert list(by_tag) == ["change", "flights", "hotels", "refusal"]


def test_regressions_against_the_previous_run_of_the_same_model(session, clock) -> None:
    good = save(session, clock, [dict(c, passed=True) for c in CASES])
    save(session, clock, [dict(c, passed=False) for c in CASES], hours=1, model="gpt-4o-mini")
    worse = save(session, clock, CASES, hours=2)
    assert evaluations.regressions(session, worse.id) == ["farid-cancelled"]
    assert evaluations.regressions(session, good.id) == []
    assert evaluations.regressions(session, good.id, baseline_id=worse.id) == []


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ([], "at least one case"),
        ([{"id": "x"}], "passed"),
        ([{"id": "", "passed": True}], "id"),
    ],
)
def test_malformed_runs_are_refused(session, clock, results, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        save(session, clock, results)
    assert evaluations.run_history(session) == []


def test_a_run_cannot_end_before_it_starts(session, clock) -> None:
    with pytest.raises(InvalidInput, match="finish before"):
        evaluations.save_run(
            session,
            started_at=clock.now(),
            finished_at=clock.now() - timedelta(seconds=1),
            model="builtin",
            results=CASES,
            triggered_by="ci",
        )


def test_unknown_run(session) -> None:
    with pytest.raises(NotFound):
        evaluations.get_run(session, 999)
