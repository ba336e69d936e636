"""The one source of "now". The app, the tools and the tests read time only from a Clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

# The airline's home: the demo clock's date ("D") is the date in Zurich.
HOME_TZ = ZoneInfo("Europe/Zurich")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FixedClock:
    """A frozen clock for tests, evaluations and demos; `advance` moves it explicitly."""

    instant: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        if self.instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.instant = self.instant.astimezone(UTC)

    def now(self) -> datetime:
        return self.instant

    def advance(self, delta: timedelta) -> None:
        self.instant += delta


def demo_date(clock: Clock) -> date:
    """The demo clock's date D, in the airline's home time zone."""
    return clock.now().astimezone(HOME_TZ).date()


def resolve_demo_date(expression: str, clock: Clock) -> date:
    """Turn "D", "D+4" or "D-1" into a date relative to the clock."""
    text = expression.replace(" ", "").upper()
    if not text.startswith("D"):
        raise ValueError(f"not a demo date: {expression!r} (expected D, D+n or D-n)")
    offset = int(text[1:]) if len(text) > 1 else 0
    return demo_date(clock) + timedelta(days=offset)
