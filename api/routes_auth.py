"""Sign-in for the API: username and password (the desk's own sign-in: bcrypt, disabled
accounts, rate limits per user and per client address, audit) -> bearer tokens; refresh."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from api.deps import ApiState, DbSession, State
from api.problems import Problem, too_many, unauthorized
from api.tokens import TokenRefused, TokenType, issue_pair, verify
from db.models import Role
from services.core.ratelimit import client_address
from services.identity.accounts import ACCOUNT_ROLES, Account
from services.identity.users import sign_in

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)


class Refresh(BaseModel):
    refresh_token: str = Field(max_length=4000)


class Tokens(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str
    expires_in: int
    role: Role
    username: str
    passenger_id: int | None


@router.post("/token", response_model=Tokens, summary="Sign in: tokens for an account")
def token(body: Credentials, request: Request, state: State, session: DbSession) -> Tokens:
    peer = request.client.host if request.client else None
    client = client_address(
        request.headers.get("x-forwarded-for"), peer, state.settings.trusted_proxy_hops
    )
    result = sign_in(
        session,
        username=body.username,
        password=body.password,
        clock=state.clock,
        limiter=state.login_limiter,
        client=client,
        client_limiter=state.login_client_limiter,
    )
    if result.retry_after_s:
        raise too_many(result.message, result.retry_after_s)
    if result.account is None:
        raise unauthorized(result.message)
    account = result.account
    if account.role not in ACCOUNT_ROLES:  # pragma: no cover - sign_in returns accounts only
        raise Problem(403, "This account cannot use the API.")
    return _tokens(session, account, state)


@router.post("/refresh", response_model=Tokens, summary="New tokens for a refresh token")
def refresh(body: Refresh, state: State, session: DbSession) -> Tokens:
    try:
        account, _ = verify(session, body.refresh_token, TokenType.REFRESH, state.settings)
    except TokenRefused as err:
        raise unauthorized(str(err)) from None
    return _tokens(session, account, state)


def _tokens(session: Session, account: Account, state: ApiState) -> Tokens:
    """A new access and refresh token for the account, as the response carries them."""
    pair = issue_pair(session, account, state.settings)
    return Tokens(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        token_type=pair.token_type,
        expires_in=pair.expires_in,
        role=account.role,
        username=account.username,
        passenger_id=account.passenger_id,
    )
