"""Ticket numbers and booking references derived from row ids by fixed bijections.

Unique by construction (no set of used values to keep for a million rows) and independent of the
seed, so the personas' rows, which always get the first ids, have the same ticket numbers and
references in every world."""

from __future__ import annotations

AIRLINE_PREFIX = "724"
TICKET_SPACE = 10**10  # the 10 digits after the airline prefix
TICKET_MULTIPLIER = 6_180_339_887  # coprime with 10, so id -> number is a permutation
TICKET_OFFSET = 3_141_592_653
# 32 symbols without the look-alikes 0/O and 1/I, so references can be read out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REFERENCE_SPACE = 32**6
REFERENCE_MULTIPLIER = 0x2F1E3D5  # odd, hence coprime with 2**30
REFERENCE_OFFSET = 0x1A2B3C4


def ticket_number(ticket_id: int) -> str:
    if not 0 < ticket_id < TICKET_SPACE:
        raise ValueError(f"ticket id out of range: {ticket_id}")
    return f"{AIRLINE_PREFIX}{(ticket_id * TICKET_MULTIPLIER + TICKET_OFFSET) % TICKET_SPACE:010d}"


# Two symbols per table entry: three look-ups per reference instead of six divisions.
_PAIRS = [a + b for b in REFERENCE_ALPHABET for a in REFERENCE_ALPHABET]


def booking_reference(booking_id: int) -> str:
    if not 0 < booking_id < REFERENCE_SPACE:
        raise ValueError(f"booking id out of range: {booking_id}")
    x = (booking_id * REFERENCE_MULTIPLIER + REFERENCE_OFFSET) % REFERENCE_SPACE
    return _PAIRS[x & 1023] + _PAIRS[(x >> 10) & 1023] + _PAIRS[x >> 20]
