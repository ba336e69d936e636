"""Auth and secrets: placeholder cookie keys, forged and replayed sign-in cookies, password
spraying. A cookie is checked by the server (services/identity/sessions.py), not only by its signature."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest
import yaml
from pydantic import SecretStr
from sqlalchemy import select

from config import DEFAULT_COOKIE_KEY, Settings, cookie_key_problem
from db.models import AuditEvent, Role
from services.core.context import Actor, ServiceContext
from services.core.ratelimit import RateLimiter, client_address
from services.identity import accounts, passwords, sessions, users
from tests.services.identity.test_users import add_user

ROOT = Path(__file__).resolve().parents[2]
KEY = "Zq8rT2vLx9-pW4mNcY7bHs1jKd3fGa6E"
SETTINGS = Settings(cookie_key=SecretStr(KEY), session_max_age_hours=12)
NOW = 1_800_000_000.0


@pytest.fixture(autouse=True)
def cheap_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def admin(session, clock):
    add_user(session, "boss", Role.ADMIN, created_at=clock.now())
    return add_user(session, "admin", Role.ADMIN, created_at=clock.now())


def cookie_logins(session) -> list[tuple[str, str, str | None]]:
    rows = session.scalars(select(AuditEvent).where(AuditEvent.action == "login"))
    return [(e.actor, e.outcome, e.rule) for e in rows]


def shipped_placeholders() -> list[str]:
    compose_default = "local-compose-cookie-key-change-me"  # compose's old ${VAR:-default}
    secret = next(
        doc
        for doc in yaml.safe_load_all((ROOT / "deploy/k8s/secret.yaml").read_text())
        if doc["metadata"]["name"] == "skydesk-secrets"
    )
    example = (ROOT / ".streamlit/secrets.toml.example").read_text()
    toml_key = example.split('SKYDESK_COOKIE_KEY = "')[1].split('"')[0]
    return [
        DEFAULT_COOKIE_KEY,
        compose_default,
        secret["stringData"]["SKYDESK_COOKIE_KEY"],
        toml_key,
    ]


@pytest.mark.parametrize("key", [*shipped_placeholders(), "a" * 32, "ab" * 20, "0123456789" * 4])
def test_placeholder_and_low_entropy_cookie_keys_are_refused(key, session) -> None:
    assert cookie_key_problem(key) is not None
    problems = users.production_readiness_problems(session, Settings(cookie_key=SecretStr(key)))
    assert any("cookie key" in p for p in problems)


def test_a_random_key_is_accepted() -> None:
    assert cookie_key_problem(KEY) is None


def test_compose_requires_the_cookie_key() -> None:
    assert "${SKYDESK_COOKIE_KEY:?" in (ROOT / "docker-compose.yml").read_text()


@pytest.mark.usefixtures("admin")
def test_library_format_cookie_signed_with_the_key_signs_nobody_in(session, clock) -> None:
    # What streamlit-authenticator itself issues: username and a browser expiry, nothing else.
    forged = jwt.encode({"username": "admin", "exp_date": NOW + 3600}, KEY, algorithm="HS256")
    result = sessions.sign_in_by_cookie(session, forged, settings=SETTINGS, clock=clock, now=NOW)
    assert result.account is None and result.refusal == sessions.CookieRefusal.INVALID
    assert cookie_logins(session) == [("anonymous", "refused", "cookie_invalid")]


def test_cookie_signed_with_another_key_is_refused(session, admin, clock) -> None:
    token = sessions.issue(admin, Settings(cookie_key=SecretStr(DEFAULT_COOKIE_KEY)), now=NOW)
    result = sessions.sign_in_by_cookie(session, token, settings=SETTINGS, clock=clock, now=NOW)
    assert result.account is None


def test_cookie_sign_in_is_audited(session, admin, clock) -> None:
    token = sessions.issue(admin, SETTINGS, now=NOW)
    result = sessions.sign_in_by_cookie(session, token, settings=SETTINGS, clock=clock, now=NOW)
    assert result.account is not None and result.account.username == "admin"
    (event,) = session.scalars(select(AuditEvent).where(AuditEvent.action == "login"))
    assert (event.actor, event.outcome, event.message) == ("admin", "ok", "signed in by cookie")


def test_cookie_older_than_the_server_maximum_age_is_refused(session, admin, clock) -> None:
    token = sessions.issue(admin, SETTINGS, now=NOW)
    later = NOW + 12 * 3600 + 1
    result = sessions.sign_in_by_cookie(session, token, settings=SETTINGS, clock=clock, now=later)
    assert result.account is None and result.refusal == sessions.CookieRefusal.EXPIRED
    # A lowered maximum age counts for cookies already issued.
    shorter = Settings(cookie_key=SecretStr(KEY), session_max_age_hours=1)
    again = sessions.sign_in_by_cookie(
        session, token, settings=shorter, clock=clock, now=NOW + 3601
    )
    assert again.refusal == sessions.CookieRefusal.EXPIRED


def test_sign_out_revokes_the_cookie(session, admin, clock) -> None:
    token = sessions.issue(admin, SETTINGS, now=NOW)
    account = accounts.get_account(session, "admin")
    assert account is not None
    users.audit_sign_out(session, account, clock)
    result = sessions.sign_in_by_cookie(session, token, settings=SETTINGS, clock=clock, now=NOW)
    assert result.account is None and result.refusal == sessions.CookieRefusal.REVOKED


@pytest.mark.parametrize("change", ["reset", "disable"])
def test_password_reset_and_disabling_revoke_the_cookie(change, session, admin, clock) -> None:
    victim = add_user(session, "agent", Role.AGENT, created_at=clock.now())
    token = sessions.issue(victim, SETTINGS, now=NOW)
    ctx = ServiceContext(Actor("admin", Role.ADMIN, admin.id), clock=clock)
    if change == "reset":
        users.reset_password(session, ctx, username="agent", new_password="N3w-secret-pass!")
    else:
        users.set_disabled(session, ctx, username="agent", disabled=True)
    result = sessions.sign_in_by_cookie(session, token, settings=SETTINGS, clock=clock, now=NOW)
    assert result.account is None
    assert not sessions.is_current(session, "agent", 0)


def test_password_spraying_across_usernames_is_limited_per_client(session, clock) -> None:
    for n in range(6):
        add_user(session, f"user{n}", Role.AGENT, created_at=clock.now())
    per_user = RateLimiter("login-test", "5/minute")
    per_client = RateLimiter("login-client-test", "3/minute")
    outcomes = [
        users.sign_in(
            session,
            username=f"user{n}",
            password="Winter2026!",
            clock=clock,
            limiter=per_user,
            client="203.0.113.7",
            client_limiter=per_client,
        ).message
        for n in range(6)
    ]
    assert all("Wrong username or password" in m for m in outcomes[:3])
    assert all(m.startswith("Too many sign-in attempts") for m in outcomes[3:])
    # Another client is not locked out by the sprayer.
    other = users.sign_in(
        session,
        username="user0",
        password="secret-pass",
        clock=clock,
        limiter=per_user,
        client="198.51.100.2",
        client_limiter=per_client,
    )
    assert other.ok


def test_client_address_trusts_only_the_configured_proxies() -> None:
    forged = "6.6.6.6, 203.0.113.7"  # the client wrote 6.6.6.6; our one proxy appended the rest
    assert client_address(forged, "10.0.0.5", trusted_hops=1) == "203.0.113.7"
    assert client_address(forged, "10.0.0.5", trusted_hops=0) == "10.0.0.5"
    assert client_address(None, None, trusted_hops=2) == "unknown"
