"""Tokens and estimated cost by model for the Metrics page. The offline models (the built-in
one, the scripted one of the tests) run in-process and cost nothing, so their turns are counted
apart and their tokens never make a cost figure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Turn
from services.dashboards.common import TimeRange, analytic
from services.dashboards.metrics_models import ModelUsage, UsageStats

# USD per million tokens (input, output), list prices; the built-in model costs nothing.
# A model matches its entry or the longest entry its name starts with ("gpt-4o-mini-2024-07-18").
MODEL_PRICES_USD_PER_MTOK: dict[str, tuple[float, float]] = {
    "builtin": (0.0, 0.0),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
}
OFFLINE_MODELS = ("builtin", "skydesk-builtin", "scripted")


def is_offline(model: str) -> bool:
    """The offline models run in-process: no tokens are billed, whatever they count."""
    return model.startswith(OFFLINE_MODELS)


def price_of(model: str, prices: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    if model in prices:
        return prices[model]
    if is_offline(model):
        return (0.0, 0.0)
    matches = [name for name in prices if model.startswith(name)]
    return prices[max(matches, key=len)] if matches else None


def usage_stats(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    prices: dict[str, tuple[float, float]] | None = None,
) -> UsageStats:
    """Tokens and estimated cost per model (cost = tokens x list price; no discounts). The
    totals are the hosted models'; the offline model's turns are counted apart (no cost)."""
    span = TimeRange.of(since, until)
    analytic(session)
    table = MODEL_PRICES_USD_PER_MTOK if prices is None else prices
    rows = session.execute(
        select(Turn.model, func.count(), func.sum(Turn.tokens_in), func.sum(Turn.tokens_out))
        .where(Turn.started_at >= span.since, Turn.started_at < span.until)
        .group_by(Turn.model)
        .order_by(Turn.model)
    ).all()
    by_model, unpriced = [], []
    for model, n, tokens_in, tokens_out in rows:
        price = price_of(model, table)
        cost = None
        if price is None:
            unpriced.append(model)
        else:
            cost = (int(tokens_in) * price[0] + int(tokens_out) * price[1]) / 1_000_000
        by_model.append(
            ModelUsage(model, n, int(tokens_in), int(tokens_out), cost, offline=is_offline(model))
        )
    hosted = [u for u in by_model if not u.offline]
    return UsageStats(
        by_model=by_model,
        hosted_tokens_in=sum(u.tokens_in for u in hosted),
        hosted_tokens_out=sum(u.tokens_out for u in hosted),
        cost_usd=sum(u.cost_usd or 0.0 for u in hosted),
        offline_turns=sum(u.turns for u in by_model if u.offline),
        hosted_turns=sum(u.turns for u in hosted),
        unpriced_models=unpriced,
    )
