"""Process-wide resources, built once per process and shared by every session: the database
engine and session factory (and the read replica's, for the dashboards), the rate limiters,
the clock.

Each cache is keyed by the setting it is built from, so a changed setting (as in tests, which
point SKYDESK_DATABASE_URL at a fresh database) builds a new resource instead of reusing a stale
one; the old engine is disposed when it leaves the cache."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config import Settings, get_settings
from db.engine import make_engine, make_session_factory
from db.read_engine import make_read_engine, make_read_session_factory
from services.core.clock import Clock, FixedClock, SystemClock
from services.core.ratelimit import RateLimiter, storage_uri


def settings() -> Settings:
    return get_settings()


def _dispose(resource: tuple[Engine, sessionmaker[Session]]) -> None:
    resource[0].dispose()


@st.cache_resource(max_entries=4, on_release=_dispose, show_spinner=False)
def _database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    engine = make_engine(url)
    return engine, make_session_factory(engine)


def engine() -> Engine:
    return _database(settings().database_url)[0]


def session_factory() -> sessionmaker[Session]:
    return _database(settings().database_url)[1]


@contextmanager
def db_session() -> Iterator[Session]:
    with session_factory()() as session:
        yield session


@st.cache_resource(max_entries=4, on_release=_dispose, show_spinner=False)
def _read_database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    engine = make_read_engine(url)
    return engine, make_read_session_factory(engine)


def read_replica_configured() -> bool:
    return bool(settings().read_database_url)


def read_session_factory() -> sessionmaker[Session]:
    """Sessions for the managers' dashboards: the read replica (read-only) when
    SKYDESK_READ_DATABASE_URL is set, else the primary's own factory."""
    url = settings().read_database_url
    return _read_database(url)[1] if url else session_factory()


@contextmanager
def read_session() -> Iterator[Session]:
    """A session for reading only (dashboards, review, exports, the chain check's reads); a
    write through it fails on a replica. Writes, approvals and the assistant use db_session."""
    with read_session_factory()() as session:
        yield session


@contextmanager
def replica_session() -> Iterator[Session | None]:
    """The read replica's session, or None when none is configured."""
    if not read_replica_configured():
        yield None
        return
    with read_session() as session:
        yield session


@st.cache_resource(max_entries=8, show_spinner=False)
def _limiter(name: str, rate: str, uri: str) -> RateLimiter:
    # One limiter per process: its counters must outlive sessions (a new browser tab must not
    # reset them); with Redis they are shared by every replica as well.
    return RateLimiter(name, rate, uri)


def login_limiter() -> RateLimiter:
    s = settings()
    return _limiter("login", s.login_rate_limit, storage_uri(s))


def login_client_limiter() -> RateLimiter:
    s = settings()
    return _limiter("login_client", s.login_client_rate_limit, storage_uri(s))


def chat_limiter() -> RateLimiter:
    s = settings()
    return _limiter("chat", s.chat_rate_limit, storage_uri(s))


def clock() -> Clock:
    """The demo clock: frozen at SKYDESK_DEMO_NOW when it is set, else the wall clock."""
    demo_now = settings().demo_now
    return FixedClock(demo_now) if demo_now else SystemClock()
