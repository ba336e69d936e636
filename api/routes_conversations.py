"""Conversations: start, list, history, send a message (the answer streams as server-sent
events), resume a stream, feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api import streams
from api.chats import OpenedChat, check_message, require_chat_role
from api.deps import Caller, DbSession, State, context, passenger_for
from api.routes_handoff import HandoffOut, handoff_out
from api.sse import STREAMED, ResumeAfter, event_stream
from db.models import ConversationStatus
from services.support import handoff
from services.support.conversations import get_conversation, list_conversations, rate_conversation
from services.support.event_log import last_event

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])


class StartConversation(BaseModel):
    passenger_id: int | None = Field(
        default=None, description="Staff: the passenger served. Customers: leave out."
    )
    title: str = Field(default="", max_length=200)


class Message(BaseModel):
    text: str = Field(description="Checked like the desk's chat: 1 to 1,000 characters.")


class FeedbackIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class ConversationOut(BaseModel):
    id: str
    passenger_id: int
    title: str
    status: ConversationStatus
    started_at: datetime
    updated_at: datetime
    turns: int
    awaiting_approval: bool
    rating: int | None


class HistoryItemOut(BaseModel):
    role: str
    text: str
    tool_name: str | None = None
    status: str | None = None
    tool_calls: list[str] = []


class ConversationDetail(ConversationOut):
    messages: list[HistoryItemOut]
    pending_approval: dict[str, Any] | None
    last_event_id: int
    handoff: HandoffOut | None = Field(
        description="Waiting for or held by a person at the desk; null with the assistant."
    )


def _out(summary: Any, passenger_id: int) -> ConversationOut:
    return ConversationOut(
        id=summary.id,
        passenger_id=passenger_id,
        title=summary.title,
        status=summary.status,
        started_at=summary.started_at,
        updated_at=summary.updated_at,
        turns=summary.turns,
        awaiting_approval=summary.awaiting_approval,
        rating=summary.rating,
    )


@router.post("", status_code=201, response_model=ConversationOut, summary="Start a conversation")
def start(body: StartConversation, caller: Caller, state: State, session: DbSession) -> Any:
    require_chat_role(caller)
    passenger_id = passenger_for(caller, body.passenger_id)
    chat = state.assistant.start(caller.actor, passenger_id, title=body.title)
    ctx = context(state, caller.actor, passenger_id)
    return _out(get_conversation(session, ctx, chat.thread_id), passenger_id)


@router.get("", response_model=list[ConversationOut], summary="My conversations")
def mine(
    caller: Caller,
    state: State,
    session: DbSession,
    passenger_id: Annotated[int | None, Query(description="Staff: whose")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    require_chat_role(caller)
    served = passenger_for(caller, passenger_id)
    ctx = context(state, caller.actor, served)
    return [_out(s, served) for s in list_conversations(session, ctx, limit=limit)]


@router.get("/{conversation_id}", response_model=ConversationDetail, summary="History")
def history(
    conversation_id: str, chat: OpenedChat, caller: Caller, state: State, session: DbSession
) -> Any:
    ctx = context(state, caller.actor, chat.passenger_id)
    summary = get_conversation(session, ctx, conversation_id)
    pending = chat.pending_approval()
    last = last_event(session, conversation_id=conversation_id)
    return ConversationDetail(
        **_out(summary, chat.passenger_id).model_dump(),
        messages=[
            HistoryItemOut(
                role=i.role,
                text=i.text,
                tool_name=i.tool_name,
                status=i.status,
                tool_calls=list(i.tool_calls),
            )
            for i in chat.history()
        ],
        pending_approval=pending.model_dump(mode="json") if pending else None,
        last_event_id=last.id if last else 0,
        handoff=handoff_out(handoff.active(session, conversation_id=conversation_id)),
    )


@router.post(
    "/{conversation_id}/messages",
    summary="Send a message; the answer streams (text/event-stream)",
    **STREAMED,
)
def send(
    conversation_id: str, body: Message, chat: OpenedChat, state: State, session: DbSession
) -> StreamingResponse:
    text = check_message(state, chat, body.text)
    last = last_event(session, conversation_id=conversation_id)
    session.close()
    streams.claim(state, conversation_id)
    streams.start(state, conversation_id, lambda: chat.send(text))
    events = streams.follow(state, conversation_id, last.id if last else 0, run_started=True)
    return event_stream(streams.sse(events))


@router.get(
    "/{conversation_id}/events",
    summary="Resume: the events after Last-Event-ID (or ?after=)",
    **STREAMED,
)
def resume(
    conversation_id: str, chat: OpenedChat, state: State, start_after: ResumeAfter
) -> StreamingResponse:
    del chat  # opened for the access check; the events come from the log
    events = streams.follow(state, conversation_id, start_after, run_started=False)
    return event_stream(streams.sse(events))


@router.post("/{conversation_id}/feedback", summary="Rate the conversation (1-5)")
def feedback(
    conversation_id: str,
    body: FeedbackIn,
    chat: OpenedChat,
    caller: Caller,
    state: State,
    session: DbSession,
) -> dict[str, Any]:
    ctx = context(state, caller.actor, chat.passenger_id, conversation_id=conversation_id)
    result = rate_conversation(session, ctx, rating=body.rating, comment=body.comment)
    return {"conversation_id": conversation_id, "rating": body.rating, "summary": result.summary}
