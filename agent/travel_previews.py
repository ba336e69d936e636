"""Approval previews for hotel, car and excursion bookings: new bookings are priced from the
offer the model found with a search; changes and cancellations start from the passenger's own
booking in the snapshot and apply the services' travel rules (window, status) before approval."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from langchain_core.messages import BaseMessage, ToolMessage
from sqlalchemy.orm import Session

from agent.approvals import Change
from agent.previews import Preview, PreviewFn, SearchFirst, chf, refuse
from db.models import BookingStatus
from services import snapshot, travel_common
from services.context import ServiceContext
from services.errors import PolicyViolation, Rule
from services.pricing import money


def _offer(history: Sequence[BaseMessage], tool: str, key: str, value: int) -> dict[str, Any]:
    """The most recent offer with this id among the search results the model has seen."""
    for message in reversed(history):
        if isinstance(message, ToolMessage) and message.name == tool and message.artifact:
            for offer in message.artifact:
                if isinstance(offer, dict) and offer.get(key) == value:
                    return offer
    raise SearchFirst(
        f"No {key} {value} in this conversation's {tool} results; call {tool} first so the "
        "approval card can show the price of the offer."
    )


def _book_hotel(s: Session, ctx: ServiceContext, a: dict[str, Any], history: Any) -> Preview:
    o = _offer(history, "search_hotels", "hotel_id", a["hotel_id"])
    nights = max((a["checkout"] - a["checkin"]).days, 0)
    return {
        "summary": f"Book {o['name']} in {o['city']}, {a['checkin']} to {a['checkout']} ({nights} nights, {a['guests']} guest(s))",
        "changes": [
            Change(
                label="New hotel booking", after=f"{o['name']}, {a['checkin']} - {a['checkout']}"
            )
        ],
        "charge": money(Decimal(o["price_per_night"]) * nights),
        "details": [f"{chf(o['price_per_night'])} per night x {nights}"],
        "rule": "Hotel bookings: free cancellation until 24 hours before check-in.",
    }


def _book_car(s: Session, ctx: ServiceContext, a: dict[str, Any], history: Any) -> Preview:
    o = _offer(history, "search_car_rentals", "offer_id", a["offer_id"])
    days = max((a["end"] - a["start"]).days, 0)
    car = f"{o['company']} {o['car_class']} ({o['model']}) in {o['city']}"
    return {
        "summary": f"Rent {car}, {a['start']} to {a['end']} ({days} days)",
        "changes": [Change(label="New car rental", after=f"{car}, {a['start']} - {a['end']}")],
        "charge": money(Decimal(o["price_per_day"]) * days),
        "details": [f"{chf(o['price_per_day'])} per day x {days}"],
        "rule": "Car rentals: free cancellation until 24 hours before pick-up.",
    }


def _book_excursion(s: Session, ctx: ServiceContext, a: dict[str, Any], history: Any) -> Preview:
    o = _offer(history, "search_excursions", "excursion_id", a["excursion_id"])
    n = a["participants"]
    return {
        "summary": f"Book {o['name']} in {o['city']} on {a['day']} for {n} participant(s)",
        "changes": [Change(label="New excursion booking", after=f"{o['name']}, {a['day']}")],
        "charge": money(Decimal(o["price_per_participant"]) * n),
        "details": [f"{chf(o['price_per_participant'])} per participant x {n}"],
        "rule": "Excursions: free cancellation until 24 hours before the start.",
    }


@dataclass(frozen=True)
class Kind:
    """Where a kind of travel booking sits in the snapshot and when it starts."""

    items: str  # the snapshot list
    key: str  # the id field, also the tool argument's name
    start: str
    end: str | None
    at: time  # the local start time the 24-hour window counts from
    what: str
    label: str  # as the travel rules name it ("Hotel bookings can be cancelled ...")
    changeable: bool


HOTEL = Kind(
    "hotel_bookings",
    "booking_id",
    "checkin",
    "checkout",
    travel_common.CHECKIN_TIME,
    "hotel booking",
    "Hotel",
    True,
)
CAR = Kind(
    "car_rentals",
    "rental_id",
    "start",
    "end",
    travel_common.PICKUP_TIME,
    "car rental",
    "Car rental",
    True,
)
EXCURSION = Kind(
    "excursions",
    "booking_id",
    "date",
    None,
    travel_common.EXCURSION_TIME,
    "excursion",
    "Excursion",
    False,
)


def _own_booking(
    s: Session, ctx: ServiceContext, tool: str, k: Kind, a: dict[str, Any]
) -> tuple[dict[str, Any], datetime, ZoneInfo]:
    """The passenger's own confirmed booking from the snapshot, with its start moment and time
    zone; another passenger's booking (or none) is refused without saying which."""
    found = next(
        (b for b in snapshot.passenger_snapshot(s, ctx)[k.items] if b[k.key] == a[k.key]), None
    )
    if found is None:
        refuse(
            s,
            ctx,
            tool,
            a,
            PolicyViolation(
                Rule.NOT_OWNER,
                f"{k.what.capitalize()} {a[k.key]} is not one of this passenger's bookings; "
                "only the passenger's own bookings can be changed or cancelled.",
            ),
        )
    try:
        travel_common.check_active(BookingStatus(found["status"]), k.what, a[k.key])
    except PolicyViolation as err:
        refuse(s, ctx, tool, a, err)
    tz = travel_common.city_timezone(s, found["city"])
    start = travel_common.start_moment(date.fromisoformat(found[k.start]), k.at, tz)
    return found, start, tz


def _cancel(k: Kind, tool: str) -> PreviewFn:
    def preview(s: Session, ctx: ServiceContext, a: dict[str, Any], _: Any) -> Preview:
        b, start, tz = _own_booking(s, ctx, tool, k, a)
        try:
            travel_common.check_cancellable(
                start, ctx.clock.now(), kind=k.label, what=k.what, tz=tz, changeable=k.changeable
            )
        except PolicyViolation as err:
            refuse(s, ctx, tool, a, err)
        name = b.get("hotel") or b.get("company") or b.get("name")
        dates = b[k.start] + (f" - {b[k.end]}" if k.end else "")
        return {
            "summary": f"Cancel {k.what} {a[k.key]} ({name}, {dates}) and refund {chf(b['price'])}",
            "changes": [
                Change(label=f"{k.what.capitalize()} status", before=b["status"], after="cancelled")
            ],
            "refund": money(b["price"]),
            "rule": f"Free cancellation until {travel_common.cancellation_deadline(start, tz)}; the full price is refunded.",
        }

    return preview


def _change(k: Kind, tool: str) -> PreviewFn:
    """Changes take the new dates in arguments named like the booking's own fields."""
    assert k.end is not None

    def preview(s: Session, ctx: ServiceContext, a: dict[str, Any], _: Any) -> Preview:
        b, start, tz = _own_booking(s, ctx, tool, k, a)
        try:
            travel_common.check_not_started(start, ctx.clock.now(), k.what, tz)
        except PolicyViolation as err:
            refuse(s, ctx, tool, a, err)
        old_units = (date.fromisoformat(b[k.end]) - date.fromisoformat(b[k.start])).days
        new_start, new_end = a[k.start], a[k.end]
        units = max((new_end - new_start).days, 0)
        # The booking's price is its daily (nightly) rate times its length, so the rate
        # gives the new price the service will charge.
        new_price = money(Decimal(b["price"]) / max(old_units, 1) * units)
        difference = money(new_price - Decimal(b["price"]))
        return {
            "summary": f"Move {k.what} {a[k.key]} to {new_start} - {new_end}",
            "changes": [
                Change(
                    label="Dates",
                    before=f"{b[k.start]} - {b[k.end]}",
                    after=f"{new_start} - {new_end}",
                ),
                Change(label="Price", before=chf(b["price"]), after=chf(new_price)),
            ],
            "charge": difference if difference > 0 else None,
            "refund": -difference if difference < 0 else None,
            "rule": "Date change before the start: the price difference is charged or refunded.",
        }

    return preview


PREVIEWS: dict[str, PreviewFn] = {
    "book_hotel": _book_hotel,
    "book_car_rental": _book_car,
    "book_excursion": _book_excursion,
    "change_hotel_booking": _change(HOTEL, "change_hotel_booking"),
    "cancel_hotel_booking": _cancel(HOTEL, "cancel_hotel_booking"),
    "change_car_rental": _change(CAR, "change_car_rental"),
    "cancel_car_rental": _cancel(CAR, "cancel_car_rental"),
    "cancel_excursion": _cancel(EXCURSION, "cancel_excursion"),
}
