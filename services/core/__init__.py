"""The machinery every service call goes through: who acts (context), time (clock),
errors and faults, what the operator command lines share (commands), amounts (money), checked input (validation), secret keys as text (key_text),
record access and row locks,
the audited operation, approvals, the audit trail with its recorded checks and signed anchors,
how far a read replica is behind, and rate limits."""

__all__ = [
    "access",
    "approvals",
    "audit",
    "audit_anchor",
    "audit_checks",
    "clock",
    "commands",
    "context",
    "errors",
    "faults",
    "key_text",
    "money",
    "operations",
    "ratelimit",
    "replica",
    "validation",
]
