"""The Chat page's speed as a person meets it (target: first page render <= 3 s).

- Server start to the first rendered Chat page, in headless Debian Chromium (Playwright) over a
  freshly seeded demo world (SQLite): from `streamlit run app.py` starting until the page's
  first meaningful element (the Chat title and the passenger search box) is visible. Measured
  twice: a returning agent whose sign-in cookie is still valid (what "first page render after
  `make run`" means for the desk), and an agent signing in through the form (includes typing
  and the bcrypt check). The median of 3 fresh servers each. Beside them: when the server
  answers its health check, and the same page opened in a new tab once the server is warm
  (every later visit). `--quick` skips the browser part.
- The framework's floor on the same machine: a bare Streamlit script that draws only the same
  two elements, started and opened the same way. SkyDesk's own cost is the difference.
  Servers start as after `make run`: bytecode compiled (`make compile`; the installs compile
  the dependencies'), since PYTHONDONTWRITEBYTECODE=1 (containers, CI) would otherwise make
  every server compile ~1,000 modules before its first page.
- Perceived latency of three interactions in the same browser, each beside a bare Streamlit
  app doing the same kind of rerun, with the ratio (target <= 1.5x): message -> first streamed
  token, Approve -> result, sidebar click -> Chat, Bookings, Metrics title (bench/ui_latency.py).
- Time to the first streamed token of a built-in answer, through the runtime directly: from
  chat.send() to the first TokenChunk of "What bookings does she have?" in a new conversation
  (one tool call, then the streamed answer); median and p95 over 20.

python -m bench.ui_bench [--quick]"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from agent.events import ErrorEvent, TokenChunk
from agent.runtime import Assistant
from bench import ui_harness as harness
from bench import ui_latency
from bench.common import figure, percentiles, run_alone
from config import Settings
from db.models import Role
from services.core.context import Actor
from world import persona_passenger_id

NOW = datetime.fromisoformat("2026-11-26T08:00:00+00:00")
TARGET_S = 3.0
FIRST_RENDER_MAX_RATIO = 1.6  # issue #16 item 7: the first Chat page within 1.6x of the floor
QUESTION = "What bookings does she have?"
SERVER_RUNS = 3
INTERACTION_REPS = 5  # each; Approve 3 (bench/ui_latency.py)
COOKIE = "skydesk_auth"  # ui.auth.COOKIE_NAME (not imported: ui loads Streamlit)
BARE_PAGE = """import streamlit as st

st.title("Chat")
st.text_input("Find a passenger")
"""


def _chat_page_visible(page: Any) -> None:
    page.get_by_role("heading", name="Chat", exact=True).wait_for(timeout=60_000)
    page.get_by_role("textbox", name="Find a passenger").wait_for(timeout=60_000)


def _wait_for_cookie(context: Any, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(c["name"] == COOKIE for c in context.cookies()):
            return
        time.sleep(0.1)
    raise TimeoutError(f"the sign-in cookie {COOKIE} was not set within {timeout_s} s")


def _server_to_chat(url: str, folder: Path, run: int, storage: Any | None) -> dict[str, Any]:
    """One fresh server: seconds from its start until it answers its health check and until
    the Chat page shows; then the same page in a second tab (a warm server), and the browser's
    storage (its sign-in cookie). With `storage`, the browser arrives signed in."""
    env = harness.server_env(url, NOW)
    with harness.chromium() as browser:
        context = browser.new_context(viewport=harness.VIEWPORT, storage_state=storage)
        page = context.new_page()
        server = harness.AppServer(env, folder / f"server-{run}.log")
        try:
            ready = server.wait_ready()
            page.goto(server.url)
            if storage is None:
                page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
                harness.sign_in(page, "agent", "agent-demo")
            _chat_page_visible(page)
            first = time.perf_counter() - server.started_at
            # The sign-in's own run writes the cookie (ui/auth.py), before the Chat page shows:
            # a second tab at once is signed in. Checked, so a regression fails here by name.
            _wait_for_cookie(context, timeout_s=2)
            harness.settle(page)
            second = context.new_page()
            start = time.perf_counter()
            second.goto(server.url)
            _chat_page_visible(second)
            warm = time.perf_counter() - start
            return {
                "ready": ready,
                "first": first,
                "warm": warm,
                "storage": context.storage_state(),
            }
        finally:
            context.close()
            server.stop()


def _bare_page_first_render(url: str, folder: Path, run: int) -> float:
    """Seconds from the start of a server for a bare two-element script to its first render."""
    script = folder / "bare_page.py"
    script.write_text(BARE_PAGE)
    with harness.chromium() as browser:
        page = browser.new_page(viewport=harness.VIEWPORT)
        server = harness.AppServer(
            harness.server_env(url, NOW), folder / f"bare-{run}.log", script=script
        )
        try:
            server.wait_ready()
            page.goto(server.url)
            _chat_page_visible(page)
            return time.perf_counter() - server.started_at
        finally:
            server.stop()


def browser_figures(results: dict[str, Any], url: str, folder: Path) -> None:
    if problem := harness.chromium_problem():
        results["notes"].append(f"ui: browser figures skipped: {problem}")
        print(f"  skipped: {problem}")
        return
    subprocess.run(["make", "-s", "compile"], cwd=harness.ROOT, check=True)
    floor = statistics.median(_bare_page_first_render(url, folder, run) for run in range(3))
    with_form = [_server_to_chat(url, folder, run, None) for run in range(SERVER_RUNS)]
    storage = with_form[-1]["storage"]
    signed_in = [_server_to_chat(url, folder, SERVER_RUNS + run, storage) for run in range(3)]

    def median(runs: list[dict[str, Any]], key: str) -> float:
        return statistics.median(r[key] for r in runs)

    figure(results, "ui: server start -> health check answers", median(signed_in, "ready"), "s")
    figure(
        results,
        "ui: server start -> Chat page (agent, cookie)",
        median(signed_in, "first"),
        "s",
        target=TARGET_S,
    )
    figure(results, "ui: server start -> bare Streamlit page (framework floor)", floor, "s")
    figure(
        results,
        "ui: server start -> Chat page (agent, cookie) vs bare Streamlit page",
        median(signed_in, "first"),
        "s",
        floor=floor,
        max_ratio=FIRST_RENDER_MAX_RATIO,
        baseline="bare two-element Streamlit page",
    )
    figure(
        results,
        "ui: SkyDesk's own share of the first Chat page (cookie minus floor)",
        median(signed_in, "first") - floor,
        "s",
    )
    figure(
        results,
        "ui: server start -> Chat page (agent, sign-in form)",
        median(with_form, "first"),
        "s",
        target=TARGET_S,
    )
    figure(
        results,
        "ui: Chat page in a new tab, warm server (cookie)",
        median(signed_in, "warm"),
        "s",
        target=TARGET_S,
    )


def first_token_figures(results: dict[str, Any], url: str, n: int) -> None:
    # The chat limit is the production default (10/minute): raised so 20 messages fit.
    settings = Settings(database_url=url, demo_now=NOW, chat_rate_limit="10000/minute")
    assistant = Assistant.from_settings(settings)
    agent = Actor("agent", Role.AGENT)
    try:
        with assistant.session_factory() as session:
            anna = persona_passenger_id(session, "anna")

        def first_token_ms() -> float:
            chat = assistant.start(agent, anna)
            start = time.perf_counter()
            first = None
            for event in chat.send(QUESTION):  # the run finishes: its turn is recorded
                if isinstance(event, ErrorEvent):
                    raise RuntimeError(f"{event.kind}: {event.message}")
                if first is None and isinstance(event, TokenChunk):
                    first = (time.perf_counter() - start) * 1000
            if first is None:
                raise RuntimeError("the answer streamed no token")
            return first

        for _ in range(3):  # warm-up: imports, compiled queries, the first connections
            first_token_ms()
        timing = percentiles([first_token_ms() for _ in range(n)])
    finally:
        assistant.close()
    figure(results, "ui: first streamed token, built-in (median)", timing.p50_ms, "ms")
    figure(results, "ui: first streamed token, built-in (p95)", timing.p95_ms, "ms")


def run(results: dict[str, Any], *, quick: bool = False) -> None:
    with tempfile.TemporaryDirectory(prefix="skydesk_ui_bench_") as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'skydesk.db'}"
        harness.seed_demo_world(url, NOW)
        first_token_figures(results, url, n=10 if quick else 20)
        if quick:
            results["notes"].append("ui: --quick skips the browser figures")
        else:
            browser_figures(results, url, folder)
            print("  perceived latency, SkyDesk beside a bare Streamlit app:", flush=True)
            ui_latency.interaction_figures(results, url, NOW, folder, reps=INTERACTION_REPS)


if __name__ == "__main__":
    raise SystemExit(run_alone(run, doc=__doc__, quick_help="skip the browser figures"))
