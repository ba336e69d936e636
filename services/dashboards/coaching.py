"""Flagging a conversation for coaching: a manager's or admin's audited write."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import update
from sqlalchemy.orm import Session

from db.models import Conversation, Role
from services.core import audit
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule
from services.dashboards.reviews import ConversationRow, base_select, conversation_rows
from services.text.masking import mask_text

REVIEWER_ROLES = frozenset({Role.MANAGER, Role.ADMIN})
MAX_NOTE = 1000


def flag_conversation(
    session: Session,
    ctx: ServiceContext,
    conversation_id: str,
    *,
    note: str | None = None,
    flagged: bool = True,
) -> ConversationRow:
    """Flag a conversation for coaching with a note (or clear the flag). Managers and admins
    only; the change and its audit record ("conversation_flag", before -> after) commit
    together, and a refused attempt is audited too."""
    action = "conversation_flag"
    audit_ctx = replace(ctx, conversation_id=conversation_id)
    if ctx.actor.role not in REVIEWER_ROLES:
        message = "Only managers and admins can flag conversations for coaching."
        audit.record(
            session,
            audit_ctx,
            action=action,
            outcome="refused",
            rule=Rule.PERMISSION.value,
            message=message,
        )
        raise PolicyViolation(Rule.PERMISSION, message)
    text = mask_text((note or "").strip())  # free text: no contact data or card numbers
    if flagged and not text:
        raise InvalidInput("Add a short note saying what to look at in this conversation.")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"The note has {len(text)} characters; keep it under {MAX_NOTE}.")
    audit.begin_write(session)
    try:
        conversation = session.get(Conversation, conversation_id, with_for_update=True)
        if conversation is None:
            raise NotFound(f"There is no conversation {conversation_id}.")
        before = {"flagged": conversation.flagged, "flag_note": conversation.flag_note}
        after = {"flagged": flagged, "flag_note": text if flagged else None}
        session.execute(
            update(Conversation).where(Conversation.id == conversation_id).values(**after)
        )
        audit.append(
            session,
            audit_ctx,
            action=action,
            outcome="executed",
            passenger_id=conversation.passenger_id,
            message="flagged for coaching" if flagged else "flag cleared",
            details={
                "args": {
                    "conversation_id": conversation_id,
                    "flagged": flagged,
                    "note": after["flag_note"],
                },
                "before": before,
                "after": after,
            },
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.expire_all()
    return conversation_rows(session, base_select().where(Conversation.id == conversation_id))[0]
