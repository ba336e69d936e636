"""Hotels, car rentals and excursions in a city (the Bookings page's third tab)."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from services.core.clock import demo_date
from services.travel.cars import search_car_rentals
from services.travel.excursions import search_excursions
from services.travel.hotels import search_hotels
from ui import resources
from ui.components import attempt, plain_rows, table
from ui.guards import PageAccess

cc = st.column_config
TOTAL = cc.NumberColumn("Total", format="CHF %.2f")


def travel_search(access: PageAccess) -> None:
    today = demo_date(resources.clock())
    with st.form("bookings_travel_form"):
        a, b, c, d = st.columns([3, 2, 2, 1])
        city = a.text_input(
            "City", value="London", key="bookings_city", help="City or airport code"
        )
        start = b.date_input("From", value=today + timedelta(days=3), key="bookings_start")
        end = c.date_input("To", value=today + timedelta(days=5), key="bookings_end")
        people = d.number_input("People", min_value=1, max_value=9, value=1, key="bookings_people")
        if st.form_submit_button("Search", key="bookings_search_travel"):
            st.session_state["bookings_travel_query"] = dict(
                city=city, start=start, end=end, people=int(people)
            )
    query = st.session_state.get("bookings_travel_query")
    if not query:
        return
    ctx = access.context()
    q = query
    with resources.db_session() as session:
        st.markdown(f"**Hotels** · {q['start']:%d %b} to {q['end']:%d %b}")
        hotels = attempt(
            lambda: search_hotels(
                session, ctx, city=q["city"], checkin=q["start"], checkout=q["end"],
                guests=q["people"],
            )
        )  # fmt: skip
        if hotels is not None:
            table(
                plain_rows(hotels),
                {"name": cc.TextColumn("Hotel"), "stars": cc.NumberColumn("Stars", format="%d ★"),
                 "price_per_night": cc.NumberColumn("Per night", format="CHF %.2f"),
                 "nights": cc.NumberColumn("Nights"), "total_price": TOTAL,
                 "rooms_left": cc.NumberColumn("Rooms left")},
                empty="No hotel has a free room for those nights.",
                key="bookings_hotels",
            )  # fmt: skip
        st.markdown("**Car rentals**")
        cars = attempt(
            lambda: search_car_rentals(session, ctx, city=q["city"], start=q["start"], end=q["end"])
        )
        if cars is not None:
            table(
                plain_rows(cars),
                {"company": cc.TextColumn("Company"), "car_class": cc.TextColumn("Class"),
                 "model": cc.TextColumn("Model"),
                 "price_per_day": cc.NumberColumn("Per day", format="CHF %.2f"),
                 "days": cc.NumberColumn("Days"), "total_price": TOTAL,
                 "cars_left": cc.NumberColumn("Cars left")},
                empty="No car is free for those days.",
                key="bookings_cars",
            )  # fmt: skip
        st.markdown(f"**Excursions** · on {q['start']:%d %b}")
        excursions = attempt(
            lambda: search_excursions(
                session, ctx, city=q["city"], day=q["start"], participants=q["people"]
            )
        )
        if excursions is not None:
            table(
                plain_rows(excursions),
                {"name": cc.TextColumn("Excursion"), "description": cc.TextColumn("What"),
                 "duration_hours": cc.NumberColumn("Hours", format="%.1f"),
                 "price_per_participant": cc.NumberColumn("Per person", format="CHF %.2f"),
                 "total_price": TOTAL, "spots_left": cc.NumberColumn("Spots left")},
                empty="No excursion has enough free spots that day.",
                key="bookings_excursions",
            )  # fmt: skip
