"""The machinery every service call goes through: who acts (context), time (clock),
errors and faults, record access and row locks, the audited operation, approvals and quotes
(dry runs of a write), the audit trail with its recorded checks and signed anchors, and rate
limits."""

__all__ = [
    "access",
    "approvals",
    "audit",
    "audit_anchor",
    "audit_checks",
    "clock",
    "context",
    "errors",
    "faults",
    "operations",
    "quotes",
    "ratelimit",
]
