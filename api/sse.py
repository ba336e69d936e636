"""Server-sent events, the one shape every stream of the API answers with: frames with an id
(so the browser's EventSource, or any client, resumes with Last-Event-ID), the response headers
that keep proxies from buffering, and where a resumed stream starts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Header, Query
from fastapi.responses import StreamingResponse

# no-cache: never a stored stream; X-Accel-Buffering: nginx passes each frame on at once.
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
# The OpenAPI description of a route that answers with a stream: `@router.get(..., **STREAMED)`.
STREAMED: dict[str, Any] = {
    "response_class": StreamingResponse,
    "responses": {200: {"content": {"text/event-stream": {}}}},
}
KEEP_ALIVE = ": keep-alive\n\n"  # an SSE comment: proxies close a silent connection


def frame(event_id: int, kind: str, data: dict[str, Any]) -> str:
    return f"id: {event_id}\nevent: {kind}\ndata: {json.dumps(data)}\n\n"


def event_stream(frames: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(frames, media_type="text/event-stream", headers=SSE_HEADERS)


def resume_point(
    after: Annotated[int | None, Query(ge=0, description="Resume after this event id.")] = None,
    last_event_id: Annotated[int | None, Header(ge=0)] = None,
) -> int:
    """The id a stream resumes after: `?after=` wins over the Last-Event-ID header that a
    reconnecting EventSource sends; neither means from the start."""
    return after if after is not None else (last_event_id or 0)


ResumeAfter = Annotated[int, Depends(resume_point)]
