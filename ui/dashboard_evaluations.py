"""The Evaluations page's parts: run the conversation evaluation suite (evals.run_suite, with
a progress bar, on SKYDESK_EVAL_WORKERS worker processes) and store the run
(services.dashboards.evaluations.save_run); one stored run with its pass rate by tag and its
failures; the history and the pass-rate trend across runs.

Session-state keys (all "evaluations_"): evaluations_suite (the visible cases, evals/cases, or
the held-out ones, evals/heldout), evaluations_cases (a file or folder that overrides the
choice: tests point it at a small suite), evaluations_model, evaluations_keyword,
evaluations_run (the stored run shown) and evaluations_tags (the tags drawn in the trend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from config import ROOT
from evals import DEFAULT_CASES, HELDOUT_CASES, CaseFormatError, load_cases, run_suite
from evals.pool import WorkersFailed
from evals.results import SuiteResult
from services.dashboards import evaluations
from services.dashboards.evaluations import RunSummary
from ui import resources
from ui.chat_assistant import available_models
from ui.components import attempt, model_label, table
from ui.dashboard_common import local
from ui.safe_text import code, literal, one_line

cc = st.column_config
CASES_KEY = "evaluations_cases"
SUITE_KEY = "evaluations_suite"
RUN_KEY = "evaluations_run"
HISTORY = 50
VISIBLE, HELDOUT = "Visible cases", "Held-out cases"
SUITES = {VISIBLE: DEFAULT_CASES, HELDOUT: HELDOUT_CASES}
SUITE_HELP = (
    "The visible cases are the ones the built-in model was developed against; the held-out "
    "cases were written without looking at the model, so they show how it does on requests "
    "it was not tuned for."
)


def suite_path() -> str:
    override = st.session_state.get(CASES_KEY)
    if override:
        return str(override)
    return str(SUITES.get(st.session_state.get(SUITE_KEY) or VISIBLE, DEFAULT_CASES))


def suite_choice() -> None:
    """Which suite runs: the visible or the held-out cases (unless a path overrides both)."""
    if st.session_state.get(CASES_KEY):
        return
    st.radio("Suite", list(SUITES), key=SUITE_KEY, horizontal=True, help=SUITE_HELP)


def _shown(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return path


@st.cache_data(ttl=60, show_spinner=False)
def suite_overview(path: str) -> tuple[int, int, int] | str:
    """(cases, files, tags) of the suite, or what is wrong with its files."""
    try:
        cases = load_cases([path])
    except CaseFormatError as err:
        return str(err)
    tags = {t for c in cases for t in c.case.tags}
    return len(cases), len({c.file for c in cases}), len(tags)


def run_panel(username: str) -> None:
    """Which suite, what will run, the Run button, and (while it runs) the progress bar."""
    suite_choice()
    path = suite_path()
    overview = suite_overview(path)
    if isinstance(overview, str):
        st.error(f"The suite {code(_shown(path))} has invalid case files:\n\n{literal(overview)}")
        return
    cases, files, tags = overview
    st.caption(
        f"Suite {code(_shown(path))}: {cases} cases in {files} file{'s' if files != 1 else ''}, "
        f"{tags} tags. Each case runs on a fresh copy of the demo world at the frozen "
        "evaluation clock, as the demo agent; the run is stored in the history below."
    )
    settings = resources.settings()
    model_box, keyword_box, button = st.columns([2, 3, 1], vertical_alignment="bottom")
    models = available_models(settings)
    model = model_box.selectbox(
        "Model",
        models,
        format_func=lambda m: model_label(m, settings),
        key="evaluations_model",
        disabled=len(models) == 1,
    )
    keyword = keyword_box.text_input(
        "Only cases whose id contains",
        key="evaluations_keyword",
        placeholder="e.g. anna-move (empty: every case)",
    )
    if button.button(
        "Run suite", icon=":material/play_arrow:", type="primary", key="evaluations_start",
        width="stretch",
    ):  # fmt: skip
        run_and_store(path, model, keyword.strip() or None, username, settings.eval_workers)


def run_and_store(path: str, model: str, keyword: str | None, username: str, workers: int) -> None:
    bar = st.progress(0.0, text="Preparing the demo world… (stay on this page until it is stored)")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Running: {done} of {total} cases done")

    try:
        result: SuiteResult = run_suite(
            [path],
            model=model,
            keyword=keyword,
            progress=progress,
            # From this server's script thread run_suite starts the workers in a helper
            # process (evals/pool.py); progress is still reported here, case by case.
            workers=workers,
        )
    except CaseFormatError as err:
        bar.empty()
        st.error(f"Nothing was run:\n\n{literal(str(err))}")
        return
    except WorkersFailed as err:
        bar.empty()
        st.error(f"The run stopped, nothing was stored: {literal(str(err))}")
        return
    with resources.db_session() as session:
        stored = attempt(
            lambda: evaluations.save_run(
                session,
                started_at=result.started_at,
                finished_at=result.finished_at,
                model=result.model,
                results=[c.summary() for c in result.cases],
                triggered_by=f"ui:{username}",
            )
        )
    if stored is None:
        return
    bar.progress(
        1.0,
        text=f"Done in {result.duration_s:.1f} s: {result.passed} passed, {result.failed} "
        f"failed. Stored as run #{stored.id}.",
    )
    st.session_state[RUN_KEY] = stored.id


def _run_label(run: RunSummary) -> str:
    return (
        f"#{run.id} · {local(run.started_at):%d %b %Y %H:%M} · {run.model} · "
        f"{run.passed}/{run.cases} passed ({run.pass_rate:.0%})"
    )


def history() -> list[RunSummary]:
    with resources.read_session() as session:
        return evaluations.run_history(session, limit=HISTORY)


def run_results(runs: list[RunSummary]) -> None:
    """One stored run (the newest unless another is chosen): totals, pass rate by tag and
    the failed cases with their reasons."""
    if not runs:
        st.caption(
            "No evaluation runs are stored yet: run the suite above (or `python -m evals.run "
            "--store`)."
        )
        return
    labels = {r.id: _run_label(r) for r in runs}
    if st.session_state.get(RUN_KEY) not in labels:
        st.session_state[RUN_KEY] = runs[0].id
    run_id = st.selectbox("Run", list(labels), format_func=labels.__getitem__, key=RUN_KEY)
    with resources.read_session() as session:
        detail = attempt(lambda: evaluations.get_run(session, int(run_id)))
    if detail is None:
        return
    run = detail.summary
    for column, (label, value) in zip(
        st.columns(4),
        [
            ("Pass rate", f"{run.pass_rate:.1%}"),
            ("Passed", f"{run.passed:,}"),
            ("Failed", f"{run.failed:,}"),
            ("Duration", f"{run.duration_s:.1f} s"),
        ],
        strict=True,
    ):
        column.metric(label, value, border=True)
    st.caption(
        f"Model {code(run.model)} · {run.cases} cases · started "
        f"{local(run.started_at):%Y-%m-%d %H:%M:%S} Zurich by {one_line(run.triggered_by)}."
    )
    st.markdown("**Pass rate by tag**")
    table(
        [{"tag": tag, **vars(row)} for tag, row in run.by_tag.items()],
        {
            "tag": cc.TextColumn("Tag"),
            "cases": cc.NumberColumn("Cases", width="small"),
            "passed": cc.NumberColumn("Passed", width="small"),
            "failed": cc.NumberColumn("Failed", width="small"),
            "pass_rate": cc.ProgressColumn(
                "Pass rate", format="percent", min_value=0, max_value=1, width="medium"
            ),
        },
        empty="No tagged cases in this run.",
        key="evaluations_tags_table",
    )
    st.markdown(f"**Failed cases ({len(detail.failures)})**")
    table(
        detail.failures,
        {
            "id": cc.TextColumn("Case"),
            "reason": cc.TextColumn("Why it failed", width="large"),
            "file": cc.TextColumn("File"),
        },
        empty="Every case passed.",
        key="evaluations_failures",
    )
    with st.expander(f"All {run.cases} cases"):
        table(
            [_case_row(r) for r in detail.results],
            {
                "id": cc.TextColumn("Case"),
                "passed": cc.CheckboxColumn("Passed"),
                "tags": cc.ListColumn("Tags"),
                "tools_called": cc.ListColumn("Tools called"),
                "duration_s": cc.NumberColumn("Seconds", format="%.2f"),
            },
            empty="",
            key="evaluations_cases_table",
        )


def _case_row(result: dict[str, Any]) -> dict[str, Any]:
    return {k: result.get(k) for k in ("id", "passed", "tags", "tools_called", "duration_s")}


def run_history(runs: list[RunSummary]) -> None:
    """Every stored run, and the pass rate across them: overall and for the chosen tags."""
    if not runs:
        return
    with resources.read_session() as session:
        overall, by_tag = evaluations.pass_rate_trend(session, limit=HISTORY)
    latest = runs[0]
    weakest = sorted(latest.by_tag, key=lambda t: latest.by_tag[t].pass_rate)[:3]
    chosen = st.multiselect(
        "Tags in the trend",
        list(by_tag),
        default=[t for t in weakest if latest.by_tag[t].pass_rate < 1],
        placeholder="Overall pass rate only",
        key="evaluations_tags",
    )
    points = [("overall", p) for p in overall] + [(t, p) for t in chosen for p in by_tag[t]]
    frame = pd.DataFrame(
        [
            {"series": name, "run": f"#{p.run_id}", "started": local(p.started_at),
             "model": p.model, "pass rate": p.pass_rate}
            for name, p in points
        ]
    )  # fmt: skip
    # One point per run, evenly spaced: runs minutes or weeks apart read the same.
    figure = px.line(
        frame, x="run", y="pass rate", color="series", markers=True,
        hover_data=["started", "model"],
    )  # fmt: skip
    figure.update_xaxes(type="category", title=None)
    figure.update_yaxes(tickformat=".0%", range=[0, 1.05], title=None)
    figure.update_layout(
        title="Pass rate across runs",
        height=340,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.2, "title": None},
    )
    st.plotly_chart(figure, key="evaluations_trend")
    table(
        [{**vars(r), "by_tag": None, "started_at": local(r.started_at),
          "duration_s": r.duration_s} for r in runs],
        {"id": cc.NumberColumn("Run", format="#%d"),
         "started_at": cc.DatetimeColumn("Started (Zurich)", format="YYYY-MM-DD HH:mm"),
         "model": cc.TextColumn("Model"), "cases": cc.NumberColumn("Cases"),
         "passed": cc.NumberColumn("Passed"), "failed": cc.NumberColumn("Failed"),
         "pass_rate": cc.ProgressColumn("Pass rate", format="percent", min_value=0, max_value=1),
         "duration_s": cc.NumberColumn("Seconds", format="%.1f"),
         "triggered_by": cc.TextColumn("Run by")},
        empty="",
        key="evaluations_history",
    )  # fmt: skip
