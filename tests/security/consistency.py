"""The race harness's two halves: start N writers on one object at the same instant, and check
afterwards that the database still tells one consistent story.

`race` gives every writer its own Session and its own ServiceContext (a distinct approval id),
holds them at a barrier so their transactions really overlap, and returns what each got: "ok",
the code of a DomainError (a refusal a person can read) or "crash: ..." for anything else, so a
raw database error shows up as a failed assertion instead of a hidden thread traceback.

`problems` lists every broken invariant, so a test asserts `problems(s) == []` and a failure says
what is wrong (a cancelled ticket with an active leg, a second refund, an overbooked hotel)."""

from __future__ import annotations

import itertools
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import (
    BookingStatus,
    CarRental,
    CarRentalOffer,
    Compensation,
    Excursion,
    ExcursionBooking,
    Flight,
    Hotel,
    HotelBooking,
    LegStatus,
    Payment,
    SeatAssignment,
    Ticket,
    TicketLeg,
    TicketStatus,
)
from services.core.audit import verify
from services.core.context import ServiceContext
from services.core.errors import DomainError, ServiceUnavailable

RACERS = 20
ZERO = Decimal("0.00")
COMPENSATION = "compensation "  # the reason prefix of a compensation payout

Work = Callable[[Session, ServiceContext, int], object]


def race(
    session_factory: sessionmaker[Session],
    contexts: Callable[[int], ServiceContext],
    work: Work,
    n: int = RACERS,
) -> Counter[str]:
    """Run work(session, ctx, i) for i in range(n) in n threads released together. Each call
    gets contexts(i) with a distinct idempotency key, as n separate approvals would."""
    barrier = threading.Barrier(n)

    def run(i: int) -> str:
        ctx = contexts(i).once(f"race-approval-{i}")
        with session_factory() as session:
            barrier.wait(timeout=30)
            try:
                work(session, ctx, i)
                return "ok"
            except ServiceUnavailable as err:
                # A database error dressed as a refusal: the write collided instead of queueing.
                return f"crash: {err.code}: {err.__cause__!r}"[:300]
            except DomainError as err:
                return err.code
            except Exception as err:  # reported as an outcome, asserted on
                return f"crash: {type(err).__name__}: {err}"[:300]

    with ThreadPoolExecutor(max_workers=n) as pool:
        return Counter(pool.map(run, range(n)))


def problems(session: Session) -> list[str]:
    """Every invariant a race could break, as sentences; [] when the database is consistent."""
    found: list[str] = []
    for check in (
        _cancelled_tickets_with_active_legs,
        _seats_match_active_legs,
        _one_itinerary_per_ticket,
        _refunds_within_payments,
        _one_compensation_each,
        _travel_money_matches_bookings,
        _capacity_respected,
    ):
        found += check(session)
    result = verify(session)
    if not result.ok:
        found.append(f"audit chain broken: {result}")
    return found


def _cancelled_tickets_with_active_legs(session: Session) -> list[str]:
    rows = session.execute(
        select(Ticket.ticket_no, TicketLeg.id)
        .join(TicketLeg, TicketLeg.ticket_id == Ticket.id)
        .where(Ticket.status == TicketStatus.CANCELLED, TicketLeg.status == LegStatus.ACTIVE)
    ).all()
    return [f"cancelled ticket {no} still has active leg {leg}" for no, leg in rows]


def _seats_match_active_legs(session: Session) -> list[str]:
    """One seat per active leg and none for any other leg, on every flight."""
    legs = dict(
        session.execute(
            select(TicketLeg.flight_id, func.count())
            .where(TicketLeg.status == LegStatus.ACTIVE)
            .group_by(TicketLeg.flight_id)
        ).all()
    )
    seats = dict(
        session.execute(
            select(SeatAssignment.flight_id, func.count())
            .join(TicketLeg, TicketLeg.id == SeatAssignment.ticket_leg_id)
            .where(TicketLeg.status == LegStatus.ACTIVE)
            .group_by(SeatAssignment.flight_id)
        ).all()
    )
    orphans = session.scalar(
        select(func.count())
        .select_from(SeatAssignment)
        .join(TicketLeg, TicketLeg.id == SeatAssignment.ticket_leg_id)
        .where(TicketLeg.status != LegStatus.ACTIVE)
    )
    found = [
        f"flight {fid}: {legs.get(fid, 0)} active legs but {seats.get(fid, 0)} seats"
        for fid in sorted(set(legs) | set(seats))
        if legs.get(fid, 0) != seats.get(fid, 0)
    ]
    if orphans:
        found.append(f"{orphans} seats are held by exchanged or cancelled legs")
    return found


def _one_itinerary_per_ticket(session: Session) -> list[str]:
    """An active ticket's active legs are one connected trip (two racing changes left two)."""
    rows = session.execute(
        select(Ticket.ticket_no, Flight.origin, Flight.destination)
        .join(TicketLeg, TicketLeg.ticket_id == Ticket.id)
        .join(Flight, Flight.id == TicketLeg.flight_id)
        .where(Ticket.status == TicketStatus.ACTIVE, TicketLeg.status == LegStatus.ACTIVE)
        .order_by(Ticket.ticket_no, TicketLeg.sequence, TicketLeg.id)
    ).all()
    trips: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for ticket_no, origin, destination in rows:
        trips[ticket_no].append((origin, destination))
    found = []
    for ticket_no, legs in trips.items():
        if any(a[1] != b[0] for a, b in itertools.pairwise(legs)):
            found.append(f"ticket {ticket_no} has more than one active itinerary: {legs}")
    active = set(
        session.scalars(select(Ticket.ticket_no).where(Ticket.status == TicketStatus.ACTIVE))
    )
    found += [f"active ticket {no} has no active leg" for no in sorted(active - set(trips))]
    return found


def _refunds_within_payments(session: Session) -> list[str]:
    """Per ticket, fare refunds never exceed what was charged (compensation is checked apart)."""
    totals: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for ticket_id, kind, reason, amount in session.execute(
        select(Payment.ticket_id, Payment.kind, Payment.reason, Payment.amount).where(
            Payment.ticket_id.is_not(None)
        )
    ):
        if ticket_id is not None and not reason.startswith(COMPENSATION):  # None: filtered
            totals[ticket_id][kind] += amount
    return [
        f"ticket {tid}: refunded CHF {t['refund']} of CHF {t['charge']} paid"
        for tid, t in sorted(totals.items())
        if t["refund"] > t["charge"]
    ]


def _one_compensation_each(session: Session) -> list[str]:
    claims: dict[int | None, int] = dict(
        session.execute(
            select(Compensation.ticket_id, func.count()).group_by(Compensation.ticket_id)
        ).all()
    )
    payouts: dict[int | None, int] = dict(
        session.execute(
            select(Payment.ticket_id, func.count())
            .where(Payment.reason.startswith(COMPENSATION))
            .group_by(Payment.ticket_id)
        ).all()
    )
    return [
        f"ticket {tid}: {claims.get(tid, 0)} compensations but {payouts.get(tid, 0)} payouts"
        # A payout without a ticket (None) would be a finding too; it sorts last.
        for tid in sorted(set(claims) | set(payouts), key=lambda tid: (tid is None, tid or 0))
        if claims.get(tid, 0) != payouts.get(tid, 0)
    ]


TravelBooking = HotelBooking | CarRental | ExcursionBooking
TRAVEL: tuple[tuple[type[TravelBooking], str], ...] = (
    (HotelBooking, "hotel booking"),
    (CarRental, "car rental"),
    (ExcursionBooking, "excursion booking"),
)


def _travel_money_matches_bookings(session: Session) -> list[str]:
    """What a travel booking's card was charged, net of refunds, is its price while it is
    confirmed and nothing once cancelled: a second refund or charge breaks that."""
    net: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for kind, reason, amount in session.execute(
        select(Payment.kind, Payment.reason, Payment.amount).where(Payment.ticket_id.is_(None))
    ):
        label = reason.removesuffix(" change").removesuffix(" cancellation")
        net[label] += amount if kind == "charge" else -amount
    found = []
    for model, record in TRAVEL:
        bookings: list[TravelBooking] = list(session.scalars(select(model)))
        for booking in bookings:
            expected = booking.price if booking.status == BookingStatus.CONFIRMED else ZERO
            paid = net.get(f"{record} {booking.id}", ZERO)
            if paid != expected:
                found.append(
                    f"{record} {booking.id} ({booking.status.value}, CHF {booking.price}) "
                    f"has net payments of CHF {paid}"
                )
    return found


def _peaks(spans: list[tuple[date, date, int]]) -> dict[date, int]:
    taken: dict[date, int] = defaultdict(int)
    for start, end, units in spans:
        day = start
        while day < end:
            taken[day] += units
            day += timedelta(days=1)
    return taken


def _capacity_respected(session: Session) -> list[str]:
    """No night, day or tour holds more confirmed bookings than the offer has room for."""
    found = []
    confirmed = BookingStatus.CONFIRMED
    checks = (
        (Hotel, Hotel.rooms, HotelBooking.hotel_id, HotelBooking.checkin, HotelBooking.checkout),
        (
            CarRentalOffer,
            CarRentalOffer.units,
            CarRental.offer_id,
            CarRental.start_date,
            CarRental.end_date,
        ),
    )
    for offer, limit, key, start, end in checks:
        for offer_id, capacity in session.execute(select(offer.id, limit)):
            spans = [
                (a, b, 1)
                for a, b in session.execute(
                    select(start, end).where(key == offer_id, key.class_.status == confirmed)
                )
            ]
            for day, units in _peaks(spans).items():
                if units > capacity:
                    found.append(
                        f"{offer.__name__} {offer_id} holds {units} of {capacity} on {day}"
                    )
    for tour_id, capacity in session.execute(select(Excursion.id, Excursion.capacity)):
        for day, units in session.execute(
            select(ExcursionBooking.date, func.sum(ExcursionBooking.participants))
            .where(ExcursionBooking.excursion_id == tour_id, ExcursionBooking.status == confirmed)
            .group_by(ExcursionBooking.date)
        ):
            if units > capacity:
                found.append(f"Excursion {tour_id} holds {units} of {capacity} on {day}")
    return found
