"""Bearer tokens: a short-lived access token and a longer refresh token, both JWTs signed with
HS256 and settings.api_token_key.

Claims: sub (username), role, sv (the account's session version), typ (access or refresh),
iat, exp, jti. Decoding pins the algorithm (so `alg: none` and RS/HS confusion are refused),
requires every claim, and then checks the account on the server: it must exist, be enabled,
still have the role and the session version the token was issued for. Disabling an account,
resetting its password or signing out bumps that version (services/identity/sessions.py), so
every token issued before is refused at once, on every replica.

Times are wall-clock seconds (like the desk's cookies): a frozen demo clock must not make a
token live forever."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

import jwt
from sqlalchemy.orm import Session

from config import Settings
from services.identity.accounts import Account, find_user

ALGORITHM = "HS256"
CLAIMS = ("sub", "role", "sv", "typ", "iat", "exp", "jti")
CLOCK_SKEW_S = 30


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


class TokenRefused(Exception):
    """Why a bearer token does not sign in; the message is what the client reads."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token lives
    token_type: str = "Bearer"


def _lifetime(settings: Settings, typ: TokenType) -> int:
    if typ is TokenType.ACCESS:
        return int(settings.api_access_token_minutes * 60)
    return int(settings.api_refresh_token_hours * 3600)


def issue(
    account: Account, session_version: int, typ: TokenType, settings: Settings, now: float
) -> str:
    issued = int(now)
    claims = {
        "sub": account.username,
        "role": account.role.value,
        "sv": session_version,
        "typ": typ.value,
        "iat": issued,
        "exp": issued + _lifetime(settings, typ),
        "jti": secrets.token_hex(8),
    }
    return jwt.encode(claims, settings.api_token_key.get_secret_value(), algorithm=ALGORITHM)


def issue_pair(
    session: Session, account: Account, settings: Settings, now: float | None = None
) -> TokenPair:
    user = find_user(session, account.username)
    version = user.session_version if user is not None else 0
    at = time.time() if now is None else now
    return TokenPair(
        issue(account, version, TokenType.ACCESS, settings, at),
        issue(account, version, TokenType.REFRESH, settings, at),
        _lifetime(settings, TokenType.ACCESS),
    )


def verify(
    session: Session, token: str, typ: TokenType, settings: Settings, now: float | None = None
) -> tuple[Account, int]:
    """The account this token signs in and its session version, or TokenRefused."""
    at = time.time() if now is None else now
    try:
        claims = jwt.decode(
            token,
            settings.api_token_key.get_secret_value(),
            algorithms=[ALGORITHM],
            options={"require": list(CLAIMS)},
            leeway=0,
        )
    except jwt.ExpiredSignatureError:
        raise TokenRefused("The token has expired; sign in again or refresh it.") from None
    except jwt.InvalidTokenError:
        raise TokenRefused("The token is not valid (bad signature, algorithm or claims).") from None
    # PyJWT checked exp against the wall clock; `now` lets a test move it.
    if not isinstance(claims["exp"], int) or at >= claims["exp"]:
        raise TokenRefused("The token has expired; sign in again or refresh it.")
    if not isinstance(claims["iat"], int) or claims["iat"] > at + CLOCK_SKEW_S:
        raise TokenRefused("The token is not valid (issued in the future).")
    if claims["typ"] != typ.value:
        raise TokenRefused(f"This is a {claims['typ']} token; a {typ.value} token is needed here.")
    user = find_user(session, str(claims["sub"]))
    if user is None or user.disabled:
        raise TokenRefused("The account of this token is disabled or no longer exists.")
    if claims["sv"] != user.session_version or claims["role"] != user.role.value:
        raise TokenRefused("The token was revoked (sign-out, password or role change).")
    return Account.of(user), user.session_version
