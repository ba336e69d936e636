"""Plain, friendly sentences: local times, CHF amounts, option lists."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


def chf(value: Any) -> str:
    """'CHF 50' for whole francs, 'CHF 50.50' otherwise."""
    text = str(value).replace("CHF", "").replace(",", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return f"CHF {text}"
    return f"CHF {amount:,.0f}" if amount == amount.to_integral() else f"CHF {amount:,.2f}"


def day_text(value: date | str) -> str:
    d = date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return f"{d:%a} {d.day} {d:%b}"


def time_text(value: str | None) -> str:
    """'14:05' from an ISO local datetime."""
    if not value:
        return "?"
    return datetime.fromisoformat(value).strftime("%H:%M")


def when_text(value: str | None) -> str:
    if not value:
        return "?"
    moment = datetime.fromisoformat(value)
    return f"{day_text(moment.date())} at {moment:%H:%M}"


def arrival_text(departure: str | None, arrival: str | None) -> str:
    """'07:40', or '05:50 the next day (Fri 1 Jan)' when it lands on a later local day: an
    arrival time earlier than the departure would otherwise read as arriving before leaving."""
    if not departure or not arrival:
        return time_text(arrival)
    landed = datetime.fromisoformat(arrival)
    days = (landed.date() - datetime.fromisoformat(departure).date()).days
    if days == 0:
        return f"{landed:%H:%M}"
    later = "the next day" if days == 1 else f"{days:+d} days"
    return f"{landed:%H:%M} {later} ({day_text(landed.date())})"


def flight_option(option: dict[str, Any]) -> str:
    legs = option["legs"]
    first, last = legs[0], legs[-1]
    via = f" via {', '.join(leg['destination'] for leg in legs[:-1])}" if len(legs) > 1 else ""
    numbers = " + ".join(leg["flight_no"] for leg in legs)
    arrives = arrival_text(first.get("departure_local"), last.get("arrival_local"))
    return (
        f"{numbers} {first['origin']}-{last['destination']}{via}, departs {when_text(first['departure_local'])}, "
        f"arrives {arrives}, {option['free_seats']} seats left"
    )


def shortlist(options: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """The flight options to offer: direct flights before connections when there are more
    than `limit`, shown in order of departure (the search's own order), so "the second one" is
    the second line the person reads."""
    direct = [o for o in options if len(o["legs"]) == 1]
    chosen = (direct + [o for o in options if len(o["legs"]) > 1])[:limit]
    return sorted(chosen, key=lambda o: datetime.fromisoformat(o["legs"][0]["departure_local"]))


def numbered(lines: list[str]) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1))


def ticket_line(ticket: dict[str, Any]) -> str:
    status = "" if ticket["status"] == "active" else f" ({ticket['status']})"
    flights = ", ".join(ticket.get("flight_nos") or [])
    legs = ticket.get("legs") or []
    disruption = ""
    for leg in legs:
        if leg.get("status") == "cancelled":
            disruption = f" — {leg['flight_no']} was cancelled by the airline"
        elif leg.get("delay_minutes", 0) >= 15:
            disruption = f" — {leg['flight_no']} is delayed by {leg['delay_minutes'] // 60} h {leg['delay_minutes'] % 60:02d} min"
    return (
        f"ticket {ticket['ticket_no']}: {ticket['route']} on {when_text(ticket.get('departs_local'))} "
        f"({flights}), {ticket['fare']} fare{status}{disruption}"
    )
