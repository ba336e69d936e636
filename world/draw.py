"""Weighted draws for hot loops: random.choices rebuilds its cumulative weights on every call,
which costs more than the draw itself when called a million times with the same weights."""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        if len(items) != len(weights) or not items:
            raise ValueError("items and weights must be non-empty and of the same length")
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random) -> T:
        """Same distribution as rng.choices(items, weights)[0]."""
        return self.items[bisect.bisect(self.cum, rng.random() * self.total, 0, len(self.cum) - 1)]
