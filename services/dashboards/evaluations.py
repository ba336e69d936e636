"""Evaluation runs: the evaluation runner stores each run with `save_run`; the Evaluations page
reads the history, the pass-rate trend (overall and per tag) and one run's case results.

Counts, pass rate and the per-tag table are derived here from the case results, so a stored
run can never disagree with itself."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from db.models import EvaluationRun
from services.core.audit import jsonable
from services.core.errors import InvalidInput, NotFound

MAX_HISTORY = 500


class CaseResult(BaseModel):
    """One case's result as the runner reports it; extra fields (turns, replies, timings)
    are kept as they are."""

    model_config = ConfigDict(extra="allow")

    id: str = Field(min_length=1)
    passed: bool
    tags: list[str] = Field(default_factory=list)
    reason: str | None = None


@dataclass(frozen=True)
class TagResult:
    cases: int
    passed: int
    failed: int
    pass_rate: float


@dataclass(frozen=True)
class RunSummary:
    id: int
    started_at: datetime
    finished_at: datetime
    model: str
    cases: int
    passed: int
    failed: int
    pass_rate: float
    by_tag: dict[str, TagResult]
    triggered_by: str

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()


@dataclass(frozen=True)
class RunDetail:
    summary: RunSummary
    results: list[dict[str, Any]]

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [r for r in self.results if not r.get("passed")]


@dataclass(frozen=True)
class TrendPoint:
    run_id: int
    started_at: datetime
    model: str
    pass_rate: float


def tag_table(cases: Iterable[CaseResult]) -> dict[str, dict[str, Any]]:
    total: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for case in cases:
        for tag in dict.fromkeys(case.tags):  # a tag listed twice counts once
            total[tag] += 1
            passed[tag] += case.passed
    return {
        tag: {
            "cases": total[tag],
            "passed": passed[tag],
            "failed": total[tag] - passed[tag],
            "pass_rate": passed[tag] / total[tag],
        }
        for tag in sorted(total)
    }


def _summary(run: EvaluationRun) -> RunSummary:
    return RunSummary(
        id=run.id,
        started_at=run.started_at,
        finished_at=run.finished_at,
        model=run.model,
        cases=run.cases,
        passed=run.passed,
        failed=run.failed,
        pass_rate=run.pass_rate,
        by_tag={tag: TagResult(**row) for tag, row in (run.by_tag or {}).items()},
        triggered_by=run.triggered_by,
    )


def save_run(
    session: Session,
    *,
    started_at: datetime,
    finished_at: datetime,
    model: str,
    results: Iterable[CaseResult | Mapping[str, Any]],
    triggered_by: str,
) -> RunSummary:
    """Store one run and commit; returns what the history shows for it."""
    try:
        cases = [r if isinstance(r, CaseResult) else CaseResult.model_validate(r) for r in results]
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"A case result is malformed ({where}: {first['msg']}).") from None
    if not cases:
        raise InvalidInput("An evaluation run needs at least one case result.")
    if finished_at < started_at:
        raise InvalidInput("An evaluation run cannot finish before it starts.")
    passed = sum(c.passed for c in cases)
    run = EvaluationRun(
        started_at=started_at,
        finished_at=finished_at,
        model=model[:60],
        cases=len(cases),
        passed=passed,
        failed=len(cases) - passed,
        pass_rate=passed / len(cases),
        by_tag=tag_table(cases),
        results=jsonable([c.model_dump() for c in cases]),
        triggered_by=triggered_by[:60],
    )
    session.add(run)
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return _summary(run)


def run_history(session: Session, *, limit: int = 50, model: str | None = None) -> list[RunSummary]:
    """Newest first, without the per-case results (they can be large)."""
    if not 1 <= limit <= MAX_HISTORY:
        raise InvalidInput(f"Ask for 1 to {MAX_HISTORY} runs.")
    stmt = select(EvaluationRun).order_by(EvaluationRun.started_at.desc(), EvaluationRun.id.desc())
    if model:
        stmt = stmt.where(EvaluationRun.model == model)
    # Load only the summary columns; `results` stays in the database.
    stmt = stmt.options(defer(EvaluationRun.results)).limit(limit)
    return [_summary(run) for run in session.scalars(stmt)]


def pass_rate_trend(
    session: Session, *, limit: int = 50, model: str | None = None
) -> tuple[list[TrendPoint], dict[str, list[TrendPoint]]]:
    """Pass rate of the last `limit` runs, oldest first: overall, and per tag (a tag's
    series has a point for each run that had cases with that tag)."""
    runs = list(reversed(run_history(session, limit=limit, model=model)))
    overall = [TrendPoint(r.id, r.started_at, r.model, r.pass_rate) for r in runs]
    by_tag: dict[str, list[TrendPoint]] = {}
    for r in runs:
        for tag, row in r.by_tag.items():
            by_tag.setdefault(tag, []).append(
                TrendPoint(r.id, r.started_at, r.model, row.pass_rate)
            )
    return overall, dict(sorted(by_tag.items()))


def get_run(session: Session, run_id: int) -> RunDetail:
    run = session.get(EvaluationRun, run_id)
    if run is None:
        raise NotFound(f"There is no evaluation run {run_id}.")
    return RunDetail(_summary(run), list(run.results or []))


def regressions(session: Session, run_id: int, *, baseline_id: int | None = None) -> list[str]:
    """Case ids that passed in the baseline (default: the run before, same model) and fail
    in this run: what a change broke."""
    run = get_run(session, run_id)
    if baseline_id is None:
        baseline_id = session.scalar(
            select(EvaluationRun.id)
            .where(
                EvaluationRun.model == run.summary.model,
                EvaluationRun.started_at < run.summary.started_at,
            )
            .order_by(EvaluationRun.started_at.desc(), EvaluationRun.id.desc())
            .limit(1)
        )
        if baseline_id is None:
            return []
    baseline = get_run(session, baseline_id)
    passed_before = {r["id"] for r in baseline.results if r.get("passed")}
    return sorted(r["id"] for r in run.failures if r["id"] in passed_before)
