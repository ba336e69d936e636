"""Who the planner serves first: staff only may plan, and parties are queued by the configured
criteria (Settings.reaccommodation_priorities), first come first served among equals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from db.models import Role, Tier
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, PolicyViolation, Rule
from services.disruptions.affected import Group
from services.disruptions.plan_types import Priority, Strategy

STAFF = frozenset({Role.AGENT, Role.MANAGER, Role.ADMIN})
# No ages are on file, so a party of three or more stands for a family travelling together.
FAMILY_SIZE = 3


def require_staff(ctx: ServiceContext) -> None:
    if ctx.actor.role not in STAFF:
        raise PolicyViolation(
            Rule.PERMISSION,
            "Only agents, managers and administrators can plan a re-accommodation; a "
            f"{ctx.actor.role.value} account cannot.",
        )


def parse_priorities(text: str | Sequence[Priority | str]) -> tuple[Priority, ...]:
    """ "gold,tight_connection,family" (or a sequence) as priorities, in order, once each."""
    names = text.split(",") if isinstance(text, str) else [str(p) for p in text]
    found: list[Priority] = []
    for name in (n.strip().lower() for n in names):
        if not name:
            continue
        try:
            priority = Priority(name)
        except ValueError:
            known = ", ".join(p.value for p in Priority)
            raise InvalidInput(f"'{name}' is not a re-accommodation priority ({known}).") from None
        if priority not in found:
            found.append(priority)
    return tuple(found)


def priorities_met(group: Group, order: Sequence[Priority]) -> tuple[Priority, ...]:
    tiers = group.tiers
    met = {
        Priority.GOLD: Tier.GOLD in tiers,
        Priority.SILVER: bool(tiers & {Tier.GOLD, Tier.SILVER}),
        Priority.TIGHT_CONNECTION: any(j.tight_connection for j in group.journeys),
        Priority.FAMILY: group.size >= FAMILY_SIZE,
    }
    return tuple(p for p in order if met[p])


def queue(
    groups: list[Group], strategy: Strategy, order: Sequence[Priority]
) -> list[tuple[Group, tuple[Priority, ...]]]:
    """The parties in the order they are served: by the first priority met, then the next, ...;
    first come first served among equals, and for the greedy baseline throughout."""
    met = [(g, priorities_met(g, order) if strategy == Strategy.PLANNER else ()) for g in groups]

    def key(item: tuple[Group, tuple[Priority, ...]]) -> tuple[tuple[bool, ...], datetime, int]:
        group, reasons = item
        rank = tuple(p not in reasons for p in order) if strategy == Strategy.PLANNER else ()
        return rank, group.booking.created_at, group.booking.id

    return sorted(met, key=key)
