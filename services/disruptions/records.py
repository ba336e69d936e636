"""Disrupting a flight: an administrator cancels it or delays it, with a cause, as one audited
write that locks the flight row and keeps its status and times as the rest of the code reads
them (a cancelled flight has no estimated or actual times; a delayed one has estimates)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Disruption, DisruptionCause, DisruptionKind, Flight, FlightStatus, Role
from services.core.access import for_update
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule
from services.core.operations import OperationResult, operation
from services.disruptions.causes import CAUSE_WORDS, is_extraordinary

MIN_DELAY_MINUTES = 15  # below this a flight is on time (world/schedule.py reads it so too)
MAX_DELAY_MINUTES = 72 * 60
GONE = (FlightStatus.DEPARTED, FlightStatus.ARRIVED)


def describe(flight: Flight) -> str:
    """ "AL 102 ZRH-LHR 2026-11-30 07:10", as services.flights.itinerary names a flight (not
    imported: services.flights imports this package for the compensation rules)."""
    local = flight.scheduled_departure.astimezone(ZoneInfo(flight.origin_airport.timezone))
    return f"{flight.flight_no} {flight.origin}-{flight.destination} {local:%Y-%m-%d %H:%M}"


def require_admin(ctx: ServiceContext) -> None:
    if ctx.actor.role != Role.ADMIN:
        raise PolicyViolation(
            Rule.PERMISSION,
            f"Only an administrator can record a flight's disruption; a {ctx.actor.role.value} "
            "account cannot.",
        )


def find_flight(session: Session, flight_no: str, day: date) -> Flight:
    """The flight with this number departing on `day` (local date at its origin)."""
    number = " ".join(flight_no.upper().replace("AL", "AL ", 1).split())
    start = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo("UTC"))
    candidates = session.scalars(
        select(Flight).where(
            Flight.flight_no == number,
            Flight.scheduled_departure >= start - timedelta(days=1),
            Flight.scheduled_departure < start + timedelta(days=2),
        )
    )
    for flight in candidates:
        local = flight.scheduled_departure.astimezone(ZoneInfo(flight.origin_airport.timezone))
        if local.date() == day:
            return flight
    raise NotFound(f"No flight {number} departs on {day.isoformat()}.")


def _parse_cause(cause: DisruptionCause | str) -> DisruptionCause:
    try:
        return DisruptionCause(cause)
    except ValueError:
        names = ", ".join(c.value for c in DisruptionCause)
        raise InvalidInput(f"'{cause}' is not a disruption cause; choose one of {names}.") from None


def _check_disruptable(flight: Flight, kind: DisruptionKind, delay_minutes: int | None) -> None:
    what = describe(flight)
    if flight.status in GONE or flight.actual_departure is not None:
        raise PolicyViolation(
            Rule.DISRUPTION_NOT_ALLOWED, f"{what} has already departed; it cannot be disrupted."
        )
    if flight.status == FlightStatus.CANCELLED:
        raise PolicyViolation(Rule.DISRUPTION_NOT_ALLOWED, f"{what} is already cancelled.")
    if kind == DisruptionKind.DELAYED and not (
        delay_minutes is not None and MIN_DELAY_MINUTES <= delay_minutes <= MAX_DELAY_MINUTES
    ):
        raise InvalidInput(
            f"A delay is {MIN_DELAY_MINUTES} to {MAX_DELAY_MINUTES} minutes after the scheduled "
            f"departure (got {delay_minutes})."
        )


def _times(flight: Flight) -> dict[str, object]:
    return {
        "status": flight.status.value,
        "estimated_departure": flight.estimated_departure,
        "estimated_arrival": flight.estimated_arrival,
        "disrupted_at": flight.disrupted_at,
    }


@operation("disrupt_flight", write=True, authorize=require_admin)
def disrupt_flight(
    session: Session,
    ctx: ServiceContext,
    *,
    flight_id: int,
    kind: DisruptionKind | str,
    cause: DisruptionCause | str,
    delay_minutes: int | None = None,
    extraordinary: bool | None = None,
) -> OperationResult:
    """Cancel a flight or delay it by `delay_minutes` (from its scheduled times), recording why.
    `extraordinary` overrides what the cause implies (services.disruptions.causes)."""
    try:
        kind = DisruptionKind(kind)
    except ValueError:
        raise InvalidInput(f"'{kind}' is neither 'cancelled' nor 'delayed'.") from None
    cause = _parse_cause(cause)
    flight = session.scalar(for_update(select(Flight).where(Flight.id == flight_id)))
    if flight is None:
        raise NotFound(f"No flight with id {flight_id}.")
    _check_disruptable(flight, kind, delay_minutes)
    now = ctx.clock.now()
    before = _times(flight)
    record = session.scalar(for_update(select(Disruption).where(Disruption.flight_id == flight.id)))
    if record is None:
        record = Disruption(flight_id=flight.id)
        session.add(record)
    derived = is_extraordinary(cause)
    record.kind, record.cause = kind, cause
    record.extraordinary = derived if extraordinary is None else extraordinary
    record.extraordinary_overridden = extraordinary is not None and extraordinary != derived
    record.announced_at, record.recorded_by, record.recorded_at = now, ctx.actor.username, now
    # The first announcement decides which legs were booked before any disruption (0005).
    flight.disrupted_at = flight.disrupted_at or now
    if kind == DisruptionKind.CANCELLED:
        flight.status = FlightStatus.CANCELLED
        flight.estimated_departure = flight.estimated_arrival = None
        record.delay_minutes = record.new_departure = record.new_arrival = None
        what = "cancelled"
    else:
        assert delay_minutes is not None  # checked above
        delay = timedelta(minutes=delay_minutes)
        flight.status = FlightStatus.DELAYED
        flight.estimated_departure = flight.scheduled_departure + delay
        flight.estimated_arrival = flight.scheduled_arrival + delay
        record.delay_minutes = delay_minutes
        record.new_departure, record.new_arrival = (
            flight.estimated_departure,
            flight.estimated_arrival,
        )
        what = f"delayed by {delay_minutes} minutes"
    session.flush()
    circumstance = (
        "extraordinary circumstances" if record.extraordinary else "within the airline's control"
    )
    return OperationResult(
        summary=f"{describe(flight)} {what} ({CAUSE_WORDS[cause]}; {circumstance}).",
        before=before,
        after=_times(flight),
        rule="EU 261/2004 Art. 5(3)" if record.extraordinary else None,
        data={
            "flight_id": flight.id,
            "flight_no": flight.flight_no,
            "kind": kind.value,
            "cause": cause.value,
            "extraordinary": record.extraordinary,
            "delay_minutes": record.delay_minutes,
        },
    )
