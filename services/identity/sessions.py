"""Sign-in cookies checked on the server (hardening, item 8).

A cookie is a JWT (HS256, settings.cookie_key) naming the account, the account's session version
at sign-in and when it was issued. The server refuses it when
- the signature, algorithm or a claim is wrong (a forged or library-format cookie);
- it is older than settings.session_max_age_hours, whatever expiry the browser was told;
- the account's session_version moved on: sign-out, a password reset or disabling bump it, so
  every cookie issued before is dead at once, on every replica;
- the account is gone or disabled.
Every cookie sign-in, accepted or refused, leaves a login record, as a password sign-in does.

Token times are wall-clock seconds, not the demo clock: the demo clock can be frozen, and a
frozen clock would make a cookie live forever."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from config import Settings
from db.models import Role, User
from services.core import audit
from services.core.access import for_update
from services.core.clock import Clock
from services.core.context import Actor, ServiceContext
from services.identity.accounts import Account, find_user, normalize_username

ALGORITHM = "HS256"
CLAIMS = ("sub", "sv", "iat", "exp")
CLOCK_SKEW_S = 60  # replicas' clocks may differ a little; a cookie from the future is forged
SIGNED_IN_BY_COOKIE = "signed in by cookie"
# The message of a refused cookie's audit record (the dashboards tell it from a failed sign-in).
COOKIE_REFUSED = "Sign-in cookie refused."
# A sign-in attempt naming no existing account has no account, hence no role.
ANONYMOUS = Actor(username="anonymous", role=Role.ANONYMOUS)


class CookieRefusal(StrEnum):
    """Why a cookie did not sign in (the audit's rule)."""

    INVALID = "cookie_invalid"
    EXPIRED = "cookie_expired"
    REVOKED = "cookie_revoked"
    UNKNOWN_USER = "unknown_user"
    DISABLED = "account_disabled"


@dataclass(frozen=True)
class CookieSignIn:
    account: Account | None
    session_version: int = 0
    refusal: CookieRefusal | None = None


def max_age_s(settings: Settings) -> int:
    return int(settings.session_max_age_hours * 3600)


def issue(user: User, settings: Settings, now: float | None = None) -> str:
    """A cookie token for this account's current session version."""
    issued = int(time.time() if now is None else now)
    claims = {
        "sub": user.username,
        "sv": user.session_version,
        "iat": issued,
        "exp": issued + max_age_s(settings),
    }
    return jwt.encode(claims, settings.cookie_key.get_secret_value(), algorithm=ALGORITHM)


def issue_for(session: Session, username: str, settings: Settings) -> str | None:
    user = find_user(session, username)
    return issue(user, settings) if user is not None and not user.disabled else None


def _claims(token: str, settings: Settings) -> dict[str, Any] | None:
    try:
        # Expiry is checked below against the server's own maximum age (and an injectable now).
        return jwt.decode(
            token,
            settings.cookie_key.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": list(CLAIMS), "verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidTokenError:
        return None


def _check(session: Session, token: str, settings: Settings, now: float) -> CookieSignIn:
    claims = _claims(token, settings)
    if claims is None or not isinstance(claims["sv"], int) or not isinstance(claims["iat"], int):
        return CookieSignIn(None, refusal=CookieRefusal.INVALID)
    user = find_user(session, str(claims["sub"]))
    if user is None:
        return CookieSignIn(None, refusal=CookieRefusal.UNKNOWN_USER)
    account = Account.of(user)
    if claims["iat"] > now + CLOCK_SKEW_S:
        return CookieSignIn(account, refusal=CookieRefusal.INVALID)
    if now >= min(claims["exp"], claims["iat"] + max_age_s(settings)):
        return CookieSignIn(account, refusal=CookieRefusal.EXPIRED)
    if claims["sv"] != user.session_version:
        return CookieSignIn(account, refusal=CookieRefusal.REVOKED)
    if user.disabled:
        return CookieSignIn(account, refusal=CookieRefusal.DISABLED)
    return CookieSignIn(account, user.session_version)


def sign_in_by_cookie(
    session: Session, token: str, *, settings: Settings, clock: Clock, now: float | None = None
) -> CookieSignIn:
    """The account this cookie signs in, or a refusal; audited either way."""
    result = _check(session, token, settings, time.time() if now is None else now)
    known = result.account
    ctx = ServiceContext(actor=known.actor if known else ANONYMOUS, clock=clock)
    if result.refusal is None:
        audit.record(
            session,
            ctx,
            action="login",
            outcome="ok",
            message=SIGNED_IN_BY_COOKIE,
            details={"method": "cookie"},
        )
        return result
    audit.record(
        session,
        ctx,
        action="login",
        outcome="refused",
        rule=result.refusal.value,
        message=COOKIE_REFUSED,
        details={"method": "cookie"},
    )
    return CookieSignIn(None, refusal=result.refusal)


def is_current(session: Session, username: str, session_version: int | None) -> bool:
    """Is a signed-in browser session still valid (checked on every run, so a sign-out
    elsewhere, a password reset or disabling ends open sessions at their next click)?"""
    user = find_user(session, username)
    return user is not None and not user.disabled and user.session_version == session_version


def current_version(session: Session, username: str) -> int | None:
    user = find_user(session, username)
    return user.session_version if user is not None else None


def revoke(user: User) -> None:
    """End every session of this account, inside the caller's write transaction, which holds
    the account's row lock (a racing sign-out and password reset must each move the version,
    or a cookie issued between them would survive)."""
    user.session_version = (user.session_version or 0) + 1


def sign_out(session: Session, account: Account, clock: Clock) -> None:
    """Sign-out ends the account's sessions server-side (a copied cookie dies too), audited."""
    ctx = ServiceContext(actor=account.actor, clock=clock)
    audit.begin_write(session)
    try:
        name = normalize_username(account.username)
        user = session.scalar(for_update(select(User).where(User.username == name)))
        if user is not None:
            revoke(user)
        audit.append(session, ctx, action="logout", outcome="ok")
        session.commit()
    except BaseException:
        session.rollback()
        raise
