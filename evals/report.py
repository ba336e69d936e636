"""The run's text report (failures, per-tag table, totals last), its JSON file, and storing it
in the evaluation history the Evaluations page reads."""

from __future__ import annotations

import json
from pathlib import Path

from evals.results import SuiteResult


def failure_lines(result: SuiteResult) -> list[str]:
    return [f"FAIL {c.id} ({c.file}): {c.reason}" for c in result.failures]


def unrequested_lines(result: SuiteResult) -> list[str]:
    """One line per case that called a write it did not ask for, with the rules that fired."""
    lines = []
    for c in result.unrequested:
        rules = [f"turn {t['turn']}: {', '.join(t['rules'])}" for t in c.rules if t["rules"]]
        why = f" (rules: {'; '.join(rules)})" if rules else ""
        lines.append(f"UNREQUESTED WRITE {c.id} ({c.file}): {', '.join(c.unrequested_writes)}{why}")
    return lines


def tag_lines(result: SuiteResult) -> list[str]:
    table = result.by_tag()
    if not table:
        return []
    width = max(len("tag"), *(len(tag) for tag in table))
    lines = [f"{'tag':<{width}}  {'cases':>5}  {'passed':>6}  {'pass rate':>9}"]
    for tag, row in table.items():
        lines.append(
            f"{tag:<{width}}  {row['cases']:>5}  {row['passed']:>6}  {row['pass_rate']:>9.0%}"
        )
    return lines


def totals_line(result: SuiteResult) -> str:
    writes = result.unrequested_writes
    return (
        f"{result.passed} passed, {result.failed} failed, "
        f"{writes} unrequested write{'' if writes == 1 else 's'}"
    )


def text_report(result: SuiteResult) -> str:
    """Failed cases, one line each with the reasons, and the cases with unrequested writes; the
    per-tag table; then, alone and last, `N passed, M failed, K unrequested writes`."""
    header = (
        f"{len(result.cases)} cases, model {result.model}, clock {result.now.isoformat()}, "
        f"{result.workers} worker(s), {result.duration_s:.1f} s"
    )
    problems = failure_lines(result) + unrequested_lines(result)
    blocks = [problems, [header], tag_lines(result), [totals_line(result)]]
    return "\n\n".join("\n".join(block) for block in blocks if block)


def write_json(result: SuiteResult, path: str | Path) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str))
    return target


def store_run(result: SuiteResult, *, database_url: str | None = None, triggered_by: str) -> int:
    """Save the run in the evaluation history (services.dashboards.evaluations) of the app's
    database (settings.database_url unless given); returns the stored run's id."""
    from config import get_settings
    from db.engine import make_engine, make_session_factory
    from services.dashboards.evaluations import save_run

    engine = make_engine(database_url or get_settings().database_url)
    try:
        with make_session_factory(engine)() as session:
            summary = save_run(
                session,
                started_at=result.started_at,
                finished_at=result.finished_at,
                model=result.model,
                results=[c.summary() for c in result.cases],
                triggered_by=triggered_by,
            )
        return summary.id
    finally:
        engine.dispose()
