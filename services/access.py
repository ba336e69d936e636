"""Who may see and change what: the passenger comes from the session's context, and a record
is reachable only if it belongs to that passenger."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Passenger, Role, Ticket
from services.context import ServiceContext
from services.errors import InvalidInput, NotFound, PolicyViolation, Rule


def current_passenger(session: Session, ctx: ServiceContext) -> Passenger:
    if ctx.passenger_id is None:
        raise PolicyViolation(
            Rule.NO_PASSENGER, "No passenger is selected; pick the passenger you are helping first."
        )
    if ctx.actor.role == Role.CUSTOMER and ctx.passenger_id != ctx.actor.passenger_id:
        raise PolicyViolation(
            Rule.PERMISSION, "A customer account can act only for its own passenger."
        )
    passenger = session.get(Passenger, ctx.passenger_id)
    if passenger is None:
        raise NotFound(f"Passenger {ctx.passenger_id} does not exist.")
    return passenger


def normalize_ticket_no(ticket_no: str) -> str:
    digits = "".join(ch for ch in str(ticket_no) if ch.isdigit())
    if len(digits) != 13:
        raise InvalidInput(f"'{ticket_no}' is not a ticket number; ticket numbers have 13 digits.")
    return digits


def owned_ticket(session: Session, ctx: ServiceContext, ticket_no: str) -> Ticket:
    """The ticket, if it is the current passenger's own (a companion's ticket is not)."""
    passenger = current_passenger(session, ctx)
    number = normalize_ticket_no(ticket_no)
    ticket = session.scalar(select(Ticket).where(Ticket.ticket_no == number))
    if ticket is None:
        raise NotFound(f"There is no ticket {number}.")
    if ticket.passenger_id != passenger.id:
        raise PolicyViolation(
            Rule.NOT_OWNER,
            f"Ticket {number} is not {passenger.full_name}'s own ticket. Only the passenger's own "
            "tickets can be viewed or changed; a companion on the same booking must ask for theirs.",
        )
    return ticket


def check_owner(owner_passenger_id: int, passenger: Passenger, what: str) -> None:
    if owner_passenger_id != passenger.id:
        raise PolicyViolation(
            Rule.NOT_OWNER,
            f"This {what} is not {passenger.full_name}'s own; only the owner's bookings can be changed.",
        )
