"""Operational history for the dashboards: conversations with turns, feedback, escalations and a
hash-chained audit trail, spread over the 60 days before the demo clock. Tool calls are
recorded as the live runtime records them, failures and approval cards included
(history_calls.py), so the dashboards read seeded and live turns alike.

Audit hashes come from services.core.audit.fields_hash, the function record_hash uses, given the
fields as a mapping (building a million ORM objects would dominate the run time)."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from db.models import EscalationReason
from services.core.audit import GENESIS_HASH, HASHED_FIELDS, fields_hash
from services.core.errors import Rule
from world import history_calls as hc
from world.bulk import json_text
from world.draw import Weighted
from world.sink import RowSink

RATINGS = Weighted((1, 2, 3, 4, 5), (5, 7, 13, 30, 45))  # skewed high, as feedback is
COMMENTS = {1: "Did not understand what I needed.", 2: "Too many steps.", 3: "OK in the end.",
            4: "Quick and clear.", 5: "Excellent, solved in a minute."}  # fmt: skip
WINDOW = timedelta(days=60)
# Outside conversations: a sign-in that failed before the good one, and a page the role may
# not open (opened by URL), as services.identity.users audits them.
FAILED_SIGN_IN = 0.05
FORBIDDEN_PAGE = 0.03
WRONG_CREDENTIALS = "Wrong username or password."
FORBIDDEN_PAGES = {"agent": "Metrics", "customer": "Audit"}


def _spread(total: int, parts: int, rng: random.Random) -> list[int]:
    """`total` split over `parts`, each at least one, randomly (multinomial)."""
    counts = Counter(rng.choices(range(parts), k=max(0, total - parts)))
    return [1 + counts[i] for i in range(parts)]


@dataclass
class HistoryPlan:
    conversations: int
    turns: int
    audit: int | None  # None: every record the conversations make (no padding, none cut)
    users: dict[str, int]  # username -> user id
    customer_passenger: int  # the passenger the customer login is bound to
    passenger_ids: list[int]
    window: timedelta = WINDOW  # how far back the history reaches from the demo clock
    customer_chats: bool = True  # False: no conversation of the customer login (the demo's)


def write_history(
    sink: RowSink, rng: random.Random, now: datetime, plan: HistoryPlan
) -> tuple[int, str]:
    """Write the history; return the audit chain's (last_seq, last_hash)."""
    if plan.conversations <= 0:
        return 0, GENESIS_HASH
    turns_per = _spread(plan.turns, plan.conversations, rng)
    audit_per: list[int | None] = (
        [None] * plan.conversations
        if plan.audit is None
        else list(_spread(plan.audit, plan.conversations, rng))
    )
    # Tool calls draw from a stream of their own: tuning them reshuffles no conversation.
    tool_rng = random.Random(rng.getrandbits(64))
    events: list[tuple[Any, ...]] = []
    for c in range(plan.conversations):
        events.extend(_conversation(sink, rng, tool_rng, now, plan, turns_per[c], audit_per[c]))
        if c % 512 == 0:
            sink.maybe_flush()
    return _write_audit(sink, events)


ACTORS = (("agent", "agent"),) * 7 + (("admin", "admin"), ("customer", "customer"))
REASONS = tuple(r.value for r in EscalationReason)


def _outcome(rng: random.Random, *, recent: bool) -> tuple[str, str | None]:
    """The conversation's status and escalation reason: recent ones may still be open."""
    if recent and rng.random() < 0.4:
        return "open", None
    if rng.random() < 0.1:
        return "escalated", rng.choice(REASONS)
    return "resolved", None


def _run(
    calls: hc.Calls, error: str | None, reason: str | None, after: int, turn_count: int
) -> tuple[str | None, list[hc.Call], list[hc.Event]]:
    """One run's error, tool calls and audit events; `after`: the runs still to come."""
    if reason is not None and after == 0 and calls.pending is not None:
        # Approving the escalation card: the conversation's last run, with no new call.
        entries, audited = calls.resolve()
        return None, entries, audited
    # An escalating conversation asks for a human in its last two runs, with no write card of
    # its own in the way.
    entries, audited = calls.turn(error, writes=reason is None or after > 1)
    if reason is not None and after <= 1:
        audited += calls.escalate(entries, approved_now=turn_count == 1)
    return error, entries, audited


def _conversation(
    sink: RowSink, rng: random.Random, tool_rng: random.Random, now: datetime,
    plan: HistoryPlan, turn_count: int, audit_count: int | None,
) -> list[tuple[Any, ...]]:  # fmt: skip
    """One conversation's rows; returns its audit events (ts, ...) for the global chain."""
    conv_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    username, role = rng.choice(ACTORS)
    if role == "customer" and not plan.customer_chats:
        username, role = ACTORS[0]
    customer = role == "customer"
    passenger = plan.customer_passenger if customer else rng.choice(plan.passenger_ids)
    model = "builtin" if rng.random() < 0.7 else "gpt-4o-mini"
    # Leave room for every turn before the demo clock.
    latest = plan.window.total_seconds() - 600 - 250 * turn_count
    started = now - plan.window + timedelta(seconds=rng.uniform(0, max(0.0, latest)))
    fast = model == "builtin"
    status, reason = _outcome(rng, recent=started > now - timedelta(days=2))
    calls = hc.Calls(tool_rng, hc.slots(tool_rng, started, reason))
    script = _arrival(rng, role)
    at = started
    first: str | None = None  # the first tool called names the conversation
    turns: list[tuple[Any, ...]] = []
    for k in range(turn_count):
        after = turn_count - 1 - k  # runs still to come
        error, entries, audited = _run(
            calls, hc.turn_error(tool_rng, fast), reason, after, turn_count
        )
        script.extend(audited)
        if first is None and entries:
            first = entries[0]["name"]
        latency = rng.lognormvariate(2.8 if fast else 7.2, 0.5 if fast else 0.45)
        tokens_in = rng.randint(250, 900) + 450 * len(turns)
        tool_calls = json_text(entries)  # now, not at the flush: see JsonText
        calls_made = [(entry["name"], entry.get("status")) for entry in entries]
        turns.append(
            (at, round(latency, 2), tool_calls, tokens_in, rng.randint(20, 260), error, calls_made)
        )
        at += timedelta(seconds=rng.uniform(15, 240))
    rating = RATINGS.pick(rng) if rng.random() < 0.4 else None
    title = first.replace("_", " ").capitalize() if first else "Policy question"
    user_id = plan.users[username]
    # Parent row first: a chunk flush may happen between any two rows.
    sink.add("conversations", (conv_id, user_id, passenger, title, status, reason, model,
                               started, at, rating, rating == 1, None))  # fmt: skip
    for turn in turns:
        turn_id = sink.next_id("turns")
        sink.add("turns", (turn_id, conv_id, *turn[:5], model, turn[5]))
        for name, call_status in turn[6]:
            sink.add(
                "turn_tool_calls",
                (sink.next_id("turn_tool_calls"), turn_id, turn[0], name, call_status),
            )
    if rating is not None:
        comment = COMMENTS[rating] if rng.random() < 0.5 else None
        sink.add("feedback", (sink.next_id("feedback"), conv_id, user_id, rating, comment, at))
    if reason is not None:
        state = "open" if at > now - timedelta(days=3) else "closed"
        sink.add("escalations", (sink.next_id("escalations"), passenger, conv_id, reason,
                                 calls.values["summary"], username, at, state, None))  # fmt: skip
    who = (username, role, passenger, conv_id)
    return _timed(rng, script, audit_count, started, at, who)


def _timed(
    rng: random.Random, script: list[hc.Event], audit_count: int | None, started: datetime,
    ended: datetime, who: tuple[str, str, int, str],
) -> list[tuple[Any, ...]]:  # fmt: skip
    """The conversation's audit events, spread over its span: `audit_count` of them (padded
    with reads, or cut), or the whole script when None."""
    username, role, passenger, conv_id = who
    if audit_count is None:
        audit_count = len(script)
    while len(script) < audit_count:
        script.append((hc.READS.pick(rng), "ok", None, None))
    span = max(1.0, (ended - started).total_seconds())
    events = []
    for k, (action, outcome, rule, message) in enumerate(script[:audit_count]):
        ts = started + timedelta(seconds=span * k / audit_count, microseconds=rng.randrange(1000))
        login = action in ("login", "page_open")  # outside the conversation
        events.append((ts, username, role, None if login else passenger,
                       None if login else conv_id, action, outcome, rule, message, k))  # fmt: skip
    return events


def _arrival(rng: random.Random, role: str) -> list[hc.Event]:
    """The records before the conversation: now and then a mistyped password first, and a
    page the role may not open."""
    script: list[hc.Event] = []
    if rng.random() < FAILED_SIGN_IN:
        script.append(("login", "refused", "wrong_password", WRONG_CREDENTIALS))
    script.append(("login", "ok", None, "signed in"))
    page = FORBIDDEN_PAGES.get(role)
    if page is not None and rng.random() < FORBIDDEN_PAGE:
        message = f"The {role} role may not open the {page} page."
        script.append(("page_open", "refused", Rule.PERMISSION.value, message))
    return script


def _write_audit(sink: RowSink, events: list[tuple[Any, ...]]) -> tuple[int, str]:
    events.sort(key=lambda e: e[0])
    prev = GENESIS_HASH
    seq = 0
    for ts, actor, role, passenger, conv_id, action, outcome, rule, message, step in events:
        seq += 1
        aware = ts.replace(tzinfo=UTC)
        fields = (seq, aware, actor, role, passenger, conv_id, action, outcome, rule, message,
                  {"step": step}, prev)  # fmt: skip
        digest = fields_hash(dict(zip(HASHED_FIELDS, fields, strict=True)))
        sink.add("audit_events", (seq, ts, actor, role, passenger, conv_id, action, outcome, rule,
                                  message, {"step": step}, prev, digest))  # fmt: skip
        prev = digest
        if seq % 8192 == 0:
            sink.maybe_flush()
    return seq, prev
