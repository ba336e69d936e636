"""Opening a conversation for a caller, as the runtime allows it: a customer only their own
(another passenger's conversation is "not found": its existence is not confirmed), staff who
may chat any; and the checks a message passes before its run starts."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from agent.runtime import CHAT_ROLES, Chat
from api.deps import ApiState, Caller, State
from api.problems import Problem, too_many
from db.models import Role
from services.core.errors import NotFound, PolicyViolation
from services.core.validation import check_chat_message
from services.identity.accounts import Account


def require_chat_role(account: Account) -> None:
    if account.role not in CHAT_ROLES:
        raise Problem(
            403, f"A {account.role.value} account cannot hold conversations.", slug="forbidden"
        )


def open_chat(state: ApiState, account: Account, conversation_id: str) -> Chat:
    require_chat_role(account)
    try:
        return state.assistant.open(conversation_id, account.actor)
    except (NotFound, PolicyViolation):
        if account.role == Role.CUSTOMER:
            raise NotFound(f"There is no conversation {conversation_id}.") from None
        raise


def opened_chat(conversation_id: str, caller: Caller, state: State) -> Chat:
    return open_chat(state, caller, conversation_id)


# The conversation of the path, opened for the caller: `chat: OpenedChat` in a route.
OpenedChat = Annotated[Chat, Depends(opened_chat)]


def check_message(state: ApiState, chat: Chat, text: object) -> str:
    """The message as the desk's chat checks it (services.core.validation), the rate limit
    (429 with Retry-After before any work; the runtime counts the attempt), and no card
    waiting (409)."""
    message = check_chat_message(text).text
    limiter = state.assistant.rate_limiter
    if limiter is not None and not (verdict := limiter.peek(chat.actor.username)).allowed:
        raise too_many(
            f"Too many messages: the limit is {limiter.rate} per user. "
            f"Try again in {verdict.retry_after_s} s.",
            verdict.retry_after_s,
        )
    if chat.pending_approval() is not None:
        raise Problem(
            409,
            "An action is waiting for approval: approve or deny it before sending a new message.",
            slug="approval-pending",
        )
    return message
