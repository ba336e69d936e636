"""The WebSocket door: /api/v1/conversations/{id}/ws.

Sign in with an Authorization header or, from a browser (which cannot set headers on a
WebSocket), with a first message {"type": "auth", "access_token": "..."}. Never in the URL:
access logs and proxies record URLs. Then the client sends JSON:
    {"type": "message", "text": "..."}      a message; the answer's events follow, then done
    {"type": "resume", "after": 41}          the events after id 41 (after a reconnect)
The server sends each event as {"id", "type", "data"} (api/streams.py) and refusals as
{"type": "problem", "data": <RFC 9457 document>}; a sign-in refusal closes with 1008."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from api import streams
from api.chats import check_message, open_chat
from api.deps import ApiState, account_of, bearer
from api.problems import Problem, document, from_domain, unauthorized
from services.core.errors import DomainError
from services.identity.accounts import Account
from services.support.event_log import LoggedEvent, last_event

router = APIRouter()
POLICY_VIOLATION = 1008


def _problem(err: Problem | DomainError) -> dict[str, Any]:
    p = err if isinstance(err, Problem) else from_domain(err)
    return {"type": "problem", "data": document(p.status, p.detail, p.slug, p.extra)}


def _start(state: ApiState, account: Account, conversation_id: str, text: object) -> int:
    """Check and start a run; the id its events come after."""
    chat = open_chat(state, account, conversation_id)
    message = check_message(state, chat, text)
    with state.session_factory() as session:
        last = last_event(session, conversation_id=conversation_id)
    streams.claim(state, conversation_id)
    streams.start(state, conversation_id, lambda: chat.send(message))
    return last.id if last else 0


async def _relay(websocket: WebSocket, events: AsyncIterator[LoggedEvent]) -> None:
    async for event in events:
        await websocket.send_json(streams.as_json(event))


async def _auth_message(websocket: WebSocket) -> str:
    message = await websocket.receive_json()
    token = message.get("access_token") if isinstance(message, dict) else None
    if not isinstance(message, dict) or message.get("type") != "auth" or not token:
        raise unauthorized("Send {'type': 'auth', 'access_token': ...} first.")
    return str(token)


@router.websocket("/api/v1/conversations/{conversation_id}/ws")
async def conversation_socket(websocket: WebSocket, conversation_id: str) -> None:
    state: ApiState = websocket.app.state.api
    await websocket.accept()
    try:
        header = websocket.headers.get("authorization")
        token = bearer(header) if header else await _auth_message(websocket)
        account = await run_in_threadpool(account_of, state, token)
        await run_in_threadpool(open_chat, state, account, conversation_id)
    except (Problem, DomainError) as err:
        await websocket.send_json(_problem(err))
        await websocket.close(POLICY_VIOLATION)
        return
    except WebSocketDisconnect:
        return
    await websocket.send_json({"type": "ready"})
    try:
        while True:
            request = await websocket.receive_json()
            kind = request.get("type") if isinstance(request, dict) else None
            try:
                if kind == "message":
                    after = await run_in_threadpool(
                        _start, state, account, conversation_id, request.get("text")
                    )
                    events = streams.follow(state, conversation_id, after, run_started=True)
                elif kind == "resume":
                    after = int(request.get("after") or 0)
                    events = streams.follow(state, conversation_id, after, run_started=False)
                else:
                    raise Problem(
                        422,
                        "Send {'type': 'message', 'text': ...} or "
                        "{'type': 'resume', 'after': <event id>}.",
                    )
            except (Problem, DomainError) as err:
                await websocket.send_json(_problem(err))
                continue
            except (TypeError, ValueError):
                await websocket.send_json(_problem(Problem(422, "'after' must be an event id.")))
                continue
            await _relay(websocket, events)
    except WebSocketDisconnect:
        return
