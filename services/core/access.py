"""Who may see and change what: the passenger comes from the session's context, and a record
is reachable only if it belongs to that passenger.

Inside a write service's transaction the records a write decides on are loaded with row locks
(SELECT ... FOR UPDATE), so two approvals of writes on one ticket run one after the other and the
second decides on what the first left: under PostgreSQL's READ COMMITTED, two unlocked readers
both saw a ticket active and 20 racing cancels paid 20 refunds. Locks are always taken in one
order (ticket, its legs, then flights, then anything else) so racing writers queue instead of
deadlocking. On SQLite FOR UPDATE is a no-op; the write's BEGIN IMMEDIATE already serialises."""

from __future__ import annotations

from typing import TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from db.engine import SQLITE_IMMEDIATE
from db.models import Passenger, Role, Ticket, TicketLeg
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule

# SQLAlchemy 2.1 types a Select by the tuple of its columns.
Columns = TypeVarTuple("Columns")


def writing(session: Session) -> bool:
    """Whether the session is inside a write service's transaction (audit.begin_write marks its
    connection on every database; quotes and reads are not, and take no locks)."""
    if not session.in_transaction():
        return False
    return bool(session.connection().get_execution_options().get(SQLITE_IMMEDIATE))


def for_update(query: Select[*Columns]) -> Select[*Columns]:
    """The query with row locks, refreshing any copy of the rows the session already holds, so a
    decision is never taken on a stale identity-map object."""
    return query.with_for_update().execution_options(populate_existing=True)


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


def not_on_record(passenger: Passenger, what: str, number: object) -> PolicyViolation:
    """The one refusal for a record that does not exist and for one that is someone else's:
    answering them differently would tell anyone probing numbers which ones are real."""
    return PolicyViolation(
        Rule.NOT_OWNER,
        f"No {what} {number} on {passenger.full_name}'s record. Only the passenger's own "
        f"{what}s can be viewed or changed: check the number; a companion on the same booking "
        "must ask for theirs.",
    )


def owned_ticket(session: Session, ctx: ServiceContext, ticket_no: str) -> Ticket:
    """The ticket, if it is the current passenger's own (a companion's is not); a missing and a
    foreign ticket are refused alike (`not_on_record`), by one query, so neither the answer
    nor a lock on somebody else's ticket tells them apart.

    In a write, the ticket and its legs come locked (see the module's docstring): every write
    on a ticket goes through here, so none can forget the lock."""
    passenger = current_passenger(session, ctx)
    number = normalize_ticket_no(ticket_no)
    query = select(Ticket).where(Ticket.ticket_no == number, Ticket.passenger_id == passenger.id)
    lock = writing(session)
    ticket = session.scalar(for_update(query) if lock else query)
    if ticket is None:
        raise not_on_record(passenger, "ticket", number)
    if lock:
        lock_legs(session, ticket)
    return ticket


def legs_on(ticket: Ticket, flight_no: str | None) -> list[TicketLeg]:
    """The ticket's legs, or only those on one flight (number written with or without the
    space, any case); a flight the ticket does not have is a clear refusal, not an empty list."""
    legs = list(ticket.legs)
    if not flight_no:
        return legs
    wanted = "".join(flight_no.split()).upper()
    legs = [leg for leg in legs if leg.flight.flight_no.replace(" ", "") == wanted]
    if not legs:
        raise InvalidInput(f"Ticket {ticket.ticket_no} has no flight {flight_no}.")
    return legs


def lock_legs(session: Session, ticket: Ticket) -> None:
    """Lock the ticket's legs (after the ticket, in id order) and reload `ticket.legs`, so the
    write sees the legs a racing change or cancel committed while it waited."""
    session.expire(ticket, ["legs"])
    session.scalars(
        for_update(select(TicketLeg).where(TicketLeg.ticket_id == ticket.id).order_by(TicketLeg.id))
    ).all()
