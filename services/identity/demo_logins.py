"""The demo logins, published in the README. The demo world's generator creates these accounts;
the production readiness check refuses to start while one of them keeps its demo password. In
demo mode the sign-in page lists the ones that still sign in with it (`usable_demo_logins`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from config import Settings
from db.models import Role
from services.identity.accounts import find_user
from services.identity.passwords import verify_password


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: Role
    password: str  # local demo only; production refuses to start with these
    persona: str | None = None

    @property
    def email(self) -> str:
        return f"{self.username}@skydesk.example"


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("agent", "Alex Meier", Role.AGENT, "agent-demo"),
    DemoUser("manager", "Maria Rossi", Role.MANAGER, "manager-demo"),
    DemoUser("admin", "Sam Weber", Role.ADMIN, "admin-demo"),
    DemoUser("customer", "Anna Keller", Role.CUSTOMER, "customer-demo", persona="anna"),
)


def with_demo_password(session: Session) -> list[DemoUser]:
    """The demo logins seeded, enabled and still with their published password (~0.25 s of
    bcrypt each): what production refuses, and what the demo's sign-in page lists."""
    kept = []
    for demo in DEMO_USERS:
        user = find_user(session, demo.username)
        if (
            user is not None
            and not user.disabled
            and verify_password(demo.password, user.password_hash)
        ):
            kept.append(demo)
    return kept


def usable_demo_logins(session: Session, settings: Settings) -> list[DemoUser]:
    """The demo logins that work on this database; none in production, whatever the database
    holds (the page caches the answer)."""
    if settings.environment == "production":
        return []
    return with_demo_password(session)
