"""The channel API as it is deployed, for the stream and delivery benchmarks: `python -m api`
(uvicorn, a real socket) in its own process over a seeded demo world, so the client's work is not
the server's and the server's memory can be read from /proc."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.agent_bench import NOW
from bench.common import drop_pg_database, pg_database_url, scratch_name
from bench.ui_harness import free_port
from db.engine import make_engine
from db.migrate import upgrade
from db.models import Role
from services.identity.demo_logins import DEMO_USERS
from world import seed_world

ROOT = Path(__file__).resolve().parents[1]
START_S = 120


@dataclass
class ApiServer:
    url: str
    database_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def rss_mb(self) -> float:
        """The server process's resident memory now (Linux /proc)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_s(self) -> float:
        """CPU seconds the server process has used (user + system, Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


def customer_login() -> dict[str, str]:
    demo = next(u for u in DEMO_USERS if u.role == Role.CUSTOMER)
    return {"username": demo.username, "password": demo.password}


def _wait_healthy(server: ApiServer) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"the API exited ({server.process.returncode}):\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"the API did not answer within {START_S} s:\n{server.log()}")


def _seeded(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        seed_world(engine, size="demo", now=NOW, force=True)
    finally:
        engine.dispose()


@contextmanager
def api_server(database: str, **env: str) -> Iterator[ApiServer]:
    """`python -m api` on a free port over a freshly seeded world; database "sqlite" (a file in a
    temporary folder) or "postgresql" (a scratch database, dropped after)."""
    with tempfile.TemporaryDirectory() as tmp:
        pg_name = scratch_name("skydesk_stream_bench") if database == "postgresql" else None
        url = pg_database_url(pg_name) if pg_name else f"sqlite:///{Path(tmp) / 'api.db'}"
        try:
            _seeded(url)
            port = free_port()
            log_path = Path(tmp) / "api.log"
            server_env = {k: v for k, v in os.environ.items() if not k.startswith("SKYDESK_")}
            server_env.update(
                SKYDESK_DATABASE_URL=url,
                SKYDESK_DEMO_NOW=NOW.isoformat(),
                SKYDESK_API_PORT=str(port),
                SKYDESK_LOGIN_RATE_LIMIT="1000/minute",
                SKYDESK_LOGIN_CLIENT_RATE_LIMIT="1000/minute",
                SKYDESK_CHECKPOINT_KEY=secrets.token_hex(32),
                SKYDESK_AUDIT_ANCHOR_KEY=secrets.token_hex(32),
                SKYDESK_AUDIT_ANCHOR_DIR=str(Path(tmp) / "anchors"),
                SKYDESK_LOG_LEVEL="WARNING",
                PYTHONUNBUFFERED="1",
                **env,
            )
            with log_path.open("wb") as out:
                process = subprocess.Popen(
                    [sys.executable, "-m", "api"],
                    cwd=ROOT,
                    env=server_env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
                server = ApiServer(f"http://127.0.0.1:{port}", url, process, log_path)
                try:
                    _wait_healthy(server)
                    yield server
                finally:
                    process.terminate()
                    try:
                        process.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()
        finally:
            if pg_name:
                drop_pg_database(pg_name)


def sse_data(line: str) -> dict[str, Any] | None:
    """The JSON of an SSE `data:` line, None for any other line (id, event, keep-alive)."""
    return json.loads(line[5:]) if line.startswith("data:") else None
