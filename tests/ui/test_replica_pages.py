"""The managers' pages with SKYDESK_READ_DATABASE_URL on a real hot standby (tests/pg_standby.py):
they read it and say how old its data is (a caption, a warning while it lags); the chain check
reads it and is recorded on the primary; without the setting nothing of this shows. Runs once,
in the PostgreSQL pass (tests/conftest.py: standby)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import bcrypt
import pytest
import streamlit as st
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest

from config import get_settings
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.models import AuditEvent, Conversation, ConversationStatus, User
from services.core import replica
from services.core.audit_checks import VERIFY_ACTION
from tests.conftest import FROZEN_NOW
from tests.pg_standby import StandbyPair
from tests.services.dashboards.dashboard_world import build_history
from tests.ui.apptest import PASSWORDS, open_page, signed_in, texts
from tests.ui.conftest import World

pytestmark = pytest.mark.usefixtures("app_env")
READ_URL_ENV = "SKYDESK_READ_DATABASE_URL"


@pytest.fixture(scope="module")
def world(standby: StandbyPair) -> Iterator[World]:
    """The dashboards' hand-built history on the primary, its manager able to sign in."""
    database = standby.create_database()
    engine = make_engine(standby.primary_url(database))
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            build_history(session)
            hashed = bcrypt.hashpw(PASSWORDS["manager"].encode(), bcrypt.gensalt(rounds=4))
            session.execute(
                update(User).where(User.username == "manager").values(password_hash=hashed.decode())
            )
            session.commit()
        yield World(engine.url.render_as_string(hide_password=False), engine, sessions)
        st.cache_resource.clear()
    finally:
        engine.dispose()


@pytest.fixture
def read_url(app_env: World, standby: StandbyPair, monkeypatch: pytest.MonkeyPatch) -> str:
    """The app's SKYDESK_READ_DATABASE_URL on the standby (after app_env, which clears every
    SKYDESK_ variable)."""
    world = app_env
    url = standby.standby_url(world.engine.url.database or "")
    monkeypatch.setenv(READ_URL_ENV, url)
    get_settings.cache_clear()
    return url


def _caught_up(world: World, read_url: str) -> None:
    read = make_engine(read_url)
    try:
        with world.sessions() as primary, make_session_factory(read)() as standby:
            assert replica.caught_up(primary, standby, timeout_s=30)
    finally:
        read.dispose()


def page(key: str) -> AppTest:
    at = open_page(signed_in("manager"), key)
    assert not at.exception, at.exception
    return at


def conversations(at: AppTest) -> str:
    """The Metrics page's Conversations card."""
    return next(str(m.value) for m in at.metric if m.label == "Conversations")


@pytest.mark.parametrize("key", ["metrics", "audit", "review", "evaluations"])
def test_a_dashboard_on_the_replica_says_it_is_up_to_date(
    world: World, read_url: str, key: str
) -> None:
    _caught_up(world, read_url)
    at = page(key)
    assert "Read replica: up to date" in [c.value for c in at.caption], texts(at)
    assert not at.error, texts(at)


def test_metrics_read_the_replica(world: World, read_url: str) -> None:
    _caught_up(world, read_url)
    at = page("metrics")
    # The hand-built history's six conversations all started within the last 7 days.
    assert conversations(at) == "6"


def _add_conversation(world: World, cid: str) -> None:
    with world.sessions() as session:
        session.add(
            Conversation(
                id=cid, title=cid, status=ConversationStatus.OPEN, model="builtin",
                started_at=FROZEN_NOW, updated_at=FROZEN_NOW,
            )
        )  # fmt: skip
        session.commit()


def test_a_lagging_replica_is_named_on_the_page_and_shows_its_older_figures(
    world: World, read_url: str, standby: StandbyPair
) -> None:
    database = world.engine.url.database or ""
    _caught_up(world, read_url)
    before = int(conversations(page("metrics")))
    standby.sql(standby.standby_port, "SELECT pg_wal_replay_pause()", database)
    try:
        _add_conversation(world, "lagging-1")  # on the primary, not replayed on the standby
        time.sleep(1.1)
        at = page("metrics")
        warning = " ".join(w.value for w in at.warning)
        assert warning.startswith("Read replica: data as of "), texts(at)
        assert "replay paused" in warning and "(lagging)" in warning
        assert conversations(at) == str(before)
    finally:
        standby.sql(standby.standby_port, "SELECT pg_wal_replay_resume()", database)
    _caught_up(world, read_url)
    at = page("metrics")
    assert "Read replica: up to date" in [c.value for c in at.caption], texts(at)
    assert conversations(at) == str(before + 1)


@pytest.mark.usefixtures("read_url")
def test_the_chain_check_reads_the_replica_and_is_recorded_on_the_primary(world: World) -> None:
    at = page("audit")
    at = at.button(key="audit_verify").click().run()
    assert at.success[0].value.startswith("Audit chain intact: all "), texts(at)
    with world.sessions() as primary:
        check = primary.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == VERIFY_ACTION)
            .order_by(AuditEvent.seq.desc())
        ).first()
    assert check is not None and check.details["read_from"] == "read replica"


def test_without_the_setting_the_pages_read_the_primary_and_say_nothing(world: World) -> None:
    at = page("metrics")
    assert not [t for t in texts(at) if "Read replica" in t or "Read database" in t]
    with world.sessions() as session:
        total = session.scalar(select(func.count()).select_from(Conversation))
    assert conversations(at) == str(total)
