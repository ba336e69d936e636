"""Typed results of the Metrics page's aggregates (services/dashboards/metrics.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.dashboards.common import TimeRange


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    count: int
    rate: float | None  # of all conversations in the range


@dataclass(frozen=True)
class ConversationPoint:
    start: datetime
    conversations: int = 0
    resolved: int = 0
    escalated: int = 0


@dataclass(frozen=True)
class ConversationStats:
    """Conversations started in the range. Resolution: resolved without an escalation."""

    total: int
    resolved: int
    escalated: int
    open: int
    resolution_rate: float | None
    escalation_rate: float | None
    by_reason: list[ReasonCount]
    series: list[ConversationPoint]


@dataclass(frozen=True)
class TurnPoint:
    start: datetime
    turns: int = 0
    errors: int = 0
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None


@dataclass(frozen=True)
class TurnStats:
    total: int
    errors: int
    error_rate: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    series: list[TurnPoint]


@dataclass(frozen=True)
class ToolCount:
    tool: str
    calls: int
    errors: int
    error_rate: float | None


@dataclass(frozen=True)
class ToolPoint:
    start: datetime
    calls: int = 0
    errors: int = 0


@dataclass(frozen=True)
class ToolStats:
    calls: int
    errors: int
    error_rate: float | None
    by_tool: list[ToolCount]  # most called first
    series: list[ToolPoint]


@dataclass(frozen=True)
class RuleCount:
    rule: str
    count: int


@dataclass(frozen=True)
class DecisionPoint:
    start: datetime
    approved: int = 0
    denied: int = 0
    refused: int = 0


@dataclass(frozen=True)
class DecisionStats:
    """Agents' answers to approval cards, and actions the policy refused (by rule)."""

    approved: int
    denied: int
    approval_rate: float | None  # approved / (approved + denied)
    denial_rate: float | None
    refused: int
    refusals_by_rule: list[RuleCount]  # most frequent first
    series: list[DecisionPoint]


@dataclass(frozen=True)
class CsatPoint:
    start: datetime
    rated: int = 0
    mean: float | None = None
    satisfied_share: float | None = None


@dataclass(frozen=True)
class CsatStats:
    """Feedback ratings 1-5 given in the range; satisfied means 4 or 5."""

    rated: int
    mean: float | None
    satisfied_share: float | None
    distribution: dict[int, int]
    series: list[CsatPoint]


@dataclass(frozen=True)
class ModelUsage:
    model: str
    turns: int
    tokens_in: int
    tokens_out: int
    cost_usd: float | None  # None: no price known for this model


@dataclass(frozen=True)
class UsageStats:
    by_model: list[ModelUsage]
    tokens_in: int
    tokens_out: int
    cost_usd: float  # priced models only; see unpriced_models
    unpriced_models: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MetricsDashboard:
    range: TimeRange
    conversations: ConversationStats
    turns: TurnStats
    tools: ToolStats
    decisions: DecisionStats
    csat: CsatStats
    usage: UsageStats

    def trend_rows(self) -> list[dict[str, Any]]:
        """One row per bucket with every series side by side (a chart's data frame)."""
        series = (
            self.conversations.series,
            self.turns.series,
            self.tools.series,
            self.decisions.series,
            self.csat.series,
        )
        rows: dict[datetime, dict[str, Any]] = {}
        for points in series:
            for point in points:
                row = rows.setdefault(point.start, {"start": point.start})
                for key, value in vars(point).items():
                    if key != "start":
                        row[f"{type(point).__name__.removesuffix('Point').lower()}_{key}"] = value
        return [rows[k] for k in sorted(rows)]
