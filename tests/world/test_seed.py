"""The demo world generator: determinism, consistency of seats and statuses, refusal of a
non-empty database, --force, the CLI, and the operational history's audit chain."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select, text

from db.engine import make_session_factory
from db.models import AuditEvent, AuditHead, Conversation, Feedback, Turn
from services.core.audit import verify
from world import SeedError, content_hash, reset_demo, seed_world, world_anchor, world_meta
from world.__main__ import main as cli
from world.airports import AIRPORTS
from world.bulk import Loader
from world.scratch import scratch_engine

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # 09:00 in Zurich
SERVER = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def demo() -> Iterator[Engine]:
    with scratch_engine("seed", SERVER) as engine:
        seed_world(engine, now=NOW, history=200)
        yield engine


def scalar(engine: Engine, sql: str, **params: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one() or 0)


def test_same_seed_and_clock_give_the_same_world_and_another_seed_does_not() -> None:
    hashes = []
    for seed in (7, 7, 8):
        with scratch_engine("det", SERVER) as engine:
            seed_world(engine, seed=seed, now=NOW, scale=0.3)
            hashes.append(content_hash(engine))
    assert hashes[0] == hashes[1]
    assert hashes[0] != hashes[2]


@pytest.mark.usefixtures("demo")
def test_summary_counts_match_the_database() -> None:
    with scratch_engine("counts", SERVER) as engine:
        summary = seed_world(engine, now=NOW, scale=0.2)
        for table in ("flights", "tickets", "ticket_legs", "seat_assignments", "passengers"):
            assert summary.counts[table] == scalar(engine, f"SELECT count(*) FROM {table}")
        assert summary.elapsed_s > 0


def test_demo_volumes(demo: Engine) -> None:
    assert 8_000 <= scalar(demo, "SELECT count(*) FROM flights") <= 12_000
    assert 20_000 <= scalar(demo, "SELECT count(*) FROM tickets") <= 60_100
    assert len(AIRPORTS) == scalar(demo, "SELECT count(*) FROM airports") >= 33


def test_no_cabin_is_overbooked_and_seats_belong_to_the_aircraft(demo: Engine) -> None:
    over = """
        SELECT count(*) FROM (
          SELECT sa.flight_id, s.cabin, count(*) AS taken FROM seat_assignments sa
          JOIN seats s ON s.id = sa.seat_id GROUP BY sa.flight_id, s.cabin) t
        JOIN flights f ON f.id = t.flight_id JOIN aircraft a ON a.registration = f.aircraft_registration
        JOIN aircraft_types at ON at.code = a.type_code
        WHERE t.taken > CASE t.cabin WHEN 'business' THEN at.business_seats ELSE at.economy_seats END
    """
    assert scalar(demo, over) == 0
    wrong_type = """
        SELECT count(*) FROM seat_assignments sa JOIN seats s ON s.id = sa.seat_id
        JOIN flights f ON f.id = sa.flight_id JOIN aircraft a ON a.registration = f.aircraft_registration
        WHERE s.aircraft_type_code <> a.type_code
    """
    assert scalar(demo, wrong_type) == 0


def test_every_active_leg_has_exactly_one_seat_in_its_cabin(demo: Engine) -> None:
    active_without = """
        SELECT count(*) FROM ticket_legs l WHERE l.status = 'active' AND (
          SELECT count(*) FROM seat_assignments sa JOIN seats s ON s.id = sa.seat_id
          WHERE sa.ticket_leg_id = l.id AND sa.flight_id = l.flight_id AND s.cabin = l.cabin) <> 1
    """
    assert scalar(demo, active_without) == 0
    inactive_with = """
        SELECT count(*) FROM seat_assignments sa JOIN ticket_legs l ON l.id = sa.ticket_leg_id
        WHERE l.status <> 'active'
    """
    assert scalar(demo, inactive_with) == 0
    assert scalar(demo, "SELECT count(*) FROM ticket_legs WHERE status <> 'active'") > 0
    mismatched = """
        SELECT count(*) FROM ticket_legs l JOIN tickets t ON t.id = l.ticket_id
        WHERE l.cabin <> t.cabin OR l.fare <> t.fare OR l.status <> t.status
    """
    assert scalar(demo, mismatched) == 0


def test_flight_status_matches_the_clock(demo: Engine) -> None:
    now = NOW.replace(tzinfo=None)
    checks = {
        "arrived, but not yet or without times": "status = 'arrived' AND (actual_arrival IS NULL "
        "OR actual_arrival > :now OR actual_departure IS NULL)",
        "departed in the future": "status = 'departed' AND (actual_departure > :now "
        "OR actual_arrival IS NOT NULL)",
        "scheduled with actual times": "status IN ('scheduled', 'delayed') AND "
        "actual_departure IS NOT NULL",
        "long past but still scheduled": "status IN ('scheduled', 'delayed') AND "
        "scheduled_arrival < :earlier",
    }
    for problem, where in checks.items():
        found = scalar(
            demo,
            f"SELECT count(*) FROM flights WHERE {where}",
            now=now,
            earlier=now - timedelta(hours=8),
        )
        assert found == 0, problem
    assert scalar(demo, "SELECT count(*) FROM flights WHERE status = 'delayed'") > 0
    assert scalar(demo, "SELECT count(*) FROM flights WHERE status = 'cancelled'") > 0


def test_identifiers_and_timetable(demo: Engine) -> None:
    with demo.connect() as conn:
        numbers = conn.execute(text("SELECT ticket_no FROM tickets")).scalars().all()
        refs = conn.execute(text("SELECT reference FROM bookings")).scalars().all()
        flight_nos = conn.execute(text("SELECT DISTINCT flight_no FROM flights")).scalars().all()
    assert all(re.fullmatch(r"724\d{10}", n) for n in numbers) and len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"[A-Z0-9]{6}", r) for r in refs) and len(set(refs)) == len(refs)
    assert all(re.fullmatch(r"AL \d{1,4}", n) for n in flight_nos)
    busiest = """
        SELECT min(n) FROM (SELECT count(*) AS n FROM flights WHERE origin = :o AND destination = :d
        GROUP BY flight_no) t
    """
    for origin, dest in (("ZRH", "LHR"), ("GVA", "LHR"), ("GVA", "CDG"), ("ZRH", "BCN")):
        flight_numbers = scalar(
            demo, "SELECT count(DISTINCT flight_no) FROM flights WHERE origin = :o AND destination = :d",
            o=origin, d=dest,
        )  # fmt: skip
        assert flight_numbers >= 4, f"{origin}-{dest} has 4+ departures a day"
        assert scalar(demo, busiest, o=origin, d=dest) >= 1


def test_hotels_cars_and_excursions_in_every_city(demo: Engine) -> None:
    for city in {a.city for a in AIRPORTS}:
        assert 3 <= scalar(demo, "SELECT count(*) FROM hotels WHERE city = :c", c=city) <= 6
        assert scalar(demo, "SELECT count(*) FROM car_rental_offers WHERE city = :c", c=city) >= 4
        assert 3 <= scalar(demo, "SELECT count(*) FROM excursions WHERE city = :c", c=city) <= 5


def test_every_ticket_was_paid(demo: Engine) -> None:
    unpaid = """SELECT count(*) FROM tickets t WHERE NOT EXISTS (
        SELECT 1 FROM payments p WHERE p.ticket_id = t.id AND p.kind = 'charge')"""
    assert scalar(demo, unpaid) == 0


def test_history_counts_and_audit_chain(demo: Engine) -> None:
    with make_session_factory(demo)() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 200
        assert session.scalar(select(func.count()).select_from(Turn)) == 1000
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1000
        ratings = session.scalar(select(func.count()).select_from(Feedback)) or 0
        assert 40 <= ratings <= 120  # ~40% of conversations
        result = verify(session)
        assert result.ok, str(result)
        head = session.get(AuditHead, 1)
        assert head is not None and head.last_seq == 1000
        actions = set(session.scalars(select(AuditEvent.action).distinct()))
        assert {"login", "approve", "search_flights"} <= actions
        outcomes = set(session.scalars(select(AuditEvent.outcome).distinct()))
        assert outcomes <= {"executed", "approved", "denied", "refused", "error", "ok"}
        latest = session.scalar(select(func.max(AuditEvent.ts)))
        assert latest is not None and NOW - timedelta(days=60) < latest < NOW


def test_history_totals_can_be_chosen() -> None:
    with scratch_engine("hist", SERVER) as engine:
        seed_world(engine, now=NOW, scale=0.1, history=50, history_turns=400, history_audit=900)
        with make_session_factory(engine)() as session:
            assert session.scalar(select(func.count()).select_from(Turn)) == 400
            assert session.scalar(select(func.count()).select_from(AuditEvent)) == 900
            assert verify(session).ok


def test_a_failed_run_leaves_the_database_as_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    with scratch_engine("fail", SERVER) as engine:
        seed_world(engine, now=NOW, scale=0.05)
        before = content_hash(engine)
        original = Loader.write

        def broken(self: Loader, table: str, rows: Sequence[tuple[object, ...]]) -> None:
            if table == "ticket_legs":
                raise RuntimeError("disk full")
            original(self, table, rows)

        monkeypatch.setattr(Loader, "write", broken)
        with pytest.raises(RuntimeError, match="disk full"):
            seed_world(engine, now=NOW + timedelta(days=1), scale=0.05, force=True)
        assert content_hash(engine) == before


def test_non_empty_database_is_refused_then_force_wipes_and_reseeds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with scratch_engine("force", SERVER) as engine:
        seed_world(engine, now=NOW, scale=0.1)
        before = content_hash(engine)
        with pytest.raises(SeedError, match=r"is not empty: flights has [\d,]+ rows.*use --force"):
            seed_world(engine, now=NOW, scale=0.1)
        url = engine.url.render_as_string(hide_password=False)
        assert cli(["--database-url", url, "--now", "2026-11-26T08:00:00Z", "--quiet"]) == 2
        assert "use --force to wipe it" in capsys.readouterr().err
        assert content_hash(engine) == before  # the refusal changed nothing
        later = NOW + timedelta(days=2)
        args = [
            "--database-url",
            url,
            "--now",
            later.isoformat(),
            "--scale",
            "0.1",
            "--force",
            "--quiet",
        ]
        assert cli(args) == 0
        assert "seeded demo world" in capsys.readouterr().out
        with make_session_factory(engine)() as session:
            assert world_anchor(session) == later
            assert world_meta(session)["size"] == "demo"
        summary = reset_demo(engine, now=NOW)
        assert summary.counts["flights"] > 0
        with make_session_factory(engine)() as session:
            assert world_anchor(session) == NOW
