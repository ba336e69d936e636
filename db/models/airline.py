"""The airline: network, fleet, schedule, passengers and what they bought."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base
from db.models.enums import (
    Cabin,
    EscalationReason,
    Fare,
    FlightStatus,
    LegStatus,
    TicketStatus,
    Tier,
    str_enum,
)


class Airport(Base):
    __tablename__ = "airports"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80), index=True)
    country: Mapped[str] = mapped_column(String(80))
    timezone: Mapped[str] = mapped_column(String(64))
    latitude: Mapped[float]
    longitude: Mapped[float]


class AircraftType(Base):
    __tablename__ = "aircraft_types"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    business_seats: Mapped[int]
    economy_seats: Mapped[int]

    seats: Mapped[list[Seat]] = relationship(back_populates="aircraft_type", order_by="Seat.id")


class Seat(Base):
    """A seat of an aircraft type's seat map."""

    __tablename__ = "seats"
    __table_args__ = (UniqueConstraint("aircraft_type_code", "seat_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    aircraft_type_code: Mapped[str] = mapped_column(ForeignKey("aircraft_types.code"))
    seat_no: Mapped[str] = mapped_column(String(4))
    cabin: Mapped[Cabin] = mapped_column(str_enum(Cabin))

    aircraft_type: Mapped[AircraftType] = relationship(back_populates="seats")


class Aircraft(Base):
    __tablename__ = "aircraft"

    registration: Mapped[str] = mapped_column(String(8), primary_key=True)
    type_code: Mapped[str] = mapped_column(ForeignKey("aircraft_types.code"))

    type: Mapped[AircraftType] = relationship()


class Flight(Base):
    __tablename__ = "flights"
    __table_args__ = (
        Index("ix_flights_route_departure", "origin", "destination", "scheduled_departure"),
        Index("ix_flights_number_departure", "flight_no", "scheduled_departure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flight_no: Mapped[str] = mapped_column(String(8))
    origin: Mapped[str] = mapped_column(ForeignKey("airports.code"))
    destination: Mapped[str] = mapped_column(ForeignKey("airports.code"))
    aircraft_registration: Mapped[str] = mapped_column(ForeignKey("aircraft.registration"))
    scheduled_departure: Mapped[datetime]
    scheduled_arrival: Mapped[datetime]
    estimated_departure: Mapped[datetime | None]
    estimated_arrival: Mapped[datetime | None]
    actual_departure: Mapped[datetime | None]
    actual_arrival: Mapped[datetime | None]
    status: Mapped[FlightStatus] = mapped_column(str_enum(FlightStatus))
    # When the delay or cancellation was announced (None: never disrupted, or not known).
    # Compensation is owed only on legs booked before it (docs/policy.md, compensation).
    disrupted_at: Mapped[datetime | None]
    # Price of a Classic economy seat; other fares and the business cabin derive from it.
    base_price: Mapped[Decimal]

    aircraft: Mapped[Aircraft] = relationship()
    origin_airport: Mapped[Airport] = relationship(foreign_keys=[origin])
    destination_airport: Mapped[Airport] = relationship(foreign_keys=[destination])


class Passenger(Base):
    __tablename__ = "passengers"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60), index=True)
    email: Mapped[str] = mapped_column(String(120), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    tier: Mapped[Tier] = mapped_column(str_enum(Tier))

    payment_methods: Mapped[list[PaymentMethod]] = relationship(
        back_populates="passenger", order_by="PaymentMethod.id"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class PaymentMethod(Base):
    __tablename__ = "payment_methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)
    brand: Mapped[str] = mapped_column(String(20))
    last4: Mapped[str] = mapped_column(String(4))
    expiry: Mapped[str] = mapped_column(String(7))  # YYYY-MM

    passenger: Mapped[Passenger] = relationship(back_populates="payment_methods")


class Booking(Base):
    """A reservation (PNR) grouping the tickets bought together, possibly for several people."""

    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(6), unique=True)
    created_at: Mapped[datetime]
    booked_by_passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)

    tickets: Mapped[list[Ticket]] = relationship(back_populates="booking", order_by="Ticket.id")


class Ticket(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_no: Mapped[str] = mapped_column(String(14), unique=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)
    fare: Mapped[Fare] = mapped_column(str_enum(Fare))
    cabin: Mapped[Cabin] = mapped_column(str_enum(Cabin))
    status: Mapped[TicketStatus] = mapped_column(str_enum(TicketStatus))
    issued_at: Mapped[datetime]
    payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_methods.id"))

    booking: Mapped[Booking] = relationship(back_populates="tickets")
    passenger: Mapped[Passenger] = relationship()
    legs: Mapped[list[TicketLeg]] = relationship(
        back_populates="ticket", order_by="TicketLeg.sequence, TicketLeg.id"
    )

    @property
    def active_legs(self) -> list[TicketLeg]:
        return [leg for leg in self.legs if leg.status == LegStatus.ACTIVE]


class TicketLeg(Base):
    """One flight coupon of a ticket. A change marks the old legs exchanged and adds new ones."""

    __tablename__ = "ticket_legs"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    flight_id: Mapped[int] = mapped_column(ForeignKey("flights.id"), index=True)
    sequence: Mapped[int]
    fare: Mapped[Fare] = mapped_column(str_enum(Fare))
    cabin: Mapped[Cabin] = mapped_column(str_enum(Cabin))
    price_paid: Mapped[Decimal]
    status: Mapped[LegStatus] = mapped_column(str_enum(LegStatus))
    # When this leg was added to the ticket (its issue, or the change that made it): a leg
    # booked after its flight's disruption was announced is owed no compensation.
    booked_at: Mapped[datetime]

    ticket: Mapped[Ticket] = relationship(back_populates="legs")
    flight: Mapped[Flight] = relationship()
    seat_assignment: Mapped[SeatAssignment | None] = relationship(back_populates="leg")


class SeatAssignment(Base):
    """A seat taken on a flight; the unique key is what makes overbooking impossible."""

    __tablename__ = "seat_assignments"
    __table_args__ = (UniqueConstraint("flight_id", "seat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flight_id: Mapped[int] = mapped_column(ForeignKey("flights.id"))
    seat_id: Mapped[int] = mapped_column(ForeignKey("seats.id"))
    ticket_leg_id: Mapped[int] = mapped_column(ForeignKey("ticket_legs.id"), unique=True)

    seat: Mapped[Seat] = relationship()
    leg: Mapped[TicketLeg] = relationship(back_populates="seat_assignment")


class Payment(Base):
    """Money moved: a charge (fare, change fee, difference) or a refund."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)
    payment_method_id: Mapped[int | None] = mapped_column(ForeignKey("payment_methods.id"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # charge | refund
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="CHF")
    reason: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class Compensation(Base):
    __tablename__ = "compensations"
    __table_args__ = (UniqueConstraint("ticket_id", "flight_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    flight_id: Mapped[int] = mapped_column(ForeignKey("flights.id"))
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3), default="CHF")
    reason: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    # EU 261/2004 fixes compensation in euros; `amount` is it in CHF at `eur_chf_rate`
    # (None on compensations paid under the flat CHF amounts before migration 0011).
    amount_eur: Mapped[Decimal | None]
    eur_chf_rate: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))


class Escalation(Base):
    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    passenger_id: Mapped[int | None] = mapped_column(ForeignKey("passengers.id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    reason: Mapped[EscalationReason] = mapped_column(str_enum(EscalationReason))
    summary: Mapped[str] = mapped_column(String(2000))
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="open")
    details: Mapped[dict[str, Any] | None]
