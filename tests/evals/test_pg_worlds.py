"""`database_url=`: each case on a PostgreSQL database of its own, copied from a template
database with CREATE DATABASE ... TEMPLATE. Runs when TEST_DATABASE_URL names a server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import make_engine
from evals import DEFAULT_NOW, DEFAULT_SEED, run_suite
from evals.pg_world import PREFIX, case_database, ensure_template
from tests.evals.conftest import MOVE, case, write_cases
from world.scratch import admin_engine

SERVER = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not SERVER, reason="TEST_DATABASE_URL is not set")


def test_cases_run_on_their_own_postgresql_databases(tmp_path: Path) -> None:
    assert SERVER
    cases = [
        case("pg-move", MOVE, tools_called=["change_flight"],
             snapshot={"tickets": [{"route": "ZRH-LHR", "departs_date": "D+4"}]}),
        case("pg-lookup-unchanged", unchanged=True, reply_contains=["ZRH-LHR"]),
        case("pg-move-unchanged", MOVE, unchanged=True),
    ]  # fmt: skip
    result = run_suite([write_cases(tmp_path, cases)], workers=2, database_url=SERVER)
    assert [(c.id, c.passed) for c in result.cases] == [
        ("pg-move", True),
        ("pg-lookup-unchanged", True),
        ("pg-move-unchanged", False),
    ]
    assert result.cases[2].reasons[0].startswith("unchanged: domain tables changed: payments")
    assert result.world.startswith(f"{PREFIX}_") and "@" not in result.world


def test_a_case_database_is_a_copy_dropped_afterwards() -> None:
    assert SERVER
    template = ensure_template(SERVER, seed=DEFAULT_SEED, now=DEFAULT_NOW)
    with case_database(SERVER, template) as url:
        name = make_url(url).database
        engine = make_engine(url)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM tickets")) > 0
            assert conn.scalar(text("SELECT count(*) FROM evals_touched")) == 0
        engine.dispose()
    admin = admin_engine(SERVER)
    try:
        with admin.connect() as conn:
            gone = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    finally:
        admin.dispose()
    assert gone is None
