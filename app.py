"""SkyDesk: the Streamlit entry point. For now a start page with the demo world's contents;
the chat, bookings, dashboards and admin pages arrive with their issues."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session, sessionmaker

from config import get_settings
from db.engine import make_engine, make_session_factory
from services.clock import FixedClock, SystemClock
from services.overview import persona_overview, world_counts

st.set_page_config(page_title="SkyDesk", page_icon="✈️", layout="wide")


@st.cache_resource
def session_factory() -> sessionmaker[Session]:
    return make_session_factory(make_engine(get_settings().database_url))


settings = get_settings()
clock = FixedClock(settings.demo_now) if settings.demo_now else SystemClock()

st.title("✈️ SkyDesk")
st.caption(f"Alpine Air support desk · demo clock {clock.now():%Y-%m-%d %H:%M} UTC")

with session_factory()() as session:
    counts = world_counts(session)
    personas = persona_overview(session)

columns = st.columns(len(counts))
for column, (name, value) in zip(columns, counts.items(), strict=True):
    column.metric(name.capitalize(), f"{value:,}")

st.subheader("Demo personas")
st.dataframe(pd.DataFrame(personas), hide_index=True)
