"""The argument types of the assistant's tools, as the model sees them in the tool schemas.

Every integer is bounded here, in the schema the model reads and validation enforces: database
ids are 32-bit and a party is at most MAX_PARTY people, so a number such as 10**20 is refused as
an invalid argument the model can correct, instead of reaching the database (a "service
unavailable") or the checkpoint (msgpack holds 64 bits at most)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from langchain_core.tools import InjectedToolArg
from pydantic import Field
from sqlalchemy.orm import Session

from services.core.context import ServiceContext
from services.travel.travel_common import MAX_PARTY

MAX_ID = 2**31 - 1


class ToolEnv:
    """What a tool body needs besides its arguments. A plain class, not a dataclass: the
    schema builder then treats it as an opaque injected value."""

    __slots__ = ("ctx", "session")

    def __init__(self, session: Session, ctx: ServiceContext) -> None:
        self.session = session
        self.ctx = ctx


Env = Annotated[ToolEnv, InjectedToolArg]


def record_id(what: str) -> Any:
    return Field(ge=1, le=MAX_ID, description=what)


def party(what: str) -> Any:
    return Field(ge=1, le=MAX_PARTY, description=what)


TicketNo = Annotated[str, "13-digit ticket number, e.g. 7240000000017"]
Day = Annotated[date, "date as YYYY-MM-DD"]
FlightIds = Annotated[
    list[Annotated[int, Field(ge=1, le=MAX_ID)]],
    Field(description="flight ids from search_flights, in order"),
]
Card = Annotated[
    int | None, record_id("id of one of the passenger's payment methods; default: first card")
]
HotelId = Annotated[int, record_id("hotel id from search_hotels")]
OfferId = Annotated[int, record_id("offer id from search_car_rentals")]
ExcursionId = Annotated[int, record_id("excursion id from search_excursions")]
BookingId = Annotated[int, record_id("booking id from get_passenger_trips")]
RentalId = Annotated[int, record_id("car rental id from get_passenger_trips")]
Guests = Annotated[int, party("guests")]
Participants = Annotated[int, party("participants")]
Seats = Annotated[int, party("seats needed")]
