"""The servers the widget's browser test runs beside the desk: the API (`python -m api`) on a
free port, and a plain static server on another port standing in for the airline's own site,
which embeds the widget from the API (so every call the widget makes there is cross-origin)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import ui_harness as harness

EMBED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alpine Air: help with your trip</title>
<link rel="stylesheet" href="{api}/widget/widget.css"></head>
<body><h1>Alpine Air</h1><p>Questions about your trip? Our assistant helps at any hour.</p>
<div id="skydesk-widget"></div>
<script src="{api}/widget/widget.js" data-api="{api}" defer></script>
</body></html>
"""
FRAME_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Alpine Air: framed chat</title></head>
<body><iframe src="{api}/widget/" title="Alpine Air support" width="1000" height="700"></iframe>
</body></html>
"""


@dataclass
class Process:
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def _wait(url: str, child: Process, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{url} exited ({child.process.returncode}):\n{child.log()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout_s} s:\n{child.log()}")


@contextmanager
def _child(
    args: list[str], env: dict[str, str] | None, log_path: Path, url: str, ready: str
) -> Iterator[Process]:
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            args, cwd=harness.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        child = Process(process, url, log_path)
        try:
            _wait(url + ready, child)
            yield child
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def api_server(env: dict[str, str], port: int, log_path: Path) -> Iterator[Process]:
    """`python -m api` on 127.0.0.1:`port` with `env`, once /healthz answers."""
    env = env | {"SKYDESK_API_HOST": "127.0.0.1", "SKYDESK_API_PORT": str(port)}
    url = f"http://127.0.0.1:{port}"
    with _child([sys.executable, "-m", "api"], env, log_path, url, "/healthz") as child:
        yield child


@contextmanager
def site_server(folder: Path, port: int, api_url: str, log_path: Path) -> Iterator[Process]:
    """Another site (another port: another origin) whose pages embed the widget from the API."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "embed.html").write_text(EMBED_PAGE.format(api=api_url), encoding="utf-8")
    (folder / "frame.html").write_text(FRAME_PAGE.format(api=api_url), encoding="utf-8")
    args = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    args += ["--directory", str(folder)]
    url = f"http://127.0.0.1:{port}"
    with _child(args, None, log_path, url, "/embed.html") as child:
        yield child
