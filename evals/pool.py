"""Where a run's cases are played: in this process (one worker), in worker processes forked
from it, or in the worker processes of a helper process started for the run (`main` below)
when this process must not start workers itself.

Why a helper: a worker started by spawn or forkserver first runs the parent's `__main__` again
from its file (multiprocessing's `spawn.prepare`), and under `streamlit run app.py` that is
app.py: each worker ran the app, crashed, and the pool restarted it forever. Forking instead
copies a server's threads' locks mid-use. The helper is a fresh interpreter whose `__main__`
is a `-c` line (nothing to run again) and which runs no other thread, so it forks its workers
safely, and they have never seen app.py or Streamlit. Hiding app.py from multiprocessing while
the pool starts would not do: Streamlit sets `sys.modules["__main__"]` again on every rerun of
every session, and a pool restarts workers later from a thread of its own."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path

from evals.results import CaseResult
from evals.worker import Task, model_for, run_case

ROOT = Path(__file__).resolve().parent.parent


class WorkersFailed(RuntimeError):
    """The helper process died or failed before every case was played."""


def results(tasks: list[Task], workers: int) -> Iterator[CaseResult]:
    """Each task's result as it finishes (not in task order)."""
    if workers <= 1 or len(tasks) <= 1:
        yield from map(run_case, tasks)
    elif _forks_safely():
        yield from _pool(tasks, workers)
    else:
        yield from _helper(tasks, workers)


def _forks_safely() -> bool:
    """fork copies only the calling thread: with no other thread, no lock can be held by one
    that will not exist in the child (a CLI run: workers start at once, modules imported)."""
    alone = threading.current_thread() is threading.main_thread() and threading.active_count() == 1
    return alone and "fork" in multiprocessing.get_all_start_methods()


def _pool(tasks: list[Task], workers: int) -> Iterator[CaseResult]:
    context: multiprocessing.context.BaseContext
    if "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        if tasks[0].model == "builtin":
            model_for("builtin")  # built once here, inherited by every forked worker
    else:  # in the helper only (no fork here): its `-c` __main__ is not run again
        context = multiprocessing.get_context("spawn")
    with context.Pool(processes=min(workers, len(tasks))) as pool:
        yield from pool.imap_unordered(run_case, tasks, chunksize=1)


def _helper(tasks: list[Task], workers: int) -> Iterator[CaseResult]:
    """The results of a helper process; stopped with its workers if the caller stops early
    (a Streamlit rerun or a closed page interrupts the script)."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    helper = subprocess.Popen(
        # -c, not -m: runpy would run this module again beside the copy evals/ imported
        [sys.executable, "-c", "from evals.pool import main; main()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
        start_new_session=True,  # one process group: stopping it stops the workers too
    )
    assert helper.stdin is not None and helper.stdout is not None
    finished = False
    try:
        try:
            with helper.stdin as jobs:
                pickle.dump(sys.path, jobs)  # first: the tasks unpickle against the same path
                pickle.dump((tasks, workers), jobs)
            for _ in tasks:
                kind, value = pickle.load(helper.stdout)
                if kind == "error":
                    raise WorkersFailed(f"the evaluation helper process failed:\n{value}")
                yield value
        except (BrokenPipeError, EOFError):
            status = helper.wait()
            raise WorkersFailed(
                f"the evaluation helper process stopped (status {status})"
            ) from None
        finished = True
    finally:
        if not finished and helper.poll() is None:
            _stop(helper)
        helper.stdout.close()
        helper.wait()


def _stop(helper: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(helper.pid, signal.SIGTERM)
        else:
            helper.terminate()
    except ProcessLookupError:  # it ended meanwhile
        pass


def main() -> None:
    """The helper: (sys.path, then (tasks, workers)) pickled on stdin; ("result", CaseResult)
    or, last, ("error", traceback) pickled on stdout as the cases finish."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # what cases print must not garble `out`
    try:
        sys.path[:] = pickle.load(sys.stdin.buffer)
        tasks, workers = pickle.load(sys.stdin.buffer)
        for result in _pool(tasks, workers):
            pickle.dump(("result", result), out)
            out.flush()
    except BrokenPipeError:  # the caller is gone: nobody to tell
        raise SystemExit(1) from None
    except Exception:
        pickle.dump(("error", traceback.format_exc()), out)
        out.flush()
        raise SystemExit(1) from None
