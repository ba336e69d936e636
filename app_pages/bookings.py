"""Bookings: the passenger 360 view, flight search, and hotels, cars and excursions by city.
Agents and admins pick the passenger; managers look only (this page has no write controls);
a customer sees their own passenger and no picker."""

import streamlit as st

from ui.bookings import flight_search, passenger_360
from ui.desk_link import follow_passenger, kept_conversation, show
from ui.guards import require_page
from ui.passenger_picker import passenger_picker
from ui.travel_search import travel_search

access = require_page("bookings")

st.title("Bookings")
if access.read_only:
    st.caption("Read-only view: managers can look at bookings but not change them.")

follow_passenger(access, "bookings")  # the passenger chosen on Chat, a reload or a link
if access.own_passenger_only:
    passenger_id = access.account.passenger_id
else:
    passenger_id = passenger_picker("bookings")

trips, flights, travel = st.tabs(["Passenger 360", "Flights", "Hotels, cars, excursions"])
with trips:
    if passenger_id is None:
        st.caption("Find and choose a passenger to see their trips.")
    else:
        passenger_360(access, passenger_id)
with flights:
    flight_search(access)
with travel:
    travel_search(access)
own = access.own_passenger_only
show("bookings", passenger_id, kept_conversation(passenger_id, own=own), own=own)
