"""The sign-in page lists the demo logins in demo mode (those still with their demo password),
and none in production (issue #13, item 10)."""

from __future__ import annotations

import secrets

import pytest

from config import Settings
from db.models import Role
from services.core.context import Actor, ServiceContext
from services.identity import users
from services.identity.demo_logins import DEMO_USERS, usable_demo_logins
from tests.ui.apptest import open_app, texts
from tests.ui.test_production import STRONG_KEY, production

pytestmark = pytest.mark.usefixtures("app_env")
OPERATOR = ServiceContext(Actor("cli:ops", Role.ADMIN))


def demo_table(at) -> str:
    tables = [t for t in texts(at) if "| Username | Password |" in t]
    return tables[0] if tables else ""


def test_demo_mode_shows_every_seeded_demo_login() -> None:
    table = demo_table(open_app())
    for demo in DEMO_USERS:
        assert f"`{demo.username}` | `{demo.password}`" in table


def test_a_login_whose_password_changed_is_not_offered(app_env) -> None:
    with app_env.sessions() as session:
        users.reset_password(session, OPERATOR, username="manager", new_password="Manager-Pr0d!")
        users.set_disabled(session, OPERATOR, username="customer", disabled=True)
        offered = [d.username for d in usable_demo_logins(session, Settings())]
    assert offered == ["agent", "admin"]
    table = demo_table(open_app())
    assert "`agent`" in table and "`manager`" not in table and "`customer`" not in table


def test_production_shows_no_demo_login(app_env, monkeypatch, tmp_path) -> None:
    # Production starts only once no demo login keeps its demo password: give one back its
    # password right in the service's own check to see that production still lists nothing.
    with app_env.sessions() as session:
        for demo in DEMO_USERS:
            users.reset_password(
                session, OPERATOR, username=demo.username, new_password=f"{demo.username}-Pr0d!"
            )
    production(
        monkeypatch, STRONG_KEY, checkpoint_key=secrets.token_hex(32), audit_anchor_dir=tmp_path
    )
    at = open_app()
    assert not at.exception and at.button(key="signin_submit")
    assert demo_table(at) == ""
    assert all("demo" not in t.lower() for t in texts(at))
    with app_env.sessions() as session:
        users.reset_password(session, OPERATOR, username="agent", new_password="agent-demo")
        assert usable_demo_logins(session, Settings(environment="production")) == []
        assert [d.username for d in usable_demo_logins(session, Settings(environment="demo"))] == [
            "agent"
        ]
