"""Accounts as the rest of the app sees them: who they are, their role and, for a customer, the
passenger record the account is bound to. Reading only; changes are in services.identity.users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Role, User
from services.core.context import Actor

# Roles a person's account can have (SYSTEM and ANONYMOUS are audit actors, never logins).
ACCOUNT_ROLES: tuple[Role, ...] = (Role.AGENT, Role.MANAGER, Role.ADMIN, Role.CUSTOMER)


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    name: str
    email: str
    role: Role
    passenger_id: int | None
    disabled: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(
            user.id,
            user.username,
            user.name,
            user.email,
            user.role,
            user.passenger_id,
            user.disabled,
            user.created_at,
        )

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role, self.id, self.passenger_id)


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == normalize_username(username)))


def get_account(session: Session, username: str) -> Account | None:
    user = find_user(session, username)
    return Account.of(user) if user else None


def list_accounts(session: Session) -> list[Account]:
    return [Account.of(u) for u in session.scalars(select(User).order_by(User.username))]
