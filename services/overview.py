"""What the demo world holds: counts and the personas' situations, for the start page."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    Airport,
    Booking,
    CarRentalOffer,
    Excursion,
    Flight,
    Hotel,
    Passenger,
    Ticket,
)
from services.snapshot import build_snapshot

COUNTED = {
    "airports": Airport,
    "flights": Flight,
    "passengers": Passenger,
    "bookings": Booking,
    "tickets": Ticket,
    "hotels": Hotel,
    "car offers": CarRentalOffer,
    "excursions": Excursion,
}


def world_counts(session: Session) -> dict[str, int]:
    return {
        name: session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in COUNTED.items()
    }


def persona_overview(session: Session) -> list[dict[str, Any]]:
    """One row per persona: who, tier, and a line per ticket."""
    from db.seed.personas import PERSONAS

    rows = []
    emails = {spec.email: key for key, spec in PERSONAS.items()}
    passengers = session.scalars(select(Passenger).where(Passenger.email.in_(emails))).all()
    for passenger in sorted(passengers, key=lambda p: list(emails).index(p.email)):
        snap = build_snapshot(session, passenger)
        trips = [
            f"{t['route']} {t['fare']} {t['departs_local']} ({t['status']})"
            for t in snap["tickets"]
        ]
        rows.append(
            {
                "persona": emails[passenger.email],
                "name": passenger.full_name,
                "tier": passenger.tier.value,
                "trips": "; ".join(trips) or "no trips",
                "situation": PERSONAS[emails[passenger.email]].description,
            }
        )
    return rows
