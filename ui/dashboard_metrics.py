"""The Metrics page's parts: the KPI cards (with a sparkline of their trend) and the Plotly
trend charts, drawn from one services.dashboards.metrics.metrics_dashboard result, inside a
fragment that refreshes itself while live refresh is on.

Session-state keys (all "metrics_"): metrics_range / metrics_dates (the period picker) and
metrics_live (the live refresh toggle)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from services.core.clock import HOME_TZ, SystemClock
from services.dashboards.metrics import metrics_dashboard
from services.dashboards.metrics_models import MetricsDashboard, RefusalStats, UsageStats
from ui import resources
from ui.components import attempt, table
from ui.dashboard_common import (
    Period,
    bar_series,
    count,
    describe,
    line_series,
    local,
    millis,
    percent,
    replica_caption,
    usd,
)
from ui.dashboard_handoffs import handoff_section

REFRESH = timedelta(seconds=30)
BUCKET_WORDS = {"hour": "hourly", "day": "daily"}
CARDS_PER_ROW = 5
cc = st.column_config


def live_dashboard(period: Period, *, live: bool) -> None:
    """The figures for `period`, re-read every REFRESH while `live` (only this part of the
    page runs again; the range is resolved anew each time, so "last 24 hours" moves on)."""

    @st.fragment(run_every=REFRESH if live else None)
    def dashboard() -> None:
        since, until = period.resolve(resources.clock().now())
        replica_caption()
        with resources.read_session() as session:
            figures = attempt(
                lambda: metrics_dashboard(session, since=since, until=until, bucket=period.bucket)
            )
        if figures is None:
            return
        # When the figures were read, by the wall clock: the demo clock may be frozen.
        read_at = SystemClock().now().astimezone(HOME_TZ)
        st.caption(
            f"{describe(since, until)} · {BUCKET_WORDS[period.bucket]} trend · "
            f"read at {read_at:%H:%M:%S}" + (" · refreshes every 30 s" if live else "")
        )
        kpi_cards(figures)
        handoff_section(since, until)
        trend_charts(figures)

    dashboard()


def _trend(points: Sequence[Any], value: Callable[[Any], float | int | None]) -> list[float]:
    """A sparkline's values: one per bucket, buckets without data left out."""
    return [float(v) for p in points if (v := value(p)) is not None]


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


Card = tuple[str, str, str, list[float]]  # label, value, help, trend


def usage_cards(usage: UsageStats) -> list[Card]:
    """Tokens and cost for the hosted models (billed per token); the offline model costs
    nothing, and says so instead of showing its token counts beside a cost of zero."""
    if not usage.hosted_turns:
        return [("Model cost", "Nothing",
                 "The offline built-in model runs inside SkyDesk: no tokens are billed. Tokens "
                 "and cost appear here for turns answered by a hosted model.", [])]  # fmt: skip
    offline = (
        f"; the offline model's {usage.offline_turns:,} turns cost nothing"
        if usage.offline_turns else ""
    )  # fmt: skip
    unpriced = (
        f"; no price known for {', '.join(usage.unpriced_models)}" if usage.unpriced_models else ""
    )
    return [
        ("Tokens in", count(usage.hosted_tokens_in), f"Prompt tokens, hosted models{offline}", []),
        ("Tokens out", count(usage.hosted_tokens_out), "Completion tokens, hosted models", []),
        ("Estimated cost", usd(usage.cost_usd),
         f"Tokens × list price, by model below{unpriced}{offline}", []),
    ]  # fmt: skip


def refusal_cards(ref: RefusalStats) -> list[Card]:
    return [
        ("Policy refusals", count(ref.policy_refusals),
         "Requests in conversations the policy refused: turns with a refused call, once per "
         "turn however many options were refused; by rule below",
         _trend(ref.series, lambda p: p.policy_refusals)),
        ("Access denials", count(ref.access_denials),
         f"{ref.page_denials:,} forbidden page opens, {ref.action_denials:,} denied actions",
         _trend(ref.series, lambda p: p.access_denials)),
        ("Failed sign-ins", count(ref.failed_sign_ins),
         "Sign-in attempts refused: wrong password, unknown username, disabled account or too "
         "many attempts", _trend(ref.series, lambda p: p.failed_sign_ins)),
    ]  # fmt: skip


def kpi_cards(d: MetricsDashboard) -> None:
    conv, turns, tools, dec, csat = d.conversations, d.turns, d.tools, d.decisions, d.csat
    decided = dec.approved + dec.denied
    cards: list[Card] = [
        ("Conversations", count(conv.total), f"{conv.open:,} still open",
         _trend(conv.series, lambda p: p.conversations)),
        ("Turns", count(turns.total), "Messages and approval answers the assistant ran",
         _trend(turns.series, lambda p: p.turns)),
        ("Resolution rate", percent(conv.resolution_rate),
         f"{conv.resolved:,} resolved without escalation",
         _trend(conv.series, lambda p: _ratio(p.resolved, p.conversations))),
        ("Escalation rate", percent(conv.escalation_rate),
         f"{conv.escalated:,} handed to a colleague; by reason in the charts below",
         _trend(conv.series, lambda p: _ratio(p.escalated, p.conversations))),
        ("Approval rate", percent(dec.approval_rate),
         f"{dec.approved:,} of {decided:,} approval cards approved",
         _trend(dec.series, lambda p: _ratio(p.approved, p.approved + p.denied))),
        ("Denial rate", percent(dec.denial_rate),
         f"{dec.denied:,} of {decided:,} approval cards denied",
         _trend(dec.series, lambda p: _ratio(p.denied, p.approved + p.denied))),
        *refusal_cards(d.refusals),
        ("Tool error rate", percent(tools.error_rate),
         f"{tools.errors:,} of {tools.calls:,} tool calls failed",
         _trend(tools.series, lambda p: _ratio(p.errors, p.calls))),
        ("Turn latency p50", millis(turns.latency_p50_ms), "Median time per turn",
         _trend(turns.series, lambda p: p.latency_p50_ms)),
        ("Turn latency p95", millis(turns.latency_p95_ms), "95th percentile per turn",
         _trend(turns.series, lambda p: p.latency_p95_ms)),
        ("CSAT", "n/a" if csat.mean is None else f"{csat.mean:.2f} / 5",
         f"Mean of {csat.rated:,} ratings (1–5)", _trend(csat.series, lambda p: p.mean)),
        ("Satisfied (4–5)", percent(csat.satisfied_share), "Share of ratings of 4 or 5",
         _trend(csat.series, lambda p: p.satisfied_share)),
        *usage_cards(d.usage),
    ]  # fmt: skip
    for start in range(0, len(cards), CARDS_PER_ROW):
        row = cards[start : start + CARDS_PER_ROW]
        for column, (label, value, help_text, trend) in zip(
            st.columns(CARDS_PER_ROW), row, strict=False
        ):
            column.metric(
                label,
                value,
                help=help_text,
                border=True,
                chart_data=trend if len(trend) > 1 else None,
                chart_type="area",
            )


def _frame(points: Sequence[Any], **columns: Callable[[Any], Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"time": local(p.start), **{k: f(p) for k, f in columns.items()}} for p in points]
    )


def _chart(figure: go.Figure, key: str, *, title: str, y: str = "") -> None:
    figure.update_layout(
        title=title,
        height=320,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.2, "title": None},
        xaxis_title=None,
        yaxis_title=y or None,
    )
    st.plotly_chart(figure, key=key)


def _bars(labels: list[str], values: list[int], key: str, *, title: str, empty: str) -> None:
    if not any(values):
        st.caption(empty)
        return
    figure = go.Figure(go.Bar(x=values, y=labels, orientation="h", text=values))
    figure.update_yaxes(autorange="reversed", title=None)
    figure.update_xaxes(title=None)
    _chart(figure, key, title=title)


def trend_charts(d: MetricsDashboard) -> None:
    talk, decisions, speed, ratings, cost = st.tabs(
        ["Conversations", "Approvals and refusals", "Speed and errors", "Satisfaction",
         "Tokens and cost"]
    )  # fmt: skip
    with talk:
        left, right = st.columns([3, 2])
        with left:
            frame = _frame(
                d.conversations.series,
                resolved=lambda p: p.resolved,
                escalated=lambda p: p.escalated,
                open=lambda p: p.conversations - p.resolved - p.escalated,
            )
            figure = bar_series(frame["time"],
                                 {c: frame[c] for c in ("resolved", "escalated", "open")},
                                 ["#2e7d32", "#ef6c00", "#90a4ae"])  # fmt: skip
            _chart(figure, "metrics_conversations", title="Conversations started", y="count")
        with right:
            reasons = d.conversations.by_reason
            _bars([r.reason.replace("_", " ") for r in reasons], [r.count for r in reasons],
                  "metrics_reasons", title="Escalations by reason",
                  empty="No escalations in this range.")  # fmt: skip
    with decisions:
        left, right = st.columns([3, 2])
        with left:
            frame = _frame(d.decisions.series, approved=lambda p: p.approved,
                           denied=lambda p: p.denied)  # fmt: skip
            refused = _frame(d.refusals.series, **{
                "policy refusals": lambda p: p.policy_refusals,
                "access denials": lambda p: p.access_denials,
                "failed sign-ins": lambda p: p.failed_sign_ins,
            })  # fmt: skip
            frame = frame.merge(refused, on="time")
            figure = line_series(
                frame,
                [c for c in frame.columns if c != "time"],
                ["#2e7d32", "#c62828", "#6a1b9a", "#ef6c00", "#546e7a"],
            )
            _chart(figure, "metrics_decisions", title="Approval cards, refusals and denials",
                   y="count")  # fmt: skip
        with right:
            rules = d.refusals.policy_refusals_by_rule
            _bars([r.rule.replace("_", " ") for r in rules], [r.count for r in rules],
                  "metrics_rules", title="Conversations with a policy refusal, by rule",
                  empty="No policy refusals in this range.")  # fmt: skip
    with speed:
        left, right = st.columns(2)
        with left:
            frame = _frame(
                d.turns.series,
                p50=lambda p: p.latency_p50_ms,
                p95=lambda p: p.latency_p95_ms,
            )
            figure = line_series(frame, ["p50", "p95"])
            _chart(figure, "metrics_latency", title="Turn latency", y="ms")
        with right:
            frame = _frame(
                d.tools.series,
                calls=lambda p: p.calls,
                error_rate=lambda p: _ratio(p.errors, p.calls),
            )
            figure = go.Figure(
                [
                    go.Bar(x=frame["time"], y=frame["calls"], name="tool calls",
                           marker_color="#90caf9"),
                    go.Scatter(x=frame["time"], y=frame["error_rate"], name="error rate",
                               yaxis="y2", mode="lines+markers", marker_color="#c62828"),
                ]
            )  # fmt: skip
            figure.update_layout(
                yaxis2={
                    "overlaying": "y",
                    "side": "right",
                    "tickformat": ".0%",
                    "range": [0, max([0.05, *frame["error_rate"].dropna()]) * 1.1],
                    "showgrid": False,
                }
            )
            _chart(figure, "metrics_tools", title="Tool calls and error rate", y="calls")
        table(
            [vars(t) for t in d.tools.by_tool],
            {"tool": cc.TextColumn("Tool"), "calls": cc.NumberColumn("Calls"),
             "errors": cc.NumberColumn("Errors"),
             "error_rate": cc.NumberColumn("Error rate", format="percent")},
            empty="No tool calls in this range.",
        )  # fmt: skip
    with ratings:
        left, right = st.columns([3, 2])
        with left:
            frame = _frame(d.csat.series, mean=lambda p: p.mean, rated=lambda p: p.rated)
            figure = line_series(frame, ["mean"])
            figure.update_traces(
                customdata=frame["rated"],
                showlegend=False,
                hovertemplate="%{x}<br>mean %{y:.2f}<br>rated %{customdata}",
            )
            figure.update_yaxes(range=[1, 5])
            _chart(figure, "metrics_csat", title="CSAT (mean rating)", y="rating")
        with right:
            stars_first = sorted(d.csat.distribution, reverse=True)  # 5 ★ on top
            _bars([f"{r} ★" for r in stars_first],
                  [d.csat.distribution[r] for r in stars_first], "metrics_ratings",
                  title="Ratings", empty="No ratings in this range.")  # fmt: skip
    with cost:
        usage = d.usage.by_model
        left, right = st.columns(2)
        with left:
            if usage:
                frame = pd.DataFrame([vars(u) for u in usage])
                figure = bar_series(
                    frame["model"],
                    {c: frame[c] for c in ("tokens_in", "tokens_out")},
                    barmode="group",
                )
                _chart(figure, "metrics_tokens", title="Tokens by model", y="tokens")
            else:
                st.caption("No turns in this range.")
        with right:
            table(
                [vars(u) for u in usage],
                {"model": cc.TextColumn("Model"), "turns": cc.NumberColumn("Turns"),
                 "tokens_in": cc.NumberColumn("Tokens in"),
                 "tokens_out": cc.NumberColumn("Tokens out"),
                 "cost_usd": cc.NumberColumn("Estimated cost", format="$%.4f")},
                empty="",
            )  # fmt: skip
            if d.usage.offline_turns:
                st.caption("The offline model runs inside SkyDesk and costs nothing; its token "
                           "counts are shown for comparison only.")  # fmt: skip
