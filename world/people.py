"""Background passengers: names from Faker (seeded, per locale), unique e-mails, local-looking
phone numbers, a membership tier and one or two payment cards.

Faker is slow per call (~10 us), so it fills small per-locale name pools once and a seeded
random.Random combines them; a million passengers then cost a second, not a minute."""

from __future__ import annotations

import functools
import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from faker import Faker

from world.draw import Weighted
from world.sink import RowSink

# locale: (weight, phone pattern; each # is a random digit)
LOCALES: dict[str, tuple[float, str]] = {
    "de_CH": (0.28, "+41 7# ### ## ##"),
    "fr_CH": (0.13, "+41 7# ### ## ##"),
    "it_CH": (0.05, "+41 7# ### ## ##"),
    "en_GB": (0.14, "+44 7### ######"),
    "de_DE": (0.10, "+49 15# #######"),
    "fr_FR": (0.07, "+33 6 ## ## ## ##"),
    "en_US": (0.09, "+1 ### 555 ####"),
    "es_ES": (0.05, "+34 6## ### ###"),
    "it_IT": (0.05, "+39 3## ### ####"),
    "nl_NL": (0.04, "+31 6 ########"),
}
POOL_SIZE = 250
TIERS = (("regular", 0.80), ("silver", 0.14), ("gold", 0.06))
CARD_BRANDS = Weighted(("Visa", "Mastercard", "American Express"), (0.46, 0.40, 0.14))
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


@dataclass
class PassengerPool:
    """Ids of the background passengers and, per passenger, the card they pay with."""

    ids: list[int]
    card_of: dict[int, int]
    weights: list[float]  # frequent flyers book more often


@functools.lru_cache(maxsize=8192)
def _ascii(text: str) -> str:
    """A name folded to lower-case ASCII for an e-mail address (names repeat: cached)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _name_pools(seed: int) -> dict[str, tuple[list[str], list[str]]]:
    pools: dict[str, tuple[list[str], list[str]]] = {}
    for index, locale in enumerate(LOCALES):
        # Only the person provider: loading all of Faker's providers costs ~0.1 s per locale.
        fake = Faker(locale, providers=["faker.providers.person"])
        fake.seed_instance(seed * 100 + index)
        firsts = [fake.first_name() for _ in range(POOL_SIZE)]
        lasts = [fake.last_name() for _ in range(POOL_SIZE)]
        pools[locale] = (firsts, lasts)
    return pools


def fill_digits(pattern: str, rng: random.Random) -> str:
    """The pattern with each # replaced by a random digit."""
    n = pattern.count("#")
    return pattern.replace("#", "{}").format(*f"{rng.randrange(10**n):0{n}d}")


def card_expiry(rng: random.Random, now: datetime) -> str:
    months = now.year * 12 + now.month - 1 + rng.randint(2, 60)
    return f"{months // 12:04d}-{months % 12 + 1:02d}"


def write_payment_method(
    sink: RowSink, rng: random.Random, now: datetime, passenger_id: int, brand: str | None = None
) -> int:
    card_id = sink.next_id("payment_methods")
    if brand is None:
        brand = CARD_BRANDS.pick(rng)
    last4 = f"{rng.randrange(10000):04d}"
    sink.add("payment_methods", (card_id, passenger_id, brand, last4, card_expiry(rng, now)))
    return card_id


def write_passengers(
    sink: RowSink, rng: random.Random, seed: int, count: int, now: datetime
) -> PassengerPool:
    pools = _name_pools(seed)
    locales = list(LOCALES)
    locale_weights = [LOCALES[loc][0] for loc in locales]
    tiers, tier_weights = [t for t, _ in TIERS], [w for _, w in TIERS]
    ids: list[int] = []
    card_of: dict[int, int] = {}
    weights: list[float] = []
    chosen_locales = rng.choices(locales, locale_weights, k=count)
    chosen_tiers = rng.choices(tiers, tier_weights, k=count)
    for locale, tier in zip(chosen_locales, chosen_tiers, strict=True):
        firsts, lasts = pools[locale]
        first, last = rng.choice(firsts), rng.choice(lasts)
        pid = sink.next_id("passengers")
        email = f"{_ascii(first)}.{_ascii(last)}{pid}@{EMAIL_DOMAINS[pid % 3]}"
        phone = fill_digits(LOCALES[locale][1], rng)
        sink.add("passengers", (pid, first, last, email, phone, tier))
        card_of[pid] = write_payment_method(sink, rng, now, pid)
        if rng.random() < 0.15:
            write_payment_method(sink, rng, now, pid)
        ids.append(pid)
        if pid % 4096 == 0:
            sink.maybe_flush()
        # Gold and silver members fly more, as loyalty programmes intend.
        weights.append({"gold": 4.0, "silver": 2.0}.get(tier, 1.0) * rng.uniform(0.3, 1.7))
    return PassengerPool(ids=ids, card_of=card_of, weights=weights)
