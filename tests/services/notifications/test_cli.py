"""`python -m services.notifications deliver` (services/notifications/cli.py): one run of the
worker on the operator's database, saying what it did."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from db.models import DeliveredMessage
from services.notifications import cli
from services.notifications.cli import notifications_command
from services.reaccommodation.batch import execute_batch
from tests.services.reaccommodation.batch_world import build, rebook_all, staff


def test_deliver_runs_the_worker_once(session, clock, database_url, capsys) -> None:
    world = build(session, clock)
    execute_batch(session, staff(clock), rebook_all(world))
    session.rollback()
    assert notifications_command(["deliver", "--limit", "4", "--database-url", database_url]) == 0
    assert capsys.readouterr().out.strip() == "delivered 4, failed 0 of 4 claimed"
    assert notifications_command(["deliver", "--database-url", database_url]) == 0
    assert capsys.readouterr().out.strip() == "delivered 2, failed 0 of 2 claimed"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(DeliveredMessage)) == 6


def test_deliver_needs_its_subcommand() -> None:
    with pytest.raises(SystemExit):
        notifications_command([])


def test_the_loop_outlives_a_busy_database(
    session, database_url, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """`make run` stops the desk and the API when the worker exits: a locked or unreachable
    database postpones the delivery instead."""
    del session  # the schema exists
    calls: list[int] = []

    def busy_then_stop(*_args: object, **_kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("database is locked"))
        raise KeyboardInterrupt  # Ctrl-C: the loop ends

    monkeypatch.setattr(cli, "deliver_pending", busy_then_stop)
    monkeypatch.setattr("services.notifications.cli.time.sleep", lambda _s: None)
    assert notifications_command(["deliver", "--loop", "5", "--database-url", database_url]) == 0
    assert len(calls) == 2 and "delivery postponed: OperationalError" in capsys.readouterr().err
