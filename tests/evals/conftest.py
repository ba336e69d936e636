"""Evaluation runner fixtures: one template world per test session (the runner's own cache
under data/evals/, so repeated sessions reuse it), case files written per test, suites run
in this process unless a test asks for workers.

The runner's worlds are SQLite copies of that template whatever TEST_DATABASE_URL says; the
PostgreSQL mode (`database_url=`) has its own test, run when TEST_DATABASE_URL is set."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from evals import SuiteResult, run_suite
from evals.world import Template, pinned_template

LOOKUP = "What bookings does she have?"
MOVE = ["Hi, the customer wants to fly to London one day later.", "the first one is fine"]

RunCases = Callable[..., SuiteResult]


@pytest.fixture(scope="session")
def template() -> Iterator[Template]:
    with pinned_template() as pinned:
        yield pinned


def write_cases(folder: Path, cases: list[dict[str, Any]], name: str = "cases.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(cases, sort_keys=False, allow_unicode=True))
    return path


@pytest.fixture
def run_cases(tmp_path: Path, template: Template) -> RunCases:  # noqa: ARG001
    """Write `cases` to a file and run them (in-process unless workers= is given)."""

    def run(cases: list[dict[str, Any]], **options: Any) -> SuiteResult:
        options.setdefault("workers", 1)
        return run_suite([write_cases(tmp_path, cases)], **options)

    return run


def case(case_id: str, turns: list[str] | str = LOOKUP, **fields: Any) -> dict[str, Any]:
    """A case for anna (unless persona= is given) with the expectations given as keywords."""
    persona = fields.pop("persona", "anna")
    approvals = fields.pop("approvals", None)
    data: dict[str, Any] = {
        "id": case_id,
        "persona": persona,
        "tags": fields.pop("tags", ["test"]),
        "turns": [turns] if isinstance(turns, str) else turns,
        "expect": fields,
    }
    if approvals:
        data["approvals"] = approvals
    return data
