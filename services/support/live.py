"""Live delivery of handoff messages: `LiveFeed.subscribe(conversation_id, after_id, timeout=)`
yields every message after `after_id` as it is committed, then ends when the timeout is up (the
caller subscribes again from the last id it saw, so a reconnect loses and repeats nothing).

The messages table is the truth; what differs by database is only how a listener learns that
there is something new to read:
- PostgreSQL: LISTEN/NOTIFY. The write sends NOTIFY inside its transaction, so it is delivered on
  commit and never for a message that rolled back, and reaches every replica on the database;
  one listening connection per process wakes all of its subscribers.
- SQLite (the demo): one poller thread per process reads the newest message id of every
  conversation someone listens to, every POLL_S, and wakes those that moved (one small query
  however many listen; the desk writes from another process, so a commit there wakes nobody here).
Chosen over Redis pub/sub: production already runs PostgreSQL and the demo runs without Redis,
so this needs no new service; and NOTIFY is transactional while a Redis publish beside a
database commit can announce a message that then rolls back, or be lost between the two.
A notification missed during a reconnect costs nothing: the listener re-reads from its id.
Within one process a commit also wakes its subscribers directly, on either database."""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Handoff, HandoffMessage, HandoffState, MessageAuthor

log = logging.getLogger(__name__)
CHANNEL = "skydesk_handoff"
POLL_S = 0.2  # SQLite: the delivery delay's upper bound
FALLBACK_S = 5.0  # re-read now and then even without a wake-up
MAX_BATCH = 200


@dataclass(frozen=True)
class LiveMessage:
    id: int
    conversation_id: str
    author: MessageAuthor
    username: str
    text: str
    created_at: datetime
    handoff_state: HandoffState  # of the handoff it belongs to, as it is now


class Wakeable(Protocol):
    """What a subscriber waits on: a threading.Event, or an asyncio one set through its loop
    (api/live_stream.py), so a waiting stream holds no thread."""

    def set(self) -> None: ...


class _Waiters:
    """The subscribers of this process, by conversation: a wake-up sets their events."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: defaultdict[str, set[Wakeable]] = defaultdict(set)

    def add(self, conversation_id: str, wake: Wakeable) -> None:
        with self._lock:
            self._events[conversation_id].add(wake)

    def remove(self, conversation_id: str, wake: Wakeable) -> None:
        with self._lock:
            self._events[conversation_id].discard(wake)
            if not self._events[conversation_id]:
                del self._events[conversation_id]

    def watched(self) -> list[str]:
        with self._lock:
            return list(self._events)

    def wake(self, conversation_id: str | None = None) -> None:
        """Wake one conversation's subscribers (None: all of them, after a reconnect)."""
        with self._lock:
            found = (
                [w for ws in self._events.values() for w in ws]
                if conversation_id is None
                else list(self._events.get(conversation_id, ()))
            )
        for wake in found:
            wake.set()


WAITERS = _Waiters()


def add_message(
    session: Session,
    handoff: Handoff,
    author: MessageAuthor,
    username: str,
    text: str,
    *,
    now: datetime,
) -> HandoffMessage:
    """Store a message inside the caller's transaction and announce it on commit."""
    row = HandoffMessage(
        conversation_id=handoff.conversation_id,
        handoff_id=handoff.id,
        author=author,
        username=username[:60],
        text=text,
        created_at=now,
    )
    session.add(row)
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, handoff.conversation_id)))
    conversation_id = handoff.conversation_id
    event.listen(session, "after_commit", lambda _s: WAITERS.wake(conversation_id), once=True)
    return row


def messages(
    session: Session, *, conversation_id: str, after_id: int = 0, limit: int = MAX_BATCH
) -> list[LiveMessage]:
    """The conversation's handoff messages after `after_id`, oldest first."""
    rows = session.execute(
        select(HandoffMessage, Handoff.state)
        .join(Handoff, Handoff.id == HandoffMessage.handoff_id)
        .where(HandoffMessage.conversation_id == conversation_id, HandoffMessage.id > after_id)
        .order_by(HandoffMessage.id)
        .limit(limit)
    )
    return [
        LiveMessage(r.id, r.conversation_id, r.author, r.username, r.text, r.created_at, state)
        for r, state in rows
    ]


class _PgListener:
    """One LISTEN connection for the process, on its own thread; each notification wakes the
    subscribers of the conversation it names."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.stopped = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="handoff-listen", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psycopg

        while not self.stopped.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.ready.set()
                    WAITERS.wake()  # anything sent while not listening is re-read
                    while not self.stopped.is_set():
                        for note in conn.notifies(timeout=1.0):
                            WAITERS.wake(note.payload)
            except Exception:  # the database restarted or the network dropped: listen again
                log.warning("handoff listener lost its connection; reconnecting", exc_info=True)
                self.stopped.wait(1.0)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=3)


class _TablePoller:
    """SQLite: one thread reads the newest message id of each conversation listened to, every
    POLL_S, and wakes the ones that moved (a listener seen for the first time is woken once, so
    nothing committed before it was watched waits for the fallback re-read)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory
        self.stopped = threading.Event()
        self.seen: dict[str, int] = {}
        self.thread = threading.Thread(target=self._run, name="handoff-poll", daemon=True)
        self.thread.start()

    def poll(self) -> None:
        watched = WAITERS.watched()
        if not watched:
            self.seen.clear()
            return
        with self.session_factory() as session:
            rows = session.execute(
                select(HandoffMessage.conversation_id, func.max(HandoffMessage.id))
                .where(HandoffMessage.conversation_id.in_(watched))
                .group_by(HandoffMessage.conversation_id)
            )
            newest: dict[str, int] = {cid: last for cid, last in rows}
        for conversation_id in watched:
            last = newest.get(conversation_id, 0)
            if self.seen.get(conversation_id) != last:
                self.seen[conversation_id] = last
                WAITERS.wake(conversation_id)
        for gone in set(self.seen) - set(watched):
            del self.seen[gone]

    def _run(self) -> None:
        while not self.stopped.wait(POLL_S):
            try:
                self.poll()
            except Exception:  # the file is locked or gone for a moment: poll again
                log.warning("handoff poller could not read the messages", exc_info=True)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=3)


class LiveFeed:
    """New handoff messages for a listener (the Queue page, the API's streams)."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory
        bind: Any = session_factory.kw["bind"]
        self.listener: _PgListener | None = None
        self.poller: _TablePoller | None = None
        # A subscriber re-reads this often even without a wake-up (a lost notification).
        self.interval = FALLBACK_S
        if bind.dialect.name == "postgresql":
            url = bind.url.set(drivername="postgresql")
            self.listener = _PgListener(url.render_as_string(hide_password=False))
        else:
            self.poller = _TablePoller(session_factory)

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
        if self.poller is not None:
            self.poller.close()

    def wait_ready(self, timeout: float = 5.0) -> bool:
        """Whether the listener is listening (always, polling): a test starts after this."""
        return self.listener is None or self.listener.ready.wait(timeout)

    def subscribe(
        self, conversation_id: str, after_id: int = 0, *, timeout: float = 30.0
    ) -> Iterator[LiveMessage]:
        """Every message after `after_id` as it arrives, until `timeout` seconds have passed."""
        deadline = time.monotonic() + timeout
        wake = threading.Event()
        WAITERS.add(conversation_id, wake)
        try:
            while True:
                wake.clear()  # before reading: a commit after the read sets it again
                with self.session_factory() as session:
                    found = messages(session, conversation_id=conversation_id, after_id=after_id)
                for message in found:
                    after_id = message.id
                    yield message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                if len(found) < MAX_BATCH:
                    wake.wait(min(remaining, self.interval))
        finally:
            WAITERS.remove(conversation_id, wake)
