"""Perceived latency in the browser, beside the framework's floor (issue #13's acceptance).

Three interactions, each timed in headless Debian Chromium from the person's action to what
they wait for, on SkyDesk and on a bare Streamlit app doing the same kind of rerun, in the same
run on the same machine; the ratio is SkyDesk's cost over the framework's (target <= 1.5x):

- message -> first streamed token visible: Enter in the Chat page's message box (a new
  conversation about Anna, the built-in model: one tool call, then the streamed answer) until
  the answer's first text shows; the floor is st.chat_input + st.write_stream of a fixed reply.
- Approve -> result visible: the click on the approval card's Approve (Anna's flight one day
  later) until "Done. Ticket ... moved" shows; the floor is a button whose rerun shows a text.
- navigation: a click on Chat, Bookings or Metrics in the sidebar menu until that page's title
  shows; the floor is an st.navigation app whose pages draw two elements.

Times are taken in Python around Playwright's action and a wait that polls the page at every
animation frame, the same for both apps, so the ~frame of polling cancels out in the ratio."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench import ui_harness as harness
from bench.common import figure, percentiles

MAX_RATIO = 1.5
QUESTION = "What bookings does she have?"
NAV_TITLES = ("Bookings", "Metrics", "Chat")
# The bare app: the same widgets SkyDesk's pages use for these interactions, nothing else. A
# Streamlit script in the UI layer (ui/bare_app.py), which the bench serves with `streamlit run`
# and never imports.
BARE_APP = (Path(__file__).resolve().parents[1] / "ui" / "bare_app.py").read_text()
# How many answers (chat bubbles of the assistant, or the whole page) show text matching a
# pattern outside the tool-steps box; elements left over from an earlier run do not count.
ANSWERS = """([pattern, inBubble]) => {
    const re = new RegExp(pattern);
    const scope = inBubble
        ? [...document.querySelectorAll('[data-testid="stChatMessage"]')].filter(
            b => b.querySelector('[data-testid="stChatMessageAvatarAssistant"]'))
        : [document.body];
    return scope.filter(s => [...s.querySelectorAll('[data-testid="stMarkdownContainer"]')]
        .some(m => !m.closest('[data-testid="stExpander"], [data-stale="true"]')
            && !m.closest('[data-testid="stCaptionContainer"]')
            && re.test(m.innerText.trim()))).length;
}"""
MORE_ANSWERS = f"([pattern, inBubble, before]) => ({ANSWERS})([pattern, inBubble]) > before"


@dataclass(frozen=True)
class Samples:
    """Milliseconds per repetition of one interaction, on SkyDesk and on the bare app."""

    name: str
    desk: list[float]
    bare: list[float]

    def record(self, results: dict[str, Any]) -> None:
        ours, floor = percentiles(self.desk), percentiles(self.bare)
        for label, value, base in (
            ("median", ours.p50_ms, floor.p50_ms),
            ("p95", ours.p95_ms, floor.p95_ms),
        ):
            figure(
                results,
                f"ui: {self.name} ({label}, n={ours.n})",
                value,
                "ms",
                floor=base,
                max_ratio=MAX_RATIO,
            )


def _timed(action: Callable[[], None], until: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    until()
    return (time.perf_counter() - start) * 1000


def _answers(page: Any, pattern: str, *, in_bubble: bool) -> int:
    return int(page.evaluate(ANSWERS, [pattern, in_bubble]))


def _wait_more(page: Any, pattern: str, *, in_bubble: bool, before: int) -> None:
    page.wait_for_function(
        MORE_ANSWERS, arg=[pattern, in_bubble, before], polling="raf", timeout=120_000
    )


def _send(page: Any, text: str) -> Callable[[], None]:
    box = page.get_by_test_id("stChatInputTextArea")

    def press() -> None:
        box.press("Enter")

    harness.settle(page)
    box.fill(text)
    return press


def _new_conversation(page: Any) -> None:
    """SkyDesk's New conversation (disabled while the open one is still empty)."""
    harness.settle(page)
    button = page.get_by_role("button", name="New conversation")
    if button.is_enabled():
        button.click()
        harness.settle(page)


def _first_token(page: Any, *, new_conversation: bool) -> float:
    if new_conversation:
        _new_conversation(page)
    press = _send(page, QUESTION)
    before = _answers(page, r"\S", in_bubble=True)
    took = _timed(press, lambda: _wait_more(page, r"\S", in_bubble=True, before=before))
    return took  # the next action waits for this run's end


def _desk_approve(page: Any) -> float:
    _new_conversation(page)
    _send(page, "She wants to fly to London one day later")()
    page.get_by_text("Which one should I take?").last.wait_for(timeout=120_000)
    _send(page, "the first one")()
    card = page.locator(".st-key-chat_approval_card")
    card.wait_for()
    harness.settle(page)
    approve = card.get_by_role("button", name="Approve")
    done = r"^Done\. Ticket \d+ moved"
    before = _answers(page, done, in_bubble=True)
    took = _timed(approve.click, lambda: _wait_more(page, done, in_bubble=True, before=before))
    return took  # the next action waits for this run's end


def _bare_approve(page: Any, n: int) -> float:
    harness.settle(page)
    done = rf"^Done\. Ticket {n} moved"
    took = _timed(
        page.get_by_role("button", name="Approve").click,
        lambda: _wait_more(page, done, in_bubble=False, before=0),
    )
    return took  # the next action waits for this run's end


def _navigate(page: Any, title: str) -> float:
    harness.settle(page)
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    heading = page.get_by_role("heading", name=title, exact=True).first
    took = _timed(link.click, lambda: heading.wait_for(timeout=60_000))
    return took  # the next action waits for this run's end


def _navigate_to(title: str, page: Any, _desk: bool, _rep: int) -> float:
    return _navigate(page, title)


def _chat_with_anna(page: Any) -> None:
    harness.sign_in(page, "admin", "admin-demo")  # the admin may chat and open Metrics
    harness.open_page(page, "Chat")
    harness.pick_passenger(page, "anna.keller@example.com", r"^Anna Keller")


def _run(pages: dict[bool, Any], reps: int) -> dict[bool, dict[str, list[float]]]:
    """The three interactions `reps` times each (after one untimed warm-up), SkyDesk and the
    bare app in turn, so both meet the same load of a shared machine."""
    times: dict[bool, dict[str, list[float]]] = {
        desk: {key: [] for key in ("token", "approve", *NAV_TITLES)} for desk in pages
    }

    def each(key: str, measure: Callable[[Any, bool, int], float], count: int) -> None:
        for rep in range(count + 1):
            for desk, page in pages.items():
                took = measure(page, desk, rep)
                if rep:
                    times[desk][key].append(took)

    each("token", lambda page, desk, _: _first_token(page, new_conversation=desk), reps)
    each(
        "approve",
        lambda page, desk, rep: _desk_approve(page) if desk else _bare_approve(page, rep + 1),
        max(2, (reps + 1) // 2),  # two messages before each card: the slowest to repeat
    )
    for title in NAV_TITLES:
        each(title, partial(_navigate_to, title), reps)
    return times


def interaction_figures(
    results: dict[str, Any], url: str, now: Any, folder: Path, *, reps: int
) -> None:
    bare_script = folder / "bare_app.py"
    bare_script.write_text(BARE_APP)
    env = harness.server_env(url, now, SKYDESK_CHAT_RATE_LIMIT="10000/minute")
    with (
        harness.chromium() as browser,
        harness.app_server(env, folder / "desk.log") as desk_server,
        harness.app_server(env, folder / "bare.log", script=bare_script) as bare_server,
    ):
        pages = {}
        for server, desk in ((desk_server, True), (bare_server, False)):
            context = browser.new_context(viewport=harness.VIEWPORT)
            context.set_default_timeout(60_000)
            pages[desk] = context.new_page()
            pages[desk].goto(server.url)
        _chat_with_anna(pages[True])
        pages[False].get_by_role("heading", name="Chat", exact=True).wait_for()
        measured = _run(pages, reps)
    ours, bare = measured[True], measured[False]
    Samples("message -> first streamed token visible", ours["token"], bare["token"]).record(results)
    Samples("Approve -> result visible", ours["approve"], bare["approve"]).record(results)
    for title in NAV_TITLES:
        Samples(f"sidebar click -> {title} title visible", ours[title], bare[title]).record(results)
