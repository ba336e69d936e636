"""The Disruptions page's first parts: the disrupted flights with their counts and the one
chosen, then its re-accommodation plan (summary, the table, and the adjustment of a row: another
option, leave for a conversation, refund instead). The plan, its batch id and the desk's
adjustments are kept in st.session_state per flight, so a rerun neither re-plans nor forgets.
Each part draws what services.disruptions returns; ui/disruption_format.py writes the cells."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import streamlit as st

from services.disruptions import (
    DisruptedFlight,
    Itinerary,
    PartyMember,
    Plan,
    PlanRow,
    RowAction,
    disrupted_flights,
    party_options,
    plan_flight,
)
from services.reaccommodation import AS_PLANNED, Adjustment, Choice, row_key
from ui import resources
from ui.components import attempt, table
from ui.disruption_format import (
    CHOICE_WORDS,
    delay_text,
    flight_label,
    flight_rows,
    itinerary_text,
    plan_rows,
    when,
)
from ui.guards import PageAccess
from ui.safe_text import one_line

cc = st.column_config
WINDOWS = {"Next 7 days": timedelta(days=7), "Next 30 days": timedelta(days=30)}
RECENT = timedelta(hours=24)  # flights that left (or should have) since yesterday still show
FLIGHT = "disruptions_flight"  # the chosen flight's id


@dataclass
class FlightDesk:
    """What the page keeps for one flight: its plan, the batch id its approval runs under (one
    approval executes each ticket once, however often it is clicked), the desk's adjustments."""

    plan: Plan
    batch_id: str
    adjustments: dict[str, Adjustment] = field(default_factory=dict)
    options: dict[str, tuple[Itinerary, ...]] = field(default_factory=dict)  # per row, read once


def desk_key(flight_id: int) -> str:
    return f"disruptions_desk_{flight_id}"


def desk(flight_id: int) -> FlightDesk | None:
    found = st.session_state.get(desk_key(flight_id))
    return found if isinstance(found, FlightDesk) else None


def forget_plan(flight_id: int) -> None:
    """After a batch ran (or on "Plan again"): the next run plans what is left afresh."""
    st.session_state.pop(desk_key(flight_id), None)


def choose_flight(access: PageAccess) -> DisruptedFlight | None:
    """The disrupted flights departing from yesterday on, with their counts; the one chosen."""
    window = st.segmented_control(
        "Departing", list(WINDOWS), default="Next 7 days", key="disruptions_window"
    )
    now = resources.clock().now()
    since, until = now - RECENT, now + WINDOWS[window or "Next 7 days"]
    with resources.db_session() as session:
        flights = attempt(
            lambda: disrupted_flights(session, access.context(), since=since, until=until)
        )
    if flights is None:
        return None
    st.subheader(f"Disrupted flights ({len(flights)})")
    table(
        flight_rows(flights),
        {
            "flight": cc.TextColumn("Flight", width="medium", help="Local departure time"),
            "status": cc.TextColumn("Status"),
            "passengers": cc.NumberColumn("Passengers", help="Tickets on the flight"),
            "parties": cc.NumberColumn("Parties", help="Bookings travelling together"),
            "cause": cc.TextColumn("Cause", width="medium"),
            "extraordinary": cc.TextColumn(
                "Extraordinary", help="EU 261/2004 Art. 5(3): no compensation is owed"
            ),
        },
        empty="No flight is cancelled or delayed in this period.",
        key="disruptions_flights",
    )
    wanted = st.session_state.get(FLIGHT)
    # The flights with passengers, and the one open (its batch may just have moved them all).
    by_id = {f.flight_id: f for f in flights if f.passengers or f.flight_id == wanted}
    if not by_id:
        return None
    ids = list(by_id)
    chosen = st.selectbox(
        "Flight to re-accommodate",
        ids,
        index=ids.index(wanted) if wanted in ids else None,
        format_func=lambda fid: flight_label(by_id[fid]) if fid in by_id else str(fid),
        placeholder="Choose a flight with passengers",
        key="disruptions_pick",
    )
    st.session_state[FLIGHT] = chosen
    return by_id.get(chosen) if chosen is not None else None


def flight_desk(access: PageAccess, flight: DisruptedFlight) -> FlightDesk | None:
    """The kept plan of the flight, or a new one (with a new batch id)."""
    kept = desk(flight.flight_id)
    if kept is not None:
        return kept
    with resources.db_session() as session:
        plan = attempt(lambda: plan_flight(session, access.context(), flight_id=flight.flight_id))
    if plan is None:
        return None
    made = FlightDesk(plan, f"console-{flight.flight_id}-{uuid.uuid4().hex[:12]}")
    st.session_state[desk_key(flight.flight_id)] = made
    return made


def plan_table(flight: DisruptedFlight, fd: FlightDesk) -> None:
    plan = fd.plan
    summary = plan.summary
    st.subheader(f"Plan for {one_line(flight.label)}")
    st.caption(
        f"Cause: {one_line(flight.cause_text)} · "
        + ("extraordinary circumstances (no compensation)" if flight.extraordinary else
           "within the airline's control (compensation owed)")
        + f" · planned {when_made(plan)} · priorities: "
        + (", ".join(p.value.replace("_", " ") for p in plan.priorities) or "none")
    )  # fmt: skip
    placed, unplaced, kept, delay = st.columns(4)
    placed.metric("Re-accommodated", summary.re_accommodated)
    unplaced.metric("No option", summary.unplaced)
    kept.metric("Keep their flight", summary.kept)
    placed_people = max(summary.re_accommodated, 1)
    delay.metric(
        "Average arrival delay",
        delay_text(summary.total_arrival_delay_minutes // placed_people)
        if summary.re_accommodated
        else "n/a",
    )
    table(
        plan_rows(plan.rows, fd.adjustments),
        {
            "party": cc.TextColumn("Booking", width="small"),
            "passengers": cc.TextColumn("Passengers", width="medium"),
            "tier": cc.TextColumn("Tier", width="small"),
            "cabin": cc.TextColumn("Cabin", width="small"),
            "priorities": cc.TextColumn("Priorities met"),
            "choice": cc.TextColumn("Decision", width="small"),
            "itinerary": cc.TextColumn("Itinerary (Zurich time)", width="large"),
            "delay": cc.TextColumn("Arrival delay", width="small"),
            "compensation": cc.TextColumn("Compensation", help="EU 261/2004 Art. 7"),
            "care": cc.TextColumn("Care", help="EU 261/2004 Art. 9"),
            "reason": cc.TextColumn("Why", width="large"),
        },
        empty="Nobody on this flight needs re-accommodating.",
        key="disruptions_plan",
    )


def when_made(plan: Plan) -> str:
    return when(plan.made_at)


def _row_label(row: PlanRow) -> str:
    names = ", ".join(p.name for p in row.passengers)
    return f"{row.booking_reference} · {names}"


def _options(access: PageAccess, fd: FlightDesk, row: PlanRow) -> tuple[Itinerary, ...]:
    key = row_key(row)
    if key not in fd.options:
        party = [PartyMember(p.ticket_no, p.passenger_id) for p in row.passengers]
        with resources.db_session() as session:
            found = attempt(lambda: party_options(session, access.context(), party=party))
        fd.options[key] = found or ()
    return fd.options[key]


def adjust_row(access: PageAccess, flight: DisruptedFlight, fd: FlightDesk) -> None:
    """One row at a time: the party, then what to do with it (its proposal, another of its
    options, a conversation, a refund). Kept in the flight's FlightDesk."""
    rows = [r for r in fd.plan.rows if r.action != RowAction.KEEP]
    if not rows:
        return
    with st.expander("Adjust a row", expanded=False, icon=":material/tune:"):
        keys = [row_key(r) for r in rows]
        key = st.selectbox(
            "Party",
            keys,
            format_func=lambda k: one_line(_row_label(rows[keys.index(k)])),
            key=f"disruptions_adjust_row_{flight.flight_id}",
        )
        row = rows[keys.index(key)]
        options = [o for o in _options(access, fd, row) if row.option is None or o != row.option]
        choices: list[Adjustment] = [AS_PLANNED]
        choices += [Adjustment(Choice.OTHER_OPTION, o) for o in options]
        choices += [Adjustment(Choice.CONVERSATION), Adjustment(Choice.REFUND)]
        current = fd.adjustments.get(key, AS_PLANNED)
        widget = f"disruptions_adjust_choice_{flight.flight_id}_{key}"
        st.radio(
            "Decision",
            range(len(choices)),
            index=choices.index(current) if current in choices else 0,
            format_func=lambda i: _choice_label(row, choices[i]),
            key=widget,
            on_change=_adjust,
            args=(fd, key, choices, widget),
        )
        if not options:
            st.caption("No other itinerary has seats for the whole party right now.")


def _adjust(fd: FlightDesk, key: str, choices: list[Adjustment], widget: str) -> None:
    """The radio's callback, before the rerun draws the table: the table shows the new choice."""
    chosen = choices[st.session_state[widget]]
    if chosen == AS_PLANNED:
        fd.adjustments.pop(key, None)
    else:
        fd.adjustments[key] = chosen


def _choice_label(row: PlanRow, adjustment: Adjustment) -> str:
    if adjustment.choice == Choice.OTHER_OPTION and adjustment.option is not None:
        o = adjustment.option
        return f"Another option: {itinerary_text(o)} · {o.seats_left} seats left"
    if adjustment.choice == Choice.AS_PLANNED:
        what = itinerary_text(row.option) if row.option else "left for a conversation"
        return f"As planned: {what}"
    return CHOICE_WORDS[adjustment.choice]
