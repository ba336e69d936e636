"""docs/policy.md states the rules the services enforce, in sections the assistant can quote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from db.models import Fare, Tier
from services.core.errors import Rule
from services.disruptions import eu261
from services.flights import policy
from services.travel.travel_common import MAX_HOTEL_NIGHTS, MAX_PARTY, MAX_RENTAL_DAYS

DOC = Path(__file__).resolve().parents[3] / "docs" / "policy.md"
TOPICS = [
    "Flight changes",
    "Cancellations and refunds",
    "Baggage",
    "Delays, cancellations by the airline and compensation",
    "When EU 261 compensation is not due or is halved",
    "Care while waiting for a disrupted flight",
    "Hotels and car rentals",
    "Excursions",
    "Acting for others and privacy",
]


def sections() -> dict[str, str]:
    blocks = re.split(r"(?m)^## ", DOC.read_text(encoding="utf-8"))
    out = {}
    for block in blocks[1:]:
        title, _, body = block.partition("\n")
        out[title.strip()] = body
    return out


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9]+(?:['_.][A-Za-z0-9]+)*", text))


def flat(text: str) -> str:
    return " ".join(text.split())


def test_intro_comes_before_the_sections():
    text = DOC.read_text(encoding="utf-8")
    intro = text.split("\n## ", 1)[0]
    assert intro.startswith("# ") and words(intro) >= 30


@pytest.mark.parametrize("topic", TOPICS)
def test_each_topic_has_a_quotable_section(topic):
    body = sections().get(topic)
    assert body is not None, f"missing section '## {topic}'"
    assert 80 <= words(body) <= 200, f"{topic}: {words(body)} words"


def test_flight_change_figures():
    text = flat(sections()["Flight changes"])
    assert policy.CLASSIC_CHANGE_FEE == 50
    assert "CHF 50 change fee" in text and "waived for gold" in text
    assert "Light fare cannot be changed" in text
    assert "3 hours before departure" in text and policy.CHANGE_CUTOFF.total_seconds() == 3 * 3600
    assert "same origin and destination" in text and "as a whole" in text


def test_refund_figures():
    text = flat(sections()["Cancellations and refunds"])
    assert policy.CLASSIC_CANCELLATION_FEE == 100
    assert "| Light | none |" in text
    assert "| Classic | the amount paid minus CHF 100" in text
    assert "| Flex | full refund |" in text and "| Business | full refund |" in text
    assert "within 24 hours of booking gets a full refund" in text
    assert policy.FREE_CANCELLATION_AFTER_BOOKING.total_seconds() == 24 * 3600


def test_bag_table_matches_the_policy_code():
    text = sections()["Baggage"]
    for fare in Fare:
        regular, silver, gold = policy.BAGGAGE[fare]
        assert f"| {fare.value} | {regular} | {silver} | {gold} |" in text
    assert "| fare | regular | silver | gold |" in text
    assert [t.value for t in Tier] == ["regular", "silver", "gold"]


def test_airline_cancellation_and_compensation_figures():
    text = flat(sections()["Delays, cancellations by the airline and compensation"])
    assert policy.AIRLINE_CANCELLATION_REBOOKING_WINDOW.days == 7
    assert "same route" in text and "within 7 days" in text and "full refund" in text
    assert [eu261.COMPENSATION_EUR[band] for band in eu261.Band] == [250, 400, 600]
    for amount in ("EUR 250", "EUR 400", "EUR 600", "1,500 km", "3,500 km"):
        assert amount in text
    assert "Regulation 261/2004" in text and "3 hours or more after its scheduled arrival" in text
    assert "only when the passenger asks" in text
    assert "once per ticket and flight" in text
    exceptions = flat(sections()["When EU 261 compensation is not due or is halved"])
    assert "Art. 5(3)" in exceptions and "at least 14 days" in exceptions
    assert "halved (Art. 7(2))" in exceptions
    care = flat(sections()["Care while waiting for a disrupted flight"])
    assert "hotel room and the transfers" in care and "5 hours or more" in care


def test_travel_booking_rules():
    hotels = flat(sections()["Hotels and car rentals"])
    assert "free of charge until 24 hours before they start" in hotels
    assert policy.TRAVEL_BOOKING_FREE_CANCELLATION.total_seconds() == 24 * 3600
    assert "15:00" in hotels and "09:00" in hotels and "local time" in hotels
    assert f"at most {MAX_HOTEL_NIGHTS} nights" in hotels
    assert f"at most {MAX_RENTAL_DAYS} days" in hotels
    assert f"1 to {MAX_PARTY} guests" in hotels
    assert "end (check-out or return) must be after the start" in hotels
    assert "cannot be in the past" in hotels
    excursions = flat(sections()["Excursions"])
    assert "until 24 hours before it starts" in excursions
    assert f"1 to {MAX_PARTY} participants" in excursions
    assert "Only the passenger who booked" in excursions


def test_acting_for_others():
    text = flat(sections()["Acting for others and privacy"])
    assert "own tickets and bookings" in text
    assert "companion on the same booking is a different passenger" in text


def test_rule_code_table_lists_every_rule():
    text = DOC.read_text(encoding="utf-8")
    table = text[text.rindex("## ") :]
    for rule in Rule:
        assert re.search(rf"(?m)^\| {re.escape(rule.value)} \| \w", table), rule.value
    listed = [c for c in re.findall(r"(?m)^\| ([a-z0-9_]+) \|", table) if c != "code"]
    assert sorted(listed) == sorted(r.value for r in Rule)
