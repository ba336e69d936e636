"""EU Regulation 261/2004 entitlements, as pure functions over dataclasses.

A Swiss carrier is bound by the regulation through the EU-Switzerland air transport agreement;
every decision names the article it applies and says why in a sentence, so the assistant can
explain it and the audit can count it. The database side is services.disruptions.entitlements."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum
from zoneinfo import ZoneInfo

from db.models import DisruptionKind
from services.core.errors import Rule

EARTH_RADIUS_KM = 6371.0
# Where the regulation applies as "Community" airports: the EU, the EEA and Switzerland.
REGULATION_AREA = frozenset(
    [
        "Austria",
        "Belgium",
        "Bulgaria",
        "Croatia",
        "Cyprus",
        "Czechia",
        "Denmark",
        "Estonia",
        "Finland",
        "France",
        "Germany",
        "Greece",
        "Hungary",
        "Ireland",
        "Italy",
        "Latvia",
        "Lithuania",
        "Luxembourg",
        "Malta",
        "Netherlands",
        "Poland",
        "Portugal",
        "Romania",
        "Slovakia",
        "Slovenia",
        "Spain",
        "Sweden",
        "Iceland",
        "Liechtenstein",
        "Norway",
        "Switzerland",
    ]
)
COMPENSABLE_DELAY = timedelta(hours=3)  # Sturgeon (C-402/07): a 3-hour arrival delay
REFUND_DELAY = timedelta(hours=5)  # Art. 6(1)(iii)
NOTICE_NONE = timedelta(days=14)  # Art. 5(1)(c)(i)
NOTICE_SHORT = timedelta(days=7)  # Art. 5(1)(c)(ii)/(iii)


class Band(IntEnum):
    """Art. 7(1): (a) up to 1,500 km; (b) intra-Community over 1,500 km and others up to
    3,500 km; (c) everything else."""

    SHORT = 1
    MEDIUM = 2
    LONG = 3


COMPENSATION_EUR = {Band.SHORT: Decimal(250), Band.MEDIUM: Decimal(400), Band.LONG: Decimal(600)}
# Art. 7(2): half the compensation when the rerouting arrives within these of the original.
REDUCTION_WITHIN = {Band.SHORT: timedelta(hours=2), Band.MEDIUM: timedelta(hours=3),
                    Band.LONG: timedelta(hours=4)}  # fmt: skip
# Art. 6(1): care is due once the departure is this late.
CARE_AFTER = REDUCTION_WITHIN
BAND_LETTER = {Band.SHORT: "a", Band.MEDIUM: "b", Band.LONG: "c"}


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance (Art. 7(4)), by the haversine formula."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def distance_band(distance_km: float, *, intra_area: bool) -> Band:
    if distance_km <= 1500:
        return Band.SHORT
    if intra_area or distance_km <= 3500:
        return Band.MEDIUM
    return Band.LONG


@dataclass(frozen=True)
class FlightFacts:
    """One flight of a passenger, as the regulation sees it (aware UTC datetimes)."""

    flight_no: str
    distance_km: float
    origin_in_area: bool
    destination_in_area: bool
    origin_timezone: str
    scheduled_departure: datetime
    scheduled_arrival: datetime
    kind: DisruptionKind | None  # None: neither cancelled nor delayed
    extraordinary: bool = False
    announced_at: datetime | None = None  # None: the carrier cannot prove when (Art. 5(4))
    new_departure: datetime | None = None  # a delay's expected or actual times
    new_arrival: datetime | None = None

    @property
    def band(self) -> Band:
        intra = self.origin_in_area and self.destination_in_area
        return distance_band(self.distance_km, intra_area=intra)

    @property
    def departure_delay(self) -> timedelta:
        if self.new_departure is None:
            return timedelta(0)
        return max(self.new_departure - self.scheduled_departure, timedelta(0))

    @property
    def arrival_delay(self) -> timedelta:
        if self.new_arrival is None:
            return self.departure_delay
        return max(self.new_arrival - self.scheduled_arrival, timedelta(0))


@dataclass(frozen=True)
class Rerouting:
    """The replacement flight(s) a passenger of a cancelled flight was offered or took."""

    departure: datetime
    arrival: datetime


@dataclass(frozen=True)
class Decision:
    entitled: bool
    article: str
    sentence: str
    rule: Rule | None = None  # the refusal's stable code (None when entitled)


@dataclass(frozen=True)
class CompensationDecision(Decision):
    amount_eur: Decimal = Decimal("0.00")
    amount_chf: Decimal = Decimal("0.00")
    eur_chf_rate: Decimal = Decimal("1")
    reduced: bool = False
    band: Band = Band.SHORT


@dataclass(frozen=True)
class CareDecision(Decision):
    meals: bool = False
    hotel: bool = False  # with the transfers to and from it (Art. 9(1)(b), (c))


def hours(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60} h {minutes % 60:02d} min"


def to_chf(amount_eur: Decimal, rate: Decimal) -> Decimal:
    return (amount_eur * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _refused(article: str, sentence: str, rule: Rule, band: Band) -> CompensationDecision:
    return CompensationDecision(False, article, sentence, rule, band=band)


def _cancellation_exempt(facts: FlightFacts, rerouting: Rerouting | None) -> Decision | None:
    """Art. 5(1)(c): no compensation when the passenger was told early enough, or late but
    offered a rerouting close enough to the original times."""
    if facts.announced_at is None:
        return None  # Art. 5(4): the carrier must prove when it told the passenger
    notice = facts.scheduled_departure - facts.announced_at
    if notice >= NOTICE_NONE:
        return Decision(
            False, "Art. 5(1)(c)(i)",
            f"{facts.flight_no} was cancelled {notice.days} days before departure, at least two "
            "weeks ahead, so no compensation is due (refund or rerouting still is).",
            Rule.COMPENSATION_CANCELLATION_NOTICE,
        )  # fmt: skip
    if rerouting is None:
        return None
    earlier = facts.scheduled_departure - rerouting.departure
    later = rerouting.arrival - facts.scheduled_arrival
    if notice >= NOTICE_SHORT:
        article, dep_limit, arr_limit, window = "Art. 5(1)(c)(ii)", 2, 4, "7 to 14 days"
    else:
        article, dep_limit, arr_limit, window = "Art. 5(1)(c)(iii)", 1, 2, "less than 7 days"
    if earlier <= timedelta(hours=dep_limit) and later <= timedelta(hours=arr_limit):
        return Decision(
            False, article,
            f"{facts.flight_no} was cancelled {window} before departure and the rerouting leaves "
            f"no more than {dep_limit} h earlier and arrives no more than {arr_limit} h later, "
            "so no compensation is due.",
            Rule.COMPENSATION_CANCELLATION_NOTICE,
        )  # fmt: skip
    return None


def compensation(
    facts: FlightFacts, rate: Decimal, rerouting: Rerouting | None = None
) -> CompensationDecision:
    """Art. 7 compensation for a cancellation (Art. 5(1)(c)) or an arrival delay of 3 hours or
    more (Sturgeon, C-402/07), with the Art. 5(3) and 5(1)(c) exceptions and the Art. 7(2) half."""
    band, name = facts.band, facts.flight_no
    if not (facts.origin_in_area or facts.destination_in_area):
        return _refused(
            "Art. 3(1)", f"{name} neither leaves nor lands in the EU or Switzerland.",
            Rule.COMPENSATION_NOT_ELIGIBLE, band,
        )  # fmt: skip
    if facts.kind is None or (
        facts.kind == DisruptionKind.DELAYED and facts.arrival_delay < COMPENSABLE_DELAY
    ):
        how_late = f" (it arrives {hours(facts.arrival_delay)} late)" if facts.kind else ""
        return _refused(
            "Art. 7(1)",
            f"Compensation is due for a cancellation or an arrival 3 hours or more late; {name} "
            f"is neither{how_late}.",
            Rule.COMPENSATION_NOT_ELIGIBLE, band,
        )  # fmt: skip
    if facts.extraordinary:
        return _refused(
            "Art. 5(3)",
            f"{name} was disrupted by extraordinary circumstances the airline could not have "
            "avoided, so no compensation is due (care, and refund or rerouting, still are).",
            Rule.COMPENSATION_EXTRAORDINARY, band,
        )  # fmt: skip
    if facts.kind == DisruptionKind.CANCELLED:
        exempt = _cancellation_exempt(facts, rerouting)
        if exempt is not None:
            return _refused(exempt.article, exempt.sentence, exempt.rule or Rule.COMPENSATION_NOT_ELIGIBLE, band)  # fmt: skip
        late = None if rerouting is None else rerouting.arrival - facts.scheduled_arrival
        what = "was cancelled"
    else:
        late, what = facts.arrival_delay, f"arrives {hours(facts.arrival_delay)} late"
    amount = COMPENSATION_EUR[band]
    article = f"Art. 7(1)({BAND_LETTER[band]})"
    reduced = late is not None and late <= REDUCTION_WITHIN[band]
    sentence = (
        f"{name} {what}; for a flight of {facts.distance_km:,.0f} km the compensation is "
        f"EUR {amount}"
    )
    if reduced:
        amount = amount / 2
        article += ", Art. 7(2)"
        sentence += (
            f", halved to EUR {amount} because the passenger arrives within "
            f"{hours(REDUCTION_WITHIN[band])} of the original arrival"
        )
    chf = to_chf(amount, rate)
    sentence += f", paid as CHF {chf} (EUR 1 = CHF {rate})."
    return CompensationDecision(
        True, article, sentence, None, amount_eur=amount.quantize(Decimal("0.01")),
        amount_chf=chf, eur_chf_rate=rate, reduced=reduced, band=band,
    )  # fmt: skip


def _next_day(facts: FlightFacts, departure: datetime) -> bool:
    tz = ZoneInfo(facts.origin_timezone)
    return departure.astimezone(tz).date() > facts.scheduled_departure.astimezone(tz).date()


def care(facts: FlightFacts, rerouting: Rerouting | None = None) -> CareDecision:
    """Art. 9 care (due even under extraordinary circumstances): meals and refreshments once a
    delay reaches 2 / 3 / 4 hours by band (Art. 6(1)) or on a cancellation (Art. 5(1)(b)); a
    hotel and the transfers when the new departure is the next day or later."""
    band, name = facts.band, facts.flight_no
    if facts.kind == DisruptionKind.CANCELLED:
        hotel = rerouting is not None and _next_day(facts, rerouting.departure)
        stay = " and a hotel with transfers for the night before the rerouting" if hotel else ""
        return CareDecision(
            True, "Art. 5(1)(b), Art. 9",
            f"{name} was cancelled: meals and refreshments while waiting{stay} are provided.",
            meals=True, hotel=hotel,
        )  # fmt: skip
    limit = CARE_AFTER[band]
    if facts.kind is None or facts.departure_delay < limit:
        return CareDecision(
            False, "Art. 6(1)",
            f"Care starts once {name} leaves {hours(limit)} or more late for a flight of "
            f"{facts.distance_km:,.0f} km; it is {hours(facts.departure_delay)} late.",
            Rule.CARE_NOT_DUE,
        )  # fmt: skip
    assert facts.new_departure is not None  # a departure delay implies a new departure
    hotel = _next_day(facts, facts.new_departure)
    stay = " and a hotel with transfers, as it now leaves the next day" if hotel else ""
    return CareDecision(
        True, f"Art. 6(1)({BAND_LETTER[band]}), Art. 9",
        f"{name} leaves {hours(facts.departure_delay)} late: meals and refreshments{stay} are "
        "provided.",
        meals=True, hotel=hotel,
    )  # fmt: skip


def refund_or_rerouting(facts: FlightFacts) -> Decision:
    """Art. 8: the choice of a full refund or a rerouting, on a cancellation (Art. 5(1)(a)) or
    a departure delay of 5 hours or more (Art. 6(1)(iii), refund only when not travelling)."""
    name = facts.flight_no
    if facts.kind == DisruptionKind.CANCELLED:
        return Decision(
            True, "Art. 5(1)(a), Art. 8",
            f"{name} was cancelled: the passenger chooses a full refund or a rerouting at the "
            "earliest opportunity or at a later date of their choosing.",
        )  # fmt: skip
    if facts.kind is not None and facts.departure_delay >= REFUND_DELAY:
        return Decision(
            True, "Art. 6(1)(iii), Art. 8(1)(a)",
            f"{name} leaves {hours(facts.departure_delay)} late, 5 hours or more: a passenger "
            "who no longer wants to travel gets a full refund (and a flight back if needed).",
        )  # fmt: skip
    return Decision(
        False, "Art. 6(1)(iii)",
        f"A refund instead of travelling is due once a flight leaves 5 hours or more late; {name} "
        f"is {hours(facts.departure_delay)} late.",
        Rule.REFUND_CHOICE_NOT_DUE,
    )  # fmt: skip


@dataclass(frozen=True)
class Entitlements:
    """Everything one passenger is owed for one disrupted flight."""

    flight_no: str
    compensation: CompensationDecision
    care: CareDecision
    choice: Decision


def entitlements(
    facts: FlightFacts, rate: Decimal, rerouting: Rerouting | None = None
) -> Entitlements:
    return Entitlements(
        facts.flight_no,
        compensation(facts, rate, rerouting),
        care(facts, rerouting),
        refund_or_rerouting(facts),
    )
