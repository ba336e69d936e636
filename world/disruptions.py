"""Disruption records for the world's disrupted flights (services/disruptions reads them).

Every flight the schedule or the personas disrupted (it has an announcement time) gets one: the
personas' with a fixed, realistic cause (farid's Barcelona flight cancelled for lack of crew,
grace's London flight four hours late with a technical fault: neither is an extraordinary
circumstance, so both are owed EU 261 compensation), the others with a cause drawn from a
separate random stream, so adding these rows reshuffles nothing else in the world."""

from __future__ import annotations

import random

from db.models import DisruptionCause
from services.disruptions.causes import is_extraordinary
from world.cast import PersonaFlights
from world.schedule import FlightPlan
from world.sink import RowSink

RECORDED_BY = "operations-control"
# Roughly how European delays and cancellations split by cause (Eurocontrol's CODA reports put
# reactionary, carrier and air traffic flow management causes first).
CAUSE_WEIGHTS: dict[DisruptionCause, float] = {
    DisruptionCause.WEATHER: 0.22,
    DisruptionCause.AIR_TRAFFIC_CONTROL: 0.24,
    DisruptionCause.TECHNICAL: 0.20,
    DisruptionCause.CREW: 0.10,
    DisruptionCause.AIRPORT: 0.08,
    DisruptionCause.STRIKE_THIRD_PARTY: 0.05,
    DisruptionCause.STRIKE_AIRLINE_STAFF: 0.02,
    DisruptionCause.SECURITY: 0.03,
    DisruptionCause.OTHER: 0.06,
}
FARID_CAUSE = DisruptionCause.CREW
GRACE_CAUSE = DisruptionCause.TECHNICAL


def _row(rid: int, flight: FlightPlan, cause: DisruptionCause) -> tuple[object, ...]:
    announced = flight.disrupted_at
    assert announced is not None  # only disrupted flights get a record
    if flight.status == "cancelled":
        kind, delay, dep, arr = "cancelled", None, None, None
    else:
        dep, arr = flight.act_dep or flight.est_dep, flight.act_arr or flight.est_arr
        delay = None if dep is None else max(int((dep - flight.dep).total_seconds() // 60), 0)
        kind = "delayed"
    return (
        rid, flight.id, kind, cause.value, is_extraordinary(cause), False, announced, delay,
        dep, arr, RECORDED_BY, announced,
    )  # fmt: skip


def write_disruptions(
    sink: RowSink, flights: list[FlightPlan], personas: PersonaFlights, rng: random.Random
) -> None:
    fixed = {personas.farid.id: FARID_CAUSE, personas.grace.id: GRACE_CAUSE}
    causes, weights = list(CAUSE_WEIGHTS), list(CAUSE_WEIGHTS.values())
    rows = []
    for flight in flights:
        if flight.disrupted_at is None:
            continue
        cause = fixed.get(flight.id) or rng.choices(causes, weights)[0]
        rows.append(_row(sink.next_id("disruptions"), flight, cause))
    sink.extend("disruptions", rows)
