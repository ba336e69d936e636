"""Accounts and signing in: accounts (reading), users (sign-in and user
management), passwords, sign-in cookies (sessions), the administrator's audited actions
(admin) and the published demo logins a production deployment refuses (demo_logins)."""

__all__ = [
    "accounts",
    "admin",
    "demo_logins",
    "passwords",
    "sessions",
    "users",
]
