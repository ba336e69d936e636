"""Disrupting a flight (services/disruptions/records.py) and its command line: an administrator's
audited write that locks the flight and leaves its status and times as the rest of the code
reads them (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from config import get_settings
from db.models import AuditEvent, Disruption, Flight, FlightStatus, Role
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule
from services.disruptions import disrupt_flight, find_flight, flight_facts
from services.disruptions.cli import disruption_command
from services.flights.flights import flight_view
from tests import factories as f
from tests.security.consistency import race

H = timedelta(hours=1)
ADMIN = Actor("ops-admin", Role.ADMIN)


@pytest.fixture
def flight(session, clock) -> Flight:
    f.reference_data(session)
    row = f.flight(session, "ZRH", "LHR", clock.now() + 6 * H, flight_no="AL 123")
    session.commit()
    return row


def admin(clock) -> ServiceContext:
    return ServiceContext(ADMIN, clock=clock)


def audit(session, action: str = "disrupt_flight") -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_cancellation_clears_the_flights_times_and_is_audited(session, clock, flight) -> None:
    result = disrupt_flight(
        session, admin(clock), flight_id=flight.id, kind="cancelled", cause="technical"
    )
    session.expire_all()
    row = session.get_one(Flight, flight.id)
    assert row.status == FlightStatus.CANCELLED and row.estimated_departure is None
    assert row.disrupted_at == clock.now()
    record = session.scalar(select(Disruption).where(Disruption.flight_id == flight.id))
    assert record is not None and record.kind == "cancelled" and record.cause == "technical"
    assert not record.extraordinary and record.recorded_by == "ops-admin"
    assert record.announced_at == clock.now() and record.delay_minutes is None
    assert "cancelled" in result.summary and "within the airline's control" in result.summary
    (event,) = audit(session)
    assert event.outcome == "executed" and event.actor == "ops-admin"
    assert event.details["before"]["status"] == "scheduled"
    assert event.details["after"]["status"] == "cancelled"


def test_a_delay_sets_the_estimates_the_status_page_reads(session, clock, flight) -> None:
    disrupt_flight(
        session, admin(clock), flight_id=flight.id, kind="delayed", cause="weather",
        delay_minutes=240,
    )  # fmt: skip
    session.expire_all()
    row = session.get_one(Flight, flight.id)
    assert row.status == FlightStatus.DELAYED
    assert row.estimated_departure == row.scheduled_departure + 4 * H
    assert row.estimated_arrival == row.scheduled_arrival + 4 * H
    assert flight_view(row).delay_minutes == 240
    record = session.scalar(select(Disruption).where(Disruption.flight_id == flight.id))
    assert record is not None and record.extraordinary and record.delay_minutes == 240
    assert record.new_departure == row.estimated_departure
    facts = flight_facts(session, row)
    assert facts.extraordinary and facts.departure_delay == 4 * H


def test_a_growing_delay_then_a_cancellation_update_one_record(session, clock, flight) -> None:
    ctx = admin(clock)
    disrupt_flight(
        session, ctx, flight_id=flight.id, kind="delayed", cause="crew", delay_minutes=60
    )
    first = session.get_one(Flight, flight.id).disrupted_at
    later = ServiceContext(ADMIN, clock=FixedClock(clock.now() + H))
    disrupt_flight(
        session, later, flight_id=flight.id, kind="delayed", cause="crew", delay_minutes=180
    )
    disrupt_flight(session, later, flight_id=flight.id, kind="cancelled", cause="crew")
    session.expire_all()
    records = list(session.scalars(select(Disruption)))
    assert len(records) == 1 and records[0].kind == "cancelled"
    assert records[0].announced_at == clock.now() + H  # the cancellation's own notice
    assert session.get_one(Flight, flight.id).disrupted_at == first  # the first announcement
    assert len(audit(session)) == 3


def test_the_cause_table_can_be_overridden(session, clock, flight) -> None:
    """A technical fault is not extraordinary (C-549/07), unless, say, a hidden manufacturing
    defect: the administrator overrides it, and the record says it was overridden."""
    disrupt_flight(
        session, admin(clock), flight_id=flight.id, kind="cancelled", cause="technical",
        extraordinary=True,
    )  # fmt: skip
    record = session.scalar(select(Disruption))
    assert record is not None and record.extraordinary and record.extraordinary_overridden


def test_only_an_administrator_may_disrupt_a_flight(session, clock, flight) -> None:
    for role in (Role.AGENT, Role.MANAGER, Role.CUSTOMER):
        ctx = ServiceContext(Actor("someone", role), clock=clock)
        with pytest.raises(PolicyViolation) as err:
            disrupt_flight(session, ctx, flight_id=flight.id, kind="cancelled", cause="weather")
        assert err.value.code == Rule.PERMISSION.value
    assert session.get_one(Flight, flight.id).status == FlightStatus.SCHEDULED
    assert [e.outcome for e in audit(session)] == ["refused"] * 3


def test_a_departed_or_cancelled_flight_cannot_be_disrupted(session, clock, flight) -> None:
    ctx = admin(clock)
    disrupt_flight(session, ctx, flight_id=flight.id, kind="cancelled", cause="weather")
    with pytest.raises(PolicyViolation) as again:
        disrupt_flight(
            session, ctx, flight_id=flight.id, kind="delayed", cause="weather", delay_minutes=30
        )
    assert again.value.code == Rule.DISRUPTION_NOT_ALLOWED.value
    gone = f.flight(session, "ZRH", "LHR", clock.now() - 3 * H, status=FlightStatus.DEPARTED)
    session.commit()
    with pytest.raises(PolicyViolation, match="already departed"):
        disrupt_flight(session, ctx, flight_id=gone.id, kind="cancelled", cause="weather")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "delayed", "cause": "weather", "delay_minutes": 5}, "15 to 4320"),
        ({"kind": "delayed", "cause": "weather"}, "15 to 4320"),
        ({"kind": "diverted", "cause": "weather"}, "neither"),
        ({"kind": "cancelled", "cause": "aliens"}, "not a disruption cause"),
    ],
)
def test_bad_input_is_refused_with_a_reason(session, clock, flight, kwargs, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        disrupt_flight(session, admin(clock), flight_id=flight.id, **kwargs)
    assert session.scalar(select(Disruption)) is None


def test_find_flight_by_number_and_local_date(session, flight) -> None:
    day = flight.scheduled_departure.astimezone(ZoneInfo("Europe/Zurich")).date()
    assert find_flight(session, "al123", day).id == flight.id
    with pytest.raises(NotFound):
        find_flight(session, "AL 123", day + timedelta(days=1))


def test_the_command_line_cancels_and_delays(
    session, clock, flight, database_url, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("SKYDESK_DEMO_NOW", clock.now().isoformat())
    get_settings.cache_clear()
    day = flight.scheduled_departure.astimezone(ZoneInfo("Europe/Zurich")).date().isoformat()
    base = ["--flight", "AL", "123", "--date", day, "--database-url", database_url]
    assert disruption_command([*base, "--delay", "240", "--cause", "air_traffic_control"]) == 0
    assert "delayed by 240 minutes" in capsys.readouterr().out
    assert disruption_command([*base, "--cancel", "--cause", "strike_airline_staff"]) == 0
    assert "cancelled" in capsys.readouterr().out
    assert disruption_command([*base, "--cancel", "--cause", "weather"]) == 2
    assert "already cancelled" in capsys.readouterr().err
    session.expire_all()
    record = session.scalar(select(Disruption))
    assert record is not None and record.cause == "strike_airline_staff"
    assert not record.extraordinary and record.recorded_by.startswith("cli:")
    assert record.announced_at == clock.now()
    with pytest.raises(SystemExit):
        disruption_command([*base, "--cancel", "--delay", "30", "--cause", "weather"])


def test_racing_cancellations_of_one_flight_record_it_once(
    session, session_factory, clock, flight
) -> None:
    """Six administrators cancel the same flight at once: the flight row lock lets one do it;
    the others find it cancelled and are refused, and one record and one executed audit remain
    (on PostgreSQL a real race; SQLite's single writer serialises it)."""
    outcomes = race(
        session_factory,
        lambda _: admin(clock),
        lambda s, ctx, _: disrupt_flight(
            s, ctx, flight_id=flight.id, kind="cancelled", cause="weather"
        ),
        n=6,
    )
    assert outcomes["ok"] == 1 and sum(outcomes.values()) == 6, outcomes
    assert not [o for o in outcomes if o.startswith("crash")], outcomes
    session.expire_all()
    assert len(session.scalars(select(Disruption)).all()) == 1
    executed = [e for e in audit(session) if e.outcome == "executed"]
    assert len(executed) == 1


def test_racing_delays_of_one_flight_leave_one_consistent_record(
    session, session_factory, clock, flight
) -> None:
    """Delays of 60 to 300 minutes at once: each is applied in turn (the row lock queues them),
    so the one record and the flight's estimate agree on whichever came last."""
    minutes = [60, 120, 180, 240, 300]
    outcomes = race(
        session_factory,
        lambda _: admin(clock),
        lambda s, ctx, i: disrupt_flight(
            s,
            ctx,
            flight_id=flight.id,
            kind="delayed",
            cause="technical",
            delay_minutes=minutes[i],
        ),
        n=len(minutes),
    )
    assert outcomes == {"ok": len(minutes)}, outcomes
    session.expire_all()
    (record,) = session.scalars(select(Disruption))
    row = session.get_one(Flight, flight.id)
    assert record.delay_minutes in minutes
    assert row.estimated_departure == row.scheduled_departure + timedelta(
        minutes=record.delay_minutes
    )
    assert len([e for e in audit(session) if e.outcome == "executed"]) == len(minutes)
