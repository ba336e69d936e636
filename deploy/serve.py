"""`make run`: the desk (Streamlit), the channel API (uvicorn) and the outbox worker that
delivers passenger notices, together from one command.

    python -m deploy.serve [--port 8501] [--api-port 8000] [--dev] [--no-bootstrap]

Migrates (and seeds an empty database) once, then runs them as child processes and watches
them: Ctrl-C or SIGTERM stops all and exits 0; one that stops on its own stops the others, and
the launcher exits non-zero. Each child has its own process group, so a Ctrl-C
in the terminal reaches each server once (forwarded from here), not twice. `--dev` turns on the
desk's file watcher and uvicorn's reload. Containers run one server each (docker-entrypoint.sh).
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
GRACE_S = 15.0  # a server still running this long after the stop signal is killed
TICK_S = 0.2
HEALTH_EVERY_S = 1.0
RELOAD_DIRS = ("api", "agent", "services", "db", "world", "observability")


class Outcome(enum.Enum):
    """Why the launcher stopped: asked to (exit 0) or a server stopped by itself."""

    SIGNALLED = "signalled"
    CHILD_EXITED = "child exited"


@dataclass
class Server:
    name: str
    command: list[str]
    health_url: str | None  # None: a worker, ready once started
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    healthy: bool = False

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, start_new_session=True
        )

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signum)  # the server and anything it started

    def check_health(self) -> bool:
        if self.health_url is None:
            return self.exited() is None
        if not self.healthy:
            try:
                with urllib.request.urlopen(self.health_url, timeout=0.5) as answer:
                    self.healthy = answer.status == 200
            except OSError:
                pass
        return self.healthy


@dataclass
class Launcher:
    servers: list[Server]
    grace_s: float = GRACE_S
    stop_signal: int | None = field(default=None, init=False)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.stop_signal is None:
            self.stop_signal = signum

    def run(self, banner: str) -> int:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        try:
            for server in self.servers:
                server.start()
            outcome, code = self._watch(banner)
        finally:
            self._stop_all(self.stop_signal or signal.SIGTERM)
        if outcome is Outcome.SIGNALLED:
            return 0
        return code or 1  # a server that stops by itself is a failure, even with exit 0

    def _watch(self, banner: str) -> tuple[Outcome, int]:
        announced = False
        next_health = 0.0
        while self.stop_signal is None:
            for server in self.servers:
                code = server.exited()
                if code is not None:
                    print(
                        f"serve: the {server.name} stopped (exit {code}); stopping the rest",
                        flush=True,
                    )
                    return Outcome.CHILD_EXITED, code
            if not announced and time.monotonic() >= next_health:
                next_health = time.monotonic() + HEALTH_EVERY_S
                if all(server.check_health() for server in self.servers):
                    print(banner, flush=True)
                    announced = True
            time.sleep(TICK_S)
        return Outcome.SIGNALLED, 0

    def _stop_all(self, signum: int) -> None:
        """The stop signal to every server still running, SIGKILL after the grace period."""
        # SIGHUP stops uvicorn and Streamlit alike, but as a crash; ask them as Ctrl-C does.
        forwarded = signal.SIGINT if signum == signal.SIGHUP else signum
        for server in self.servers:
            server.signal(forwarded)
        deadline = time.monotonic() + self.grace_s
        for server in self.servers:
            if server.process is None:
                continue
            try:
                server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(
                    f"serve: the {server.name} did not stop in {self.grace_s:g} s; killed",
                    flush=True,
                )
                server.signal(signal.SIGKILL)
                server.process.wait()


def build_servers(args: argparse.Namespace, api_host: str) -> list[Server]:
    env = dict(os.environ, SKYDESK_API_PORT=str(args.api_port), PYTHONUNBUFFERED="1")
    desk = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(args.port)]
    if args.dev:
        desk += ["--server.fileWatcherType", "auto", "--server.runOnSave", "true"]
        api = [
            sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--reload",
            "--host", api_host, "--port", str(args.api_port),
        ]  # fmt: skip
        # Without watchfiles uvicorn polls every .py under the folders: the packages, not .venv.
        for package in RELOAD_DIRS:
            api += ["--reload-dir", package]
    else:
        api = [sys.executable, "-m", "api"]
    local = "127.0.0.1" if api_host in ("0.0.0.0", "::") else api_host
    # The passenger notices a re-accommodation queues (services/notifications), delivered
    # every few seconds; a deployment runs the same command as its own worker.
    notices = [sys.executable, "-m", "services.notifications", "deliver", "--loop", "5"]
    return [
        Server("desk", desk, f"http://127.0.0.1:{args.port}/_stcore/health", env),
        Server("API", api, f"http://{local}:{args.api_port}/healthz", env),
        Server("notice worker", notices, None, env),
    ]


def banner(port: int, api_host: str, api_port: int) -> str:
    api = f"http://{'localhost' if api_host in ('127.0.0.1', '0.0.0.0') else api_host}:{api_port}"
    return (
        "\n  SkyDesk is up (Ctrl-C stops the servers and the notice worker)\n"
        f"  desk        http://localhost:{port}\n"
        f"  API docs    {api}/api/docs\n"
        f"  web chat    {api}/widget\n"
    )


def parse_args(argv: Sequence[str] | None, default_api_port: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8501, help="the desk's port")
    parser.add_argument(
        "--api-port", type=int, default=default_api_port, help="the API's (SKYDESK_API_PORT)"
    )
    parser.add_argument("--dev", action="store_true", help="reload on a changed file")
    parser.add_argument(
        "--no-bootstrap", action="store_true", help="do not migrate or seed before starting"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from config import get_settings

    settings = get_settings()
    args = parse_args(argv, settings.api_port)
    if not args.no_bootstrap:
        # Under the replicas' advisory lock, and skipped with SKYDESK_BOOTSTRAP=0.
        step = subprocess.run([sys.executable, "-m", "deploy.bootstrap_locked"], cwd=ROOT)
        if step.returncode != 0:
            print(f"serve: bootstrap failed (exit {step.returncode}); not starting", flush=True)
            return step.returncode
    launcher = Launcher(build_servers(args, settings.api_host))
    return launcher.run(banner(args.port, settings.api_host, args.api_port))


if __name__ == "__main__":
    sys.exit(main())
