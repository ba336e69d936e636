"""What the re-accommodation planner returns: typed rows a person reads and the batch executor
acts on (services.disruptions.planner builds them; nothing here touches the database)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from db.models import Cabin, Tier


class Strategy(StrEnum):
    PLANNER = "planner"  # priorities first, earliest arrival
    GREEDY = "greedy"  # first come (booking time), first departing option: the baseline


class Priority(StrEnum):
    """A criterion that moves a party up the queue (Settings.reaccommodation_priorities)."""

    GOLD = "gold"  # a gold member travels in the party
    SILVER = "silver"  # a silver (or gold) member travels in the party
    TIGHT_CONNECTION = "tight_connection"  # an onward flight within 3 h of the arrival
    FAMILY = "family"  # a party of 3 or more (no ages are on file, so size stands in)


class RowAction(StrEnum):
    REBOOK = "rebook"  # a new itinerary is proposed
    KEEP = "keep"  # a delayed flight whose onward connection (if any) still holds
    NO_OPTION = "no_option"  # nothing fits: the reason says why (refund or a conversation)


@dataclass(frozen=True)
class Itinerary:
    """Flights from the remaining journey's origin to its final destination (effective times:
    a delayed flight's estimates). `seats_left`: the fewest free seats of the cabin on any leg."""

    flight_ids: tuple[int, ...]
    flight_nos: tuple[str, ...]
    departs: datetime
    arrives: datetime
    via: tuple[str, ...]  # the airports changed at; empty for a direct flight
    seats_left: int

    @property
    def route(self) -> str:
        return "-".join(self.via) if self.via else "direct"


@dataclass(frozen=True)
class EntitlementSummary:
    """EU 261/2004 in one line each, for a plan's table (services.disruptions.eu261 decides)."""

    compensation_eur: Decimal
    compensation_chf: Decimal
    compensation_article: str
    compensation_sentence: str
    care_meals: bool
    care_hotel: bool
    care_article: str
    refund_choice: bool
    refund_article: str


@dataclass(frozen=True)
class AffectedPassenger:
    ticket_no: str
    passenger_id: int
    name: str
    tier: Tier
    cabin: Cabin
    entitlements: EntitlementSummary


@dataclass(frozen=True)
class PlanRow:
    """One party (the tickets of a booking on the same remaining journey), planned as one."""

    booking_reference: str
    booked_at: datetime
    disrupted_flight_id: int
    origin: str
    destination: str
    original_arrival: datetime  # the remaining journey's scheduled arrival
    passengers: tuple[AffectedPassenger, ...]
    priorities: tuple[Priority, ...]  # the criteria this party meets, in the configured order
    action: RowAction
    option: Itinerary | None
    arrival_delay_minutes: int | None  # at the final destination; None without an option
    reason: str | None  # why no option exists (NO_OPTION), or why the party keeps its flight

    @property
    def ticket_nos(self) -> tuple[str, ...]:
        return tuple(p.ticket_no for p in self.passengers)

    @property
    def size(self) -> int:
        return len(self.passengers)


@dataclass(frozen=True)
class PlanSummary:
    re_accommodated: int  # passengers given a new itinerary
    unplaced: int  # passengers with no option
    kept: int  # passengers staying on a delayed flight
    total_arrival_delay_minutes: int  # over the re-accommodated passengers


@dataclass(frozen=True)
class Plan:
    flight_ids: tuple[int, ...]
    strategy: Strategy
    priorities: tuple[Priority, ...]  # the order applied (empty for greedy)
    made_at: datetime
    rows: tuple[PlanRow, ...]

    @property
    def flight_id(self) -> int:
        return self.flight_ids[0]

    @property
    def summary(self) -> PlanSummary:
        placed = [r for r in self.rows if r.action == RowAction.REBOOK]
        return PlanSummary(
            re_accommodated=sum(r.size for r in placed),
            unplaced=sum(r.size for r in self.rows if r.action == RowAction.NO_OPTION),
            kept=sum(r.size for r in self.rows if r.action == RowAction.KEEP),
            total_arrival_delay_minutes=sum(
                r.size * (r.arrival_delay_minutes or 0) for r in placed
            ),
        )
