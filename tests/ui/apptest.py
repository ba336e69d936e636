"""Driving the app under AppTest the way a person does: open it, sign in through the form,
open pages. Nothing here writes the session state a sign-in would set."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from world import DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app.py"
PASSWORDS = {u.username: u.password for u in DEMO_USERS}
NOT_ALLOWED = "Not allowed."


def open_app() -> AppTest:
    # The first run imports SQLAlchemy, the services and the agent: allow it time.
    return AppTest.from_file(APP, default_timeout=60).run()


def sign_in(at: AppTest, username: str, password: str | None = None) -> AppTest:
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(
        PASSWORDS.get(username, "") if password is None else password
    )
    return at.button(key="signin_submit").click().run()


def signed_in(username: str, password: str | None = None) -> AppTest:
    at = sign_in(open_app(), username, password)
    assert not at.exception, at.exception
    assert at.session_state["authentication_status"] is True, texts(at)
    return at


def open_page(at: AppTest, key: str) -> AppTest:
    return at.switch_page(f"app_pages/{key}.py").run()


def texts(at: AppTest) -> list[str]:
    """Every message, heading and text on the page, for assertions and failure output."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning",
                 "info", "success"):  # fmt: skip
        parts += [str(e.value) for e in getattr(at, kind)]
    return parts


def page_content(at: AppTest) -> list[tuple[str, str]]:
    """(type, value) of everything the page drew in the main area, in order. Left out: the
    style that hides the cookie scripts' containers and the script that writes or deletes
    the sign-in cookie (ui/auth.py)."""
    found: list[tuple[str, str]] = []

    def walk(node: object) -> None:
        for child in getattr(node, "children", {}).values():
            if hasattr(child, "children") and child.children:
                walk(child)
                continue
            kind = getattr(child, "type", type(child).__name__)
            try:
                value = str(getattr(child, "label", None) or child.value or "")
            except Exception:  # an element AppTest cannot read (e.g. a custom component)
                value = ""
            if kind in ("component_instance", "html") or (
                kind == "markdown" and value.startswith("<style>")
            ):
                continue
            found.append((kind, value))

    walk(at.main)
    return found
