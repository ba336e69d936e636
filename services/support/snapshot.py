"""The passenger snapshot: the documented JSON view of a passenger's trips (evals/README.md),
used by the booking browser, the assistant's trip lookup and the evaluation checks."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from db.models import (
    CarRental,
    Compensation,
    Escalation,
    ExcursionBooking,
    Flight,
    HotelBooking,
    LegStatus,
    Passenger,
    SeatAssignment,
    Ticket,
    TicketLeg,
)
from services.core.access import current_passenger
from services.core.context import ServiceContext
from services.disruptions.claims import leg_entitlements
from services.flights.flights import flight_view
from services.flights.policy import baggage_allowance


def _eu261_view(session: Session, ticket: Ticket, leg: TicketLeg) -> dict[str, Any]:
    """What EU 261 owes on a disrupted leg (services.disruptions), for the assistant to quote
    rather than recompute: the compensation (CHF, EUR, article, why), care and the refund choice."""
    owed = leg_entitlements(session, ticket, leg)
    money = owed.compensation
    return {
        "compensation_due": money.entitled,
        "compensation_chf": f"{money.amount_chf:.2f}",
        "compensation_eur": f"{money.amount_eur:.2f}",
        "article": money.article,
        "reason": money.sentence,
        "rule": money.rule.value if money.rule else None,
        "care": owed.care.sentence if owed.care.entitled else None,
        "refund_choice": owed.choice.entitled,
    }


def _with_eu261(
    session: Session, ticket: Ticket, leg: TicketLeg, view: dict[str, Any]
) -> dict[str, Any]:
    if view.get("status") == "cancelled" or view.get("delay_minutes", 0) > 0:
        return {**view, "eu261": _eu261_view(session, ticket, leg)}
    return view


def _ticket_view(session: Session, ticket: Ticket, passenger: Passenger) -> dict[str, Any]:
    legs = ticket.active_legs or [leg for leg in ticket.legs if leg.status.value == "cancelled"]
    flights = [leg.flight for leg in legs]
    first = flights[0] if flights else None
    departs = (
        first.scheduled_departure.astimezone(ZoneInfo(first.origin_airport.timezone))
        if first
        else None
    )
    return {
        "ticket_no": ticket.ticket_no,
        "booking_reference": ticket.booking.reference,
        "status": ticket.status.value,
        "fare": ticket.fare.value,
        "cabin": ticket.cabin.value,
        "route": "-".join([flights[0].origin, *[f.destination for f in flights]])
        if flights
        else "",
        "departs_date": departs.date().isoformat() if departs else None,
        "departs_local": departs.isoformat(timespec="minutes") if departs else None,
        "flight_nos": [f.flight_no for f in flights],
        "legs": [
            _with_eu261(
                session,
                ticket,
                leg,
                {
                    **flight_view(leg.flight).model_dump(
                        mode="json", exclude={"free_seats", "price"}
                    ),
                    "seat": leg.seat_assignment.seat.seat_no if leg.seat_assignment else None,
                    "price_paid": f"{leg.price_paid:.2f}",
                },
            )
            for leg in legs
        ],
        # Flights a change replaced: a cancelled or late one still counts for compensation.
        "replaced_legs": [
            _with_eu261(
                session,
                ticket,
                leg,
                flight_view(leg.flight).model_dump(
                    mode="json",
                    include={
                        "id",
                        "flight_no",
                        "origin",
                        "destination",
                        "departure_local",
                        "status",
                        "delay_minutes",
                    },
                ),
            )
            for leg in ticket.legs
            if leg.status == LegStatus.EXCHANGED
        ],
        "checked_bags": baggage_allowance(ticket.fare, passenger.tier),
        "issued_at": ticket.issued_at.isoformat(timespec="minutes"),
    }


def passenger_profile(passenger: Passenger, *, contact: bool) -> dict[str, Any]:
    """Who the passenger is. E-mail and phone only with `contact` (the desk's own pages): the
    assistant never needs them, and what a read tool returns a compromised model can leak."""
    reach = {"email": passenger.email, "phone": passenger.phone} if contact else {}
    return {
        "passenger_id": passenger.id,
        "name": passenger.full_name,
        **reach,
        "tier": passenger.tier.value,
        "payment_methods": [
            {"id": m.id, "brand": m.brand, "last4": m.last4, "expiry": m.expiry}
            for m in passenger.payment_methods
        ],
    }


def build_snapshot(
    session: Session, passenger: Passenger, *, contact: bool = False
) -> dict[str, Any]:
    # What the views read is loaded with the rows (a flight's airports, a booking's hotel),
    # not one lazy query per row: the assistant reads this on every trip lookup.
    legs = selectinload(Ticket.legs)
    tickets = session.scalars(
        select(Ticket)
        .where(Ticket.passenger_id == passenger.id)
        .options(
            joinedload(Ticket.booking),
            legs.joinedload(TicketLeg.flight).options(
                joinedload(Flight.origin_airport), joinedload(Flight.destination_airport)
            ),
            legs.joinedload(TicketLeg.seat_assignment).joinedload(SeatAssignment.seat),
        )
        .order_by(Ticket.id)
    ).all()
    hotels = session.scalars(
        select(HotelBooking)
        .where(HotelBooking.passenger_id == passenger.id)
        .options(joinedload(HotelBooking.hotel))
        .order_by(HotelBooking.id)
    ).all()
    cars = session.scalars(
        select(CarRental)
        .where(CarRental.passenger_id == passenger.id)
        .options(joinedload(CarRental.offer))
        .order_by(CarRental.id)
    ).all()
    excursions = session.scalars(
        select(ExcursionBooking)
        .where(ExcursionBooking.passenger_id == passenger.id)
        .options(joinedload(ExcursionBooking.excursion))
        .order_by(ExcursionBooking.id)
    ).all()
    compensations = session.scalars(
        select(Compensation)
        .where(Compensation.passenger_id == passenger.id)
        .order_by(Compensation.id)
    ).all()
    escalations = session.scalars(
        select(Escalation).where(Escalation.passenger_id == passenger.id).order_by(Escalation.id)
    ).all()
    return {
        "passenger": passenger_profile(passenger, contact=contact),
        "tickets": [_ticket_view(session, t, passenger) for t in tickets],
        "hotel_bookings": [
            {
                "booking_id": b.id,
                "hotel": b.hotel.name,
                "city": b.hotel.city,
                "checkin": b.checkin.isoformat(),
                "checkout": b.checkout.isoformat(),
                "guests": b.guests,
                "price": f"{b.price:.2f}",
                "status": b.status.value,
            }
            for b in hotels
        ],
        "car_rentals": [
            {
                "rental_id": r.id,
                "company": r.offer.company,
                "car": f"{r.offer.car_class} ({r.offer.model})",
                "city": r.offer.city,
                "start": r.start_date.isoformat(),
                "end": r.end_date.isoformat(),
                "price": f"{r.price:.2f}",
                "status": r.status.value,
            }
            for r in cars
        ],
        "excursions": [
            {
                "booking_id": e.id,
                "name": e.excursion.name,
                "city": e.excursion.city,
                "date": e.date.isoformat(),
                "participants": e.participants,
                "price": f"{e.price:.2f}",
                "status": e.status.value,
            }
            for e in excursions
        ],
        "compensations": [
            {
                "amount": f"{c.amount:.2f}",
                "currency": c.currency,
                "reason": c.reason,
                "flight_id": c.flight_id,
            }
            for c in compensations
        ],
        "escalations": [
            {"reason": e.reason.value, "summary": e.summary, "status": e.status}
            for e in escalations
        ],
    }


def passenger_snapshot(
    session: Session, ctx: ServiceContext, *, contact: bool = False
) -> dict[str, Any]:
    """The current passenger's profile, tickets, hotels, cars, excursions, compensations,
    escalations; e-mail and phone only with `contact`."""
    return build_snapshot(session, current_passenger(session, ctx), contact=contact)
