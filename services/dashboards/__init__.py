"""The managers' dashboards below the UI: audit trail queries and export, KPIs and trends,
conversation review and coaching flags, evaluation history. Each Streamlit page calls these
functions and only lays out their typed results.

Modules: audit_log (filtered pages, count, detail, picker values), audit_export (CSV,
integrity check), metrics (+ metrics_models, refusals, usage), handoffs (the live handoff
queue), reviews, coaching, evaluations."""

__all__ = [
    "audit_export",
    "audit_log",
    "coaching",
    "common",
    "evaluations",
    "handoffs",
    "metrics",
    "metrics_models",
    "refusals",
    "reviews",
    "usage",
]
