"""The demo logins, published in the README. The demo world's generator creates these accounts;
the production readiness check refuses to start while one of them keeps its demo password."""

from __future__ import annotations

from dataclasses import dataclass

from db.models import Role


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
