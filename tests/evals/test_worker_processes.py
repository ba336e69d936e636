"""Worker processes start cleanly from a process shaped like a Streamlit server: the suite runs
in a script thread (not the main thread, so the process runs several threads) of a process
whose `__main__` is a script file with no module spec, which is what multiprocessing sees
under `streamlit run app.py`. Such a script must never be run again in a worker: `app.py`
there signs nobody in and crashes, and the pool restarts the crashed workers forever. And a run
the page stops early (Streamlit interrupts a script at its next call) leaves no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from langchain_core.language_models import BaseChatModel

from evals import pool, run_suite
from evals.world import ROOT
from tests.evals.conftest import MOVE, case, write_cases

CASES = [
    case("lookup-ok", tags=["lookup"], tools_called=["get_passenger_trips"]),
    case("lookup-bad", reply_contains=["Singapore"]),
    case("move-ok", MOVE, tools_called=["change_flight"]),
]
# A page script: it notes each run of its body, refuses to run as a worker's `__mp_main__`,
# and runs the suite in a thread the way Streamlit runs a page in its script thread.
PAGE = """
    import json, os, sys, threading
    with open(os.environ["PAGE_RUNS"], "a") as runs:
        runs.write(f"{__name__} {os.getpid()}\\n")
    if __name__ != "__main__":
        raise RuntimeError("the page script ran again in a worker process")

    from evals import run_suite
    from tests.evals.test_worker_processes import recording_model

    def page() -> None:
        result = run_suite([sys.argv[1]], model=recording_model, workers=2)
        verdicts = [[c.id, c.passed, c.errors] for c in result.cases]
        print(json.dumps({"workers": result.workers, "cases": verdicts}))

    thread = threading.Thread(target=page, name="ScriptRunner.scriptThread")
    thread.start()
    thread.join()
"""


def recording_model() -> BaseChatModel:
    """The built-in model, after noting which process plays the case and its `__main__`."""
    from agent.models.builtin import BuiltinChatModel

    main = getattr(sys.modules["__main__"], "__file__", None)
    with open(os.environ["CASE_PROCESSES"], "a") as log:
        log.write(f"{os.getpid()} {main}\n")
    return BuiltinChatModel()


def run_page(script: Path, cases: Path, env: dict[str, str], page_runs: Path) -> str:
    """The page's output; fails at once when its body runs a second time (before the fix the
    pool would restart the failing workers until the timeout)."""
    page = subprocess.Popen(
        [sys.executable, str(script), str(cases)],
        env=env,
        cwd=script.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its pool and helper processes go with it on failure
    )
    deadline = time.monotonic() + 240
    try:
        while page.poll() is None:
            runs = page_runs.read_text().splitlines() if page_runs.exists() else []
            assert len(runs) <= 1, f"the page script ran again: {runs}"
            assert time.monotonic() < deadline, "the page did not finish"
            time.sleep(0.2)
        out, err = page.communicate()
        assert page.returncode == 0, err[-3000:]
        return out
    finally:
        if page.poll() is None:
            os.killpg(page.pid, signal.SIGKILL)
            page.wait()


@pytest.mark.usefixtures("template")
def test_workers_never_rerun_the_page_script(tmp_path: Path) -> None:
    script = tmp_path / "page.py"
    script.write_text(textwrap.dedent(PAGE))
    page_runs, case_processes = tmp_path / "page-runs.txt", tmp_path / "case-processes.txt"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PAGE_RUNS": str(page_runs),
        "CASE_PROCESSES": str(case_processes),
    }
    out = run_page(script, write_cases(tmp_path, CASES), env, page_runs)

    result = json.loads(out.strip().splitlines()[-1])
    assert result == {
        "workers": 2,
        "cases": [["lookup-ok", True, []], ["lookup-bad", False, []], ["move-ok", True, []]],
    }
    (page_run,) = page_runs.read_text().splitlines()  # the body ran exactly once
    name, page_pid = page_run.split()
    assert name == "__main__"
    played = [line.split(" ", 1) for line in case_processes.read_text().splitlines()]
    assert len(played) == len(CASES)
    assert page_pid not in {pid for pid, _ in played}  # in worker processes, not the page's
    assert {main for _, main in played}.isdisjoint({str(script)})


def live_members(group: int) -> list[int]:
    """The processes of a process group that have not ended (zombies excluded), from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError):
            continue  # ended while we looked
        if int(pgrp) == group and state != "Z":
            members.append(int(stat.parent.name))
    return members


@pytest.mark.usefixtures("template")
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_run_stopped_early_stops_the_helper_and_its_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    helpers: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def spy(*args, **kwargs):
        helpers.append(popen(*args, **kwargs))
        return helpers[-1]

    class Interrupted(Exception):
        pass

    def progress(_done: int, _total: int) -> None:
        raise Interrupted  # as Streamlit stops a script at its next call after a click

    monkeypatch.setattr(pool, "_forks_safely", lambda: False)  # as in a server's script thread
    monkeypatch.setattr(subprocess, "Popen", spy)
    with pytest.raises(Interrupted):
        run_suite([write_cases(tmp_path, CASES)], workers=2, progress=progress)
    (helper,) = helpers
    assert helper.returncode == -signal.SIGTERM  # stopped, not left to finish the run
    deadline = time.monotonic() + 10
    while live_members(helper.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert live_members(helper.pid) == []  # its workers went with it
