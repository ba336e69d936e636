"""What a desk link (the Chat and Bookings pages' URL: ?passenger=...&conversation=...) may
open, checked against the signed-in identity like every other request: a link is user input.

A customer's link can name only their own passenger and their own conversations; a passenger
that does not exist and another customer's get the same answer, so trying numbers tells a
customer nothing. Staff are told when a passenger or conversation does not exist. Refusals
are audited (services.core.operations), once per link opened."""

from __future__ import annotations

import re
from dataclasses import replace

from sqlalchemy.orm import Session

from db.models import Role
from services.core.access import current_passenger
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, PolicyViolation, Rule
from services.core.operations import operation
from services.support.conversations import ConversationSummary, get_conversation

PASSENGER_ID = re.compile(r"[0-9]{1,12}")
CONVERSATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
OTHER_PASSENGER = (
    "This link is for a passenger other than you: a customer account shows only its own trips."
)


def _shown(raw: str) -> str:
    """The link's value for a message: short, and only the characters an id may have."""
    return "".join(ch for ch in raw[:24] if ch.isalnum() or ch in "-_") or "(empty)"


@operation("open_passenger_link", write=False)
def passenger_from_link(session: Session, ctx: ServiceContext, *, raw: str) -> int:
    """The passenger id a link names, once this actor may serve that passenger."""
    text = raw.strip()
    if not PASSENGER_ID.fullmatch(text):
        raise InvalidInput(f"The link names passenger '{_shown(text)}': that is not a number.")
    passenger_id = int(text)
    if ctx.actor.role == Role.CUSTOMER and passenger_id != ctx.actor.passenger_id:
        raise PolicyViolation(Rule.PERMISSION, OTHER_PASSENGER)
    return current_passenger(session, replace(ctx, passenger_id=passenger_id)).id


@operation("open_conversation_link", write=False)
def conversation_from_link(
    session: Session, ctx: ServiceContext, *, raw: str
) -> ConversationSummary:
    """The conversation a link names, if it is about the context's passenger and this actor
    may see it (a customer: only their own)."""
    text = raw.strip()
    if not CONVERSATION_ID.fullmatch(text):
        raise InvalidInput(f"The link names conversation '{_shown(text)}', which is not an id.")
    return get_conversation(session, ctx, text)
