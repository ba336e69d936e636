"""The desk's side of a conversation, live: every message between the passenger and the person
holding it (services/support/live.py's table), streamed to the web chat as it is committed.

A waiting stream holds no thread: it waits on an asyncio event that services.support.live wakes
from any thread: a commit in this process, a PostgreSQL NOTIFY from another replica (through the
process's one LISTEN connection), or on SQLite the process's one poller of the table (the desk
writes from its own process). Only the short reads run in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool

from api.deps import ApiState
from api.sse import KEEP_ALIVE, frame
from services.support import live
from services.support.live import LiveMessage

KEEPALIVE_S = 15.0  # an SSE comment this often: proxies close a silent connection
KIND = "desk_message"


class _AsyncWake:
    """A Wakeable for an async stream: set() from any thread schedules the event on its loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.event = asyncio.Event()

    def set(self) -> None:
        with contextlib.suppress(RuntimeError):  # the loop closed: the stream is gone
            self.loop.call_soon_threadsafe(self.event.set)


@dataclass(frozen=True)
class KeepAlive:
    """Nothing new: the stream is still open."""


def _read(state: ApiState, conversation_id: str, after: int) -> list[LiveMessage]:
    with state.session_factory() as session:
        return live.messages(session, conversation_id=conversation_id, after_id=after)


async def follow(
    state: ApiState, conversation_id: str, after: int
) -> AsyncIterator[LiveMessage | KeepAlive]:
    """Messages after id `after` as they are committed, and a KeepAlive every KEEPALIVE_S,
    until the stream timeout passes with no message (the client reconnects from its last id)."""
    feed = state.live_feed
    timeout = state.settings.api_stream_timeout_s
    deadline = time.monotonic() + timeout
    next_ping = time.monotonic() + KEEPALIVE_S
    wake = _AsyncWake(asyncio.get_running_loop())
    live.WAITERS.add(conversation_id, wake)
    try:
        while True:
            wake.event.clear()  # before reading: a commit after the read sets it again
            found = await run_in_threadpool(_read, state, conversation_id, after)
            for message in found:
                yield message
                after = message.id
            now = time.monotonic()
            if found:
                deadline = now + timeout
            if now >= deadline:
                return
            if now >= next_ping:
                yield KeepAlive()
                next_ping = now + KEEPALIVE_S
            if len(found) < live.MAX_BATCH:
                with anyio.move_on_after(min(deadline, next_ping, now + feed.interval) - now):
                    await wake.event.wait()
    finally:
        live.WAITERS.remove(conversation_id, wake)


def as_json(message: LiveMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "type": KIND,
        "data": {
            "author": message.author.value,
            "username": message.username,
            "text": message.text,
            "created_at": message.created_at.isoformat(),
            "handoff_state": message.handoff_state.value,
        },
    }


async def sse(items: AsyncIterator[LiveMessage | KeepAlive]) -> AsyncIterator[str]:
    async for item in items:
        if isinstance(item, KeepAlive):
            yield KEEP_ALIVE
        else:
            yield frame(item.id, KIND, as_json(item))
