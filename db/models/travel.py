"""Hotels, car rentals and excursions: offers by city, and bookings owned by a passenger."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base
from db.models.enums import BookingStatus, str_enum


class Hotel(Base):
    __tablename__ = "hotels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80), index=True)
    stars: Mapped[int]
    price_per_night: Mapped[Decimal]
    rooms: Mapped[int]


class HotelBooking(Base):
    __tablename__ = "hotel_bookings"
    __table_args__ = (Index("ix_hotel_bookings_hotel_dates", "hotel_id", "checkin", "checkout"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)
    hotel_id: Mapped[int] = mapped_column(ForeignKey("hotels.id"))
    checkin: Mapped[date]
    checkout: Mapped[date]
    guests: Mapped[int]
    price: Mapped[Decimal]
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus))
    created_at: Mapped[datetime]

    hotel: Mapped[Hotel] = relationship()


class CarRentalOffer(Base):
    __tablename__ = "car_rental_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    company: Mapped[str] = mapped_column(String(60))
    city: Mapped[str] = mapped_column(String(80), index=True)
    car_class: Mapped[str] = mapped_column(String(30))
    model: Mapped[str] = mapped_column(String(60))
    price_per_day: Mapped[Decimal]
    units: Mapped[int]


class CarRental(Base):
    __tablename__ = "car_rentals"
    __table_args__ = (Index("ix_car_rentals_offer_dates", "offer_id", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("car_rental_offers.id"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    price: Mapped[Decimal]
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus))
    created_at: Mapped[datetime]

    offer: Mapped[CarRentalOffer] = relationship()


class Excursion(Base):
    __tablename__ = "excursions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    city: Mapped[str] = mapped_column(String(80), index=True)
    description: Mapped[str] = mapped_column(String(400))
    price: Mapped[Decimal]  # per participant
    duration_hours: Mapped[float]
    capacity: Mapped[int]  # participants per day


class ExcursionBooking(Base):
    __tablename__ = "excursion_bookings"
    __table_args__ = (Index("ix_excursion_bookings_excursion_date", "excursion_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)
    excursion_id: Mapped[int] = mapped_column(ForeignKey("excursions.id"))
    date: Mapped[date]
    participants: Mapped[int]
    price: Mapped[Decimal]
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus))
    created_at: Mapped[datetime]

    excursion: Mapped[Excursion] = relationship()


# Code written once for the three kinds (services.travel) is generic over these: a booking row
# of any kind, the offer row it books, and either (for locking by id).
TravelBooking = TypeVar("TravelBooking", HotelBooking, CarRental, ExcursionBooking)
TravelOffer = TypeVar("TravelOffer", Hotel, CarRentalOffer, Excursion)
TravelRow = TypeVar(
    "TravelRow", Hotel, CarRentalOffer, Excursion, HotelBooking, CarRental, ExcursionBooking
)
