"""What each passenger of a plan's row is owed under EU 261/2004, with the proposed rerouting's
times, so the Art. 7(2) half and the Art. 5(1)(c) exceptions apply as they will once executed.

The delay is measured at the final destination (Folkerts, C-11/11): a connecting passenger
re-accommodated onto the same onward flight is not late, one missing it by five hours is."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from db.models import DisruptionKind
from services.disruptions.affected import Group, Journey, effective_arrival
from services.disruptions.claims import eur_chf_rate, flight_facts
from services.disruptions.eu261 import Entitlements, FlightFacts, Rerouting, entitlements
from services.disruptions.plan_types import AffectedPassenger, EntitlementSummary, Itinerary


class FactsBook:
    """Each disrupted flight's facts read once per plan (its disruption record, its distance)."""

    def __init__(self, session: Session) -> None:
        self.session, self.rate = session, eur_chf_rate()
        self._facts: dict[int, FlightFacts] = {}

    def facts(self, group: Group) -> FlightFacts:
        flight = group.disrupted
        if flight.id not in self._facts:
            self._facts[flight.id] = flight_facts(self.session, flight)
        return self._facts[flight.id]


def kept_delay(group: Group) -> timedelta:
    """A party staying on its delayed flight arrives as its last leg now flies."""
    return max(effective_arrival(j.legs[-1].flight) - j.original_arrival for j in group.journeys)


def entitlements_for(
    book: FactsBook, group: Group, option: Itinerary | None, delay: timedelta | None
) -> Entitlements:
    facts = book.facts(group)
    if facts.kind == DisruptionKind.CANCELLED:
        rerouting = None
        if option is not None and delay is not None:
            # The regulation compares with the cancelled flight's own times; the shift keeps
            # the comparison at the final destination.
            rerouting = Rerouting(option.departs, facts.scheduled_arrival + delay)
        return entitlements(facts, book.rate, rerouting)
    if delay is not None:
        facts = replace(facts, new_arrival=facts.scheduled_arrival + max(delay, timedelta(0)))
    return entitlements(facts, book.rate)


def summarize(e: Entitlements) -> EntitlementSummary:
    c = e.compensation
    return EntitlementSummary(
        compensation_eur=c.amount_eur if c.entitled else Decimal("0.00"),
        compensation_chf=c.amount_chf if c.entitled else Decimal("0.00"),
        compensation_article=c.article,
        compensation_sentence=c.sentence,
        care_meals=e.care.meals,
        care_hotel=e.care.hotel,
        care_article=e.care.article,
        refund_choice=e.choice.entitled,
        refund_article=e.choice.article,
    )


def booked_after_announcement(summary: EntitlementSummary, journey: Journey) -> EntitlementSummary:
    """The airline's rule on top of the regulation (docs/policy.md): compensation only for a
    flight booked before its disruption was announced, so nobody books a cancelled flight to
    claim it. Care and the refund choice stay."""
    announced = journey.disrupted.disrupted_at
    if announced is None or journey.legs[0].booked_at < announced:
        return summary
    return replace(
        summary,
        compensation_eur=Decimal("0.00"),
        compensation_chf=Decimal("0.00"),
        compensation_article="policy: booked after the announcement",
        compensation_sentence=(
            f"{journey.disrupted.flight_no} was booked on this ticket after its disruption was "
            "announced, so no compensation is paid for it."
        ),
    )


def affected_passengers(
    book: FactsBook, group: Group, option: Itinerary | None, delay: timedelta | None
) -> tuple[AffectedPassenger, ...]:
    """The party's passengers, each with the entitlements of the row (the same flight and
    rerouting give the same decision, computed once per row) less what their own booking
    time rules out."""
    summary = summarize(entitlements_for(book, group, option, delay))
    return tuple(
        AffectedPassenger(
            ticket_no=j.ticket.ticket_no,
            passenger_id=j.ticket.passenger_id,
            name=j.ticket.passenger.full_name,
            tier=j.ticket.passenger.tier,
            cabin=j.ticket.cabin,
            entitlements=booked_after_announcement(summary, j),
        )
        for j in group.journeys
    )
