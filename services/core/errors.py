"""Domain errors: every refusal names a rule code and says, in a sentence, what is wrong."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Rule(StrEnum):
    """Stable codes counted by the audit and explained by the assistant (docs/policy.md)."""

    # Flight changes and cancellations
    FARE_NO_CHANGE = "fare_light_no_change"
    TOO_CLOSE_TO_DEPARTURE = "within_3h_of_departure"
    ALREADY_DEPARTED = "already_departed"
    LEG_FLOWN = "leg_already_flown"
    ROUTE_MUST_MATCH = "change_must_keep_route"
    FLIGHT_NOT_BOOKABLE = "flight_not_bookable"
    FLIGHT_IN_PAST = "flight_in_past"
    ITINERARY_INVALID = "itinerary_invalid"
    NO_SEAT = "no_seat_available"
    TICKET_NOT_ACTIVE = "ticket_not_active"
    SAME_ITINERARY = "same_itinerary"
    REBOOKING_WINDOW = "airline_cancellation_rebooking_window"
    # Compensation
    COMPENSATION_NOT_ELIGIBLE = "compensation_not_eligible"
    COMPENSATION_ALREADY_PAID = "compensation_already_paid"
    COMPENSATION_BOOKED_AFTER_DISRUPTION = "compensation_booked_after_disruption"
    COMPENSATION_DISRUPTION_UNRECORDED = "compensation_disruption_unrecorded"
    COMPENSATION_TICKET_CANCELLED = "compensation_ticket_cancelled"
    COMPENSATION_EXTRAORDINARY = "compensation_extraordinary_circumstances"
    COMPENSATION_CANCELLATION_NOTICE = "compensation_cancellation_notice"
    CARE_NOT_DUE = "care_not_due"
    REFUND_CHOICE_NOT_DUE = "refund_choice_not_due"
    # Disruptions (recorded by an administrator)
    DISRUPTION_NOT_ALLOWED = "disruption_not_allowed"
    # Hotels, cars, excursions
    BOOKING_CANCEL_WINDOW = "booking_cancel_window"
    BOOKING_STARTED = "booking_already_started"
    BOOKING_NOT_ACTIVE = "booking_not_active"
    NO_AVAILABILITY = "no_availability"
    # Everyone
    NOT_OWNER = "not_owner"
    NO_PASSENGER = "no_passenger_selected"
    PAYMENT_METHOD = "payment_method_invalid"
    PRICE_CHANGED = "price_changed_since_approval"
    PERMISSION = "permission_denied"


class DomainError(Exception):
    """Base for every error a person should read. `code` is stable; `message` is a sentence."""

    code: str = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


class PolicyViolation(DomainError):
    """The airline's rules refuse the action."""

    def __init__(self, rule: Rule, message: str) -> None:
        super().__init__(message, code=rule.value)
        self.rule = rule


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    code = "invalid_input"


class FaultKind(StrEnum):
    SERVICE_UNAVAILABLE = "service_unavailable"  # the database (or its pool) failed
    INTERNAL_ERROR = "internal_error"  # anything else: a bug


MESSAGES = {
    FaultKind.SERVICE_UNAVAILABLE: "The database is not reachable right now; nothing was "
    "changed. Please try again in a moment.",
    FaultKind.INTERNAL_ERROR: "Something went wrong on our side; nothing more was changed. "
    "Please try again.",
}


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    error_type: str  # the exception's class name: safe to store, useful to count
    reference: str  # ties what the person saw to the server's log line

    @property
    def message(self) -> str:
        """What a person reads: no SQL, no column names, no stack trace."""
        return f"{MESSAGES[self.kind]} Reference: {self.reference}"

    @property
    def record(self) -> str:
        """What a stored row keeps (audit message, turns.error)."""
        return f"{self.kind.value}: {self.error_type} (reference {self.reference})"


class ServiceUnavailable(DomainError):
    """The database (or another dependency) failed; nothing was changed. `fault`, when set,
    is the reported fault (services.core.faults.report): its reference is in the message and in the
    server log, so whoever shows or stores this error reuses it instead of reporting anew."""

    code = "service_unavailable"

    def __init__(self, message: str, *, fault: Fault | None = None) -> None:
        super().__init__(message)
        self.fault = fault


class AlreadyExecuted(DomainError):
    """The approved request was executed before (a second click, tab or replica)."""

    code = "already_executed"


class Conflict(DomainError):
    """Someone else changed the record first (another agent took the conversation): nothing was
    done, and the message says what the record is now."""

    code = "conflict"
