"""`make run` (deploy/serve.py): the desk and the API start together from one command, both stop
on Ctrl-C or SIGTERM, and one stopping by itself stops the other with a non-zero exit."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.ui_harness import free_port, seed_demo_world, server_env
from deploy import serve
from tests.conftest import FROZEN_NOW

ROOT = Path(__file__).resolve().parent.parent
START_S = 180  # two servers on a loaded two-core machine


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for(urls: list[str], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_S
    pending = list(urls)
    announced = False  # the launcher prints the addresses once both answer
    while (pending or not announced) and time.monotonic() < deadline:
        assert process.poll() is None, f"the launcher exited early:\n{log.read_text()[-3000:]}"
        pending = [url for url in pending if not answers(url)]
        announced = "SkyDesk is up" in log.read_text()
        time.sleep(0.5)
    assert not pending, f"{pending} did not answer in {START_S} s:\n{log.read_text()[-3000:]}"
    assert announced, log.read_text()[-3000:]


@contextmanager
def launcher(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int, int, Path]]:
    """`python -m deploy.serve` on free ports against a seeded temporary SQLite database."""
    url = f"sqlite:///{tmp_path / 'skydesk.db'}"
    seed_demo_world(url, FROZEN_NOW)  # bootstrap then finds it ready: a fast start
    desk_port, api_port = free_port(), free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy.serve", "--port", str(desk_port)],
            cwd=ROOT,
            env=server_env(url, FROZEN_NOW, SKYDESK_API_PORT=str(api_port)),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process, desk_port, api_port, log
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_one_command_serves_desk_and_api_and_a_signal_stops_both(tmp_path, stop) -> None:
    with launcher(tmp_path) as (process, desk_port, api_port, log):
        desk = f"http://127.0.0.1:{desk_port}/_stcore/health"
        api = f"http://127.0.0.1:{api_port}/healthz"
        wait_for([desk, api], process, log)
        servers = children(process.pid)
        assert len(servers) == 3  # desk, API and the notice worker
        process.send_signal(stop)
        assert process.wait(timeout=60) == 0, log.read_text()[-3000:]
        assert not any(alive(pid) for pid in servers)
        assert not answers(desk) and not answers(api)
        printed = log.read_text()
        for line in (
            f"http://localhost:{desk_port}",
            f"http://localhost:{api_port}/api/docs",
            f"http://localhost:{api_port}/widget",
        ):
            assert line in printed


def sleeper(name: str, code: str = "import time; time.sleep(60)") -> serve.Server:
    # No health URL answers: the banner never prints, which the launcher must not wait for.
    return serve.Server(name, [sys.executable, "-c", code], "http://127.0.0.1:9/", env={})


@contextmanager
def own_signal_handlers() -> Iterator[None]:
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


@pytest.mark.parametrize(("code", "expected"), [(3, 3), (0, 1)])
def test_a_server_that_stops_by_itself_stops_the_other_and_fails(code, expected) -> None:
    quits = sleeper("API", f"import sys, time; time.sleep(0.5); sys.exit({code})")
    stays = sleeper("desk")
    with own_signal_handlers():
        assert serve.Launcher([stays, quits]).run("up") == expected
    assert stays.process is not None and stays.process.returncode == -signal.SIGTERM


def test_a_server_that_ignores_the_stop_is_killed_after_the_grace_period() -> None:
    stubborn = sleeper(
        "desk",
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)",
    )
    quits = sleeper("API", "import sys, time; time.sleep(1); sys.exit(2)")
    started = time.monotonic()
    with own_signal_handlers():
        assert serve.Launcher([stubborn, quits], grace_s=1.0).run("up") == 2
    assert stubborn.process is not None and stubborn.process.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 10


def test_dev_mode_watches_files_in_both_servers() -> None:
    args = serve.parse_args(["--dev", "--port", "8600", "--api-port", "8100"], 8000)
    desk, api, worker = serve.build_servers(args, "127.0.0.1")
    assert worker.command[1:] == ["-m", "services.notifications", "deliver", "--loop", "5"]
    assert desk.command[desk.command.index("--server.port") + 1] == "8600"
    assert "--server.runOnSave" in desk.command and "--reload" in api.command
    assert api.command[api.command.index("--port") + 1] == "8100"
    assert ".venv" not in api.command  # the reload watches the packages only
    plain_desk, plain_api, _ = serve.build_servers(serve.parse_args([], 8000), "127.0.0.1")
    assert plain_api.command[1:] == ["-m", "api"] and "--server.runOnSave" not in plain_desk.command
    assert plain_api.env["SKYDESK_API_PORT"] == "8000"
