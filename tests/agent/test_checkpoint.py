"""The checkpointer's first set-up on PostgreSQL (agent/checkpoint.py): its migrations build
indexes CONCURRENTLY, which wait for every open transaction; a transaction left open must give
a named error in bounded time, never a page that hangs."""

from __future__ import annotations

import os

import psycopg
import pytest

from agent import checkpoint
from agent.checkpoint import CheckpointSetupBlocked, libpq_url, open_checkpointer
from world.scratch import scratch_engine

PG = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG, reason="PostgreSQL only (TEST_DATABASE_URL)")


def test_an_open_transaction_gives_a_named_error_and_closing_it_lets_the_set_up_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(checkpoint, "SETUP_LOCK_TIMEOUT_S", 1)
    with scratch_engine("ckpt", PG) as engine:
        url = engine.url.render_as_string(hide_password=False)
        with psycopg.connect(libpq_url(url)) as reader:
            # A transaction left open with its snapshot, as a forgotten session can.
            reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            reader.execute("SELECT count(*) FROM pg_class").fetchall()
            with pytest.raises(CheckpointSetupBlocked, match="open transactions"):
                open_checkpointer(url)
            reader.rollback()
            with open_checkpointer(url) as saver:
                assert list(saver.saver.list(None, limit=1)) == []
