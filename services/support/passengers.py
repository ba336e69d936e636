"""Finding a passenger for the support desk's picker: by name, e-mail, ticket number or
booking reference (the things a caller reads out over the phone)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, func, or_, select
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


def _search_text(query: str) -> str:
    text = " ".join((query or "").split())
    if len(text) < MIN_QUERY:
        raise InvalidInput(
            f"Type at least {MIN_QUERY} characters: a name, an e-mail, a ticket number or a "
            "booking reference."
        )
    return text


def _searches(text: str) -> list[tuple[Select[Passenger], str]]:
    """The searches `text` asks for, best evidence first, each with what it matches by: an
    exact ticket number, a booking reference, an e-mail, or a name (every word must appear in
    the first or last name)."""
    searches: list[tuple[Select[Passenger], str]] = []
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) == TICKET_DIGITS and not any(ch.isalpha() for ch in text):
        searches.append(
            (select(Passenger).join(Ticket).where(Ticket.ticket_no == digits), "ticket")
        )
    if REFERENCE.match(text):
        # Everyone with a ticket on the booking: the caller may be any of them.
        searches.append(
            (
                select(Passenger)
                .join(Ticket, Ticket.passenger_id == Passenger.id)
                .join(Booking, Booking.id == Ticket.booking_id)
                .where(Booking.reference == text.upper())
                .distinct(),
                "booking reference",
            )
        )
    if "@" in text:
        searches.append((select(Passenger).where(_contains(Passenger.email, text)), "e-mail"))
    else:
        words = [w for w in text.split(" ") if w]
        conditions = [
            or_(_contains(Passenger.first_name, w), _contains(Passenger.last_name, w))
            for w in words
        ]
        searches.append((select(Passenger).where(*conditions), "name"))
    return searches


ORDER = {
    "ticket": (Passenger.id,),
    "booking reference": (Passenger.id,),
    "e-mail": (Passenger.email,),
    "name": (Passenger.last_name, Passenger.first_name, Passenger.id),
}


def find_passengers(session: Session, *, query: str, limit: int = 20) -> list[PassengerMatch]:
    """Passengers matching `query`, best evidence first: an exact ticket number or booking
    reference, then e-mail, then name (every word must appear in the first or last name)."""
    text = _search_text(query)
    limit = max(1, min(limit, MAX_LIMIT))
    found: dict[int, PassengerMatch] = {}
    for search, matched_by in _searches(text):
        rows = list(
            session.scalars(
                search.order_by(*ORDER[matched_by]).limit(
                    MAX_LIMIT if matched_by == "name" else limit
                )
            )
        )
        if matched_by == "name":
            words = text.split(" ")
            rows = sorted(rows, key=lambda p: _name_rank(p, words))
        for p in rows:
            if len(found) < limit:
                found.setdefault(p.id, _match(p, matched_by))
    return list(found.values())


def search_finds(session: Session, *, query: str, passenger_id: int) -> bool:
    """Whether the picker's search `query` matches this passenger, however many others it
    finds too (the list shows the first ones only): False for a query too short to search."""
    try:
        text = _search_text(query)
    except InvalidInput:
        return False
    return any(
        session.scalar(search.where(Passenger.id == passenger_id).limit(1)) is not None
        for search, _ in _searches(text)
    )


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


def passenger_by_id(session: Session, passenger_id: int) -> PassengerMatch | None:
    """The picker's view of one passenger, or None when there is no such passenger."""
    passenger = session.get(Passenger, passenger_id)
    return _match(passenger, "id") if passenger else None


def passenger_label(session: Session, passenger_id: int) -> str | None:
    """ "Name · e-mail · tier" for a passenger id, or None when there is no such passenger."""
    match = passenger_by_id(session, passenger_id)
    return match.label if match else None


def passenger_names(session: Session, passenger_ids: Iterable[int | None]) -> dict[int, str]:
    """Full names by id, for tables that would otherwise show a bare passenger number; ids of
    no passenger (deleted, never existed) are left out."""
    wanted = sorted({i for i in passenger_ids if i is not None})
    if not wanted:
        return {}
    rows = session.scalars(select(Passenger).where(Passenger.id.in_(wanted)))
    return {p.id: p.full_name for p in rows}
