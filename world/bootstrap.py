"""Bring a database to a usable demo state: `python -m world.bootstrap` (what `make run` calls).

Migrates to the newest schema, seeds the demo world with its recent history (30 days of
conversations, world.generator.DEMO_HISTORY) when the database is empty, regenerates a demo
world an older generator made, and re-anchors one older than a day to the present so the
personas' situations still hold and the history ends today."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from config import get_settings
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.models import DemoMeta, Flight

STALE_AFTER = timedelta(days=1)


def ensure_demo_world(engine: Engine, *, now: datetime | None = None) -> str:
    """Returns what it did: "seeded", "regenerated", "re-anchored" or "ready"."""
    from world import reset_demo, world_anchor
    from world.generator import GENERATOR_VERSION, seed_demo

    upgrade(engine)
    now = now or datetime.now(UTC)
    with make_session_factory(engine)() as session:
        has_flights = bool(session.scalar(select(func.count()).select_from(Flight)))
        anchor = world_anchor(session) if has_flights else None
        size = session.get(DemoMeta, "size")
        version = session.get(DemoMeta, "version")
    if not has_flights:
        seed_demo(engine, now=now)
        return "seeded"
    is_demo = size is None or size.value == "demo"
    if is_demo and (version is None or version.value != GENERATOR_VERSION):
        # An older generator's demo data may not have the shape today's pages read (v1 wrote
        # tool calls as bare names): the demo world is regenerated, never patched.
        reset_demo(engine, now=now)
        return "regenerated"
    if is_demo and anchor is not None and abs(now - anchor) > STALE_AFTER:
        reset_demo(engine, now=now)
        return "re-anchored"
    return "ready"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=get_settings().database_url)
    args = parser.parse_args()
    settings = get_settings()
    engine = make_engine(args.database_url)
    outcome = ensure_demo_world(engine, now=settings.demo_now)
    print(f"demo world {outcome}: {engine.url.render_as_string(hide_password=True)}")
    engine.dispose()


if __name__ == "__main__":
    main()
