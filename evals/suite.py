"""run_suite: load the cases, make (or reuse) the template world, run every case on its own
copy in worker processes, collect the results in case order."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from config import usable_cpus
from evals import pool
from evals.cases_format import CaseFormatError, LoadedCase, load_cases
from evals.results import CaseResult, SuiteResult
from evals.worker import ModelSpec, Task
from evals.world import DEFAULT_NOW, DEFAULT_SEED, pinned_template

Progress = Callable[[int, int], None]


def model_label(model: ModelSpec) -> str:
    """The name turns record for the model, without building it in this process."""
    if model == "builtin":
        from agent.models.builtin.model import MODEL_NAME

        return MODEL_NAME
    if model == "openai":
        from config import Settings

        return Settings().openai_model
    if isinstance(model, str):
        raise ValueError(f"unknown model {model!r}: use builtin or openai")
    return getattr(model, "__name__", type(model).__name__)[:60]


def run_suite(
    paths: Iterable[str | Path] | None = None,
    *,
    model: ModelSpec = "builtin",
    now: datetime | None = None,
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
    keyword: str | None = None,
    progress: Progress | None = None,
    cases: list[LoadedCase] | None = None,
    cache_dir: Path | None = None,
    database_url: str | None = None,
) -> SuiteResult:
    """Run the cases of `paths` (files or folders; default evals/cases/) or the `cases` given.

    model: "builtin", "openai" (SKYDESK_OPENAI_* from the environment), or a factory returning
    a chat model, called once per case (module-level, so worker processes can import it).
    now: the frozen demo clock (default DEFAULT_NOW). workers: processes (default: the CPUs;
    1 runs in this process; from a process with other threads, such as a Streamlit server,
    they are started by a helper process: evals/pool.py). progress(done, total) is called
    after each case, in the calling thread.
    database_url: a PostgreSQL server URL to run each case on a database of its own there,
    created from a template database (default: SQLite copies).
    Raises CaseFormatError for invalid case files, or when no case is selected."""
    now = (now or DEFAULT_NOW).astimezone(UTC)
    label = model_label(model)
    if cases is None:
        cases = load_cases(paths, keyword=keyword)
    if not cases:
        raise CaseFormatError(["no cases to run" + (f" matching {keyword!r}" if keyword else "")])
    started = datetime.now(UTC)
    workers = max(1, workers or usable_cpus())
    position = {item.case.id: i for i, item in enumerate(cases)}  # ids are unique
    results: list[CaseResult | None] = [None] * len(cases)
    with ExitStack() as stack:
        if database_url:
            from evals import pg_world

            template = pg_world.ensure_template(database_url, seed=seed, now=now)
        else:
            pin = pinned_template(seed=seed, now=now, cache_dir=cache_dir)
            template = str(stack.enter_context(pin).path)
        workdir = tempfile.mkdtemp(prefix="skydesk-evals-")
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        tasks = [Task(i, item, template, now, model, workdir, database_url)
                 for i, item in enumerate(cases)]  # fmt: skip
        for done, result in enumerate(pool.results(tasks, workers), start=1):
            results[position[result.id]] = result
            if progress:
                progress(done, len(tasks))
    return SuiteResult(
        cases=[r for r in results if r is not None],
        model=label,
        now=now,
        seed=seed,
        started_at=started,
        finished_at=datetime.now(UTC),
        workers=min(workers, len(cases)),
        # by name only: a PostgreSQL URL may hold a password, the pinned file is gone
        world=str(make_url(template).database) if database_url else Path(template).name,
    )
