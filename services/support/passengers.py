"""Finding a passenger for the support desk's picker: by name, e-mail, ticket number or
booking reference (the things a caller reads out over the phone)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, func, or_, select
from sqlalchemy.orm import Session

from db.models import Booking, Passenger, Ticket
from services.core.errors import InvalidInput

MAX_LIMIT = 100
MIN_QUERY = 2
TICKET_DIGITS = 13
REFERENCE = re.compile(r"^[A-Za-z0-9]{6}$")


@dataclass(frozen=True)
class PassengerMatch:
    id: int
    name: str
    email: str
    tier: str
    matched_by: str  # "ticket", "booking reference", "e-mail" or "name"

    @property
    def label(self) -> str:
        return f"{self.name} · {self.email} · {self.tier}"


def _match(p: Passenger, matched_by: str) -> PassengerMatch:
    return PassengerMatch(p.id, p.full_name, p.email, p.tier.value, matched_by)


def _like(text: str) -> str:
    """A case-insensitive LIKE pattern for `text` anywhere, with LIKE's wildcards escaped."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: SQLColumnExpression[str], text: str) -> ColumnElement[bool]:
    return func.lower(column).like(_like(text), escape="\\")


def find_passengers(session: Session, *, query: str, limit: int = 20) -> list[PassengerMatch]:
    """Passengers matching `query`, best evidence first: an exact ticket number or booking
    reference, then e-mail, then name (every word must appear in the first or last name)."""
    text = " ".join((query or "").split())
    if len(text) < MIN_QUERY:
        raise InvalidInput(
            f"Type at least {MIN_QUERY} characters: a name, an e-mail, a ticket number or a "
            "booking reference."
        )
    limit = max(1, min(limit, MAX_LIMIT))
    found: dict[int, PassengerMatch] = {}

    def add(passengers: list[Passenger], matched_by: str) -> None:
        for p in passengers:
            if len(found) < limit:
                found.setdefault(p.id, _match(p, matched_by))

    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == TICKET_DIGITS and not any(ch.isalpha() for ch in text):
        add(
            list(
                session.scalars(
                    select(Passenger).join(Ticket).where(Ticket.ticket_no == digits).limit(1)
                )
            ),
            "ticket",
        )
    if REFERENCE.match(text):
        # Everyone with a ticket on the booking: the caller may be any of them.
        add(
            list(
                session.scalars(
                    select(Passenger)
                    .join(Ticket, Ticket.passenger_id == Passenger.id)
                    .join(Booking, Booking.id == Ticket.booking_id)
                    .where(Booking.reference == text.upper())
                    .distinct()
                    .order_by(Passenger.id)
                    .limit(limit)
                )
            ),
            "booking reference",
        )
    if "@" in text:
        add(
            list(
                session.scalars(
                    select(Passenger)
                    .where(_contains(Passenger.email, text))
                    .order_by(Passenger.email)
                    .limit(limit)
                )
            ),
            "e-mail",
        )
    else:
        words = [w for w in text.split(" ") if w]
        conditions = [
            or_(_contains(Passenger.first_name, w), _contains(Passenger.last_name, w))
            for w in words
        ]
        candidates = session.scalars(
            select(Passenger)
            .where(*conditions)
            .order_by(Passenger.last_name, Passenger.first_name, Passenger.id)
            .limit(MAX_LIMIT)
        )
        add(sorted(candidates, key=lambda p: _name_rank(p, words)), "name")
    return list(found.values())


def _name_rank(passenger: Passenger, words: list[str]) -> int:
    """0: the name is exactly the words; 1: every word starts a name; 2: inside a name
    ("anna keller" puts Anna Keller before Deanna Kellerman)."""
    names = [n.lower() for n in f"{passenger.first_name} {passenger.last_name}".split()]
    wanted = [w.lower() for w in words]
    if sorted(names) == sorted(wanted):
        return 0
    if all(any(n.startswith(w) for n in names) for w in wanted):
        return 1
    return 2


def passenger_label(session: Session, passenger_id: int) -> str | None:
    """ "Name · e-mail · tier" for a passenger id, or None when there is no such passenger."""
    passenger = session.get(Passenger, passenger_id)
    return _match(passenger, "id").label if passenger else None
