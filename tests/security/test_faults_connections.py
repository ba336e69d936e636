"""Faults: PostgreSQL restarted (or a failover, or an idle timeout) under a running app. Every
connection the app's engine and the checkpointer's pool hold is killed on the server; the next
turn and approval must still work, because the engine pre-pings (pool_pre_ping) and the pool
checks a connection before handing it out (ConnectionPool.check_connection). PostgreSQL only:
the SQLite file has no server to drop connections."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from agent.checkpoint import Checkpointer, open_checkpointer
from agent.events import ErrorEvent, ToolFinished
from agent.models.scripted import ScriptedChatModel, reply
from agent.runtime import Assistant
from db.engine import make_engine, make_session_factory
from services.core.clock import FixedClock
from tests.agent.conftest import AGENT, World

APP_NAME = "skydesk-faults-test"


@pytest.fixture
def app_url(database_url: str) -> str:
    if not database_url.startswith("postgres"):
        pytest.skip("PostgreSQL only: server-side connection kills")
    url = make_url(database_url).update_query_dict({"application_name": APP_NAME})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def app_engine(app_url: str) -> Iterator[Engine]:
    engine = make_engine(app_url)
    yield engine
    engine.dispose()


@pytest.fixture
def app_checkpointer(app_url: str) -> Iterator[Checkpointer]:
    with open_checkpointer(app_url, pool_size=2) as cp:
        yield cp


def kill_app_connections(killer: Engine) -> int:
    """What a server restart does to the app: every connection of the app is terminated (from
    a connection of the test's own engine, which is not the app's)."""
    with killer.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name AND pid <> pg_backend_pid()"
            ),
            {"name": APP_NAME},
        ).scalar_one()
    return int(killed)


def test_the_app_survives_postgresql_dropping_every_connection(
    app_engine: Engine,
    app_checkpointer: Checkpointer,
    engine: Engine,
    world: World,
    clock: FixedClock,
) -> None:
    model = ScriptedChatModel(
        replies=[reply("", ("cancel_ticket", {"ticket_no": world.ticket}))],
        responder=lambda _m: "Done.",
    )
    assistant = Assistant(
        session_factory=make_session_factory(app_engine),
        model=model,
        checkpointer=app_checkpointer,
        clock=clock,
    )
    chat = assistant.start(AGENT, world.pat)
    events = list(chat.send("Cancel my ticket"))
    card = chat.pending_approval()
    assert card is not None, events
    assert kill_app_connections(engine) >= 2  # the engine's and the pool's
    events = list(chat.approve(card.approval_id))
    assert [e for e in events if isinstance(e, ErrorEvent)] == []
    assert [e.status for e in events if isinstance(e, ToolFinished)] == ["ok"]
    assert kill_app_connections(engine) >= 2
    assert chat.history()[-1].text == "Done."
