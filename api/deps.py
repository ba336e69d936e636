"""What every request needs: the app's shared parts (ApiState on app.state) and the caller's
identity, taken only from the bearer token."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from agent.runtime import Assistant
from api.hub import Hub
from api.problems import Problem, unauthorized
from api.tokens import TokenRefused, TokenType, verify
from config import Settings
from db.models import Role
from services.core.clock import Clock
from services.core.context import Actor, ServiceContext
from services.core.ratelimit import RateLimiter, login_client_limiter, login_limiter
from services.identity.accounts import Account
from services.support.live import LiveFeed

STAFF_ROLES = frozenset({Role.AGENT, Role.ADMIN})


@dataclass
class ApiState:
    settings: Settings
    assistant: Assistant
    login_limiter: RateLimiter
    login_client_limiter: RateLimiter
    hub: Hub = field(default_factory=Hub)
    _live_feed: LiveFeed | None = None
    _live_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, settings: Settings, assistant: Assistant) -> ApiState:
        return cls(settings, assistant, login_limiter(settings), login_client_limiter(settings))

    @property
    def session_factory(self) -> sessionmaker[Session]:
        return self.assistant.session_factory

    @property
    def clock(self) -> Clock:
        return self.assistant.clock

    @property
    def live_feed(self) -> LiveFeed:
        """The handoff messages' feed, made on first use (on PostgreSQL it opens the process's
        one LISTEN connection, which an app that never streams them should not hold)."""
        with self._live_lock:
            if self._live_feed is None:
                self._live_feed = LiveFeed(self.session_factory)
            return self._live_feed

    def close(self) -> None:
        with self._live_lock:
            if self._live_feed is not None:
                self._live_feed.close()
                self._live_feed = None


def get_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


State = Annotated[ApiState, Depends(get_state)]


def get_session(state: State) -> Iterator[Session]:
    with state.session_factory() as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


def bearer(header: str | None) -> str:
    scheme, _, token = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("Send the access token as 'Authorization: Bearer <token>'.")
    return token.strip()


def account_of(state: ApiState, token: str) -> Account:
    with state.session_factory() as session:
        try:
            account, _ = verify(session, token, TokenType.ACCESS, state.settings)
        except TokenRefused as err:
            raise unauthorized(str(err)) from None
    return account


def current_account(request: Request, state: State) -> Account:
    return account_of(state, bearer(request.headers.get("authorization")))


Caller = Annotated[Account, Depends(current_account)]


def passenger_for(account: Account, requested: int | None) -> int:
    """The passenger a call is about. A customer: the one their account is bound to on the
    server (naming another is refused); staff: the one they name."""
    if account.role == Role.CUSTOMER:
        if account.passenger_id is None:
            raise Problem(403, "This customer account is not bound to a passenger record.")
        if requested is not None and requested != account.passenger_id:
            raise Problem(
                403,
                "A customer account acts only for its own passenger record; leave passenger_id "
                "out.",
                slug="forbidden",
            )
        return account.passenger_id
    if account.role not in STAFF_ROLES:
        raise Problem(
            403, f"A {account.role.value} account cannot serve passengers.", slug="forbidden"
        )
    if requested is None:
        raise Problem(422, "Name the passenger: passenger_id is required for staff accounts.")
    return requested


def context(
    state: ApiState, actor: Actor, passenger_id: int | None, conversation_id: str | None = None
) -> ServiceContext:
    return ServiceContext(
        actor=actor, passenger_id=passenger_id, clock=state.clock, conversation_id=conversation_id
    )
