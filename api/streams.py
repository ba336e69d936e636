"""A run's events: logged as they come (services/support/event_log.py) by a runner that
does not depend on the client's connection, and read back by followers that stream them over
SSE or a WebSocket, from any event id on.

Event types (the `event:` of SSE, `type` on the WebSocket): text_delta, tool_step (a call
started or answered), approval_requested, message (the whole answer), error, done (the run
ended; nothing more until the next message or decision)."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from enum import StrEnum
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool

from agent.events import (
    ApprovalRequested,
    AssistantMessage,
    Event,
    PassedToPerson,
    TokenChunk,
    ToolFinished,
    ToolStarted,
)
from api.deps import ApiState
from api.hub import POLL_S
from api.problems import Problem
from api.sse import frame
from services.core import faults
from services.support.event_log import (
    LoggedEvent,
    NewEvent,
    append_events,
    events_after,
    last_event,
)

# Text deltas are written together when they come faster than this (a person does not see
# 50 ms), so a streamed answer costs a few commits rather than one per token.
DELTA_BATCH_S = 0.05
WAKE_S = 0.01  # how soon a waiting stream notices an event logged in this process


class Kind(StrEnum):
    TEXT_DELTA = "text_delta"
    TOOL_STEP = "tool_step"
    APPROVAL_REQUESTED = "approval_requested"
    MESSAGE = "message"
    ERROR = "error"
    PASSED_TO_PERSON = "passed_to_person"  # a person at the desk holds the conversation
    DONE = "done"


def encode(event: Event) -> tuple[Kind, dict[str, Any], str | None]:
    """The logged form of a runtime event: its type, JSON data and, for a card, its id."""
    if isinstance(event, TokenChunk):
        return Kind.TEXT_DELTA, {"text": event.text}, None
    if isinstance(event, ToolStarted):
        data = {"call_id": event.call_id, "name": event.name, "status": "started"}
        return Kind.TOOL_STEP, data | {"args": event.args}, None
    if isinstance(event, ToolFinished):
        data = {"call_id": event.call_id, "name": event.name, "status": event.status}
        return Kind.TOOL_STEP, data | {"content": event.content, "rule": event.rule}, None
    if isinstance(event, ApprovalRequested):
        request = event.request
        return Kind.APPROVAL_REQUESTED, request.model_dump(mode="json"), request.approval_id
    if isinstance(event, AssistantMessage):
        return Kind.MESSAGE, {"text": event.text, "decided_by": event.decided_by}, None
    if isinstance(event, PassedToPerson):
        return (
            Kind.PASSED_TO_PERSON,
            {"message_id": event.message_id, "held_by": event.held_by},
            None,
        )
    return Kind.ERROR, {"kind": event.kind, "message": event.message}, None


def log(
    state: ApiState, conversation_id: str, events: Iterable[Event], *, claimed: bool = True
) -> list[LoggedEvent]:
    """Run `events` to the end, logging each as it comes, then `done` (and release the claim,
    if the run had one). A failure of the run itself is logged as an error event, so a
    follower always sees the run end."""
    logged: list[LoggedEvent] = []
    waiting: list[NewEvent] = []  # text deltas not yet written
    since = 0.0

    def flush() -> None:
        if not waiting:
            return
        with state.session_factory() as session:
            logged.extend(
                append_events(
                    session,
                    conversation_id=conversation_id,
                    events=list(waiting),
                    now=state.clock.now(),
                )
            )
        waiting.clear()
        state.hub.notify(conversation_id)

    def add(kind: Kind, data: dict[str, Any], approval_id: str | None = None) -> None:
        nonlocal since
        if not waiting:
            since = time.monotonic()
        waiting.append(NewEvent(kind.value, data, approval_id))
        # Deltas wait a moment for company; anything else goes out at once, with them.
        if kind is not Kind.TEXT_DELTA or time.monotonic() - since >= DELTA_BATCH_S:
            flush()

    try:
        for event in events:
            add(*encode(event))
    except Exception as err:  # the runtime reports its own faults; this is the log failing
        fault = faults.report(err, where=f"api run of {conversation_id}")
        waiting.clear()
        add(Kind.ERROR, {"kind": fault.kind.value, "message": fault.message})
    finally:
        try:
            add(Kind.DONE, {})
        finally:
            if claimed:
                state.hub.end(conversation_id)
    return logged


def claim(state: ApiState, conversation_id: str) -> None:
    """One run at a time per conversation in this process: a second message while the answer
    still streams is refused (its stream could not tell the two runs' `done` apart)."""
    if not state.hub.begin(conversation_id):
        raise Problem(
            409,
            "The assistant is still answering the previous message; wait for it to finish.",
            slug="run-in-progress",
        )


def start(state: ApiState, conversation_id: str, events: Callable[[], Iterable[Event]]) -> None:
    """Run in the background (after claim()): a client that disconnects does not stop the
    turn, and resumes from the log."""
    thread = threading.Thread(
        target=lambda: log(state, conversation_id, events()),
        name=f"api-run-{conversation_id[:8]}",
        daemon=True,
    )
    thread.start()


def _read(
    state: ApiState, conversation_id: str, after: int, want_last: bool
) -> tuple[list[LoggedEvent], LoggedEvent | None]:
    with state.session_factory() as session:
        batch = events_after(session, conversation_id=conversation_id, after=after)
        last = last_event(session, conversation_id=conversation_id) if want_last else None
    return batch, last


async def follow(
    state: ApiState, conversation_id: str, after: int, *, run_started: bool
) -> AsyncIterator[LoggedEvent]:
    """The conversation's events after id `after`, as they are logged. With `run_started` (the
    caller just started a run), until that run's `done`; otherwise until caught up with a log
    that ends on `done` (no run in progress), so a resume after the end returns at once.

    Async, and waiting holds no worker thread: each open stream would otherwise keep one of
    the threadpool's few threads for as long as it is open. Only the short reads of the log
    run in a thread."""
    timeout = state.settings.api_stream_timeout_s
    deadline = time.monotonic() + timeout
    while True:
        seen = state.hub.version(conversation_id)
        batch, last = await run_in_threadpool(_read, state, conversation_id, after, not run_started)
        for event in batch:
            yield event
            after = event.id
            if run_started and event.kind == Kind.DONE:
                return
        if batch:
            deadline = time.monotonic() + timeout
            continue
        if not run_started and (last is None or last.kind == Kind.DONE):
            return
        if time.monotonic() >= deadline:
            return
        # Woken within WAKE_S by a run in this process; re-read every POLL_S for the others.
        poll_until = time.monotonic() + POLL_S
        while state.hub.version(conversation_id) == seen and time.monotonic() < poll_until:
            await anyio.sleep(WAKE_S)


async def sse(events: AsyncIterator[LoggedEvent]) -> AsyncIterator[str]:
    """Server-sent events: each with its id, so the browser's EventSource (or any client)
    resumes with Last-Event-ID."""
    async for event in events:
        yield frame(event.id, event.kind, as_json(event))


def as_json(event: LoggedEvent) -> dict[str, Any]:
    return {"id": event.id, "type": event.kind, "data": event.data}
