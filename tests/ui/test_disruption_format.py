"""How the Disruptions page writes its cells (ui/disruption_format.py): dates and "+1" for an
arrival on a later day, the delay, the desk's choice shown in place of the proposal."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from db.models import Cabin, Tier
from services.disruptions import (
    AffectedPassenger,
    EntitlementSummary,
    Itinerary,
    PlanRow,
    Priority,
    RowAction,
)
from services.reaccommodation import Adjustment, Choice, row_key
from ui.disruption_format import delay_text, itinerary_text, plan_rows

OVERNIGHT = Itinerary(
    flight_ids=(7, 8),
    flight_nos=("AL 128", "AL 40"),
    departs=datetime(2026, 11, 26, 20, 30, tzinfo=UTC),  # 21:30 in Zurich
    arrives=datetime(2026, 11, 27, 6, 5, tzinfo=UTC),
    via=("GVA",),
    seats_left=4,
)


def _entitled(eur: int, chf: str, *, meals: bool = True) -> EntitlementSummary:
    return EntitlementSummary(
        Decimal(eur), Decimal(chf), "Art. 7(1)(a)", "", meals, False, "Art. 9", True, "Art. 8"
    )


def _row() -> PlanRow:
    people = tuple(
        AffectedPassenger(n, i, name, Tier.GOLD if i == 1 else Tier.REGULAR, Cabin.ECONOMY,
                          _entitled(250, "232.50"))
        for i, (n, name) in enumerate([("7240000000001", "Farid Haddad"),
                                       ("7240000000002", "Lina Haddad")], start=1)
    )  # fmt: skip
    return PlanRow(
        booking_reference="KF7J8G",
        booked_at=datetime(2026, 10, 1, tzinfo=UTC),
        disrupted_flight_id=3,
        origin="ZRH",
        destination="BCN",
        original_arrival=datetime(2026, 11, 26, 12, 0, tzinfo=UTC),
        passengers=people,
        priorities=(Priority.GOLD,),
        action=RowAction.REBOOK,
        option=OVERNIGHT,
        arrival_delay_minutes=18 * 60 + 5,
        reason=None,
    )


def test_an_overnight_itinerary_says_plus_one_with_its_date_and_stop() -> None:
    assert itinerary_text(OVERNIGHT) == "AL 128 + AL 40 Thu 26 Nov 21:30 → 07:05 (+1), via GVA"
    assert delay_text(18 * 60 + 5) == "18 h 5 min" and delay_text(None) == ""


def test_the_plan_row_shows_names_tier_amounts_and_the_desks_choice() -> None:
    row = _row()
    (shown,) = plan_rows([row], {})
    assert shown["passengers"] == "Farid Haddad, Lina Haddad"
    assert (shown["tier"], shown["cabin"], shown["priorities"]) == (
        "gold, regular",
        "economy",
        "gold",
    )
    assert shown["choice"] == "As planned" and shown["itinerary"].startswith("AL 128 + AL 40 Thu")
    assert shown["compensation"] == "EUR 250 / CHF 232.50 each" and shown["care"] == "meals"
    assert shown["delay"] == "18 h 5 min"

    (refund,) = plan_rows([row], {row_key(row): Adjustment(Choice.REFUND)})
    assert (refund["choice"], refund["itinerary"], refund["delay"]) == (
        "Refund instead", "Full refund", "",
    )  # fmt: skip
