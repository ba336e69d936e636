"""Seat allocation without database round trips: the k-th passenger of a flight's cabin gets the
seat at position (start + k * stride) mod n of the cabin's seat list. The stride is coprime with
n, so positions never repeat until the cabin is full; the start varies per flight so seat maps do
not all fill from the same seat."""

from __future__ import annotations

from world.schedule import FlightPlan


def has_room(flight: FlightPlan, cabin: str, count: int, *, background: bool) -> bool:
    limit = flight.background_limit(cabin) if background else flight.capacity(cabin)
    return flight.used[cabin] + count <= limit


def take_seat(flight: FlightPlan, cabin: str) -> int:
    """The next free seat id; callers check `has_room` first."""
    seat_map = flight.seat_map
    if cabin == "business":
        seats, stride = seat_map.business, seat_map.business_stride
    else:
        seats, stride = seat_map.economy, seat_map.economy_stride
    k = flight.used[cabin]
    n = len(seats)
    if k >= n:
        raise RuntimeError(f"flight {flight.flight_no} on {flight.local_day}: {cabin} is full")
    flight.used[cabin] = k + 1
    return seats[(flight.id * 7919 + k * stride) % n]
