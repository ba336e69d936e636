"""Live handoff from the passenger's side: ask for a person, and follow what the person at the
desk writes (services/support/handoff.py and live.py; the desk's Queue page is the other side)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api import live_stream
from api.chats import OpenedChat
from api.deps import Caller, DbSession, State, context
from api.sse import STREAMED, ResumeAfter, event_stream
from db.models import EscalationReason, HandoffState
from services.support import handoff
from services.support.handoff import QueueEntry

router = APIRouter(prefix="/api/v1/conversations", tags=["handoff"])


class AskForPerson(BaseModel):
    reason: EscalationReason = Field(
        default=EscalationReason.CUSTOMER_REQUEST, description="Why a person is needed."
    )


class HandoffOut(BaseModel):
    handoff_id: int
    state: HandoffState
    reason: EscalationReason
    taken_by: str | None


def handoff_out(entry: QueueEntry | None) -> HandoffOut | None:
    if entry is None:
        return None
    return HandoffOut(
        handoff_id=entry.handoff_id, state=entry.state, reason=entry.reason, taken_by=entry.taken_by
    )


@router.post(
    "/{conversation_id}/handoff",
    response_model=HandoffOut,
    summary="Ask for a person: the conversation waits in the desk's Queue",
)
def ask_for_person(
    conversation_id: str,
    body: AskForPerson,
    chat: OpenedChat,
    caller: Caller,
    state: State,
    session: DbSession,
) -> Any:
    ctx = context(state, caller.actor, chat.passenger_id, conversation_id=conversation_id)
    handoff.request_person(session, ctx, reason=body.reason)
    return handoff_out(handoff.active(session, conversation_id=conversation_id))


@router.get(
    "/{conversation_id}/live",
    summary="The desk's messages, live (text/event-stream; resume with Last-Event-ID)",
    **STREAMED,
)
def desk_messages(
    conversation_id: str, chat: OpenedChat, state: State, start_after: ResumeAfter
) -> StreamingResponse:
    del chat  # opened for the access check; the messages come from the live table
    return event_stream(live_stream.sse(live_stream.follow(state, conversation_id, start_after)))
