"""A quiet, reproducible start (issue #13, item 10): no file watcher outside `make dev`, the port
as a setting, installs from the uv lock files everywhere, lower bounds kept in requirements.txt."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def recipe(target: str) -> str:
    """The commands of a Makefile target, continuation lines joined."""
    text = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    match = re.search(rf"(?m)^{re.escape(target)}:.*\n((?:\t.*\n?)+)", text)
    assert match, f"no target {target}"
    return match.group(1)


def pins(path: Path) -> dict[str, Version]:
    found = {}
    for raw in path.read_text().splitlines():
        line = raw.split("#")[0].strip()
        if "==" in line:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate():
                found[req.name.lower().replace("_", "-")] = Version(
                    next(iter(req.specifier)).version
                )
    return found


def test_the_streamlit_config_turns_the_file_watcher_off() -> None:
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["fileWatcherType"] == "none" and server["runOnSave"] is False
    assert server["port"] == 8501


def test_make_run_serves_desk_and_api_on_port_without_watcher_and_make_dev_watches() -> None:
    makefile = (ROOT / "Makefile").read_text()
    run, dev = recipe("run"), recipe("dev")
    serve = re.search(r"(?m)^SERVE := (.*)$", makefile)
    assert serve and "-m deploy.serve --port $(PORT)" in serve.group(1)
    assert "--api-port $(API_PORT)" in serve.group(1)
    assert run.strip() == "$(SERVE)"  # the launcher bootstraps, then starts both servers
    assert "--dev" not in run and "fileWatcherType" not in run  # the config's "none"
    assert dev.strip() == "$(SERVE) --dev"  # deploy/serve.py: both watch (tests/test_serve.py)
    assert re.search(r"(?m)^PORT \?= 8501$", makefile)


def test_installs_come_from_the_lock_files() -> None:
    assert "-r requirements.lock" in recipe("$(VENV)/.runtime")
    assert "-r requirements-dev.lock" in recipe("$(VENV)/.dev")
    assert "requirements.txt" not in recipe("$(VENV)/.runtime")
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-deps -r /tmp/requirements.lock" in dockerfile
    assert "COPY requirements.txt" not in dockerfile
    assert "STREAMLIT_SERVER_FILE_WATCHER_TYPE=none" in dockerfile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make lint" in ci and "make test" in ci  # both install through $(VENV)/.dev
    assert "pip install" not in ci


def test_the_locks_pin_what_requirements_txt_allows() -> None:
    runtime, dev = pins(ROOT / "requirements.lock"), pins(ROOT / "requirements-dev.lock")
    for name, version in runtime.items():
        assert dev.get(name) == version, f"{name}: the dev lock must keep the runtime pin"
    for path, locked in (("requirements.txt", runtime), ("requirements-dev.txt", dev)):
        for raw in (ROOT / path).read_text().splitlines():
            line = raw.split("#")[0].strip()
            if not line or line.startswith("-r"):
                continue
            req = Requirement(line)
            assert any(s.operator == ">=" for s in req.specifier), f"{line}: keep a lower bound"
            name = req.name.lower().replace("_", "-")
            assert name in locked and req.specifier.contains(locked[name]), line
