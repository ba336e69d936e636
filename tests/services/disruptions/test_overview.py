"""What the Disruptions page reads (services/disruptions/overview.py): the disrupted flights
with their passengers, parties and cause, and the itineraries a whole party fits; SQLite, and
PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from db.models import DisruptionCause, FlightStatus, Role, TicketStatus
from services.core.context import Actor, ServiceContext
from services.core.errors import PolicyViolation
from services.disruptions import PartyMember, disrupt_flight, disrupted_flights, party_options
from tests import factories as f
from tests.services.disruptions.planning import ADMIN, H, booked, cancel, staff


@pytest.fixture(autouse=True)
def world(session) -> None:
    f.reference_data(session)


def test_the_list_counts_passengers_and_parties_with_the_cause(session, clock) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "LHR", now + 6 * H)
    delayed = f.flight(session, "ZRH", "GVA", now + 3 * H)
    f.flight(session, "ZRH", "FRA", now + 4 * H)  # on time: not listed
    long_ago = f.flight(session, "ZRH", "FRA", now - 72 * H)
    first = booked(session, clock, [cancelled])
    booked(session, clock, [cancelled], party=first)
    booked(session, clock, [cancelled])
    gone = booked(session, clock, [cancelled])
    gone.status = TicketStatus.CANCELLED  # refunded before: no longer affected
    booked(session, clock, [delayed])
    session.commit()
    cancel(session, clock, cancelled)  # technical: within the airline's control
    admin = ServiceContext(ADMIN, clock=clock)
    disrupt_flight(
        session, admin, flight_id=delayed.id, kind="delayed", cause="weather", delay_minutes=200
    )
    long_ago.status = FlightStatus.CANCELLED
    session.commit()

    rows = disrupted_flights(session, staff(clock), since=now - 24 * H)

    assert [r.flight_id for r in rows] == [delayed.id, cancelled.id]  # earliest first
    late, off = rows
    assert (off.status, off.passengers, off.parties) == (FlightStatus.CANCELLED, 3, 2)
    assert off.cause == DisruptionCause.TECHNICAL and off.extraordinary is False
    assert off.label.startswith(f"{cancelled.flight_no} ZRH-LHR ")
    assert (late.status, late.delay_minutes, late.passengers, late.parties) == (
        FlightStatus.DELAYED, 200, 1, 1,
    )  # fmt: skip
    assert late.cause_text == "weather" and late.extraordinary is True
    assert late.new_departure == delayed.scheduled_departure + 200 * H / 60
    # A window that ends before the cancelled flight leaves it out.
    assert [r.flight_id for r in disrupted_flights(
        session, staff(clock), since=now - 24 * H, until=now + 5 * H
    )] == [delayed.id]  # fmt: skip


def test_the_list_reads_in_two_queries_whatever_the_number_of_flights(session, clock) -> None:
    now = clock.now()
    for n in range(4):
        flight = f.flight(session, "ZRH", "LHR", now + (6 + n) * H)
        booked(session, clock, [flight])
        session.commit()
        cancel(session, clock, flight)
    session.expire_all()
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        rows = disrupted_flights(session, staff(clock), since=now)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(rows) == 4 and all(r.passengers == 1 for r in rows)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2


def test_a_customer_cannot_list_disrupted_flights(session, clock) -> None:
    customer = ServiceContext(Actor("someone", Role.CUSTOMER, passenger_id=1), clock=clock)
    with pytest.raises(PolicyViolation):
        disrupted_flights(session, customer, since=clock.now())


def test_a_party_is_offered_only_itineraries_with_seats_for_all_of_them(session, clock) -> None:
    now = clock.now()
    cancelled = f.flight(session, "ZRH", "LHR", now + 6 * H)
    one_left = f.flight(session, "ZRH", "LHR", now + 8 * H)
    roomy = f.flight(session, "ZRH", "LHR", now + 10 * H)
    later = f.flight(session, "ZRH", "LHR", now + 12 * H)
    f.fill(session, one_left, leave=1, issued_at=now - 30 * 24 * H)
    first = booked(session, clock, [cancelled])
    second = booked(session, clock, [cancelled], party=first)
    session.commit()
    cancel(session, clock, cancelled)
    party = [PartyMember(t.ticket_no, t.passenger_id) for t in (first, second)]

    options = party_options(session, staff(clock), party=party)
    alone = party_options(session, staff(clock), party=party[:1])

    assert [o.flight_ids for o in options] == [(roomy.id,), (later.id,)]
    assert [o.flight_ids for o in alone][:1] == [(one_left.id,)]  # one seat is enough for one
    # The itinerary that just failed is not offered again.
    again = party_options(session, staff(clock), party=party, exclude=[roomy.id])
    assert [o.flight_ids for o in again] == [(later.id,)]


def test_a_customer_cannot_ask_for_a_party_s_options(session, clock) -> None:
    customer = ServiceContext(Actor("someone", Role.CUSTOMER, passenger_id=1), clock=clock)
    with pytest.raises(PolicyViolation):
        party_options(session, customer, party=[PartyMember("1234567890123", 1)])
