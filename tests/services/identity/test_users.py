"""Accounts: sign-in (bcrypt, disabled, rate limit, audit), admin-only user management with its
audit trail, and the production readiness check."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import DEFAULT_COOKIE_KEY, Settings
from db.models import AuditEvent, Role, User
from services.core import audit
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule
from services.core.ratelimit import RateLimiter
from services.identity import accounts, passwords, users
from tests import factories as f
from world import DEMO_USERS

STRONG_KEY = SecretStr("Zq8rT2vLx9-pW4mNcY7bHs1jKd3fGa6E")


@pytest.fixture(autouse=True)
def cheap_bcrypt(monkeypatch: pytest.MonkeyPatch) -> None:
    # Same algorithm and format, fewer rounds: hashing here is setup, not the subject.
    monkeypatch.setattr(passwords, "BCRYPT_ROUNDS", 4)


def add_user(
    session: Session, username: str, role: Role, password: str = "secret-pass", **kw: object
) -> User:
    user = User(
        username=username,
        name=username.title(),
        email=f"{username}@skydesk.example",
        password_hash=passwords.hash_password(password),
        role=role,
        disabled=kw.pop("disabled", False),
        created_at=kw.pop("created_at"),
        **kw,
    )
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def people(session: Session, clock: FixedClock) -> dict[str, User]:
    now = clock.now()
    pax = f.passenger(session, name="Anna Keller")
    session.commit()
    return {
        "admin": add_user(session, "admin", Role.ADMIN, created_at=now),
        "agent": add_user(session, "agent", Role.AGENT, created_at=now),
        "manager": add_user(session, "manager", Role.MANAGER, created_at=now),
        "gone": add_user(session, "gone", Role.AGENT, disabled=True, created_at=now),
        "customer": add_user(
            session, "customer", Role.CUSTOMER, passenger_id=pax.id, created_at=now
        ),
        "pax": pax,  # type: ignore[dict-item]
    }


def ctx_of(user: User, clock: FixedClock) -> ServiceContext:
    return ServiceContext(actor=Actor(user.username, user.role, user.id), clock=clock)


def events(session: Session, action: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))


# --- authenticate and sign in -----------------------------------------------------------------


@pytest.mark.usefixtures("people")
def test_authenticate_ok(session) -> None:
    account = users.authenticate(session, username=" Agent ", password="secret-pass")
    assert (account.username, account.role) == ("agent", Role.AGENT)


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("username", "password", "reason", "message"),
    [
        ("agent", "wrong-pass", "wrong_password", users.WRONG_CREDENTIALS),
        ("nobody", "secret-pass", "unknown_user", users.WRONG_CREDENTIALS),
        ("gone", "wrong-pass", "wrong_password", users.WRONG_CREDENTIALS),
        ("gone", "secret-pass", "account_disabled", users.DISABLED),
    ],
    ids=["wrong-password", "unknown-user", "disabled-wrong-password", "disabled"],
)
def test_authenticate_refuses(session, username, password, reason, message) -> None:
    with pytest.raises(users.SignInRefused) as refused:
        users.authenticate(session, username=username, password=password)
    assert (refused.value.reason, refused.value.message) == (reason, message)


@pytest.mark.usefixtures("people")
def test_sign_in_is_audited_either_way(session, clock) -> None:
    limiter = RateLimiter("login", "100/minute")
    ok = users.sign_in(
        session, username="agent", password="secret-pass", clock=clock, limiter=limiter
    )
    bad = users.sign_in(
        session, username="agent", password="nope-nope", clock=clock, limiter=limiter
    )
    off = users.sign_in(
        session, username="gone", password="secret-pass", clock=clock, limiter=limiter
    )
    unknown = users.sign_in(
        session, username="hunter2-typed-here", password="x" * 9, clock=clock, limiter=limiter
    )
    assert ok.ok and ok.account is not None and ok.account.username == "agent"
    assert (bad.ok, off.ok, unknown.ok) == (False, False, False)
    assert off.message == users.DISABLED
    logins = [(e.actor, e.actor_role, e.outcome, e.rule) for e in events(session, "login")]
    assert logins == [
        ("agent", "agent", "ok", None),
        ("agent", "agent", "refused", "wrong_password"),
        ("gone", "agent", "refused", "account_disabled"),
        ("anonymous", "anonymous", "refused", "unknown_user"),
    ]
    # What was typed as an unknown username is not written anywhere in the trail.
    assert all("hunter2" not in str(e.details) + (e.message or "") for e in events(session))
    assert audit.verify(session).ok


@pytest.mark.usefixtures("people")
def test_sign_in_is_rate_limited_per_username(session, clock) -> None:
    limiter = RateLimiter("login", "3/minute")
    for _ in range(3):
        users.sign_in(
            session, username="agent", password="wrong-pass", clock=clock, limiter=limiter
        )
    # The right password no longer helps: the attempt is refused before any check.
    result = users.sign_in(
        session, username="agent", password="secret-pass", clock=clock, limiter=limiter
    )
    assert not result.ok
    assert 1 <= result.retry_after_s <= 60
    assert (
        result.message
        == f"Too many sign-in attempts. Please try again in {result.retry_after_s} s."
    )
    assert events(session, "login")[-1].rule == "rate_limited"
    other = users.sign_in(
        session, username="admin", password="secret-pass", clock=clock, limiter=limiter
    )
    assert other.ok  # another account has its own counter


# --- admin actions ----------------------------------------------------------------------------

ACTIONS = {
    "user_create": lambda s, c: users.create_user(
        s, c, username="newbie", name="New Bie", email="n@x.io", role="agent", password="longenough"
    ),
    "user_role_change": lambda s, c: users.change_role(s, c, username="manager", role="admin"),
    "user_password_reset": lambda s, c: users.reset_password(
        s, c, username="manager", new_password="another-pass"
    ),
    "user_disable": lambda s, c: users.set_disabled(s, c, username="manager", disabled=True),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", ["agent", "manager", "customer"])
def test_admin_actions_are_refused_for_other_roles(session, people, clock, action, who) -> None:
    before = [
        (u.username, u.role, u.disabled, u.password_hash) for u in session.scalars(select(User))
    ]
    with pytest.raises(PolicyViolation) as refused:
        ACTIONS[action](session, ctx_of(people[who], clock))
    assert refused.value.rule == Rule.PERMISSION
    session.expire_all()
    after = [
        (u.username, u.role, u.disabled, u.password_hash) for u in session.scalars(select(User))
    ]
    assert after == before
    (event,) = events(session, action)
    assert (event.actor, event.outcome, event.rule) == (who, "refused", Rule.PERMISSION.value)


@pytest.mark.parametrize("action", list(ACTIONS))
def test_admin_actions_are_executed_and_audited(session, people, clock, action) -> None:
    ACTIONS[action](session, ctx_of(people["admin"], clock))
    (event,) = events(session, action)
    assert (event.actor, event.actor_role, event.outcome) == ("admin", "admin", "executed")
    assert event.details["summary"]
    # Neither a password nor a hash is ever written to the trail.
    text = str(event.details)
    assert "longenough" not in text and "another-pass" not in text and "$2b$" not in text
    assert audit.verify(session).ok


def test_create_user_then_sign_in(session, people, clock) -> None:
    admin = ctx_of(people["admin"], clock)
    created = users.create_user(
        session, admin, username="Zoe", name="Zoe Frei", email="zoe@skydesk.example",
        role=Role.MANAGER, password="zoe-password",
    )  # fmt: skip
    assert (created.username, created.role, created.disabled) == ("zoe", Role.MANAGER, False)
    assert users.authenticate(session, username="zoe", password="zoe-password").id == created.id
    (event,) = events(session, "user_create")
    assert event.details["after"]["role"] == "manager"


def test_customer_accounts_are_bound_to_a_passenger(session, people, clock) -> None:
    admin = ctx_of(people["admin"], clock)
    base = dict(
        username="anna2", name="Anna K", email="a@x.io", role="customer", password="anna-pass"
    )
    with pytest.raises(InvalidInput, match="needs the e-mail of its passenger"):
        users.create_user(session, admin, **base)
    with pytest.raises(NotFound, match="No passenger has the e-mail"):
        users.create_user(session, admin, **base, passenger_email="nobody@example.com")
    created = users.create_user(session, admin, **base, passenger_email=people["pax"].email.upper())
    assert created.passenger_id == people["pax"].id
    assert [e.outcome for e in events(session, "user_create")] == ["invalid", "invalid", "executed"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"username": "a"}, "A username has 2 to 60 characters"),
        ({"username": "has space"}, "A username has 2 to 60 characters"),
        ({"username": "agent"}, "The username 'agent' is taken"),
        ({"email": "not-an-email"}, "is not an e-mail address"),
        ({"name": "  "}, "The name is missing"),
        ({"role": "system"}, "'system' is not a role"),
        ({"role": "pilot"}, "'pilot' is not a role"),
        ({"password": "short"}, "too short"),
        ({"password": "é" * 40}, "too long"),
        ({"password": "newbie2024", "username": "newbie2024"}, "must not be the username"),
    ],
)
def test_create_user_checks_its_input(session, people, clock, changes, message) -> None:
    fields = dict(
        username="newbie", name="New Bie", email="n@x.io", role="agent", password="longenough"
    )
    with pytest.raises(InvalidInput, match=message):
        users.create_user(session, ctx_of(people["admin"], clock), **(fields | changes))


def test_reset_password_replaces_the_old_one(session, people, clock) -> None:
    users.reset_password(
        session, ctx_of(people["admin"], clock), username="agent", new_password="fresh-pass"
    )
    with pytest.raises(users.SignInRefused):
        users.authenticate(session, username="agent", password="secret-pass")
    assert users.authenticate(session, username="agent", password="fresh-pass")


def test_disable_and_enable(session, people, clock) -> None:
    admin = ctx_of(people["admin"], clock)
    assert users.set_disabled(session, admin, username="agent", disabled=True).disabled
    with pytest.raises(users.SignInRefused, match="disabled"):
        users.authenticate(session, username="agent", password="secret-pass")
    with pytest.raises(InvalidInput, match="already disabled"):
        users.set_disabled(session, admin, username="agent", disabled=True)
    assert not users.set_disabled(session, admin, username="agent", disabled=False).disabled
    assert [e.action for e in events(session) if e.outcome == "executed"] == [
        "user_disable",
        "user_enable",
    ]


def test_change_role(session, people, clock) -> None:
    admin = ctx_of(people["admin"], clock)
    changed = users.change_role(session, admin, username="agent", role="manager")
    assert changed.role == Role.MANAGER
    (event,) = events(session, "user_role_change")
    assert (event.details["before"]["role"], event.details["after"]["role"]) == ("agent", "manager")


def test_admins_cannot_lock_themselves_out(session, people, clock) -> None:
    admin = ctx_of(people["admin"], clock)
    with pytest.raises(InvalidInput, match="your own account"):
        users.set_disabled(session, admin, username="admin", disabled=True)
    with pytest.raises(InvalidInput, match="your own"):
        users.change_role(session, admin, username="admin", role="agent")
    # Nobody else (here: the operator's command line) may remove the last enabled admin.
    operator = ServiceContext(Actor("cli:ops", Role.ADMIN), clock=clock)
    with pytest.raises(InvalidInput, match="last enabled administrator"):
        users.set_disabled(session, operator, username="admin", disabled=True)
    with pytest.raises(InvalidInput, match="last enabled administrator"):
        users.change_role(session, operator, username="admin", role="manager")
    add_user(session, "boss", Role.ADMIN, created_at=clock.now())
    assert users.set_disabled(session, operator, username="admin", disabled=True).disabled


# --- production readiness ---------------------------------------------------------------------


def demo_accounts(session: Session, clock: FixedClock) -> None:
    for demo in DEMO_USERS:
        add_user(session, demo.username, demo.role, demo.password, created_at=clock.now())


def test_production_readiness_names_every_problem(session, clock) -> None:
    demo_accounts(session, clock)
    # Keys None explicitly: the PostgreSQL suite puts them in the environment.
    unset = Settings(
        cookie_key=SecretStr(DEFAULT_COOKIE_KEY),
        checkpoint_key=None,
        audit_anchor_key=None,
        audit_anchor_dir=None,
    )
    problems = users.production_readiness_problems(session, unset)
    assert len(problems) == 4 + len(DEMO_USERS)
    assert "cookie key is the default" in problems[0]
    assert "SKYDESK_CHECKPOINT_KEY is not set" in problems[1]
    assert "SKYDESK_AUDIT_ANCHOR_KEY is not set" in problems[2]
    assert "SKYDESK_AUDIT_ANCHOR_DIR is not set" in problems[3]
    assert all(
        f"demo user '{d.username}' still has its demo password" in " ".join(problems)
        for d in DEMO_USERS
    )
    short = users.production_readiness_problems(session, Settings(cookie_key=SecretStr("short")))
    assert "shorter than 32 characters" in short[0]


def test_production_is_ready_once_demo_passwords_are_gone(session, clock) -> None:
    demo_accounts(session, clock)
    admin = ServiceContext(Actor("cli:ops", Role.ADMIN), clock=clock)
    for demo in DEMO_USERS:
        if demo.role == Role.ADMIN:
            users.reset_password(
                session, admin, username=demo.username, new_password="a-real-secret"
            )
        else:
            users.set_disabled(session, admin, username=demo.username, disabled=True)
    ready = Settings(
        cookie_key=STRONG_KEY,
        checkpoint_key=SecretStr(secrets.token_hex(32)),
        audit_anchor_key=SecretStr(secrets.token_hex(32)),
        audit_anchor_dir=Path("/var/lib/skydesk/audit-anchors"),
    )
    assert users.production_readiness_problems(session, ready) == []


@pytest.mark.usefixtures("people")
def test_page_refusal_is_audited(session, clock) -> None:
    account = accounts.get_account(session, "agent")
    assert account is not None
    users.audit_page_refused(session, account, page="Admin", clock=clock)
    (event,) = events(session, "page_open")
    assert (event.actor, event.outcome, event.rule) == ("agent", "refused", "permission_denied")
