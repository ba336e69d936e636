"""Who is acting, for which passenger, at what time: taken from the session, never from chat."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from db.models import Role
from services.core.clock import Clock, SystemClock


@dataclass(frozen=True)
class Actor:
    username: str
    role: Role
    user_id: int | None = None
    # A customer login is bound to its own passenger record; staff have none.
    passenger_id: int | None = None


SYSTEM_ACTOR = Actor(username="system", role=Role.SYSTEM)


@dataclass(frozen=True)
class Approved:
    """The amounts the approver saw on the card. The write refuses, inside its transaction,
    when what it would charge or refund differs, so no price change is charged unapproved."""

    charge: Decimal = Decimal("0.00")
    refund: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class ServiceContext:
    """Passed to every service call. `passenger_id` is the passenger the actor serves."""

    actor: Actor
    passenger_id: int | None = None
    clock: Clock = field(default_factory=SystemClock)
    conversation_id: str | None = None
    # Set for an approved write: the approval's id, so the write runs at most once.
    idempotency_key: str | None = None
    # Set for an approved write: what the card showed (None: a direct write from the desk UI).
    approved: Approved | None = None

    def once(self, key: str, approved: Approved | None = None) -> ServiceContext:
        return replace(self, idempotency_key=key, approved=approved)
