"""Bulk loading of generated row tuples: psycopg 3 COPY on PostgreSQL, executemany on SQLite.

Rows are tuples in the column order of COLUMNS (explicit, so a column added to a model later
with a default does not shift them). They carry storage-ready Python values: naive UTC
datetimes, dates, Decimals, enum values as strings, JSON as lists/dicts or as JsonText."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, Numeric, Table
from sqlalchemy.engine import Dialect

from db.base import UTCDateTime
from db.models import Base

Row = tuple[Any, ...]
Converter = Callable[[Any], Any] | None


# One encoder for every generated document: json.dumps makes a new one (and a dict for its
# cycle check) per call, which shows at a million audit records; generated rows hold no cycles.
_encode = json.JSONEncoder(check_circular=False).encode


class JsonText(str):
    """A JSON column's value, already encoded. A generator that encodes nested documents as it
    makes them (history turns) leaves no containers waiting in a chunk for the garbage
    collector to walk over and over: with 200k turns that walk cost more than the encoding."""


def json_text(value: Any) -> JsonText:
    return JsonText(_encode(value))


def _json(value: Any) -> str:
    return value if isinstance(value, JsonText) else _encode(value)


COLUMNS: dict[str, tuple[str, ...]] = {
    "airports": ("code", "name", "city", "country", "timezone", "latitude", "longitude"),
    "aircraft_types": ("code", "name", "business_seats", "economy_seats"),
    "seats": ("id", "aircraft_type_code", "seat_no", "cabin"),
    "aircraft": ("registration", "type_code"),
    "flights": (
        "id", "flight_no", "origin", "destination", "aircraft_registration",
        "scheduled_departure", "scheduled_arrival", "estimated_departure", "estimated_arrival",
        "actual_departure", "actual_arrival", "status", "disrupted_at", "base_price",
    ),
    "disruptions": (
        "id", "flight_id", "kind", "cause", "extraordinary", "extraordinary_overridden",
        "announced_at", "delay_minutes", "new_departure", "new_arrival", "recorded_by",
        "recorded_at",
    ),
    "passengers": ("id", "first_name", "last_name", "email", "phone", "tier"),
    "payment_methods": ("id", "passenger_id", "brand", "last4", "expiry"),
    "bookings": ("id", "reference", "created_at", "booked_by_passenger_id"),
    "tickets": (
        "id", "ticket_no", "booking_id", "passenger_id", "fare", "cabin", "status", "issued_at",
        "payment_method_id",
    ),
    "ticket_legs": (
        "id", "ticket_id", "flight_id", "sequence", "fare", "cabin", "price_paid", "status",
        "booked_at",
    ),
    "seat_assignments": ("id", "flight_id", "seat_id", "ticket_leg_id"),
    "payments": (
        "id", "passenger_id", "payment_method_id", "ticket_id", "kind", "amount", "currency",
        "reason", "created_at",
    ),
    "hotels": ("id", "name", "city", "stars", "price_per_night", "rooms"),
    "hotel_bookings": (
        "id", "passenger_id", "hotel_id", "checkin", "checkout", "guests", "price", "status",
        "created_at",
    ),
    "car_rental_offers": ("id", "company", "city", "car_class", "model", "price_per_day", "units"),
    "car_rentals": (
        "id", "passenger_id", "offer_id", "start_date", "end_date", "price", "status", "created_at",
    ),
    "excursions": ("id", "name", "city", "description", "price", "duration_hours", "capacity"),
    "excursion_bookings": (
        "id", "passenger_id", "excursion_id", "date", "participants", "price", "status",
        "created_at",
    ),
    "users": (
        "id", "username", "name", "email", "password_hash", "role", "passenger_id", "disabled",
        "created_at",
    ),
    "conversations": (
        "id", "user_id", "passenger_id", "title", "status", "escalation_reason", "model",
        "started_at", "updated_at", "rating", "flagged", "flag_note",
    ),
    "turns": (
        "id", "conversation_id", "started_at", "latency_ms", "tool_calls", "tokens_in",
        "tokens_out", "model", "error",
    ),
    "turn_tool_calls": ("id", "turn_id", "started_at", "name", "status"),
    "feedback": ("id", "conversation_id", "user_id", "rating", "comment", "created_at"),
    "escalations": (
        "id", "passenger_id", "conversation_id", "reason", "summary", "created_by", "created_at",
        "status", "details",
    ),
    "audit_events": (
        "seq", "ts", "actor", "actor_role", "passenger_id", "conversation_id", "action",
        "outcome", "rule", "message", "details", "prev_hash", "hash",
    ),
    "audit_head": ("id", "last_seq", "last_hash"),
    "demo_meta": ("key", "value"),
}  # fmt: skip

# Parents before children, so chunks can be flushed with foreign keys enforced (SQLite).
TABLE_ORDER: list[str] = [t.name for t in Base.metadata.sorted_tables]


def _converters(table: Table, columns: Sequence[str], dialect: Dialect) -> list[Converter]:
    """Per column: how a generated value becomes what the driver should receive."""
    sqlite = dialect.name == "sqlite"
    result: list[Converter] = []
    for name in columns:
        col_type = table.c[name].type
        if isinstance(col_type, JSON):
            result.append(_json)
        elif not sqlite:
            result.append(None)  # psycopg dumps datetime, date, Decimal and bool natively
        elif isinstance(col_type, UTCDateTime):
            # Values are already naive UTC: only the storage format of the impl applies.
            result.append(col_type.impl_instance.dialect_impl(dialect).bind_processor(dialect))
        elif isinstance(col_type, Date | Numeric | Boolean):
            result.append(col_type.dialect_impl(dialect).bind_processor(dialect))
        else:
            result.append(None)
    return result


class Loader:
    """Writes row chunks of any table through one connection and transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self.is_postgres = self.dialect.name == "postgresql"
        self._converters: dict[str, list[Converter]] = {}

    def _convert(self, table: str, rows: Sequence[Row]) -> Sequence[Row]:
        if table not in self._converters:
            md_table = Base.metadata.tables[table]
            self._converters[table] = _converters(md_table, COLUMNS[table], self.dialect)
        active = [(i, c) for i, c in enumerate(self._converters[table]) if c is not None]
        if not active:
            return rows
        out: list[Row] = []
        for row in rows:
            values = list(row)
            for i, convert in active:
                if values[i] is not None:
                    values[i] = convert(values[i])
            out.append(tuple(values))
        return out

    def write(self, table: str, rows: Sequence[Row]) -> None:
        if not rows:
            return
        columns = COLUMNS[table]
        converted = self._convert(table, rows)
        names = ", ".join(columns)
        if self.is_postgres:
            raw: Any = self.conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in converted:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self.conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", converted)


class BackgroundWriter:
    """Runs a Loader in a second thread, so the database (and the driver's C code, which
    releases the GIL) works on one chunk while the generator builds the next.

    Only the writer thread touches the connection until close() returns."""

    def __init__(self, loader: Loader, depth: int = 2) -> None:
        self.loader = loader
        self._queue: queue.Queue[tuple[str, Sequence[Row]] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="seed-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:  # after a failure, drain without writing
                try:
                    self.loader.write(*item)
                except BaseException as exc:
                    self._error = exc

    def write(self, table: str, rows: Sequence[Row]) -> None:
        if self._error is not None:
            self.close()
        self._queue.put((table, rows))

    def close(self) -> None:
        """Wait for every queued chunk; re-raise the writer's error, if any."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error
