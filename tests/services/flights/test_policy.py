"""The fare rules as pure functions: fees, refunds, bags, timing, compensation."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from db.models import Fare, Tier
from services.core.errors import PolicyViolation, Rule
from services.flights import policy

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fare", "tier", "fee"),
    [
        (Fare.CLASSIC, Tier.REGULAR, Decimal("50.00")),
        (Fare.CLASSIC, Tier.SILVER, Decimal("50.00")),
        (Fare.CLASSIC, Tier.GOLD, Decimal("0.00")),
        (Fare.FLEX, Tier.REGULAR, Decimal("0.00")),
        (Fare.BUSINESS, Tier.REGULAR, Decimal("0.00")),
    ],
)
def test_change_fee_by_fare_and_tier(fare: Fare, tier: Tier, fee: Decimal) -> None:
    assert policy.change_fee(fare, tier, airline_cancelled=False).fee == fee


def test_light_fare_cannot_change_unless_the_airline_cancelled() -> None:
    with pytest.raises(PolicyViolation) as err:
        policy.change_fee(Fare.LIGHT, Tier.GOLD, airline_cancelled=False)
    assert err.value.code == Rule.FARE_NO_CHANGE.value
    assert policy.change_fee(Fare.LIGHT, Tier.REGULAR, airline_cancelled=True).fee == 0


@pytest.mark.parametrize(
    ("fare", "expected"),
    [
        (Fare.LIGHT, "0.00"),
        (Fare.CLASSIC, "200.00"),
        (Fare.FLEX, "300.00"),
        (Fare.BUSINESS, "300.00"),
    ],
)
def test_refund_by_fare(fare: Fare, expected: str) -> None:
    refund = policy.cancellation_refund(
        fare,
        Decimal("300.00"),
        booked_at=NOW - timedelta(days=10),
        now=NOW,
        airline_cancelled=False,
    )
    assert refund.amount == Decimal(expected)


def test_classic_refund_never_negative() -> None:
    refund = policy.cancellation_refund(
        Fare.CLASSIC,
        Decimal("80.00"),
        booked_at=NOW - timedelta(days=10),
        now=NOW,
        airline_cancelled=False,
    )
    assert refund.amount == 0


def test_full_refund_within_24_hours_of_booking_even_for_light() -> None:
    inside = policy.cancellation_refund(
        Fare.LIGHT,
        Decimal("120.00"),
        booked_at=NOW - timedelta(hours=23),
        now=NOW,
        airline_cancelled=False,
    )
    outside = policy.cancellation_refund(
        Fare.LIGHT,
        Decimal("120.00"),
        booked_at=NOW - timedelta(hours=25),
        now=NOW,
        airline_cancelled=False,
    )
    assert (inside.amount, outside.amount) == (Decimal("120.00"), Decimal(0))


@pytest.mark.parametrize(
    ("fare", "bags"),
    [
        (Fare.LIGHT, (0, 1, 2)),
        (Fare.CLASSIC, (1, 2, 3)),
        (Fare.FLEX, (1, 2, 3)),
        (Fare.BUSINESS, (2, 3, 4)),
    ],
)
def test_baggage_allowance_table(fare: Fare, bags: tuple[int, int, int]) -> None:
    got = tuple(
        policy.baggage_allowance(fare, tier) for tier in (Tier.REGULAR, Tier.SILVER, Tier.GOLD)
    )
    assert got == bags


def test_timing_cutoff() -> None:
    policy.check_timing(
        NOW + timedelta(hours=3, minutes=1), NOW, airline_cancelled=False, what="changed"
    )
    with pytest.raises(PolicyViolation) as close:
        policy.check_timing(NOW + timedelta(hours=2), NOW, airline_cancelled=False, what="changed")
    with pytest.raises(PolicyViolation) as gone:
        policy.check_timing(
            NOW - timedelta(minutes=1), NOW, airline_cancelled=False, what="changed"
        )
    assert close.value.code == Rule.TOO_CLOSE_TO_DEPARTURE.value
    assert gone.value.code == Rule.ALREADY_DEPARTED.value
    policy.check_timing(NOW - timedelta(hours=1), NOW, airline_cancelled=True, what="changed")


# The compensation amounts are EU 261/2004's: tests/services/disruptions/test_eu261.py.


def test_compensation_only_for_a_leg_booked_before_the_announcement() -> None:
    announced = NOW - timedelta(hours=2)
    policy.check_booked_before_disruption(
        booked_at=announced - timedelta(seconds=1), disrupted_at=announced, flight="AL 1"
    )
    for booked in (announced, announced + timedelta(minutes=1)):
        with pytest.raises(PolicyViolation) as late:
            policy.check_booked_before_disruption(
                booked_at=booked, disrupted_at=announced, flight="AL 1"
            )
        assert late.value.code == Rule.COMPENSATION_BOOKED_AFTER_DISRUPTION.value
        assert "AL 1" in late.value.message


def test_a_disruption_with_no_recorded_announcement_is_refused() -> None:
    with pytest.raises(PolicyViolation) as err:
        policy.check_booked_before_disruption(
            booked_at=NOW - timedelta(days=30), disrupted_at=None, flight="AL 1"
        )
    assert err.value.code == Rule.COMPENSATION_DISRUPTION_UNRECORDED.value


def test_a_cancelled_ticket_gets_no_delay_compensation_but_keeps_the_airlines() -> None:
    delayed, cancelled = policy.CompensationReason.DELAYED, policy.CompensationReason.CANCELLED
    with pytest.raises(PolicyViolation) as err:
        policy.check_ticket_not_cancelled(ticket_cancelled=True, reason=delayed)
    assert err.value.code == Rule.COMPENSATION_TICKET_CANCELLED.value
    policy.check_ticket_not_cancelled(ticket_cancelled=True, reason=cancelled)
    policy.check_ticket_not_cancelled(ticket_cancelled=False, reason=delayed)


def test_refund_gives_back_the_delay_compensation_never_below_zero() -> None:
    full = policy.Refund(Decimal("290.00"), "Full refund.")
    less = policy.refund_less_compensation(full, Decimal("100.00"))
    assert less.amount == Decimal("190.00") and "CHF 100.00" in less.rule
    assert policy.refund_less_compensation(full, Decimal("0.00")) == full
    light = policy.Refund(Decimal("0.00"), "Light fares are not refundable.")
    assert policy.refund_less_compensation(light, Decimal("100.00")).amount == Decimal("0.00")
