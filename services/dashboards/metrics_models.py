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


@dataclass(frozen=True)
class DecisionStats:
    """Agents' answers to approval cards (refusals: RefusalStats)."""

    approved: int
    denied: int
    approval_rate: float | None  # approved / (approved + denied)
    denial_rate: float | None
    series: list[DecisionPoint]


@dataclass(frozen=True)
class RefusalPoint:
    start: datetime
    policy_refusals: int = 0
    access_denials: int = 0
    failed_sign_ins: int = 0


@dataclass(frozen=True)
class RefusalStats:
    """What was refused, as separate figures (services/dashboards/refusals.py says exactly
    what each counts)."""

    policy_refusals: int  # turns whose request the policy refused, once per turn
    policy_refusals_by_rule: list[RuleCount]  # conversations refused under each rule
    access_denials: int  # page_denials + action_denials
    page_denials: int  # forbidden page opens
    action_denials: int  # other actions refused for want of permission
    failed_sign_ins: int  # refused sign-in form attempts
    series: list[RefusalPoint]


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
    offline: bool = False  # the built-in (or scripted) model: runs in-process, costs nothing


@dataclass(frozen=True)
class UsageStats:
    """Tokens and cost of the hosted models (billed per token); the offline model's turns are
    counted apart, as they cost nothing whatever their token count."""

    by_model: list[ModelUsage]
    hosted_tokens_in: int
    hosted_tokens_out: int
    cost_usd: float  # priced models only; see unpriced_models
    offline_turns: int = 0
    hosted_turns: int = 0
    unpriced_models: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MetricsDashboard:
    range: TimeRange
    conversations: ConversationStats
    turns: TurnStats
    tools: ToolStats
    decisions: DecisionStats
    refusals: RefusalStats
    csat: CsatStats
    usage: UsageStats

    def trend_rows(self) -> list[dict[str, Any]]:
        """One row per bucket with every series side by side (a chart's data frame)."""
        series = (
            self.conversations.series,
            self.turns.series,
            self.tools.series,
            self.decisions.series,
            self.refusals.series,
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
