"""Production mode refuses to start while the cookie key is the default or a demo login still
has its demo password, and starts once both are fixed (this module's world is its own: the
demo passwords are changed here)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from config import get_settings
from db.models import Role
from services.core.context import Actor, ServiceContext
from services.identity import users
from tests.ui.apptest import open_app, page_content
from world import DEMO_USERS

pytestmark = pytest.mark.usefixtures("app_env")
STRONG_KEY = "a-long-random-production-cookie-key-0123456789"


def production(
    monkeypatch: pytest.MonkeyPatch,
    cookie_key: str | None = None,
    checkpoint_key: str | None = None,
    audit_anchor_dir: Path | None = None,
) -> None:
    monkeypatch.setenv("SKYDESK_ENVIRONMENT", "production")
    if cookie_key:
        monkeypatch.setenv("SKYDESK_COOKIE_KEY", cookie_key)
    if checkpoint_key:
        monkeypatch.setenv("SKYDESK_CHECKPOINT_KEY", checkpoint_key)
    if audit_anchor_dir:  # the audit anchors' key and directory come together
        monkeypatch.setenv("SKYDESK_AUDIT_ANCHOR_KEY", secrets.token_hex(32))
        monkeypatch.setenv("SKYDESK_AUDIT_ANCHOR_DIR", str(audit_anchor_dir))
    get_settings.cache_clear()


def test_refuses_to_start_with_the_default_cookie_key_and_demo_passwords(monkeypatch) -> None:
    production(monkeypatch)
    at = open_app()
    assert not at.exception
    ((kind, message),) = page_content(at)  # the refusal and nothing else: no sign-in form
    assert kind == "error" and message.startswith(
        "**SkyDesk refuses to start in production mode:**"
    )
    assert "cookie key is the default" in message
    for demo in DEMO_USERS:
        assert f"demo user '{demo.username}' still has its demo password" in message


def test_starts_once_the_key_is_set_and_demo_passwords_are_gone(
    app_env, monkeypatch, tmp_path
) -> None:
    operator = ServiceContext(Actor("cli:ops", Role.ADMIN))
    with app_env.sessions() as session:
        for demo in DEMO_USERS:
            users.reset_password(
                session, operator, username=demo.username, new_password=f"{demo.username}-Pr0d!"
            )
    production(
        monkeypatch, STRONG_KEY, checkpoint_key=secrets.token_hex(32), audit_anchor_dir=tmp_path
    )
    at = open_app()
    assert not at.exception and not at.error
    assert at.button(key="signin_submit")
