"""Masking of contact data and card numbers in free text: what people type into an escalation,
a feedback comment or a review note, the free-text arguments the audit trail keeps, and log
lines. The passenger's own record (e-mail, phone, cards on file) is never passed through here.

- E-mail: the first letter and the domain stay (`p***@example.ch`), also for the spelled-out
  forms people use to dodge filters: `name (at) host (dot) ch`, `name[at]host.ch`,
  `name at host dot com`.
- Phone: Google's libphonenumber (the `phonenumbers` package) finds the numbers, so the rules of
  every country's numbering plan are its, not ours. The demo world is Swiss, so national numbers
  are read as Swiss (`0795550101`, `079 555 01 01`, and `79 555 01 01` with its trunk 0 dropped);
  international ones (`+41 ...`, `0041...`) for every country. The last two digits stay.
  Dates, times, amounts, flight numbers and 13-digit ticket numbers are not phone numbers to it.
- Card numbers: 13-19 digits, spaces or dashes between, that pass the Luhn check and start like a
  payment card (ISO/IEC 7812 major industry identifier 2-6: Mastercard, Amex/Diners/JCB, Visa,
  Discover/Maestro/UnionPay). Alpine Air's ticket numbers start with its 724 prefix, so they are
  never taken for a card. The last four digits stay, as on a receipt."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers

REGION = "CH"
_OPEN, _CLOSE = r"[\(\[\{<]", r"[\)\]\}>]"
_AT = rf"\s*(?:@|{_OPEN}\s*at\s*{_CLOSE})\s*"
_DOT = rf"(?:\.|\s*{_OPEN}\s*dot\s*{_CLOSE}\s*)"
_WORD_AT, _WORD_DOT = r"\s+at\s+", r"\s+dot\s+"
_LOCAL = r"(?<![\w.+-])([\w.+-])[\w.+-]*"
_LABEL = r"[\w-]+"
_TLD = r"[A-Za-z]{2,}\b"
# `name@host.ch`, `name (at) host (dot) ch`, `name[at]host.ch`
EMAIL = re.compile(rf"{_LOCAL}{_AT}((?:{_LABEL}{_DOT})+{_TLD})", re.IGNORECASE)
# `name at host dot com`: only with a spelled-out "dot", so "meet at Zurich.Then" stays as it is
EMAIL_WORDS = re.compile(
    rf"{_LOCAL}{_WORD_AT}((?:{_LABEL}(?:{_DOT}|{_WORD_DOT}))*{_LABEL}{_WORD_DOT}{_TLD})",
    re.IGNORECASE,
)
_SEPARATOR_DOT = re.compile(rf"{_DOT}|{_WORD_DOT}", re.IGNORECASE)
CARD = re.compile(r"(?<![\w+])[2-6](?:[ -]?\d){12,18}(?![\w])")


def _email(match: re.Match[str]) -> str:
    domain = _SEPARATOR_DOT.sub(".", match.group(2)).lower()
    return f"{match.group(1)}***@{domain}"


def luhn_valid(digits: str) -> bool:
    """The checksum every payment card number carries (ISO/IEC 7812-1 annex B)."""
    total = 0
    for position, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return f"**** {digits[-4:]}" if luhn_valid(digits) else match.group(0)


INTERNATIONAL = re.compile(r"(?:\+|00)[1-9]")  # country codes never start with 0
NATIONAL = re.compile(r"\(?0[1-9]")  # the Swiss trunk 0, then an area or mobile code
GROUPED = re.compile(r"\d[\s./-]\d")


def _is_phone(match: phonenumbers.PhoneNumberMatch) -> bool:
    raw = match.raw_string
    if INTERNATIONAL.match(raw):  # any plausible number of that country
        return phonenumbers.is_possible_number(match.number)
    if not phonenumbers.is_valid_number(match.number):
        return False
    # "79 555 01 01" (its trunk 0 dropped) only when written in groups: a bare run of nine
    # digits without the 0 is more likely a booking or record id than a phone number.
    return bool(NATIONAL.match(raw) or GROUPED.search(raw))


def _phones(text: str) -> str:
    matches = phonenumbers.PhoneNumberMatcher(text, REGION, leniency=phonenumbers.Leniency.POSSIBLE)
    out, last = [], 0
    for match in matches:
        if _is_phone(match):
            digits = re.sub(r"\D", "", match.raw_string)
            out.append(text[last : match.start] + "***" + digits[-2:])
            last = match.end
    return "".join(out) + text[last:] if out else text


def mask_text(text: str) -> str:
    """The text with e-mails, phone numbers and card numbers masked (see the module)."""
    text = EMAIL.sub(_email, text)
    text = EMAIL_WORDS.sub(_email, text)
    text = CARD.sub(_card, text)
    return _phones(text)


def mask_value(value: Any) -> Any:
    """mask_text applied to every string inside dicts, lists and tuples."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask_value(v) for v in value)
    return value
