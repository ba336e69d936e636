"""seed_world: migrate, check the database is empty (or wipe it), generate, bulk-load, summarise."""

from __future__ import annotations

import random
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy.orm import Session
from tqdm import tqdm

from config import get_settings
from db.audit_guard import audit_guard_lifted
from db.engine import SQLITE_IMMEDIATE, make_session_factory
from db.migrate import upgrade
from db.models import DemoMeta
from db.partitions import ensure_partitions
from services.core.audit import HEAD_ID
from services.core.audit_anchor import anchor_dir, retire_anchors
from services.core.clock import FixedClock, demo_date
from world import accounts, background, cast, disruptions, history, people, pg, travel
from world.airports import airport_rows
from world.bulk import TABLE_ORDER, BackgroundWriter, Loader
from world.fleet import aircraft_rows, aircraft_type_rows, build_seat_maps
from world.network import build_routes
from world.schedule import build_schedule, settle
from world.sink import RowSink
from world.sizes import SizePlan, size_plan

# Raised when what is generated changes, so the worlds bench/ keeps are generated anew
# (2: history tool calls in the runtime's format; 3: the demo world has a history, with
# failed sign-ins and forbidden page opens; 4: disruption records).
GENERATOR_VERSION = "4"
# The demo world's history (`make run`, reset demo): about 20 conversations a day over the 30
# days before the demo clock, for agents only (the personas' and the customer login's chats
# stay empty for the demo script), with every audit record its conversations make.
DEMO_HISTORY = 600
DEMO_HISTORY_DAYS = 30


class SeedError(RuntimeError):
    """Seeding refused or impossible; the message says why and what to do."""


@dataclass
class SeedSummary:
    size: str
    seed: int
    now: datetime
    database: str
    counts: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0

    def format(self) -> str:
        lines = [f"seeded {self.size} world (seed {self.seed}, now {self.now.isoformat()})",
                 f"into {self.database} in {self.elapsed_s:.1f} s"]  # fmt: skip
        width = max((len(t) for t in self.counts), default=0)
        lines += [f"  {t:<{width}}  {n:>10,}" for t, n in self.counts.items() if n]
        return "\n".join(lines)


def default_now() -> datetime:
    """The current UTC hour: the demo clock's default anchor."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def _rng(seed: int, stream: str) -> random.Random:
    """One independent stream per concern, so changing one generator does not reshuffle all."""
    return random.Random(f"{seed}:{stream}")


def existing_tables(conn: Connection) -> list[str]:
    """The model tables the migrations have created, parents first (a model may be ahead of
    its migration while colleagues work)."""
    present = set(inspect(conn).get_table_names())
    return [name for name in TABLE_ORDER if name in present]


def _non_empty(conn: Connection, tables: list[str]) -> list[str]:
    return [
        name
        for name in tables
        if name != "audit_head" and conn.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first()
    ]


def _wipe(conn: Connection, tables: list[str]) -> None:
    # Re-seeding is one of the two documented paths that may empty the audit trail (see
    # db/audit_guard.py); on PostgreSQL it needs the tables' owner.
    with audit_guard_lifted(conn):
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
        else:
            for name in reversed(tables):
                conn.exec_driver_sql(f"DELETE FROM {name}")


def _check_empty(conn: Connection, database: str, force: bool) -> list[str]:
    """Refuse a database holding data unless forced; leave every table empty; return them."""
    present = existing_tables(conn)
    tables = _non_empty(conn, present)
    if tables and not force:
        flights = conn.execute(text("SELECT count(*) FROM flights")).scalar_one()
        what = f"flights has {flights:,} rows" if flights else f"{', '.join(tables)} have rows"
        raise SeedError(f"database {database} is not empty: {what} (use --force to wipe it)")
    # Always clear: the migration's audit_head row is replaced by the chain tip we write.
    _wipe(conn, present)
    return present


def seed_world(
    engine: Engine,
    *,
    size: str = "demo",
    seed: int = 42,
    now: datetime | None = None,
    history: int = 0,
    progress: bool = False,
    force: bool = False,
    scale: float = 1.0,
    history_turns: int | None = None,
    history_audit: int | None = None,
    history_days: int = 60,
    history_personas: bool = True,
    history_audit_as_recorded: bool = False,
) -> SeedSummary:
    """Generate the demo world into `engine`'s database (see world/__init__.py). The history
    reaches `history_days` back; without `history_personas` it leaves the personas and the
    customer login out (the demo's own conversations start empty). With
    `history_audit_as_recorded` the audit trail holds every record the conversations make
    (sign-ins, calls, approvals, refusals), instead of exactly `history_audit` records."""
    started = time.perf_counter()
    plan = size_plan(size, scale)
    if now is None:
        now = default_now()
    elif now.tzinfo is None:
        raise SeedError("now must be timezone-aware (e.g. 2026-11-25T09:00:00+00:00)")
    now = now.astimezone(UTC)
    turns = 5 * history if history_turns is None else history_turns
    audit = 5 * history if history_audit is None else history_audit
    if history < 0 or (history and (turns < history or audit < history)):
        raise SeedError(
            f"history needs conversations >= 0 and at least one turn and one audit event per "
            f"conversation (got {history} conversations, {turns} turns, {audit} audit events)"
        )
    database = engine.url.render_as_string(hide_password=True)
    upgrade(engine)
    hashes = accounts.start_hashing()
    estimate = plan.tickets * 4 + plan.passengers * 2 + history + turns + audit + 12_000
    bar = tqdm(total=estimate, unit="rows", desc=f"seed {size}", disable=not progress)
    # One transaction: a failed run leaves the database as it was. On SQLite it takes the write
    # lock up front, so a running app's writers queue instead of failing half-way.
    with bar, engine.connect() as conn, conn.execution_options(**{SQLITE_IMMEDIATE: True}).begin():
        tables = _check_empty(conn, database, force)
        is_pg = conn.dialect.name == "postgresql"
        # Rebuilding keys, indexes and foreign keys after COPY beats checking them row by row,
        # even for the demo size (about 3x).
        # Every month the history reaches gets its partition before the rows arrive (a no-op
        # unless partitioned: db/partitions.py), instead of filling DEFAULT.
        ensure_partitions(conn, since=now - timedelta(days=history_days), now=now)
        deferred = pg.defer_constraints(conn, tables) if is_pg else []
        writer = BackgroundWriter(Loader(conn))
        sink = RowSink(writer, progress=bar if progress else None)
        try:
            ops = HistoryPlan(
                history, turns, None if history_audit_as_recorded else audit,
                timedelta(days=history_days), history_personas,
            )  # fmt: skip
            _generate(sink, plan, seed, now, ops, hashes)
        finally:
            writer.close()
        if deferred:
            bar.set_description("rebuilding keys and indexes")
            pg.restore_constraints(conn, deferred)
        if is_pg:
            pg.reset_sequences(conn, tables)
            pg.analyze(conn, tables)
    settings = get_settings()
    if settings.environment != "production":
        # The demo's trail was discarded on purpose: its anchors would now (rightly) call the
        # new one truncated. Production keeps them, so a re-seed there shows as the deletion
        # it is (services/core/audit_anchor.py).
        retire_anchors(anchor_dir(settings, engine.url))
    counts = {name: sink.counts.get(name, 0) for name in TABLE_ORDER}
    return SeedSummary(size, seed, now, database, counts, time.perf_counter() - started)


@dataclass(frozen=True)
class HistoryPlan:
    conversations: int
    turns: int
    audit: int | None
    window: timedelta = timedelta(days=60)
    personas: bool = True  # the personas and the customer login have conversations too


def _generate(
    sink: RowSink, plan: SizePlan, seed: int, now_aware: datetime, ops: HistoryPlan,
    hashes: Future[dict[str, str]],
) -> None:  # fmt: skip
    now = now_aware.replace(tzinfo=None)  # generation works in naive UTC (see schedule.py)
    d = demo_date(FixedClock(now_aware))
    sink.extend("airports", airport_rows())
    sink.extend("aircraft_types", aircraft_type_rows())
    seat_rows, seat_maps = build_seat_maps()
    sink.extend("seats", seat_rows)
    sink.extend("aircraft", aircraft_rows())

    routes = build_routes()
    schedule = build_schedule(
        routes, d - timedelta(days=plan.days_before), d + timedelta(days=plan.days_after),
        _rng(seed, "prices"), seat_maps, cast.PERSONA_ROUTES,
    )  # fmt: skip
    persona_flights = cast.plan_flights(
        schedule, {r.key: r for r in routes}, now, d, _rng(seed, "extra")
    )
    status_rng = _rng(seed, "status")
    for flight in schedule.flights:
        settle(flight, now, status_rng)
    cast.apply_statuses(persona_flights, now)
    sink.extend("flights", [f.row() for f in schedule.flights])
    disruptions.write_disruptions(sink, schedule.flights, persona_flights, _rng(seed, "causes"))

    book = travel.write_offers(sink, _rng(seed, "offers"))
    persona_rng = _rng(seed, "personas")
    personas = cast.write_persona_passengers(sink, persona_rng, now)
    cast.write_trips(sink, persona_flights, personas, book, now, d)
    pool = people.write_passengers(sink, _rng(seed, "people"), seed, plan.passengers, now)
    background.write_bookings(sink, schedule, pool, book, now, _rng(seed, "bookings"), plan.tickets)
    users = accounts.write_users(sink, hashes, personas.passengers, now)
    chain_tip = history.write_history(
        sink, _rng(seed, "history"), now,
        history.HistoryPlan(
            conversations=ops.conversations, turns=ops.turns, audit=ops.audit, users=users,
            customer_passenger=personas.passengers["anna"],
            passenger_ids=[*personas.passengers.values(), *pool.ids] if ops.personas else pool.ids,
            window=ops.window, customer_chats=ops.personas,
        ),
    )  # fmt: skip
    sink.add("audit_head", (HEAD_ID, *chain_tip))
    meta = {"now": now_aware.isoformat(), "seed": str(seed), "size": plan.name,
            "scale": repr(plan.scale), "history": str(ops.conversations),
            "history_days": str(ops.window.days),
            "version": GENERATOR_VERSION}  # fmt: skip
    sink.extend("demo_meta", list(meta.items()))
    sink.flush()


def seed_demo(
    engine: Engine, *, now: datetime | None = None, seed: int = 42, force: bool = False
) -> SeedSummary:
    """The demo world with its recent history (DEMO_HISTORY), anchored at `now`, and two
    conversations waiting for a person on the Queue page (world/handoffs.py)."""
    summary = seed_world(
        engine, size="demo", seed=seed, now=now, force=force, history=DEMO_HISTORY,
        history_days=DEMO_HISTORY_DAYS, history_personas=False, history_audit_as_recorded=True,
    )  # fmt: skip
    from world.handoffs import seed_waiting  # the services, only once the world exists

    seed_waiting(make_session_factory(engine), summary.now)
    return summary


def reset_demo(engine: Engine, *, now: datetime | None = None, seed: int = 42) -> SeedSummary:
    """The admin "reset demo" action and the bootstrap's re-anchoring: wipe and reseed the demo
    world anchored at `now`, its history moved with it (it ends at `now`)."""
    return seed_demo(engine, now=now, seed=seed, force=True)


def world_anchor(session: Session) -> datetime | None:
    """The demo clock the world was seeded at, or None if it was never seeded."""
    value = session.scalar(select(DemoMeta.value).where(DemoMeta.key == "now"))
    return datetime.fromisoformat(value) if value else None


def world_meta(session: Session) -> dict[str, str]:
    return {key: value for key, value in session.execute(select(DemoMeta.key, DemoMeta.value))}
