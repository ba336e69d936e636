"""How the Disruptions page writes a plan's and a batch's rows: itineraries with dates and "+1"
for an arrival on a later day, delays, EU 261 amounts and care, the desk's choice per row.
Pure functions (table rows as dicts), no Streamlit: tests call them directly. Times are Zurich
time, as the desk's other tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from services.core.clock import HOME_TZ
from services.disruptions import DisruptedFlight, Itinerary, PlanRow, RowAction
from services.flights.flights import day_mark, day_offset
from services.notifications import NoticeStatus, SentMessage
from services.reaccommodation import (
    AS_PLANNED,
    Adjustment,
    BatchResult,
    Choice,
    RowStatus,
    row_key,
)
from ui.dashboard_common import duration

CHOICE_WORDS = {
    Choice.AS_PLANNED: "As planned",
    Choice.OTHER_OPTION: "Another option",
    Choice.CONVERSATION: "Leave for a conversation",
    Choice.REFUND: "Refund instead",
}
STATUS_WORDS = {
    RowStatus.EXECUTED: "executed",
    RowStatus.ALREADY_EXECUTED: "already executed",
    RowStatus.REPLANNED: "replanned",
    RowStatus.FAILED: "failed",
    RowStatus.LEFT_FOR_CONVERSATION: "left for a conversation",
}
NOTICE_WORDS = {
    NoticeStatus.DELIVERED: "delivered",
    NoticeStatus.PENDING: "queued",
    NoticeStatus.GAVE_UP: "gave up",
}


def when(instant: datetime | None) -> str:
    return "" if instant is None else f"{instant.astimezone(HOME_TZ):%a %d %b %H:%M}"


def itinerary_text(option: Itinerary) -> str:
    """ "AL 128 Fri 27 Nov 07:10 → 09:05 (+1), via GVA" (Zurich time)."""
    leave, land = option.departs.astimezone(HOME_TZ), option.arrives.astimezone(HOME_TZ)
    text = (
        f"{' + '.join(option.flight_nos)} {leave:%a %d %b %H:%M} → {land:%H:%M}"
        f"{day_mark(day_offset(leave, land))}"
    )
    return text + (f", via {', '.join(option.via)}" if option.via else ", direct")


def delay_text(minutes: int | None) -> str:
    return "" if minutes is None else duration(timedelta(minutes=minutes))


def flight_rows(flights: Sequence[DisruptedFlight]) -> list[dict[str, Any]]:
    return [
        {
            "flight": f.label,
            "status": f.status.value
            + (f", {delay_text(f.delay_minutes)} late" if f.delay_minutes else ""),
            "passengers": f.passengers,
            "parties": f.parties,
            "cause": f.cause_text,
            "extraordinary": {True: "yes", False: "no", None: "unknown"}[f.extraordinary],
        }
        for f in flights
    ]


def flight_label(f: DisruptedFlight) -> str:
    people = f"{f.passengers} passenger{'s' if f.passengers != 1 else ''}"
    return f"{f.label} · {f.status.value} · {people} in {f.parties} parties"


def _compensation(row: PlanRow) -> str:
    eur = [p.entitlements.compensation_eur for p in row.passengers]
    chf = [p.entitlements.compensation_chf for p in row.passengers]
    if not any(eur):
        return "none"
    if len(set(eur)) == 1 and len(row.passengers) > 1:
        return f"EUR {eur[0]:,.0f} / CHF {chf[0]:,.2f} each"
    return f"EUR {sum(eur, Decimal(0)):,.0f} / CHF {sum(chf, Decimal(0)):,.2f}"


def _care(row: PlanRow) -> str:
    meals = any(p.entitlements.care_meals for p in row.passengers)
    hotel = any(p.entitlements.care_hotel for p in row.passengers)
    return ", ".join(w for w, due in (("meals", meals), ("hotel and transfers", hotel)) if due)


def proposed(row: PlanRow, adjustment: Adjustment) -> str:
    """What the row will do once approved, in words."""
    match adjustment.choice:
        case Choice.OTHER_OPTION if adjustment.option is not None:
            return itinerary_text(adjustment.option)
        case Choice.CONVERSATION:
            return "Left for a conversation with the passengers"
        case Choice.REFUND:
            return "Full refund"
    if row.action == RowAction.REBOOK and row.option is not None:
        return itinerary_text(row.option)
    if row.action == RowAction.KEEP:
        return "Keeps the delayed flight"
    return "No option: left for a conversation"


def plan_rows(rows: Sequence[PlanRow], adjustments: dict[str, Adjustment]) -> list[dict[str, Any]]:
    table = []
    for row in rows:
        adjustment = adjustments.get(row_key(row), AS_PLANNED)
        table.append(
            {
                "party": row.booking_reference,
                "passengers": ", ".join(p.name for p in row.passengers),
                "tier": ", ".join(sorted({p.tier.value for p in row.passengers})),
                "cabin": ", ".join(sorted({p.cabin.value for p in row.passengers})),
                "priorities": ", ".join(p.value.replace("_", " ") for p in row.priorities),
                "choice": CHOICE_WORDS[adjustment.choice],
                "itinerary": proposed(row, adjustment),
                "delay": delay_text(row.arrival_delay_minutes)
                if adjustment.choice == Choice.AS_PLANNED
                else "",
                "compensation": _compensation(row),
                "care": _care(row),
                "reason": row.reason or "",
            }
        )
    return table


def result_rows(result: BatchResult, names: dict[str, str]) -> list[dict[str, Any]]:
    """`names`: ticket number -> passenger (a failed row's outcome names no one)."""
    return [
        {
            "row": n,
            "passengers": ", ".join(names.get(t, t) for t in row.decision.ticket_nos),
            "action": row.decision.action.value.replace("_", " "),
            "status": STATUS_WORDS[row.status],
            "itinerary": row.itinerary,
            "refunded": float(row.refunded),
            "compensation": "; ".join(
                sorted({t.compensation for t in row.tickets if t.compensation})
            ),
            "reason": row.reason,
        }
        for n, row in enumerate(result.rows, start=1)
    ]


def notice_rows(messages: Sequence[SentMessage], names: dict[str, str]) -> list[dict[str, Any]]:
    """`names`: ticket number -> passenger, as far as the page knows them (plan, result)."""
    return [
        {
            "passenger": names.get(m.ticket_no or "", ""),
            "to": m.recipient or "",
            "ticket": m.ticket_no or "",
            "subject": m.subject,
            "status": NOTICE_WORDS[m.status],
            "queued": when(m.queued_at),
            "delivered": when(m.delivered_at),
        }
        for m in messages
    ]
