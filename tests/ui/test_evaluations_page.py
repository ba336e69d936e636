"""The Evaluations page: a small suite (two tiny cases in a temporary folder) runs on two
worker processes with a progress bar, is stored, and shows its pass rate by tag, its failure
and its place in the history."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

import evals
import ui.dashboard_evaluations
from config import get_settings
from db.models import EvaluationRun
from evals.pool import WorkersFailed
from tests.ui.apptest import open_page, page_content, signed_in, texts

pytestmark = pytest.mark.usefixtures("app_env")
LOOKUP = "What bookings does she have?"
CASES = [
    {"id": "ui-lookup-pass", "persona": "anna", "tags": ["ui", "lookup"], "turns": [LOOKUP],
     "expect": {"tools_called": ["get_passenger_trips"], "unchanged": True}},
    {"id": "ui-lookup-fail", "persona": "anna", "tags": ["ui"], "turns": [LOOKUP],
     "expect": {"reply_contains": ["Singapore"]}},
]  # fmt: skip


def evaluations(role: str = "manager") -> AppTest:
    at = open_page(signed_in(role), "evaluations")
    assert not at.exception, at.exception
    return at


def small_suite(folder: Path) -> Path:
    folder.mkdir()
    (folder / "tiny.yaml").write_text(yaml.safe_dump(CASES, sort_keys=False))
    return folder


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_the_page_for_managers_and_admins(role: str) -> None:
    at = evaluations(role)
    assert at.title[0].value == "Evaluations"
    assert at.caption[0].value.startswith("Suite `evals/cases`: ")  # the visible suite
    assert at.button(key="evaluations_start").label == "Run suite"
    assert at.selectbox(key="evaluations_model").value == "builtin"
    assert "Results" in [s.value for s in at.subheader]


@pytest.mark.parametrize("role", ["agent", "customer"])
def test_agents_and_customers_are_not_allowed(role: str) -> None:
    at = open_page(signed_in(role), "evaluations")
    assert not at.exception
    assert page_content(at) == [
        ("error", f"**Not allowed.** The Evaluations page is not available to the {role} role.")
    ]


def test_a_small_suite_runs_with_progress_and_is_stored(
    app_env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reported: list[tuple[int, int]] = []
    workers: list[int] = []

    def run_suite(*args, progress, **kwargs):
        def spy(done: int, total: int) -> None:
            reported.append((done, total))
            progress(done, total)

        result = evals.run_suite(*args, progress=spy, **kwargs)
        workers.append(result.workers)
        return result

    monkeypatch.setattr(ui.dashboard_evaluations, "run_suite", run_suite)
    # Worker processes started from a Streamlit script thread, whose __main__ is app.py (they
    # used to run app.py and crash, forever), whatever the number of CPUs here.
    monkeypatch.setenv("SKYDESK_EVAL_WORKERS", "2")
    get_settings.cache_clear()
    at = evaluations()
    at.session_state["evaluations_cases"] = str(small_suite(tmp_path / "suite"))
    at.run()
    assert at.caption[0].value.startswith(
        f"Suite `{tmp_path / 'suite'}`: 2 cases in 1 file, 2 tags."
    )

    at.button(key="evaluations_start").click().run(timeout=120)
    assert not at.exception, at.exception
    with app_env.sessions() as session:
        run = session.scalars(select(EvaluationRun).order_by(EvaluationRun.id.desc())).first()
    assert run is not None
    assert (run.cases, run.passed, run.failed, run.triggered_by) == (2, 1, 1, "ui:manager")

    assert workers == [2]
    assert reported == [(1, 2), (2, 2)]  # the bar moved after each case
    (bar,) = at.get("progress")
    assert bar.proto.value == 100
    assert bar.proto.text.endswith(f": 1 passed, 1 failed. Stored as run #{run.id}.")

    assert at.selectbox(key="evaluations_run").value == run.id
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["Pass rate"], metrics["Passed"], metrics["Failed"]) == ("50.0%", "1", "1")
    by_tag, failures, *_ = (df.value for df in at.dataframe)
    assert by_tag.set_index("tag")[["cases", "passed", "failed"]].to_dict("index") == {
        "lookup": {"cases": 1, "passed": 1, "failed": 0},
        "ui": {"cases": 2, "passed": 1, "failed": 1},
    }
    assert failures["id"].tolist() == ["ui-lookup-fail"]
    assert "Singapore" in failures["reason"][0]

    # The history lists the run and draws the trend.
    history = at.dataframe[-1].value
    assert run.id in history["id"].tolist()
    assert "History" in [s.value for s in at.subheader]
    assert at.get("plotly_chart")
    assert "Results" in texts(at)


def test_the_held_out_set_can_be_chosen_and_run(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[list[str], str | None]] = []

    def run_suite(paths, *, keyword=None, **_kwargs):
        asked.append((paths, keyword))
        raise WorkersFailed("stopped by the test before any case ran")

    monkeypatch.setattr(ui.dashboard_evaluations, "run_suite", run_suite)
    at = evaluations()
    suite = at.radio(key="evaluations_suite")
    assert suite.options == ["Visible cases", "Held-out cases"]
    assert suite.value == "Visible cases"
    held_out = evals.load_cases([evals.HELDOUT_CASES])
    files = len({c.file for c in held_out})
    at = suite.set_value("Held-out cases").run()
    assert at.caption[0].value.startswith(
        f"Suite `evals/heldout`: {len(held_out)} cases in {files} files, "
    )
    at.text_input(key="evaluations_keyword").input("anna")
    at = at.button(key="evaluations_start").click().run()
    assert asked == [([str(evals.HELDOUT_CASES)], "anna")]
    assert "The run stopped, nothing was stored" in at.error[0].value
