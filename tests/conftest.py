"""Test fixtures: a real, migrated database (SQLite by default, PostgreSQL when
TEST_DATABASE_URL is set), emptied before each test, a frozen clock and contexts."""

from __future__ import annotations

import os
import secrets
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from config import get_settings
from db.audit_guard import audit_guard_lifted
from db.engine import make_engine, make_session_factory, normalize_url
from db.migrate import upgrade
from db.models import Base, Role
from services.core.audit import GENESIS_HASH, HEAD_ID
from services.core.audit_anchor import anchor_dir, retire_anchors
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from tests.pg_standby import StandbyPair, standby_pair, unavailable

# Thursday 2026-11-26, 09:00 in Zurich.
FROZEN_NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
PG_ENV = "TEST_DATABASE_URL"
# The read-replica tests start their own primary and standby (tests/pg_standby.py), so they need
# no TEST_DATABASE_URL; they run once, in the PostgreSQL pass, or wherever this is set.
STANDBY_ENV = "TEST_STANDBY"
# A PostgreSQL deployment must set a checkpoint key (replicas share it; agent/checkpoint_crypto.py),
# so the suite on PostgreSQL runs as one would. On SQLite the laptop default (a generated key
# file next to the database) is what runs.
CHECKPOINT_KEY_ENV = "SKYDESK_CHECKPOINT_KEY"
# Read back from the environment: xdist workers inherit the controlling process's keys, and a
# key drawn afresh per process would not open checkpoints another fixture wrote.
TEST_CHECKPOINT_KEY = os.environ.get(CHECKPOINT_KEY_ENV) or secrets.token_hex(32)
ANCHOR_KEY_ENV, ANCHOR_DIR_ENV = "SKYDESK_AUDIT_ANCHOR_KEY", "SKYDESK_AUDIT_ANCHOR_DIR"
TEST_ANCHOR_KEY = os.environ.get(ANCHOR_KEY_ENV) or secrets.token_hex(32)
TEST_ANCHOR_PREFIX = "skydesk-test-anchors-"
if os.environ.get(PG_ENV):
    os.environ.setdefault(CHECKPOINT_KEY_ENV, TEST_CHECKPOINT_KEY)
    # Likewise the audit anchors' key and directory (services/core/audit_anchor.py); on SQLite they
    # default to a generated key and a folder next to the test database.
    os.environ.setdefault(ANCHOR_KEY_ENV, TEST_ANCHOR_KEY)
    os.environ.setdefault(ANCHOR_DIR_ENV, tempfile.mkdtemp(prefix=TEST_ANCHOR_PREFIX))


def create_scratch_database(base_url: str, prefix: str = "skydesk_test") -> str:
    """A new, empty PostgreSQL database next to `base_url`; returns its URL."""
    url = make_url(normalize_url(base_url))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(db_url: str) -> None:
    url = make_url(db_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(autouse=True)
def settings_follow_the_environment() -> Iterator[None]:
    """Drop the cached settings after each test, once monkeypatch has restored the environment:
    a test that set another checkpoint key would otherwise leave settings built from it to the
    next module (which then seeds checkpoints its app cannot decrypt)."""
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if base:
        url = create_scratch_database(base)
        if Path(os.environ[ANCHOR_DIR_ENV]).name.startswith(TEST_ANCHOR_PREFIX):
            # Anchors belong to one database: each xdist worker (its own scratch database) gets
            # its own folder instead of the one inherited from the controlling process.
            os.environ[ANCHOR_DIR_ENV] = tempfile.mkdtemp(prefix=TEST_ANCHOR_PREFIX)
            get_settings.cache_clear()
        yield url
        drop_database(url)
    else:
        path: Path = tmp_path_factory.mktemp("db") / "skydesk.db"
        yield f"sqlite:///{path}"


@pytest.fixture(scope="session")
def standby() -> Iterator[StandbyPair]:
    """A throwaway PostgreSQL primary and hot standby, started once per test process (about
    5 s) and stopped at the end of the session, whatever failed."""
    if not (os.environ.get(PG_ENV) or os.environ.get(STANDBY_ENV)):
        pytest.skip(
            f"the read-replica tests run in the PostgreSQL pass ({PG_ENV}) or with {STANDBY_ENV}=1"
        )
    reason = unavailable()
    if reason:
        pytest.skip(f"no PostgreSQL standby here: {reason}")
    with standby_pair() as pair:
        yield pair


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    upgrade(eng)
    yield eng
    eng.dispose()


def wipe(engine: Engine) -> None:
    """Empty every table and restore the audit chain's genesis row (the suite is one of the
    documented maintenance paths past the append-only triggers: db/audit_guard.py)."""
    with engine.begin() as conn, audit_guard_lifted(conn):
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        conn.execute(
            text("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (:id, 0, :h)"),
            {"id": HEAD_ID, "h": GENESIS_HASH},
        )
    # The trail was discarded on purpose, so its anchors go with it.
    retire_anchors(anchor_dir(get_settings(), engine.url))


@contextmanager
def as_dba(session: Session) -> Iterator[None]:
    """Tamper with the audit trail as a database administrator could: past the append-only
    triggers (the owner disables them), changes flushed before they come back."""
    with audit_guard_lifted(session.connection()):
        yield
        session.flush()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    wipe(engine)
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FROZEN_NOW)


@pytest.fixture
def agent_actor() -> Actor:
    return Actor(username="agent", role=Role.AGENT, user_id=None)


def context_for(
    passenger_id: int | None, clock: FixedClock, actor: Actor | None = None
) -> ServiceContext:
    return ServiceContext(
        actor=actor or Actor("agent", Role.AGENT), passenger_id=passenger_id, clock=clock
    )
