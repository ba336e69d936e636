"""Masking of contact data and card numbers in free text (services/text/masking.py): what it must
catch, and the dates, times, amounts, flight, ticket and record numbers it must leave alone."""

from __future__ import annotations

import pytest

from services.text.masking import luhn_valid, mask_text, mask_value


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # phones, Swiss national and international, and the demo world's foreign formats
        ("call 0795550101 now", "call ***01 now"),
        ("079 555 01 01", "***01"),
        ("79 555 01 01", "***01"),
        ("+41 79 555 01 01", "***01"),
        ("0041795550101", "***01"),
        ("0041 79 555 01 01", "***01"),
        ("(044) 123-45-67", "***67"),
        ("tel:+41791234567", "tel:***67"),
        ("+44 7123 456789", "***89"),
        ("+49 151 1234567", "***67"),
        ("+33 6 12 34 56 78", "***78"),
        ("+1 212 555 0199", "***99"),
        # e-mails, plain and spelled out
        ("pat.keller@example.ch", "p***@example.ch"),
        ("x.y+tag@mail.example.co.uk", "x***@mail.example.co.uk"),
        ("write to pat (at) example (dot) ch", "write to p***@example.ch"),
        ("pat[at]example.ch", "p***@example.ch"),
        ("pat{at}mail[dot]example[dot]com", "p***@mail.example.com"),
        ("pat at example dot com", "p***@example.com"),
        ("Pat AT Example DOT Com", "P***@example.com"),
        # card numbers that pass Luhn, with or without separators
        ("card 4111 1111 1111 1111 please", "card **** 1111 please"),
        ("4111-1111-1111-1111", "**** 1111"),
        ("5500005555555559", "**** 5559"),
        ("amex 3782 822463 10005", "amex **** 0005"),
    ],
)
def test_contact_data_and_cards_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "ticket 7240000000017 and 7241234567890",  # 13 digits, the airline's 724 prefix
        "flight AL 123, LX 318 on 2026-11-26 at 14:30",
        "2026-01-05 10:00:00 and 2026-11-26T08:00:00+00:00",
        "26.11.2026 07:40-09:15",
        "CHF 1,512.00, CHF 504 and 1000.00",
        "booking 12345, hotel 987654, booking ABC123, record 791234567",
        "flights [101, 102], seats 1 2 3 4 5 6 7 8 9",
        "10.0.0.1 bench-0000001 1000.00 CHF 0.25 ms",
        "4111111111111112",  # fails Luhn
        "meet at Zurich.Then we fly",
        "look at example.com",
        "approval 0ccb239ddd20477aaeb1e2eaca4213be:4bc5718e280b7e58bbb1e590",
        "I arrive at 07:40 at ZRH.",
    ],
)
def test_dates_tickets_amounts_and_ids_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_luhn() -> None:
    assert luhn_valid("4111111111111111") and luhn_valid("378282246310005")
    assert not luhn_valid("4111111111111112")


def test_values_are_masked_inside_structures() -> None:
    value = {"summary": ["call 0795550101"], "n": 3, "t": ("pat@example.ch",)}
    assert mask_value(value) == {"summary": ["call ***01"], "n": 3, "t": ("p***@example.ch",)}
