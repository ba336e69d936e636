"""Pieces shared by the managers' pages (Audit, Metrics, Conversation review, Evaluations): the
time range picker, the passenger filter, keyset paging, how figures are written, and how old
the read replica's data is when they read one."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from services.core.clock import HOME_TZ, demo_date
from services.core.errors import InvalidInput
from services.core.replica import replica_status
from services.support.passengers import find_passengers
from ui import resources
from ui.components import attempt
from ui.safe_text import literal, one_line

RANGES = {
    "Last 24 hours": timedelta(hours=24),
    "Last 7 days": timedelta(days=7),
    "Last 30 days": timedelta(days=30),
    "Last 90 days": timedelta(days=90),
}
CUSTOM = "Custom dates"
# Ranges up to this long get hourly buckets in trend charts, longer ones daily buckets.
HOURLY_UP_TO = timedelta(days=2)


@dataclass(frozen=True)
class Period:
    """A time range as the person chose it: relative to now ("Last 7 days") or whole days in
    Zurich. Resolved on every (live) refresh, so "Last 24 hours" moves with the clock."""

    label: str
    span: timedelta | None = None
    first: date | None = None  # custom: Zurich dates, both included
    last: date | None = None

    def resolve(self, now: datetime) -> tuple[datetime, datetime]:
        """[since, until). A relative range ends at the end of the current minute, so what
        happened at this very instant (a frozen demo clock stamps everything "now") is in."""
        if self.span is not None:
            until = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            return until - self.span, until
        assert self.first is not None and self.last is not None
        since = datetime.combine(self.first, time(), HOME_TZ)
        return since, datetime.combine(self.last + timedelta(days=1), time(), HOME_TZ)

    @property
    def bucket(self) -> str:
        if self.span is not None:
            return "hour" if self.span <= HOURLY_UP_TO else "day"
        assert self.first is not None and self.last is not None
        return "hour" if self.last - self.first < timedelta(days=2) else "day"


def period_picker(key: str, *, default: str = "Last 7 days") -> Period:
    """The time range selectbox (and, for custom dates, a date range); state `{key}_range`."""
    options = [*RANGES, CUSTOM]
    choice = st.selectbox("Time range", options, index=options.index(default), key=f"{key}_range")
    if choice != CUSTOM:
        return Period(choice, RANGES[choice])
    today = demo_date(resources.clock())
    picked = st.date_input(
        "Dates (Zurich)",
        value=(today - timedelta(days=6), today),
        max_value=today,
        key=f"{key}_dates",
        format="YYYY-MM-DD",
    )
    days = [d for d in (picked if isinstance(picked, tuple | list) else [picked]) if d]
    first, last = (days[0], days[-1]) if days else (today, today)
    return Period(f"{first:%d %b %Y} – {last:%d %b %Y}", first=first, last=last)


def describe(since: datetime, until: datetime) -> str:
    a, b = local(since), local(until)
    return f"{a:%a %d %b %Y %H:%M} – {b:%a %d %b %Y %H:%M} Zurich"


def replica_caption() -> None:
    """With a read replica configured (the dashboards read it), how old its data is: a
    caption, or a warning while it lags. Nothing without one (the dashboards read the
    primary, which is current)."""
    if not resources.read_replica_configured():
        return
    with resources.read_session() as session:
        # In a tuple: None from attempt means the replica could not be asked (already said).
        found = attempt(lambda: (replica_status(session),))
    if found is None:
        return
    status = found[0]
    if status is None:
        st.caption("Read database: not a standby, its data is current.")
    elif status.lagging:
        st.warning(status.describe(), icon=":material/history:")
    else:
        st.caption(status.describe())


def passenger_filter(key: str) -> int | None:
    """A passenger to filter by, found by name, e-mail, ticket or booking reference; None when
    the box is empty (or nothing matches: said so below the box). State `{key}_passenger*`."""
    query = st.text_input(
        "Passenger",
        key=f"{key}_passenger_query",
        placeholder="Name, e-mail, ticket or booking",
    )
    if not query.strip():
        return None
    try:
        with resources.read_session() as session:
            matches = find_passengers(session, query=query)
    except InvalidInput as err:
        st.caption(literal(err.message))
        return None
    if not matches:
        st.caption(f"No passenger matches '{one_line(query)}': not filtering by passenger.")
        return None
    labels = {m.id: m.label for m in matches}
    chosen = st.selectbox(
        f"{len(matches)} match{'es' if len(matches) != 1 else ''}",
        list(labels),
        format_func=labels.__getitem__,
        key=f"{key}_passenger_id",
    )
    return int(chosen) if chosen is not None else None


class Pager:
    """Keyset paging in session state: the cursors of the pages seen so far, back to the
    first, and the query they belong to (a changed query starts again at page one).

    State: `{key}_cursors` (list, first entry None), `{key}_query` (the query's signature)."""

    def __init__(self, key: str, query: Hashable) -> None:
        self.cursors_key, self.query_key = f"{key}_cursors", f"{key}_pager_query"
        self.key = key
        state = st.session_state
        if state.get(self.query_key) != query:
            state[self.query_key] = query
            state[self.cursors_key] = [None]

    @property
    def cursor(self) -> Any:
        return st.session_state[self.cursors_key][-1]

    @property
    def number(self) -> int:
        return len(st.session_state[self.cursors_key])

    def _older(self, cursor: Any) -> None:
        st.session_state[self.cursors_key].append(cursor)

    def _newer(self) -> None:
        if self.number > 1:
            st.session_state[self.cursors_key].pop()

    def controls(self, next_cursor: Any, *, shown: int, page_size: int, total: int) -> None:
        """ "Newer" and "Older" buttons and where this page is in the whole."""
        first = (self.number - 1) * page_size + 1
        where, newer, older = st.columns([4, 1, 1], vertical_alignment="center")
        where.caption(
            f"Page {self.number} · rows {first:,}–{first + shown - 1:,} of {total:,}"
            if shown
            else f"Page {self.number}"
        )
        newer.button(
            "Newer",
            icon=":material/chevron_left:",
            key=f"{self.key}_newer",
            disabled=self.number == 1,
            on_click=self._newer,
            width="stretch",
        )
        older.button(
            "Older",
            icon=":material/chevron_right:",
            key=f"{self.key}_older",
            disabled=next_cursor is None,
            on_click=self._older,
            args=(next_cursor,),
            width="stretch",
        )


def local(instant: datetime) -> datetime:
    """A UTC instant in the airline's time zone (tables show Zurich time)."""
    return instant.astimezone(HOME_TZ)


def count(n: int) -> str:
    return f"{n:,}"


def percent(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.1%}"


def millis(x: float | None) -> str:
    return "n/a" if x is None else f"{x:,.0f} ms"


def usd(x: float | None) -> str:
    return "n/a" if x is None else f"USD {x:,.2f}"


def duration(delta: timedelta | None) -> str:
    """timedelta(minutes=65) -> '1 h 5 min'; under a minute in seconds; None -> 'n/a'."""
    if delta is None:
        return "n/a"
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def stars(rating: int | None) -> str:
    return "unrated" if rating is None else "★" * rating + "☆" * (5 - rating)


# Figures are built from graph objects, not plotly.express: px.bar/px.line take ~180 ms each
# (argument checks, wide-to-long reshaping) against ~10 ms, and the page draws nine of them.
def bar_series(
    x: Any, columns: dict[str, Any], colors: Sequence[str] = (), *, barmode: str = "relative"
) -> go.Figure:
    """One bar trace per column (stacked, or side by side with barmode="group")."""
    traces = [
        go.Bar(x=x, y=y, name=name, marker_color=colors[i] if i < len(colors) else None)
        for i, (name, y) in enumerate(columns.items())
    ]
    return go.Figure(traces, layout={"barmode": barmode})


def line_series(
    frame: pd.DataFrame, columns: Sequence[str], colors: Sequence[str] = ()
) -> go.Figure:
    """One line with markers per column, over the frame's time."""
    return go.Figure(
        [
            go.Scatter(x=frame["time"], y=frame[c], name=c, mode="lines+markers",
                       marker_color=colors[i] if i < len(colors) else None)
            for i, c in enumerate(columns)
        ]
    )  # fmt: skip
