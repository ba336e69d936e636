"""`make run`'s bootstrap: an empty database is seeded, a demo world is kept while it is current,
and one made by an older generator or anchored over a day ago is made anew."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from db.engine import make_session_factory
from db.models import DemoMeta
from world import seed_world, world_anchor
from world.bootstrap import ensure_demo_world
from world.generator import GENERATOR_VERSION, world_meta
from world.scratch import scratch_engine

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SERVER = os.environ.get("TEST_DATABASE_URL")


def meta(engine) -> dict[str, str]:
    with make_session_factory(engine)() as session:
        return world_meta(session)


def test_a_current_world_is_kept_and_an_older_generators_world_is_regenerated() -> None:
    with scratch_engine("bootstrap", SERVER) as engine:
        seed_world(engine, now=NOW, scale=0.05)
        assert ensure_demo_world(engine, now=NOW + timedelta(hours=3)) == "ready"
        with engine.begin() as conn:
            conn.execute(update(DemoMeta).where(DemoMeta.key == "version").values(value="1"))
        later = NOW + timedelta(hours=4)
        assert ensure_demo_world(engine, now=later) == "regenerated"
        assert meta(engine)["version"] == GENERATOR_VERSION
        with make_session_factory(engine)() as session:
            assert world_anchor(session) == later
        assert ensure_demo_world(engine, now=later + timedelta(days=2)) == "re-anchored"
