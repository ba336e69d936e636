"""Sign-in through the app's form: success, failure, a disabled account, the rate limit, sign-out,
and every attempt in the audit trail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Role
from services.core.context import Actor, ServiceContext
from services.identity import users
from tests.conftest import FROZEN_NOW
from tests.ui.apptest import open_app, sign_in, signed_in, texts
from ui.navigation import PAGES

pytestmark = pytest.mark.usefixtures("app_env")


def logins(app_env) -> list[tuple[str, str, str, str | None]]:
    """(action, actor, outcome, rule) of every sign-in and sign-out in the audit trail."""
    with app_env.sessions() as session:
        rows = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["login", "logout"]))
            .order_by(AuditEvent.seq)
        )
        return [(e.action, e.actor, e.outcome, e.rule) for e in rows]


def test_the_app_opens_on_the_sign_in_form(menus) -> None:
    at = open_app()
    assert not at.exception
    assert at.title[0].value == "✈️ SkyDesk"
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    assert not at.session_state["authentication_status"]
    # The menu is hidden and only the empty "Sign in" page is on it; the real pages are
    # registered hidden (so a deep link survives sign-in) and none of them runs.
    assert (menus[-1].position, menus[-1].visible, menus[-1].default) == (
        "hidden",
        ["Sign in"],
        "Sign in",
    )
    assert menus[-1].hidden == [p.title for p in PAGES]


def test_sign_in_success_sets_the_authenticator_session(app_env) -> None:
    at = signed_in("agent")
    state = at.session_state
    assert (state["username"], state["name"], state["roles"]) == ("agent", "Alex Meier", ["agent"])
    assert at.title[0].value == "Chat"  # the agent's first page
    assert "**Alex Meier**  \n`agent` · agent" in [m.value for m in at.sidebar.markdown]
    assert logins(app_env)[-1] == ("login", "agent", "ok", None)


@pytest.mark.parametrize(
    ("username", "password", "rule"),
    [("agent", "not-the-password", "wrong_password"), ("nobody", "agent-demo", "unknown_user")],
)
def test_sign_in_failure(app_env, username, password, rule) -> None:
    at = sign_in(open_app(), username, password)
    assert not at.exception
    assert [e.value for e in at.error] == ["Wrong username or password."]
    assert not at.session_state["authentication_status"]
    assert at.button(key="signin_submit")  # still on the form
    actor = "agent" if username == "agent" else "anonymous"
    assert logins(app_env)[-1] == ("login", actor, "refused", rule)


def test_a_disabled_account_cannot_sign_in(app_env) -> None:
    with app_env.sessions() as session:
        admin = ServiceContext(Actor("admin", Role.ADMIN))
        users.create_user(
            session, admin, username="temp", name="Temp Agent", email="t@skydesk.example",
            role="agent", password="temp-password",
        )  # fmt: skip
        users.set_disabled(session, admin, username="temp", disabled=True)
    at = sign_in(open_app(), "temp", "temp-password")
    assert [e.value for e in at.error] == [users.DISABLED]
    assert not at.session_state["authentication_status"]
    assert logins(app_env)[-1] == ("login", "temp", "refused", "account_disabled")


def test_an_account_disabled_while_signed_in_is_signed_out_at_the_next_click(app_env) -> None:
    with app_env.sessions() as session:
        admin = ServiceContext(Actor("admin", Role.ADMIN))
        users.create_user(
            session, admin, username="shortlived", name="Short Lived", email="s@skydesk.example",
            role="agent", password="short-lived-pw",
        )  # fmt: skip
    at = sign_in(open_app(), "shortlived", "short-lived-pw")
    assert at.session_state["authentication_status"] is True
    with app_env.sessions() as session:
        users.set_disabled(
            session,
            ServiceContext(Actor("admin", Role.ADMIN)),
            username="shortlived",
            disabled=True,
        )
    at.run()
    assert not at.session_state["authentication_status"]
    assert at.button(key="signin_submit")


def test_login_rate_limit_says_when_to_retry(app_env, monkeypatch) -> None:
    from config import get_settings

    monkeypatch.setenv("SKYDESK_LOGIN_RATE_LIMIT", "3/minute")
    get_settings.cache_clear()
    at = open_app()
    for _ in range(3):
        sign_in(at, "manager", "guess-guess")
        assert [e.value for e in at.error] == ["Wrong username or password."]
    sign_in(at, "manager", "manager-demo")  # even the right password waits now
    (message,) = [e.value for e in at.error]
    assert re.fullmatch(r"Too many sign-in attempts\. Please try again in \d+ s\.", message)
    seconds = re.search(r"(\d+) s", message)
    assert seconds is not None and 1 <= int(seconds[1]) <= 60
    assert not at.session_state["authentication_status"]
    assert logins(app_env)[-1] == ("login", "manager", "refused", "rate_limited")


def test_sign_out(app_env) -> None:
    at = signed_in("manager")
    at.sidebar.button(key="sidebar_sign_out").click().run()
    assert not at.exception
    assert not at.session_state["authentication_status"]
    assert at.button(key="signin_submit")  # the form, in the same run
    assert "Bookings" not in texts(at)
    assert logins(app_env)[-2:] == [
        ("login", "manager", "ok", None),
        ("logout", "manager", "ok", None),
    ]


def test_demo_clock_and_model_in_the_sidebar() -> None:
    at = signed_in("admin")
    captions = [c.value for c in at.sidebar.caption]
    assert "Model: built-in (offline)" in captions
    assert "Demo clock (frozen): Thu 26 Nov 2026, 09:00 Zurich" in captions
    assert FROZEN_NOW.hour == 8  # 08:00 UTC is 09:00 in Zurich
