"""The Bookings page's parts: the passenger 360 view, flight search, and hotels, cars and
excursions by city. Each draws what a service returns; none decides anything."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import streamlit as st

from db.models import Fare
from services.core.clock import demo_date
from services.flights.flights import day_mark, day_offset, search_flights
from services.support import snapshot
from services.support.escalations import reason_text
from ui import resources
from ui.components import attempt, table
from ui.guards import PageAccess
from ui.safe_text import one_line

cc = st.column_config
CHF = cc.NumberColumn("Price", format="CHF %.2f")


def _money(value: Any) -> float:
    return float(value) if value not in (None, "") else 0.0


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _local(value: str | None) -> str:
    """ISO "2026-11-29T07:30+01:00" -> "2026-11-29 07:30", the local time at that airport."""
    return value[:16].replace("T", " ") if value else ""


def _arrival(departure: str | None, arrival: str | None) -> str:
    """The local arrival, with "(+1)" when it lands on a later day than it left."""
    if not departure or not arrival:
        return _local(arrival)
    offset = day_offset(datetime.fromisoformat(departure), datetime.fromisoformat(arrival))
    return _local(arrival) + day_mark(offset)


def passenger_360(access: PageAccess, passenger_id: int) -> None:
    with resources.db_session() as session:
        snap = attempt(
            lambda: snapshot.passenger_snapshot(session, access.context(passenger_id), contact=True)
        )
    if snap is None:
        return
    who = snap["passenger"]
    cards = ", ".join(f"{m['brand']} ··{m['last4']}" for m in who["payment_methods"]) or "none"
    st.subheader(one_line(who["name"]))
    contact = " · ".join(one_line(str(who[k])) for k in ("email", "phone", "tier"))
    st.caption(f"{contact} member · cards: {one_line(cards)}")

    st.markdown("**Tickets**")
    tickets = snap["tickets"]
    table(
        [{**t, "departs": _local(t["departs_local"])} for t in tickets],
        {
            "ticket_no": cc.TextColumn("Ticket"),
            "booking_reference": cc.TextColumn("Booking"),
            "status": cc.TextColumn("Status"),
            "route": cc.TextColumn("Route"),
            "departs": cc.TextColumn("Departs (local)"),
            "flight_nos": cc.ListColumn("Flights"),
            "fare": cc.TextColumn("Fare"),
            "cabin": cc.TextColumn("Cabin"),
            "checked_bags": cc.NumberColumn("Checked bags"),
        },
        empty="No tickets.",
        key="bookings_tickets",
    )
    legs = [
        {
            "ticket_no": t["ticket_no"],
            **leg,
            "departure": _local(leg.get("departure_local")),
            "arrival": _arrival(leg.get("departure_local"), leg.get("arrival_local")),
            "paid": _money(leg.get("price_paid")),
        }
        for t in tickets
        for leg in t["legs"]
    ]
    if legs:
        with st.expander(f"Flight legs ({len(legs)})", expanded=True):
            table(
                legs,
                {
                    "ticket_no": cc.TextColumn("Ticket"),
                    "flight_no": cc.TextColumn("Flight"),
                    "origin": cc.TextColumn("From"),
                    "destination": cc.TextColumn("To"),
                    "departure": cc.TextColumn("Departure (local)"),
                    "arrival": cc.TextColumn("Arrival (local)"),
                    "status": cc.TextColumn("Status"),
                    "delay_minutes": cc.NumberColumn("Delay", format="%d min"),
                    "seat": cc.TextColumn("Seat"),
                    "paid": cc.NumberColumn("Paid", format="CHF %.2f"),
                },
                empty="",
                key="bookings_legs",
            )
    _trip_extras(snap)


def _trip_extras(snap: dict[str, Any]) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown("**Hotels**")
        table(
            [
                {**h, "checkin": _date(h["checkin"]), "checkout": _date(h["checkout"]),
                 "price": _money(h["price"])}
                for h in snap["hotel_bookings"]
            ],
            {"hotel": cc.TextColumn("Hotel"), "city": cc.TextColumn("City"),
             "checkin": cc.DateColumn("Check-in"), "checkout": cc.DateColumn("Check-out"),
             "guests": cc.NumberColumn("Guests"), "price": CHF, "status": cc.TextColumn("Status")},
            empty="No hotel bookings.",
        )  # fmt: skip
        st.markdown("**Excursions**")
        table(
            [{**e, "date": _date(e["date"]), "price": _money(e["price"])}
             for e in snap["excursions"]],
            {"name": cc.TextColumn("Excursion"), "city": cc.TextColumn("City"),
             "date": cc.DateColumn("Date"), "participants": cc.NumberColumn("People"),
             "price": CHF, "status": cc.TextColumn("Status")},
            empty="No excursions.",
        )  # fmt: skip
    with right:
        st.markdown("**Car rentals**")
        table(
            [{**r, "start": _date(r["start"]), "end": _date(r["end"]), "price": _money(r["price"])}
             for r in snap["car_rentals"]],
            {"company": cc.TextColumn("Company"), "car": cc.TextColumn("Car"),
             "city": cc.TextColumn("City"), "start": cc.DateColumn("From"),
             "end": cc.DateColumn("To"), "price": CHF, "status": cc.TextColumn("Status")},
            empty="No car rentals.",
        )  # fmt: skip
        st.markdown("**Compensations and escalations**")
        table(
            [{"what": f"Compensation: {c['reason']}", "amount": _money(c["amount"])}
             for c in snap["compensations"]]
            + [{"what": f"Escalation ({reason_text(e['reason'])}, {e['status']}): {e['summary']}",
                "amount": None} for e in snap["escalations"]],
            {"what": cc.TextColumn("Record", width="large"),
             "amount": cc.NumberColumn("Amount", format="CHF %.2f")},
            empty="No compensations or escalations.",
        )  # fmt: skip


def flight_search(access: PageAccess) -> None:
    today = demo_date(resources.clock())
    with st.form("bookings_flight_form"):
        a, b, c, d, e = st.columns([2, 2, 2, 2, 1])
        origin = a.text_input("From", value="ZRH", key="bookings_origin", help="Code or city")
        destination = b.text_input("To", value="LHR", key="bookings_destination")
        day = c.date_input("Date", value=today + timedelta(days=3), key="bookings_day")
        fare = d.selectbox("Fare", list(Fare), index=1, key="bookings_fare")
        seats = e.number_input("Seats", min_value=1, max_value=9, value=1, key="bookings_seats")
        if st.form_submit_button("Search flights", key="bookings_search_flights"):
            st.session_state["bookings_flight_query"] = dict(
                origin=origin, destination=destination, day=day, fare=fare, seats=int(seats)
            )
    query = st.session_state.get("bookings_flight_query")
    if not query:
        return
    # Searched again on every run, so the seats left are always current.
    with resources.db_session() as session:
        found = attempt(lambda: search_flights(session, access.context(), **query))
    if found is None:
        return
    rows = [
        {
            "flights": [leg.flight_no for leg in it.legs],
            "route": "-".join([it.legs[0].origin, *[leg.destination for leg in it.legs]]),
            "departs": f"{it.legs[0].departure_local:%Y-%m-%d %H:%M}",
            "arrives": f"{it.legs[-1].arrival_local:%Y-%m-%d %H:%M}"
            + day_mark(it.arrival_day_offset),
            "stops": len(it.legs) - 1,
            "status": ", ".join(sorted({leg.status.value for leg in it.legs})),
            "price": float(it.price),
            "seats_left": it.free_seats,
        }
        for it in found
    ]
    st.caption(f"{len(rows)} itinerar{'ies' if len(rows) != 1 else 'y'}, {query['fare']} fare")
    table(
        rows,
        {"flights": cc.ListColumn("Flights"), "route": cc.TextColumn("Route"),
         "departs": cc.TextColumn("Departs (local)"), "arrives": cc.TextColumn("Arrives (local)"),
         "stops": cc.NumberColumn("Stops"), "status": cc.TextColumn("Status"),
         "price": cc.NumberColumn("Price per seat", format="CHF %.2f"),
         "seats_left": cc.NumberColumn("Seats left")},
        empty="No bookable flights on that day; try another date.",
        key="bookings_flight_results",
    )  # fmt: skip
