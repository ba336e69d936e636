"""World sizes. `scale` multiplies a size's passengers and tickets; below 1 it also shortens the
date range (for quick tests), never past what the personas need (D-3 .. D+35)."""

from __future__ import annotations

from dataclasses import dataclass, replace

MIN_DAYS_BEFORE, MIN_DAYS_AFTER = 3, 35


@dataclass(frozen=True)
class SizePlan:
    name: str
    days_before: int  # flights from D - days_before ...
    days_after: int  # ... to D + days_after (local dates at the origin)
    tickets: int  # background tickets to write
    passengers: int  # background passengers
    scale: float = 1.0


SIZES: dict[str, SizePlan] = {
    # ~9.5k flights; a few seconds into SQLite.
    "demo": SizePlan("demo", 3, 35, 60_000, 20_000),
    # ~104k flights and ~1.05M tickets: the benchmark world.
    "large": SizePlan("large", 200, 230, 1_050_000, 320_000),
}


def size_plan(size: str, scale: float = 1.0) -> SizePlan:
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; choose one of: {', '.join(SIZES)}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    base = SIZES[size]
    if scale == 1.0:
        return base
    return replace(
        base,
        days_before=max(MIN_DAYS_BEFORE, round(base.days_before * min(scale, 1.0))),
        days_after=max(MIN_DAYS_AFTER, round(base.days_after * min(scale, 1.0))),
        tickets=max(100, round(base.tickets * scale)),
        passengers=max(50, round(base.passengers * scale)),
        scale=scale,
    )
