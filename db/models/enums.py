"""Domain vocabularies, stored as their string values."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Enum


class Tier(StrEnum):
    REGULAR = "regular"
    SILVER = "silver"
    GOLD = "gold"


class Fare(StrEnum):
    LIGHT = "Light"
    CLASSIC = "Classic"
    FLEX = "Flex"
    BUSINESS = "Business"


class Cabin(StrEnum):
    ECONOMY = "economy"
    BUSINESS = "business"


class FlightStatus(StrEnum):
    SCHEDULED = "scheduled"
    DELAYED = "delayed"
    CANCELLED = "cancelled"
    DEPARTED = "departed"
    ARRIVED = "arrived"


class TicketStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


class LegStatus(StrEnum):
    ACTIVE = "active"
    EXCHANGED = "exchanged"  # replaced by a flight change
    CANCELLED = "cancelled"


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Role(StrEnum):
    AGENT = "agent"
    MANAGER = "manager"
    ADMIN = "admin"
    CUSTOMER = "customer"
    SYSTEM = "system"
    # The audit's actor role for a sign-in attempt naming no existing account; never a login.
    ANONYMOUS = "anonymous"


class ConversationStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    ESCALATED = "escalated"


class EscalationReason(StrEnum):
    CUSTOMER_REQUEST = "customer_request"
    MISSING_KNOWLEDGE = "missing_knowledge"
    UNSUPPORTED_REQUEST = "unsupported_request"
    POLICY_RESTRICTION = "policy_restriction"
    TOOL_FAILURE = "tool_failure"


def str_enum(enum_cls: type[StrEnum]) -> Enum:
    """A portable VARCHAR column holding the enum's values (no native PG enum to migrate)."""
    values: Any = lambda members: [m.value for m in members]  # noqa: E731
    return Enum(
        enum_cls, native_enum=False, values_callable=values, length=24, validate_strings=True
    )
