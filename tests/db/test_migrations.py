"""Migrations that move data: 0004 copies the tool calls already recorded in turns.tool_calls
(the runtime's objects, and the v1 demo history's bare names) into turn_tool_calls."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from db.migrate import upgrade
from db.models import Flight, TicketLeg, TurnToolCall
from world.scratch import scratch_engine

SERVER = os.environ.get("TEST_DATABASE_URL")
AT = datetime(2026, 11, 26, 8, 0)


def test_0004_copies_recorded_tool_calls_into_rows() -> None:
    with scratch_engine("migrate", SERVER) as engine:
        upgrade(engine, "0003")
        calls = [
            [{"id": "c1", "name": "search_flights", "args": {}, "status": "ok"},
             {"id": "c2", "name": "change_flight", "args": {}, "status": "awaiting_approval"}],
            ["lookup_policy"],  # a v1 demo history turn: a bare name, no status
            [],
        ]  # fmt: skip
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO conversations (id, title, status, model, started_at, updated_at,"
                    " flagged) VALUES ('c', '', 'open', 'builtin', :at, :at, false)"
                ),
                {"at": AT},
            )
            for turn_calls in calls:
                conn.execute(
                    text(
                        "INSERT INTO turns (conversation_id, started_at, latency_ms, tool_calls,"
                        " tokens_in, tokens_out, model) VALUES ('c', :at, 1, :calls, 0, 0, 'b')"
                    ),
                    {"at": AT, "calls": json.dumps(turn_calls)},
                )
        upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(
                select(TurnToolCall.turn_id, TurnToolCall.name, TurnToolCall.status,
                       TurnToolCall.started_at).order_by(TurnToolCall.id)
            ).all()  # fmt: skip
        assert [tuple(r[:3]) for r in rows] == [
            (1, "search_flights", "ok"),
            (1, "change_flight", "awaiting_approval"),
            (2, "lookup_policy", None),
        ]
        assert {r.started_at.replace(tzinfo=None) for r in rows} == {AT.replace(tzinfo=None)}
        assert all(r.started_at.tzinfo in (None, UTC) for r in rows)


def test_0005_backfills_booking_and_announcement_times() -> None:
    """Legs take their ticket's issue time; a disrupted flight's announcement is put 6 hours
    before departure, never after the migration ran, and an on-time flight gets none."""
    with scratch_engine("migrate", SERVER) as engine:
        upgrade(engine, "0004")
        issued = datetime(2026, 10, 1, 12, 0)
        far = datetime(2099, 1, 1, 12, 0)  # departs long after the migration runs
        near = datetime(2026, 11, 20, 12, 0)
        flights = {  # id: (status, scheduled, estimated, actual)
            1: ("cancelled", near, None, None),
            2: ("delayed", far, far + timedelta(hours=1), None),
            3: ("arrived", near, None, near + timedelta(hours=3)),
            4: ("arrived", near, None, near + timedelta(minutes=10)),
            5: ("scheduled", far, None, None),
        }
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO airports VALUES ('ZRH', 'Z', 'Zurich', 'CH', 'UTC', 0, 0)")
            )
            conn.execute(text("INSERT INTO aircraft_types VALUES ('T8', 'T', 2, 6)"))
            conn.execute(text("INSERT INTO aircraft VALUES ('HB-TST', 'T8')"))
            conn.execute(
                text("INSERT INTO passengers VALUES (1, 'A', 'B', 'a@b.c', '1', 'regular')")
            )
            conn.execute(text("INSERT INTO bookings VALUES (1, 'REF001', :at, 1)"), {"at": issued})
            conn.execute(
                text("INSERT INTO tickets VALUES (1, '7240000000001', 1, 1, 'Classic', 'economy',"
                     " 'active', :at, NULL)"),
                {"at": issued},
            )  # fmt: skip
            for fid, (status, dep, est, act) in flights.items():
                conn.execute(
                    text("INSERT INTO flights (id, flight_no, origin, destination,"
                         " aircraft_registration, scheduled_departure, scheduled_arrival,"
                         " estimated_departure, actual_departure, status, base_price) VALUES"
                         " (:id, 'AL 1', 'ZRH', 'ZRH', 'HB-TST', :dep, :dep, :est, :act,"
                         " :status, 100)"),
                    {"id": fid, "dep": dep, "est": est, "act": act, "status": status},
                )  # fmt: skip
                conn.execute(
                    text("INSERT INTO ticket_legs VALUES (:id, 1, :id, :id, 'Classic', 'economy',"
                         " 100, 'active')"),
                    {"id": fid},
                )  # fmt: skip
        before = datetime.now(UTC)
        upgrade(engine)
        with engine.connect() as conn:
            booked = set(conn.scalars(select(TicketLeg.booked_at)))
            announced = dict(conn.execute(select(Flight.id, Flight.disrupted_at)).all())
        assert booked == {issued.replace(tzinfo=UTC)}
        six = timedelta(hours=6)
        assert announced[1] == announced[3] == (near - six).replace(tzinfo=UTC)
        assert announced[2] is not None
        assert before - timedelta(seconds=1) <= announced[2] <= datetime.now(UTC)
        assert announced[4] is None and announced[5] is None
