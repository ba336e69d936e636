"""What every browser test shares: one `streamlit run app.py` server per test module over a
freshly seeded demo world at the frozen demo clock, Debian's Chromium, a browser context per
test, and on a failure what the browser showed (a screenshot next to the server's log in the
module's temporary folder; the path is printed with the failure).

A module sets SERVER_ENV (extra environment for its server, e.g. a lower chat rate limit) and
SEED_HISTORY (the demo's 30 days of history too, as `make run` seeds it).
Pictures other than docs/screenshots/ (test_demo_flow's) go to `pictures`: the test's
temporary folder, or SKYDESK_LAYOUT_SHOTS to look at them."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import ui_harness as harness
from tests.conftest import FROZEN_NOW

PICTURES_ENV = "SKYDESK_LAYOUT_SHOTS"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item,
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[harness.AppServer]:
    if problem := harness.chromium_problem():
        pytest.skip(problem)
    folder = tmp_path_factory.mktemp(request.module.__name__.rsplit(".", 1)[-1])
    url = f"sqlite:///{folder / 'skydesk.db'}"
    harness.seed_demo_world(url, FROZEN_NOW, history=getattr(request.module, "SEED_HISTORY", False))
    env = harness.server_env(url, FROZEN_NOW, **getattr(request.module, "SERVER_ENV", {}))
    with harness.app_server(env, folder / "server.log") as app:
        yield app


@pytest.fixture
def browser(server: harness.AppServer) -> Iterator[Any]:  # noqa: ARG001 (the server first)
    with harness.chromium() as chromium:
        yield chromium


@pytest.fixture
def context(
    browser: Any, server: harness.AppServer, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A fresh browser context (own cookies) at the harness's 1280 px; on a failure, its last
    tab's picture and the server's log are attached to the report."""
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    ctx = browser.new_context(viewport=harness.VIEWPORT)
    ctx.set_default_timeout(30_000)
    yield ctx
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and ctx.pages:
        failure = server.log_path.with_name(f"failure-{request.node.name}.png")
        ctx.pages[-1].screenshot(path=str(failure))
        where = f"browser at the failure: {failure}\nserver log: {server.log_path}\n"
        request.node.add_report_section("teardown", "server", where + server.log())
    ctx.close()


@pytest.fixture
def page(context: Any, server: harness.AppServer) -> Any:
    """A tab on the desk's address (the sign-in page)."""
    tab = context.new_page()
    tab.goto(server.url)
    return tab


@pytest.fixture
def pictures(tmp_path: Path) -> Path:
    folder = Path(os.environ.get(PICTURES_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
