"""A flight's disruption: what happened (cancelled, delayed), why, when it was announced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base
from db.models.airline import Flight
from db.models.enums import DisruptionCause, DisruptionKind, str_enum


class Disruption(Base):
    """The current disruption of one flight (one row per flight: a delay that grows or turns
    into a cancellation updates it; the audit trail keeps every step).

    `flights.disrupted_at` (migration 0005) stays the first announcement of any disruption of
    the flight, which decides whether a leg was booked before it; `announced_at` here is when
    the disruption as it stands now was announced, which EU 261/2004 Art. 5(1)(c) measures a
    cancellation's notice by."""

    __tablename__ = "disruptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    flight_id: Mapped[int] = mapped_column(ForeignKey("flights.id"), unique=True)
    kind: Mapped[DisruptionKind] = mapped_column(str_enum(DisruptionKind))
    cause: Mapped[DisruptionCause] = mapped_column(str_enum(DisruptionCause))
    # Art. 5(3): derived from the cause (services.disruptions.causes) unless overridden, e.g. a
    # technical fault caused by a hidden manufacturing defect the carrier can prove.
    extraordinary: Mapped[bool]
    extraordinary_overridden: Mapped[bool] = mapped_column(default=False)
    announced_at: Mapped[datetime]
    # A delay: minutes after the scheduled departure, and the new times. A cancellation: none.
    delay_minutes: Mapped[int | None]
    new_departure: Mapped[datetime | None]
    new_arrival: Mapped[datetime | None]
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime]

    flight: Mapped[Flight] = relationship()
