"""Prometheus metrics (prometheus-client): what the chat path, the approval card and the rate
limiter report, and an HTTP endpoint per process for Prometheus to scrape.

The metrics live in SkyDesk's own registry (plus the process and GC collectors), so importing
this module twice or starting the endpoint on every Streamlit re-run never registers a series
twice. Label values are checked against closed sets: a hallucinated tool name from a model
must not create a new time series per typo."""

from __future__ import annotations

import logging
import re
import threading
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    start_http_server,
)

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

TOOL_OUTCOMES = frozenset(
    {"ok", "executed", "approved", "denied", "refused", "invalid", "error", "pending"}
)
DECISIONS = frozenset({"approved", "denied"})
RATE_LIMIT_KINDS = frozenset({"chat", "login"})
_LABEL = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
MAX_TOOL_NAMES = 64  # more distinct tools than this is a bug, not a product

TURNS = Counter(
    "skydesk_turns", "Assistant turns by model and outcome", ["model", "outcome"], registry=REGISTRY
)
TURN_LATENCY = Histogram(
    "skydesk_turn_latency_seconds",
    "Time from a user message to the assistant's complete answer",
    ["model"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
TOKENS = Counter(
    "skydesk_tokens",
    "Model tokens by model and direction",
    ["model", "direction"],
    registry=REGISTRY,
)
TOOL_CALLS = Counter(
    "skydesk_tool_calls", "Tool calls by tool and outcome", ["tool", "outcome"], registry=REGISTRY
)
APPROVALS = Counter(
    "skydesk_approvals", "Agents' answers on approval cards", ["decision"], registry=REGISTRY
)
ERRORS = Counter("skydesk_errors", "Errors by kind", ["kind"], registry=REGISTRY)
RATE_LIMITS = Counter(
    "skydesk_rate_limit_hits", "Requests refused by a rate limit", ["kind"], registry=REGISTRY
)
ESCALATIONS = Counter(
    "skydesk_escalations", "Conversations handed to a human", ["reason"], registry=REGISTRY
)

_server_lock = threading.Lock()
_server_port: int | None = None
_tool_names: set[str] = set()


def _label(value: str, allowed: frozenset[str] | None = None) -> str:
    value = str(value or "").strip().lower()
    if allowed is not None:
        return value if value in allowed else "other"
    return value if _LABEL.match(value) else "other"


def _model_label(model: str) -> str:
    # Model names carry dots and dashes (gpt-4o-mini, llama-3.1-8b); keep them, bounded.
    value = str(model or "unknown").strip()[:60]
    return value if re.fullmatch(r"[\w.:/-]+", value) else "other"


def observe_turn(
    latency_s: float,
    model: str,
    error: bool | str | None = None,
    *,
    tokens_in: int = 0,
    tokens_out: int = 0,
) -> None:
    """One finished assistant turn (called by the chat runtime, error or not)."""
    name = _model_label(model)
    outcome = "error" if error else "ok"
    TURNS.labels(model=name, outcome=outcome).inc()
    TURN_LATENCY.labels(model=name).observe(max(0.0, latency_s))
    if tokens_in:
        TOKENS.labels(model=name, direction="in").inc(tokens_in)
    if tokens_out:
        TOKENS.labels(model=name, direction="out").inc(tokens_out)
    if error:
        count_error("turn")


def count_tool_call(tool: str, outcome: str) -> None:
    name = _label(tool)
    if name != "other" and name not in _tool_names:
        if len(_tool_names) >= MAX_TOOL_NAMES:
            name = "other"
        else:
            _tool_names.add(name)
    TOOL_CALLS.labels(tool=name, outcome=_label(outcome, TOOL_OUTCOMES)).inc()


def count_approval(decision: str) -> None:
    """The agent's answer on an approval card: "approved" or "denied"."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be approved or denied, not {decision!r}")
    APPROVALS.labels(decision=decision).inc()


def count_error(kind: str) -> None:
    """An error worth alerting on: "turn", "model_timeout", "database", "tool", ..."""
    ERRORS.labels(kind=_label(kind)).inc()


def count_rate_limit(kind: str) -> None:
    """A request refused by a rate limit: "chat" or "login"."""
    RATE_LIMITS.labels(kind=_label(kind, RATE_LIMIT_KINDS)).inc()


def count_escalation(reason: str) -> None:
    ESCALATIONS.labels(reason=_label(reason)).inc()


def start_metrics_server(port: int | None, *, addr: str = "0.0.0.0") -> int | None:
    """Serve /metrics on `port` once per process; later calls return the running port.

    None (metrics_port unset) starts nothing. A port already taken (another process on the
    same host) is logged, not raised: metrics must never stop the app from starting."""
    global _server_port
    if port is None:
        return None
    with _server_lock:
        if _server_port is not None:
            return _server_port
        try:
            start_http_server(port, addr=addr, registry=REGISTRY)
        except OSError as err:
            log.warning("metrics endpoint not started on port %s: %s", port, err)
            return None
        _server_port = port
        log.info("metrics endpoint listening", extra={"port": port})
        return port


def metrics_port() -> int | None:
    return _server_port


def sample(name: str, labels: dict[str, Any] | None = None) -> float:
    """A metric's current value from the registry (for tests and a status page)."""
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0
