"""EU 261/2004 rules as pure functions (services/disruptions/eu261.py): every rule allowed and
refused, each decision citing its article; distances from the network's real coordinates."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from db.models import DisruptionCause, DisruptionKind
from services.core.errors import Rule
from services.disruptions import causes, eu261
from services.disruptions.eu261 import Band, FlightFacts, Rerouting
from world.airports import AIRPORTS_BY_CODE

RATE = Decimal("0.94")
H = timedelta(hours=1)
DAY = timedelta(days=1)
# 10:00 in Zurich, so a departure 14 hours later is the next local day.
DEP = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


def km(a: str, b: str) -> float:
    x, y = AIRPORTS_BY_CODE[a], AIRPORTS_BY_CODE[b]
    return eu261.great_circle_km(x.latitude, x.longitude, y.latitude, y.longitude)


def facts(
    distance: float = 490.0,
    kind: DisruptionKind | None = DisruptionKind.CANCELLED,
    *,
    delay: timedelta | None = None,
    notice: timedelta = 2 * H,
    extraordinary: bool = False,
    intra: bool | None = None,
    hours_flown: float = 1.25,
) -> FlightFacts:
    """A flight from Zurich; by default to a European airport up to 3,500 km, beyond that not."""
    arrival = DEP + timedelta(hours=hours_flown)
    return FlightFacts(
        flight_no="AL 100",
        distance_km=distance,
        origin_in_area=True,
        destination_in_area=distance <= 3500 if intra is None else intra,
        origin_timezone="Europe/Zurich",
        scheduled_departure=DEP,
        scheduled_arrival=arrival,
        kind=kind,
        extraordinary=extraordinary,
        announced_at=DEP - notice,
        new_departure=DEP + delay if delay else None,
        new_arrival=arrival + delay if delay else None,
    )


def late(distance: float, delay: timedelta, **kw: object) -> FlightFacts:
    return facts(distance, DisruptionKind.DELAYED, delay=delay, **kw)  # type: ignore[arg-type]


# ---- distance and bands ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "low", "high", "band"),
    [
        ("ZRH", "CDG", 470, 500, Band.SHORT),
        ("GVA", "LHR", 740, 770, Band.SHORT),
        ("ZRH", "BCN", 840, 870, Band.SHORT),
        ("ZRH", "ATH", 1600, 1660, Band.MEDIUM),
        ("ZRH", "DXB", 4700, 4800, Band.LONG),
        ("ZRH", "JFK", 6300, 6330, Band.LONG),
        ("ZRH", "SIN", 10300, 10400, Band.LONG),
    ],
)
def test_great_circle_distance_and_band(a: str, b: str, low: int, high: int, band: Band) -> None:
    distance = km(a, b)
    assert low <= distance <= high, distance
    both_in = {AIRPORTS_BY_CODE[c].country for c in (a, b)} <= eu261.REGULATION_AREA
    assert eu261.distance_band(distance, intra_area=both_in) == band
    assert km(b, a) == pytest.approx(distance)


def test_band_edges_and_the_intra_community_rule() -> None:
    assert eu261.distance_band(1500, intra_area=False) == Band.SHORT
    assert eu261.distance_band(1500.1, intra_area=False) == Band.MEDIUM
    assert eu261.distance_band(3500, intra_area=False) == Band.MEDIUM
    assert eu261.distance_band(3500.1, intra_area=False) == Band.LONG
    # Art. 7(1)(b): every intra-Community flight over 1,500 km is EUR 400, however long.
    assert eu261.distance_band(3900, intra_area=True) == Band.MEDIUM


# ---- compensation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("distance", "eur", "article"),
    [(490, 250, "Art. 7(1)(a)"), (1650, 400, "Art. 7(1)(b)"), (6320, 600, "Art. 7(1)(c)")],
)
def test_a_cancellation_on_short_notice_pays_the_band_amount_in_chf(
    distance: float, eur: int, article: str
) -> None:
    decision = eu261.compensation(facts(distance), RATE)
    assert decision.entitled and decision.article == article
    assert decision.amount_eur == eur and decision.amount_chf == (eur * RATE).quantize(
        Decimal("0.01")
    )
    assert f"EUR {eur}" in decision.sentence and f"CHF {decision.amount_chf}" in decision.sentence
    assert decision.rule is None and not decision.reduced


def test_an_arrival_three_hours_late_is_compensated_under_sturgeon() -> None:
    decision = eu261.compensation(late(490, 3 * H), RATE)
    assert decision.entitled and decision.article == "Art. 7(1)(a)" and decision.amount_eur == 250
    refused = eu261.compensation(late(490, 3 * H - timedelta(minutes=1)), RATE)
    assert not refused.entitled and refused.article == "Art. 7(1)"
    assert refused.rule == Rule.COMPENSATION_NOT_ELIGIBLE and "2 h 59 min" in refused.sentence


def test_a_flight_neither_cancelled_nor_late_is_owed_nothing() -> None:
    decision = eu261.compensation(facts(kind=None), RATE)
    assert not decision.entitled and decision.rule == Rule.COMPENSATION_NOT_ELIGIBLE


def test_a_long_haul_delay_of_three_to_four_hours_is_halved() -> None:
    """Sturgeon, para. 63: Art. 7(2)(c) halves a > 3,500 km flight's EUR 600 up to 4 hours."""
    halved = eu261.compensation(late(6320, 3.5 * H), RATE)
    assert halved.entitled and halved.reduced and halved.amount_eur == 300
    assert halved.article == "Art. 7(1)(c), Art. 7(2)" and "halved" in halved.sentence
    full = eu261.compensation(late(6320, 4 * H + timedelta(minutes=1)), RATE)
    assert full.amount_eur == 600 and not full.reduced


def test_an_intra_community_long_flight_is_band_two() -> None:
    decision = eu261.compensation(facts(3900, intra=True), RATE)
    assert decision.article == "Art. 7(1)(b)" and decision.amount_eur == 400


def test_extraordinary_circumstances_refuse_compensation() -> None:
    for kind in (DisruptionKind.CANCELLED, DisruptionKind.DELAYED):
        decision = eu261.compensation(
            facts(kind=kind, delay=5 * H if kind == DisruptionKind.DELAYED else None,
                  extraordinary=True),
            RATE,
        )  # fmt: skip
        assert not decision.entitled and decision.article == "Art. 5(3)"
        assert decision.rule == Rule.COMPENSATION_EXTRAORDINARY


def test_a_cancellation_announced_two_weeks_ahead_is_not_compensated() -> None:
    early = eu261.compensation(facts(notice=14 * DAY), RATE)
    assert not early.entitled and early.article == "Art. 5(1)(c)(i)"
    assert early.rule == Rule.COMPENSATION_CANCELLATION_NOTICE
    assert eu261.compensation(facts(notice=14 * DAY - H), RATE).entitled


def test_seven_to_fourteen_days_notice_with_a_close_rerouting() -> None:
    base = facts(notice=10 * DAY)
    arrival = base.scheduled_arrival
    close = Rerouting(DEP - 2 * H, arrival + 4 * H)
    refused = eu261.compensation(base, RATE, close)
    assert not refused.entitled and refused.article == "Art. 5(1)(c)(ii)"
    too_early = Rerouting(DEP - 2 * H - timedelta(minutes=1), arrival)
    too_late = Rerouting(DEP, arrival + 4 * H + timedelta(minutes=1))
    for rerouting in (too_early, too_late):
        assert eu261.compensation(base, RATE, rerouting).entitled


def test_under_seven_days_notice_with_a_close_rerouting() -> None:
    base = facts(notice=3 * DAY)
    arrival = base.scheduled_arrival
    refused = eu261.compensation(base, RATE, Rerouting(DEP - H, arrival + 2 * H))
    assert not refused.entitled and refused.article == "Art. 5(1)(c)(iii)"
    # The 7-14 day limits do not apply under 7 days: 90 minutes earlier is too early.
    owed = eu261.compensation(base, RATE, Rerouting(DEP - 1.5 * H, arrival))
    assert owed.entitled


def test_a_rerouting_arriving_soon_after_the_original_halves_the_compensation() -> None:
    """Art. 7(2): half when the rerouting lands within 2 / 3 / 4 hours by band. It leaves three
    hours early, so the Art. 5(1)(c) exemption does not take it out of compensation first."""
    for distance, within, eur in ((490, 2, 250), (1650, 3, 400), (6320, 4, 600)):
        base = facts(distance, hours_flown=distance / 800)
        arrival = base.scheduled_arrival
        halved = eu261.compensation(base, RATE, Rerouting(DEP - 3 * H, arrival + within * H))
        assert halved.entitled and halved.reduced and halved.amount_eur == Decimal(eur) / 2
        assert "Art. 7(2)" in halved.article
        later = Rerouting(DEP - 3 * H, arrival + within * H + timedelta(minutes=1))
        assert eu261.compensation(base, RATE, later).amount_eur == eur


def test_an_unknown_announcement_time_counts_as_short_notice() -> None:
    """Art. 5(4): the carrier must prove when it told the passenger."""
    unknown = replace(facts(), announced_at=None)
    assert eu261.compensation(unknown, RATE).entitled


def test_a_flight_outside_the_regulation_is_not_covered() -> None:
    outside = replace(facts(), origin_in_area=False, destination_in_area=False)
    decision = eu261.compensation(outside, RATE)
    assert not decision.entitled and decision.article == "Art. 3(1)"


def test_chf_follows_the_configured_rate() -> None:
    assert eu261.compensation(facts(), Decimal("0.9312")).amount_chf == Decimal("232.80")


# ---- care --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("distance", "limit"), [(490, 2), (1650, 3), (6320, 4)])
def test_meals_once_the_departure_is_late_enough_for_the_band(distance: float, limit: int) -> None:
    due = eu261.care(late(distance, limit * H))
    assert due.entitled and due.meals and not due.hotel and "Art. 6(1)" in due.article
    short = eu261.care(late(distance, limit * H - timedelta(minutes=1)))
    assert not short.entitled and short.rule == Rule.CARE_NOT_DUE and short.article == "Art. 6(1)"


def test_a_hotel_when_the_new_departure_is_the_next_day() -> None:
    overnight = eu261.care(late(490, 15 * H))  # 10:00 -> 01:00 the next day in Zurich
    assert overnight.hotel and overnight.meals and "hotel" in overnight.sentence
    assert not eu261.care(late(490, 12 * H)).hotel  # 22:00 the same day


def test_care_is_due_even_under_extraordinary_circumstances() -> None:
    assert eu261.care(late(490, 3 * H, extraordinary=True)).meals


def test_a_cancellation_gets_meals_and_a_hotel_for_a_next_day_rerouting() -> None:
    same_day = eu261.care(facts(), Rerouting(DEP + 4 * H, DEP + 5 * H))
    assert same_day.meals and not same_day.hotel and same_day.article == "Art. 5(1)(b), Art. 9"
    next_day = eu261.care(facts(), Rerouting(DEP + DAY, DEP + DAY + H))
    assert next_day.hotel


# ---- refund or rerouting -----------------------------------------------------------------------
def test_a_cancellation_offers_the_choice_of_refund_or_rerouting() -> None:
    choice = eu261.refund_or_rerouting(facts())
    assert choice.entitled and choice.article == "Art. 5(1)(a), Art. 8"


def test_a_five_hour_delay_offers_a_refund() -> None:
    choice = eu261.refund_or_rerouting(late(490, 5 * H))
    assert choice.entitled and choice.article == "Art. 6(1)(iii), Art. 8(1)(a)"
    short = eu261.refund_or_rerouting(late(490, 5 * H - timedelta(minutes=1)))
    assert not short.entitled and short.rule == Rule.REFUND_CHOICE_NOT_DUE


def test_entitlements_bundle_the_three_decisions() -> None:
    owed = eu261.entitlements(late(490, 5 * H), RATE)
    assert owed.flight_no == "AL 100"
    assert owed.compensation.entitled and owed.care.meals and owed.choice.entitled


# ---- causes ------------------------------------------------------------------------------------
def test_which_causes_are_extraordinary() -> None:
    extraordinary = {c for c in DisruptionCause if causes.is_extraordinary(c)}
    assert extraordinary == {
        DisruptionCause.WEATHER,
        DisruptionCause.AIR_TRAFFIC_CONTROL,
        DisruptionCause.STRIKE_THIRD_PARTY,
        DisruptionCause.SECURITY,
        DisruptionCause.AIRPORT,
    }
    assert set(causes.EXTRAORDINARY) == set(DisruptionCause) == set(causes.CAUSE_WORDS)
