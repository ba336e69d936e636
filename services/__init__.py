"""The domain services, one package per domain; pages and the assistant's tools call them, and
they call db/. core/ is the machinery every call goes through; cli.py holds the operators'
command lines (`python -m services.audit verify`, `python -m services.admin ...`)."""

__all__ = [
    "core",
    "dashboards",
    "flights",
    "identity",
    "payments",
    "support",
    "text",
    "travel",
]
