"""The evaluation suite and the built-in model, timed:

- the whole visible suite (evals/cases/) with the built-in model: run time and pass rate;
- what a fresh world costs per case (template copy, engine, checkpointer, assistant);
- the built-in model's tool-using turn on the demo world on SQLite (targets: p50 <= 25
  ms, p95 <= 60 ms): "What bookings does she have?" for anna, which calls get_passenger_trips
  and answers with her ticket, in a fresh conversation each time, after a warm-up.

    python -m bench.eval_bench [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from agent.checkpoint import open_checkpointer
from agent.events import ErrorEvent, ToolStarted
from agent.models.builtin import BuiltinChatModel
from agent.runtime import Assistant
from bench.common import figure, percentiles
from config import usable_cpus
from db.engine import make_engine, make_session_factory
from db.models import Role
from evals import DEFAULT_CASES, DEFAULT_NOW, CaseFormatError, run_suite
from evals.world import Template, copy_world, pinned_template
from services.core.clock import FixedClock
from services.core.context import Actor
from world import persona_passenger_id

QUESTION = "What bookings does she have?"
AGENT = Actor("agent", Role.AGENT)
SUITE_TARGET_S = 180.0  # "a few minutes at most" for the ~150 visible cases


def bench_suite(results: dict[str, Any]) -> None:
    try:
        suite = run_suite([DEFAULT_CASES])
    except CaseFormatError as err:
        results["notes"].append(f"evals: the visible suite did not run: {err}")
        return
    figure(results, "evals: visible suite run time", suite.duration_s, "s", target=SUITE_TARGET_S)
    figure(results, "evals: visible suite pass rate", 100 * suite.pass_rate, "%",
           target=90, lower_is_better=False)  # fmt: skip
    figure(results, "evals: visible suite cases", len(suite.cases), "cases")
    results["notes"].append(
        f"evals: {len(suite.cases)} cases on {suite.workers} worker(s), "
        f"{suite.passed} passed, {suite.failed} failed"
    )


def bench_fresh_world(results: dict[str, Any], template: Template, n: int) -> None:
    """Per-case overhead before the first turn: copy, engine, checkpointer, assistant, chat."""
    model = BuiltinChatModel()
    samples = []
    for _ in range(n):
        folder = Path(tempfile.mkdtemp(prefix="skydesk-bench-"))
        start = time.perf_counter()
        url = copy_world(template.path, folder)
        engine = make_engine(url)
        checkpointer = open_checkpointer(url)
        factory = make_session_factory(engine)
        with factory() as session:
            passenger = persona_passenger_id(session, "anna")
        assistant = Assistant(session_factory=factory, model=model, checkpointer=checkpointer,
                              clock=FixedClock(DEFAULT_NOW))  # fmt: skip
        assistant.start(AGENT, passenger)
        samples.append((time.perf_counter() - start) * 1000)
        checkpointer.close()
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    timing = percentiles(samples)
    figure(results, "evals: fresh world per case p50", timing.p50_ms, "ms")


def bench_builtin_turn(results: dict[str, Any], template: Template, turns: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="skydesk-bench-"))
    url = copy_world(template.path, folder)
    engine = make_engine(url)
    checkpointer = open_checkpointer(url)
    try:
        factory = make_session_factory(engine)
        with factory() as session:
            passenger = persona_passenger_id(session, "anna")
        assistant = Assistant(session_factory=factory, model=BuiltinChatModel(),
                              checkpointer=checkpointer, clock=FixedClock(DEFAULT_NOW))  # fmt: skip
        samples = []
        for i in range(turns + 5):  # the first five warm caches up and are not counted
            chat = assistant.start(AGENT, passenger)
            start = time.perf_counter()
            events = list(chat.send(QUESTION))
            elapsed = (time.perf_counter() - start) * 1000
            errors = [e for e in events if isinstance(e, ErrorEvent)]
            if errors or not any(isinstance(e, ToolStarted) for e in events):
                raise RuntimeError(f"the benchmark turn did not call a tool cleanly: {errors}")
            if i >= 5:
                samples.append(elapsed)
        timing = percentiles(samples)
        figure(results, "built-in model, one tool-using turn p50", timing.p50_ms, "ms", target=25)
        figure(results, "built-in model, one tool-using turn p95", timing.p95_ms, "ms", target=60)
    finally:
        checkpointer.close()
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def run(results: dict[str, Any], *, quick: bool = False) -> None:
    with pinned_template() as template:
        how = "seeded" if template.seeded else "reused from the cache"
        figure(results, "evals: template world (seeded once per code version)",
               template.seconds, "s")  # fmt: skip
        results["notes"].append(f"evals: template world {how}; {usable_cpus()} CPU(s)")
        bench_suite(results)
        bench_builtin_turn(results, template, 30 if quick else 100)
        bench_fresh_world(results, template, 5 if quick else 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {"figures": [], "notes": []}
    run(results, quick=args.quick)
    for note in results["notes"]:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
