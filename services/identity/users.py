"""Staff and customer accounts: sign-in (bcrypt, disabled accounts, rate limit, audit), the
administrator's user management, and the production readiness check (README, "Security model").

Every account change is an admin action: only Role.ADMIN may make it, it runs in one transaction
with its audit record, and a refusal is audited too."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import Settings, cookie_key_problem
from db.models import Passenger, Role, User
from observability import metrics
from services.core import audit, audit_anchor
from services.core.access import for_update
from services.core.clock import Clock
from services.core.context import ServiceContext
from services.core.errors import DomainError, InvalidInput, NotFound, Rule
from services.core.ratelimit import RateLimiter
from services.identity import sessions
from services.identity.accounts import (
    ACCOUNT_ROLES,
    Account,
    find_user,
    get_account,
    normalize_username,
)
from services.identity.admin import Change, admin_action
from services.identity.demo_logins import with_demo_password
from services.identity.passwords import prehash, spend_like_a_check, verify_password
from services.identity.sessions import ANONYMOUS

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WRONG_CREDENTIALS = "Wrong username or password."
DISABLED = "This account is disabled. Ask an administrator to enable it."


@dataclass(frozen=True)
class SignInResult:
    account: Account | None
    message: str = ""
    retry_after_s: int = 0

    @property
    def ok(self) -> bool:
        return self.account is not None


# --- signing in ------------------------------------------------------------------------------


class SignInRefused(DomainError):
    """`reason` (unknown_user, wrong_password, account_disabled) is for the audit only; the
    person sees `message`, which does not tell an unknown username from a wrong password."""

    code = "sign_in_refused"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def authenticate(session: Session, *, username: str, password: str) -> Account:
    """The account if the password is right and the account enabled, else SignInRefused.
    A disabled account is named only to someone who knows its password."""
    user = find_user(session, username)
    if user is None:
        spend_like_a_check(password)
        raise SignInRefused("unknown_user", WRONG_CREDENTIALS)
    if not verify_password(password, user.password_hash):
        raise SignInRefused("wrong_password", WRONG_CREDENTIALS)
    if user.disabled:
        raise SignInRefused("account_disabled", DISABLED)
    return Account.of(user)


def sign_in(
    session: Session,
    *,
    username: str,
    password: str,
    clock: Clock,
    limiter: RateLimiter,
    client: str | None = None,
    client_limiter: RateLimiter | None = None,
) -> SignInResult:
    """One sign-in attempt: rate-limited per username and per client address (password
    spraying tries one password on many usernames, so only the client limit sees it),
    checked, and audited either way."""
    name = normalize_username(username)
    if not name or not password:
        return SignInResult(None, "Enter your username and password.")
    known = find_user(session, name)
    actor = Account.of(known).actor if known else ANONYMOUS
    ctx = ServiceContext(actor=actor, clock=clock)
    # Keyed by digests: the limiter's store (Redis) should not hold what people typed.
    decision = limiter.hit(_digest(name))
    if decision.allowed and client and client_limiter is not None:
        decision = client_limiter.hit(_digest(client))
    if not decision.allowed:
        metrics.count_rate_limit("login")
        message = f"Too many sign-in attempts. Please try again in {decision.retry_after_s} s."
        _audit_login(session, ctx, "refused", "rate_limited", message)
        return SignInResult(None, message, decision.retry_after_s)
    try:
        account = authenticate(session, username=name, password=password)
    except SignInRefused as err:
        _audit_login(session, ctx, "refused", err.reason, err.message)
        return SignInResult(None, err.message)
    _audit_login(session, ctx, "ok", None, "signed in")
    return SignInResult(account)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _audit_login(
    session: Session, ctx: ServiceContext, outcome: str, rule: str | None, message: str
) -> None:
    # The typed username of an unknown account is not recorded: people type passwords there.
    audit.record(session, ctx, action="login", outcome=outcome, rule=rule, message=message)


def audit_sign_out(session: Session, account: Account, clock: Clock) -> None:
    """Sign-out, audited; it also revokes the account's cookies (services/identity/sessions.py)."""
    sessions.sign_out(session, account, clock)


def audit_page_refused(session: Session, account: Account, *, page: str, clock: Clock) -> None:
    """Someone opened a page their role may not use (by URL: the menu does not offer it)."""
    ctx = ServiceContext(actor=account.actor, clock=clock)
    audit.record(
        session,
        ctx,
        action="page_open",
        outcome="refused",
        rule=Rule.PERMISSION.value,
        message=f"The {account.role.value} role may not open the {page} page.",
        details={"page": page},
    )


# --- admin actions ---------------------------------------------------------------------------


def _view(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "passenger_id": user.passenger_id,
        "disabled": user.disabled,
    }


def _existing(session: Session, username: str) -> User:
    """The account to change, locked for the admin transaction. Every administrator's row is
    locked first, in id order: "keep an enabled administrator" counts them, and two admins
    disabling each other at once both passed that count and left none. One lock order lets
    racing changes queue instead of deadlocking."""
    session.scalars(
        select(User.id).where(User.role == Role.ADMIN).order_by(User.id).with_for_update()
    ).all()
    user = session.scalar(
        for_update(select(User).where(User.username == normalize_username(username)))
    )
    if user is None:
        raise NotFound(f"There is no user '{normalize_username(username)}'.")
    return user


def _passenger_for(session: Session, role: Role, passenger_email: str | None) -> int | None:
    if role != Role.CUSTOMER:
        return None
    email = (passenger_email or "").strip().lower()
    if not email:
        raise InvalidInput("A customer account needs the e-mail of its passenger record.")
    passenger_id = session.scalar(select(Passenger.id).where(func.lower(Passenger.email) == email))
    if passenger_id is None:
        raise NotFound(f"No passenger has the e-mail '{email}'.")
    return passenger_id


def _check_role(role: Role | str) -> Role:
    try:
        value = Role(role)
    except ValueError:
        value = None
    if value not in ACCOUNT_ROLES:
        names = ", ".join(r.value for r in ACCOUNT_ROLES)
        raise InvalidInput(f"'{role}' is not a role; choose one of {names}.")
    return value


def _keep_an_admin(session: Session, user: User, ctx: ServiceContext) -> None:
    """Refuse a change that would lock every administrator out (including oneself)."""
    if user.username == ctx.actor.username:
        raise InvalidInput("You cannot disable your own account or take away your own role.")
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.disabled.is_(False), User.id != user.id)
    )
    if user.role == Role.ADMIN and not user.disabled and not others:
        raise InvalidInput("This is the last enabled administrator; keep at least one.")


def create_user(
    session: Session,
    ctx: ServiceContext,
    *,
    username: str,
    name: str,
    email: str,
    role: Role | str,
    password: str,
    passenger_email: str | None = None,
) -> Account:
    """A new enabled account; a customer account is bound to the passenger with that e-mail."""
    login = normalize_username(username)
    password_hash, problem = prehash(password, login)

    def work() -> Change:
        if not USERNAME.match(login):
            raise InvalidInput(
                "A username has 2 to 60 characters: lowercase letters, digits, '.', '_' or '-', "
                "starting with a letter or digit."
            )
        if not name.strip():
            raise InvalidInput("The name is missing.")
        if not EMAIL.match(email.strip()):
            raise InvalidInput(f"'{email}' is not an e-mail address.")
        new_role = _check_role(role)
        if problem is not None:
            raise problem
        if find_user(session, login) is not None:
            raise InvalidInput(f"The username '{login}' is taken; choose another.")
        user = User(
            username=login,
            name=name.strip(),
            email=email.strip(),
            password_hash=password_hash,
            role=new_role,
            passenger_id=_passenger_for(session, new_role, passenger_email),
            disabled=False,
            created_at=ctx.clock.now(),
        )
        session.add(user)
        session.flush()
        return f"Created {new_role.value} account '{login}'.", {}, _view(user)

    admin_action(session, ctx, "user_create", login, work)
    return _account(session, login)


def change_role(
    session: Session,
    ctx: ServiceContext,
    *,
    username: str,
    role: Role | str,
    passenger_email: str | None = None,
) -> Account:
    login = normalize_username(username)

    def work() -> Change:
        user = _existing(session, login)
        new_role = _check_role(role)
        if new_role == user.role:
            raise InvalidInput(f"'{login}' already has the role {new_role.value}.")
        if user.role == Role.ADMIN:
            _keep_an_admin(session, user, ctx)
        before = _view(user)
        user.role = new_role
        user.passenger_id = _passenger_for(session, new_role, passenger_email)
        return f"'{login}' is now {new_role.value} (was {before['role']}).", before, _view(user)

    admin_action(session, ctx, "user_role_change", login, work)
    return _account(session, login)


def reset_password(
    session: Session, ctx: ServiceContext, *, username: str, new_password: str
) -> Account:
    login = normalize_username(username)
    new_hash, problem = prehash(new_password, login)

    def work() -> Change:
        user = _existing(session, login)
        if problem is not None:
            raise problem
        user.password_hash = new_hash
        sessions.revoke(user)  # whoever knew the old password keeps no cookie either
        # Only the fact is recorded: neither the password nor its hash goes into the audit.
        return f"Password of '{login}' reset.", {}, {"password": "changed"}

    admin_action(session, ctx, "user_password_reset", login, work)
    return _account(session, login)


def set_disabled(
    session: Session, ctx: ServiceContext, *, username: str, disabled: bool
) -> Account:
    """Disable (action user_disable) or enable again (user_enable) an account."""
    login = normalize_username(username)

    def work() -> Change:
        user = _existing(session, login)
        if user.disabled == disabled:
            state = "disabled" if disabled else "enabled"
            raise InvalidInput(f"'{login}' is already {state}.")
        if disabled:
            _keep_an_admin(session, user, ctx)
        before = _view(user)
        user.disabled = disabled
        if disabled:
            sessions.revoke(user)
        verb = "Disabled" if disabled else "Enabled"
        return f"{verb} '{login}'.", before, _view(user)

    admin_action(session, ctx, "user_disable" if disabled else "user_enable", login, work)
    return _account(session, login)


def _account(session: Session, username: str) -> Account:
    account = get_account(session, username)
    if account is None:  # pragma: no cover - the action above just wrote it
        raise NotFound(f"There is no user '{username}'.")
    return account


# --- production readiness --------------------------------------------------------------------


def production_readiness_problems(session: Session, settings: Settings) -> list[str]:
    """What stops this deployment from running in production: a placeholder or weak cookie key,
    no checkpoint key, no audit anchor key or directory, and any enabled demo login that still
    has its published demo password."""
    problems = []
    key_problem = cookie_key_problem(settings.cookie_key.get_secret_value())
    if key_problem is not None:
        problems.append(key_problem)
    if settings.checkpoint_key is None:
        problems.append(
            "SKYDESK_CHECKPOINT_KEY is not set: conversation checkpoints must be encrypted "
            "(`python -c 'import secrets; print(secrets.token_hex(32))'`)."
        )
    problems += audit_anchor.production_problems(settings)
    for demo in with_demo_password(session):
        problems.append(
            f"The demo user '{demo.username}' still has its demo password; change it "
            f"(`python -m services.admin set-password {demo.username}`) or disable it "
            f"(`python -m services.admin disable {demo.username}`)."
        )
    return problems
