"""The demo personas (README, "The demo world"); the demo logins are in
services.identity.demo_logins.

This module only describes them and finds them in a seeded database; world.cast builds their
rows. Keys, names and e-mails are stable: evaluation cases and tests refer to them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Passenger, Tier
from services.identity.demo_logins import DEMO_USERS as DEMO_USERS  # re-exported
from services.identity.demo_logins import DemoUser as DemoUser


@dataclass(frozen=True)
class PersonaSpec:
    key: str
    first_name: str
    last_name: str
    email: str
    phone: str
    tier: Tier
    description: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def _persona(key: str, first: str, last: str, phone: str, tier: Tier, text: str) -> PersonaSpec:
    email = f"{first.lower()}.{last.lower()}@example.com"
    return PersonaSpec(key, first, last, email, phone, tier, text)


# Insertion order is the passengers' id order (anna is passenger 1, ines passenger 9).
PERSONAS: dict[str, PersonaSpec] = {
    p.key: p
    for p in (
        _persona(
            "anna", "Anna", "Keller", "+41 79 555 01 01", Tier.REGULAR,
            "One ticket ZRH->LHR, fare Classic, departing D+3 in the morning; later flights on "
            "D+3, D+4 and D+5 have free economy seats. No hotel or car.",
        ),
        _persona(
            "ben", "Ben", "Okafor", "+41 78 555 02 02", Tier.SILVER,
            "Round trip GVA->CDG on D+6 and CDG->GVA on D+9 (two tickets, one booking), fare Light.",
        ),
        _persona(
            "chloe", "Chloe", "Martin", "+41 76 555 03 03", Tier.REGULAR,
            "Business ZRH->JFK departing two hours after the demo clock.",
        ),
        _persona(
            "diego", "Diego", "Alvarez", "+41 79 555 04 04", Tier.GOLD,
            "Booking with Ines: ZRH->FRA->SIN on D+10, fare Flex; hotel in Singapore from D+11 "
            "for 4 nights and a car rental in Singapore D+11 to D+15.",
        ),
        _persona(
            "emma", "Emma", "Schulz", "+41 77 555 05 05", Tier.REGULAR,
            "Booked two hours before the demo clock: BSL->AMS, fare Classic, departing D+20.",
        ),
        _persona(
            "farid", "Farid", "Haddad", "+41 78 555 06 06", Tier.SILVER,
            "ZRH->BCN on D, flight cancelled by the airline; the route has seats on D+1 and D+2.",
        ),
        _persona(
            "grace", "Grace", "Lin", "+41 76 555 07 07", Tier.GOLD,
            "GVA->LHR departing five hours after the demo clock, delayed by four hours.",
        ),
        _persona(
            "hugo", "Hugo", "Brun", "+41 79 555 08 08", Tier.REGULAR,
            "No trips; one payment card on file.",
        ),
        _persona(
            "ines", "Ines", "Alvarez", "+41 77 555 09 09", Tier.REGULAR,
            "On Diego's booking with her own ticket ZRH->FRA->SIN on D+10, fare Flex.",
        ),
    )
}  # fmt: skip


def persona_passenger_id(session: Session, key: str) -> int:
    """The passenger id of a persona in the seeded database (looked up by e-mail)."""
    spec = PERSONAS.get(key)
    if spec is None:
        raise KeyError(f"unknown persona {key!r}; known: {', '.join(PERSONAS)}")
    passenger_id = session.scalar(select(Passenger.id).where(Passenger.email == spec.email))
    if passenger_id is None:
        raise LookupError(f"persona {key!r} ({spec.email}) is not in this database: seed it first")
    return passenger_id
