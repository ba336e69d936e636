"""Approval previews for hotel, car and excursion bookings.

Each card is priced by the write itself, run against the database and rolled back
(services.payments.quotes): the call's own arguments go in, the price, the card and any refusal or
invalid argument (0 nights, -3 guests, a return before pick-up, a past date) come out of the
same service code the approved write runs. Nothing comes from the model's figures or an earlier
search result, and an invalid or refused request never becomes a card. The kinds' services,
nouns and date fields come from their one declaration (services.travel.travel_kinds); each write
tool's spec in agent/tools.py carries the preview built here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from agent.approvals import Change
from agent.previews import Preview, PreviewFn
from services.core.context import ServiceContext
from services.core.money import chf
from services.payments.quotes import Quote, quote
from services.text.words import plural
from services.travel.travel_kinds import TravelKey, TravelKindSpec, Write


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
        f"Book {b['hotel']} in {b['city']}, {stay} ({plural(b['nights'], 'night')}, {plural(b['guests'], 'guest')})",
        [
            Change(
                label="New hotel booking", after=f"{b['hotel']}, {b['checkin']} - {b['checkout']}"
            )
        ],
        [f"{plural(b['nights'], 'night')}, {chf(b['price'])} in total"],
    )


def _book_car(q: Quote) -> Preview:
    b = q.result.after
    car = f"{b['company']} {b['car']} in {b['city']}"
    return _card(
        q,
        f"Rent {car}, {b['start']} to {b['end']} ({plural(b['days'], 'day')})",
        [Change(label="New car rental", after=f"{car}, {b['start']} - {b['end']}")],
        [f"{plural(b['days'], 'day')}, {chf(b['price'])} in total"],
    )


def _book_excursion(q: Quote) -> Preview:
    b = q.result.after
    return _card(
        q,
        f"Book {b['name']} in {b['city']} on {b['date']} for {plural(b['participants'], 'participant')}",
        [Change(label="New excursion booking", after=f"{b['name']}, {b['date']}")],
        [f"{plural(b['participants'], 'participant')}, {chf(b['price'])} in total"],
    )


def _change(kind: TravelKindSpec) -> Callable[[Quote], Preview]:
    start, end = kind.start_field, kind.end_field or kind.start_field

    def card(q: Quote) -> Preview:
        old, new = q.result.before, q.result.after
        return _card(
            q,
            # By its name ("Hotel Alpenblick in Zurich"), never its row id ("hotel booking 1").
            f"Move {q.result.data.get('name') or kind.noun} to {new[start]} - {new[end]}",
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


def _cancel(kind: TravelKindSpec) -> Callable[[Quote], Preview]:
    def card(q: Quote) -> Preview:
        return _card(
            q,
            f"Cancel {q.result.summary.split(' cancelled;')[0]} and refund {chf(q.result.refunded)}",
            [Change(label=f"{kind.label} status", before="confirmed", after="cancelled")],
            [],
        )

    return card


def _previewed(write: Write, card: Callable[[Quote], Preview]) -> PreviewFn:
    def preview(s: Session, ctx: ServiceContext, a: dict[str, Any], _: Any) -> Preview:
        return card(quote(write, s, ctx, **a))

    return preview


BOOK_CARDS: dict[TravelKey, Callable[[Quote], Preview]] = {
    TravelKey.HOTEL: _book_hotel,
    TravelKey.CAR: _book_car,
    TravelKey.EXCURSION: _book_excursion,
}


def book_preview(kind: TravelKindSpec) -> PreviewFn:
    return _previewed(kind.book, BOOK_CARDS[kind.key])


def change_preview(kind: TravelKindSpec) -> PreviewFn:
    if kind.change is None:
        raise ValueError(f"{kind.noun} has no change service")
    return _previewed(kind.change, _change(kind))


def cancel_preview(kind: TravelKindSpec) -> PreviewFn:
    return _previewed(kind.cancel, _cancel(kind))
