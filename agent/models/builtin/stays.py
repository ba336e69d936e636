"""The passenger's stay at a trip's destination: the default city and dates of a hotel, a car
or an excursion the request does not give ("for his whole trip", "where she lands")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from agent.models.builtin.places import GAZETTEER
from services.travel.travel_kinds import EXCURSION, HOTEL, TravelKindSpec


@dataclass(frozen=True)
class TripStay:
    """Where the passenger's next trip takes them and for how long: from the outbound flight's
    arrival day to the day a later flight leaves that city again (None: no flight back)."""

    city: str
    arrives: str
    leaves: str | None


def city_of(code: str) -> str:
    return GAZETTEER[code][0] if code in GAZETTEER else code


def trip_stay(trips: dict[str, Any] | None, city: str | None = None) -> TripStay | None:
    """The stay of the next trip (to `city` when one is named), as a default for a hotel, a car
    or an excursion the request gives no city or dates for."""
    if not trips:
        return None
    tickets = sorted(
        (t for t in trips.get("tickets", []) if t.get("status") == "active" and t.get("legs")),
        key=lambda t: t.get("departs_local") or "",
    )
    for i, ticket in enumerate(tickets):
        last = ticket["legs"][-1]
        where = city_of(last["destination"])
        if city and where.lower() != city.lower():
            continue
        arrives = last["arrival_local"][:10]
        back = next(
            (
                later["legs"][0]["departure_local"][:10]
                for later in tickets[i + 1 :]
                if city_of(later["legs"][0]["origin"]) == where
            ),
            None,
        )
        return TripStay(where, arrives, back)
    return None


def dates_of(
    kind: TravelKindSpec, slots: dict[str, Any], stay: TripStay | None
) -> tuple[str | None, str | None]:
    """The period asked for; without dates or a length, the trip's stay in that city."""
    dates = slots.get("dates") or []
    length = slots.get("nights") if kind is HOTEL else slots.get("days")
    from_trip = stay is not None and _from_arrival(slots, dates)
    if stay is not None and from_trip:
        # "when she lands, returning 1.12.", "the day after he gets there": the trip's arrival
        # (plus the days said) starts it; a date named as the end still ends it.
        arrival = date.fromisoformat(stay.arrives)
        first = arrival + timedelta(days=slots.get("after_arrival") or 0)
        ends = [slots["end_date"]] if slots.get("end_date") else []
        dates = [first.isoformat(), *ends]
    start = dates[0] if dates else (stay.arrives if stay else None)
    if kind is EXCURSION:
        return start, None
    end = dates[1] if len(dates) > 1 else None
    if end is None and start and length:
        end = (date.fromisoformat(start) + timedelta(days=length)).isoformat()
    if end is None and (not dates or from_trip) and stay is not None:
        end = stay.leaves  # "from when he lands": until he flies back
    return start, end


def _from_arrival(slots: dict[str, Any], dates: list[str]) -> bool:
    """The period starts from the arrival: the message counts from it, or names only an end."""
    if slots.get("start_date"):
        return False
    if slots.get("after_arrival") is not None:
        return not dates or dates == [slots.get("end_date")]
    return bool(dates) and dates == [slots.get("end_date")]
