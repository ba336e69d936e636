"""Approval previews for hotel, car and excursion bookings.

Each card is priced by the write itself, run against the database and rolled back
(services.payments.quotes): the call's own arguments go in, the price, the card and any refusal or
invalid argument (0 nights, -3 guests, a return before pick-up, a past date) come out of the
same service code the approved write runs. Nothing comes from the model's figures or an earlier
search result, and an invalid or refused request never becomes a card."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from agent.approvals import Change
from agent.previews import Preview, PreviewFn, chf
from services.core.context import ServiceContext
from services.core.operations import OperationResult
from services.payments.quotes import Quote, quote
from services.travel import cars, excursions, hotels


def _card(q: Quote, summary: str, changes: list[Change], details: list[str]) -> Preview:
    return {
        "summary": summary,
        "changes": changes,
        "charge": q.charge,
        "refund": q.refund,
        "details": details + q.card_lines(),
        "rule": q.result.rule,
    }


def _book_hotel(q: Quote) -> Preview:
    b = q.result.after
    stay = f"{b['checkin']} to {b['checkout']}"
    return _card(
        q,
        f"Book {b['hotel']} in {b['city']}, {stay} ({b['nights']} nights, {b['guests']} guest(s))",
        [
            Change(
                label="New hotel booking", after=f"{b['hotel']}, {b['checkin']} - {b['checkout']}"
            )
        ],
        [f"{b['nights']} night(s), {chf(b['price'])} in total"],
    )


def _book_car(q: Quote) -> Preview:
    b = q.result.after
    car = f"{b['company']} {b['car']} in {b['city']}"
    return _card(
        q,
        f"Rent {car}, {b['start']} to {b['end']} ({b['days']} days)",
        [Change(label="New car rental", after=f"{car}, {b['start']} - {b['end']}")],
        [f"{b['days']} day(s), {chf(b['price'])} in total"],
    )


def _book_excursion(q: Quote) -> Preview:
    b = q.result.after
    return _card(
        q,
        f"Book {b['name']} in {b['city']} on {b['date']} for {b['participants']} participant(s)",
        [Change(label="New excursion booking", after=f"{b['name']}, {b['date']}")],
        [f"{b['participants']} participant(s), {chf(b['price'])} in total"],
    )


def _change(start: str, end: str, what: str) -> Callable[[Quote], Preview]:
    def card(q: Quote) -> Preview:
        old, new = q.result.before, q.result.after
        return _card(
            q,
            f"Move {what} {q.result.data.get('booking_id') or q.result.data.get('rental_id')} "
            f"to {new[start]} - {new[end]}",
            [
                Change(
                    label="Dates",
                    before=f"{old[start]} - {old[end]}",
                    after=f"{new[start]} - {new[end]}",
                ),
                Change(label="Price", before=chf(old["price"]), after=chf(new["price"])),
            ],
            [],
        )

    return card


def _cancel(what: str) -> Callable[[Quote], Preview]:
    def card(q: Quote) -> Preview:
        return _card(
            q,
            f"Cancel {q.result.summary.split(' cancelled;')[0]} and refund {chf(q.result.refunded)}",
            [Change(label=f"{what} status", before="confirmed", after="cancelled")],
            [],
        )

    return card


def _previewed(
    write: Callable[..., OperationResult], card: Callable[[Quote], Preview]
) -> PreviewFn:
    def preview(s: Session, ctx: ServiceContext, a: dict[str, Any], _: Any) -> Preview:
        return card(quote(write, s, ctx, **a))

    return preview


PREVIEWS: dict[str, PreviewFn] = {
    "book_hotel": _previewed(hotels.book_hotel, _book_hotel),
    "book_car_rental": _previewed(cars.book_car_rental, _book_car),
    "book_excursion": _previewed(excursions.book_excursion, _book_excursion),
    "change_hotel_booking": _previewed(
        hotels.change_hotel_booking, _change("checkin", "checkout", "hotel booking")
    ),
    "cancel_hotel_booking": _previewed(hotels.cancel_hotel_booking, _cancel("Hotel booking")),
    "change_car_rental": _previewed(cars.change_car_rental, _change("start", "end", "car rental")),
    "cancel_car_rental": _previewed(cars.cancel_car_rental, _cancel("Car rental")),
    "cancel_excursion": _previewed(excursions.cancel_excursion, _cancel("Excursion")),
}
