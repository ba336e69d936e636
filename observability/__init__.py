"""Logs and metrics for every layer (nothing here imports streamlit).

The app calls `setup(get_settings())` once at start (every Streamlit re-run may call it again);
the chat runtime calls observe_turn / count_tool_call / count_approval / count_escalation /
count_error, the rate limiter count_rate_limit, and wraps a turn in log_context(...)."""

from __future__ import annotations

from typing import Any

from observability.logs import configure_logging, log_context
from observability.metrics import (
    count_approval,
    count_error,
    count_escalation,
    count_rate_limit,
    count_tool_call,
    observe_turn,
    start_metrics_server,
)
from services.text.masking import mask_text


def setup(settings: Any) -> int | None:
    """JSON logging at settings.log_level, and the metrics endpoint on settings.metrics_port
    (when set). Idempotent; returns the metrics port or None."""
    configure_logging(settings)
    return start_metrics_server(getattr(settings, "metrics_port", None))


__all__ = [
    "configure_logging",
    "count_approval",
    "count_error",
    "count_escalation",
    "count_rate_limit",
    "count_tool_call",
    "log_context",
    "mask_text",
    "observe_turn",
    "setup",
    "start_metrics_server",
]
