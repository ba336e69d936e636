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


class HandoffState(StrEnum):
    """A conversation handed to a person: waiting in the Queue, held by an agent, then handed
    back to the assistant or resolved (both end the handoff)."""

    WAITING = "waiting"
    HELD = "held"
    HANDED_BACK = "handed_back"
    RESOLVED = "resolved"


class MessageAuthor(StrEnum):
    """Who wrote a message of a handoff: the passenger, the agent holding it, or the desk
    (a note such as "Anna took the conversation")."""

    PASSENGER = "passenger"
    AGENT = "agent"
    DESK = "desk"


class DisruptionKind(StrEnum):
    CANCELLED = "cancelled"
    DELAYED = "delayed"


class DisruptionCause(StrEnum):
    """Why a flight was disrupted; whether it is an extraordinary circumstance (EU 261/2004
    Art. 5(3)) is decided from it in services.disruptions.causes."""

    WEATHER = "weather"
    AIR_TRAFFIC_CONTROL = "air_traffic_control"
    STRIKE_AIRLINE_STAFF = "strike_airline_staff"
    STRIKE_THIRD_PARTY = "strike_third_party"
    TECHNICAL = "technical"
    CREW = "crew"
    SECURITY = "security"
    AIRPORT = "airport"
    OTHER = "other"


def str_enum(enum_cls: type[StrEnum]) -> Enum:
    """A portable VARCHAR column holding the enum's values (no native PG enum to migrate)."""
    values: Any = lambda members: [m.value for m in members]  # noqa: E731
    return Enum(
        enum_cls, native_enum=False, values_callable=values, length=24, validate_strings=True
    )


class NoticeKind(StrEnum):
    """What a passenger notice in the outbox tells (services/notifications)."""

    REBOOKED = "rebooked"
    REFUNDED = "refunded"
