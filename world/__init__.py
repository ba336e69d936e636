"""The deterministic demo world generator (world/README.md).

    python -m world --size demo|large [--seed N] [--now ISO] [--database-url URL]
                      [--history N] [--force]

Public API:
- seed_world(engine, *, size="demo", seed=42, now=None, history=0, progress=False, force=False,
  scale=1.0, history_turns=None, history_audit=None) -> SeedSummary
- seed_demo(engine, *, now=None, seed=42, force=False) -> SeedSummary: the demo world with its
  30 days of history (what `make run` seeds)
- reset_demo(engine, *, now=None, seed=42) -> SeedSummary: wipe and reseed the demo world (and
  its history, re-anchored at `now`)
- world_anchor(session) -> datetime | None: the demo clock the world was seeded at
- content_hash(engine) -> str: fingerprint of all rows (bcrypt hashes excluded)
- world.personas: PERSONAS, DEMO_USERS, persona_passenger_id(session, key)

Everything is anchored to `now` (default: the current UTC hour); D is its date in Zurich.
"""

from world.generator import (
    SeedError,
    SeedSummary,
    default_now,
    reset_demo,
    seed_demo,
    seed_world,
    world_anchor,
    world_meta,
)
from world.hashing import content_hash
from world.personas import DEMO_USERS, PERSONAS, DemoUser, PersonaSpec, persona_passenger_id

__all__ = [
    "DEMO_USERS",
    "PERSONAS",
    "DemoUser",
    "PersonaSpec",
    "SeedError",
    "SeedSummary",
    "content_hash",
    "default_now",
    "persona_passenger_id",
    "reset_demo",
    "seed_demo",
    "seed_world",
    "world_anchor",
    "world_meta",
]
