"""The change tracking behind `unchanged` agrees with the obvious, slow check (a content hash
of every domain table) on a copy of the template world; a run's pinned template stays."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from db.engine import make_engine
from evals.tracking import DOMAIN_MODULES, domain_hash, domain_tables, world_changes
from evals.world import (
    DEFAULT_NOW,
    DEFAULT_SEED,
    Template,
    code_fingerprint,
    copy_world,
    pinned_template,
    read_only_engine,
    template_name,
)


def test_domain_tables_are_the_airline_and_travel_tables() -> None:
    names = {t.name for t in domain_tables()}
    assert {"tickets", "ticket_legs", "payments", "hotel_bookings", "escalations"} <= names
    assert not names & {"audit_events", "conversations", "turns", "users", "feedback",
                        "executed_actions", "demo_meta", "evaluation_runs"}  # fmt: skip
    assert DOMAIN_MODULES == ("db.models.airline", "db.models.travel")


def test_tracking_reports_real_changes_only(template: Template, tmp_path: Path) -> None:
    world = make_engine(copy_world(template.path, tmp_path))
    reference = read_only_engine(template.path)
    try:
        before = domain_hash(reference)
        with world.begin() as conn:
            # not changes: a write of the same value, a change undone, other tables
            conn.execute(text("UPDATE tickets SET status = status WHERE id = 2"))
            conn.execute(text("UPDATE hotels SET stars = stars + 1 WHERE id = 1"))
            conn.execute(text("UPDATE hotels SET stars = stars - 1 WHERE id = 1"))
            conn.execute(text("UPDATE users SET name = 'Somebody Else'"))
        assert world_changes(world, reference) == []
        assert domain_hash(world) == before

        with world.begin() as conn:
            conn.execute(text("UPDATE tickets SET status = 'cancelled' WHERE id = 1"))
            conn.execute(text("DELETE FROM excursion_bookings WHERE id = 1"))
        changes = world_changes(world, reference)
        assert [c.describe() for c in changes] == [
            "excursion_bookings (1 deleted)",
            "tickets (1 updated)",
        ]
        assert changes[0].examples == ("excursion_bookings 1 deleted",)
        assert changes[1].examples == ("tickets 1: status 'active' -> 'cancelled'",)
        assert domain_hash(world) != before
    finally:
        world.dispose()
        reference.dispose()


def test_a_pinned_template_outlives_its_cached_name(tmp_path: Path) -> None:
    """A run of newer code may prune the cached template while this run still copies it."""
    cached = tmp_path / template_name(DEFAULT_SEED, DEFAULT_NOW, code_fingerprint())
    cached.write_bytes(b"a world")
    with pinned_template(cache_dir=tmp_path) as pinned:
        assert not pinned.seeded and pinned.path != cached
        cached.unlink()  # what _prune does to an older fingerprint's template
        assert pinned.path.read_bytes() == b"a world"
    assert not pinned.path.exists()
    assert [p.name for p in tmp_path.iterdir()] == []
