"""The seeding benchmark's floor (bench/seed_floor.py) loads exactly the generated world: the
same rows in every table, keys and sequences restored, the audit chain intact, so seeding and
its floor end in the same database. PostgreSQL only (COPY)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bench import seed_floor
from db.engine import make_session_factory
from db.migrate import upgrade
from services.core import audit
from tests.conftest import FROZEN_NOW
from world import seed_world
from world.bulk import COLUMNS
from world.scratch import scratch_engine

PG_URL = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="COPY needs PostgreSQL (TEST_DATABASE_URL)")


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in COLUMNS}


def test_floor_loads_the_same_world(tmp_path: Path) -> None:
    with (
        scratch_engine("floor_src", PG_URL) as source,
        scratch_engine("floor_dst", PG_URL) as target,
    ):
        seed_world(source, now=FROZEN_NOW, scale=0.1, history=20)
        files = seed_floor.export_rows(source, tmp_path)
        upgrade(target)
        assert seed_floor.load_rows(target, files) > 0
        assert _counts(target) == _counts(source)
        with make_session_factory(target)() as session:
            assert audit.verify(session).ok
            # The sequences moved past the loaded ids: a new row gets a fresh one.
            session.execute(text("SELECT nextval(pg_get_serial_sequence('passengers', 'id'))"))
        with target.connect() as conn:
            keys = conn.execute(
                text("SELECT count(*) FROM pg_constraint WHERE conrelid = 'tickets'::regclass")
            ).scalar_one()
        assert keys >= 3  # primary key and foreign keys rebuilt
