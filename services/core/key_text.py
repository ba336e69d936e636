"""Secret keys written as text in settings (the checkpoint key, the audit anchor key): hex, or
base64 in the standard or URL-safe alphabet, with or without padding."""

from __future__ import annotations

import base64
import binascii
import contextlib


def decoded_keys(text: str) -> list[bytes]:
    """Every reading of `text` as key bytes, hex first; the caller keeps one of a valid size."""
    value = text.strip()
    readings: list[bytes] = []
    with contextlib.suppress(ValueError):
        readings.append(bytes.fromhex(value))
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        with contextlib.suppress(binascii.Error, ValueError):
            readings.append(decode(value + "=" * (-len(value) % 4)))
    return readings


def repeats_too_much(key: bytes) -> bool:
    """A placeholder, not a secret: random bytes repeat little (32 random bytes have ~30
    distinct values), while "00" * 32 or a repeated phrase has a handful."""
    return len(set(key)) < len(key) // 2
