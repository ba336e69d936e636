"""Aircraft types with their seat maps, and the fleet of registrations (HB-xxx).

Seat ids are assigned here (business rows first, then economy) so the seating code can pick a
seat by index without asking the database."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AircraftTypeSpec:
    code: str
    name: str
    business_seats: int
    business_letters: str
    economy_seats: int
    economy_letters: str
    fleet_prefix: str  # registrations are prefix + one letter, e.g. HB-JCA
    fleet_size: int


AIRCRAFT_TYPES: tuple[AircraftTypeSpec, ...] = (
    AircraftTypeSpec("BCS3", "Airbus A220-300", 12, "ACDF", 133, "ACDEF", "HB-JC", 20),
    AircraftTypeSpec("A320", "Airbus A320", 18, "ABCDEF", 150, "ABCDEF", "HB-JL", 22),
    AircraftTypeSpec("A321", "Airbus A321", 24, "ABCDEF", 176, "ABCDEF", "HB-JP", 10),
    AircraftTypeSpec("A333", "Airbus A330-300", 36, "ADGK", 200, "ACDEFGHK", "HB-JH", 8),
    AircraftTypeSpec("B77W", "Boeing 777-300ER", 62, "ADGK", 278, "ABCDEFGHJK", "HB-JN", 10),
)
TYPES_BY_CODE: dict[str, AircraftTypeSpec] = {t.code: t for t in AIRCRAFT_TYPES}
REGISTRATION_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass
class SeatMap:
    """Seat ids of one aircraft type per cabin, plus a stride that walks each cabin in a
    scattered but collision-free order (stride coprime with the cabin size)."""

    business: list[int] = field(default_factory=list)
    economy: list[int] = field(default_factory=list)
    business_stride: int = 1
    economy_stride: int = 1


def _seat_numbers(count: int, letters: str, first_row: int) -> tuple[list[str], int]:
    """Seat labels row by row; a partial last row takes the window-side letters first."""
    labels: list[str] = []
    row = first_row
    while len(labels) < count:
        for letter in letters:
            if len(labels) == count:
                break
            labels.append(f"{row}{letter}")
        row += 1
    return labels, row


def _stride(n: int) -> int:
    """A step coprime with n of roughly n * 0.38, so consecutive picks land rows apart."""
    if n <= 2:
        return 1
    step = max(1, int(n * 0.382))
    while math.gcd(step, n) != 1:
        step += 1
    return step


def build_seat_maps() -> tuple[list[tuple[int, str, str, str]], dict[str, SeatMap]]:
    """Rows for the seats table and the seat map of every type."""
    rows: list[tuple[int, str, str, str]] = []
    maps: dict[str, SeatMap] = {}
    seat_id = 0
    for spec in AIRCRAFT_TYPES:
        seat_map = SeatMap()
        business, next_row = _seat_numbers(spec.business_seats, spec.business_letters, 1)
        economy, _ = _seat_numbers(spec.economy_seats, spec.economy_letters, next_row)
        for cabin, labels, ids in (
            ("business", business, seat_map.business),
            ("economy", economy, seat_map.economy),
        ):
            for label in labels:
                seat_id += 1
                rows.append((seat_id, spec.code, label, cabin))
                ids.append(seat_id)
        seat_map.business_stride = _stride(len(seat_map.business))
        seat_map.economy_stride = _stride(len(seat_map.economy))
        maps[spec.code] = seat_map
    return rows, maps


def aircraft_type_rows() -> list[tuple[str, str, int, int]]:
    return [(t.code, t.name, t.business_seats, t.economy_seats) for t in AIRCRAFT_TYPES]


def registrations(type_code: str) -> list[str]:
    spec = TYPES_BY_CODE[type_code]
    return [spec.fleet_prefix + REGISTRATION_LETTERS[i] for i in range(spec.fleet_size)]


def aircraft_rows() -> list[tuple[str, str]]:
    return [(reg, t.code) for t in AIRCRAFT_TYPES for reg in registrations(t.code)]
