"""Handing a conversation to a human colleague."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import Escalation, EscalationReason
from services.core.access import current_passenger
from services.core.context import ServiceContext
from services.core.errors import InvalidInput
from services.core.operations import OperationResult, operation
from services.text.masking import mask_text

MAX_SUMMARY = 2000
# How a reason reads on a card or a page (the enum's value is for the code and the audit).
REASON_TEXT = {
    EscalationReason.CUSTOMER_REQUEST: "the passenger asks for a person",
    EscalationReason.MISSING_KNOWLEDGE: "the answer is not known",
    EscalationReason.UNSUPPORTED_REQUEST: "a request the desk cannot handle",
    EscalationReason.POLICY_RESTRICTION: "needs a policy exception",
    EscalationReason.TOOL_FAILURE: "a system failed",
}


def reason_text(reason: EscalationReason | str) -> str:
    """'customer_request' -> 'the passenger asks for a person' (an unknown value: its words)."""
    try:
        return REASON_TEXT[EscalationReason(reason)]
    except ValueError:
        return str(reason).replace("_", " ")


@operation("escalate_to_human", write=True)
def escalate(
    session: Session, ctx: ServiceContext, *, reason: EscalationReason | str, summary: str
) -> OperationResult:
    """Open an escalation for the current passenger with a reason and a summary for the colleague."""
    passenger = current_passenger(session, ctx)
    try:
        reason = EscalationReason(reason)
    except ValueError:
        allowed = ", ".join(r.value for r in EscalationReason)
        raise InvalidInput(
            f"'{reason}' is not an escalation reason; use one of: {allowed}."
        ) from None
    text = (summary or "").strip()
    if not text:
        raise InvalidInput("An escalation needs a short summary of the problem.")
    escalation = Escalation(
        passenger_id=passenger.id,
        conversation_id=ctx.conversation_id,
        reason=reason,
        # The colleague needs the problem, not the contact data or card numbers typed into it.
        summary=mask_text(text)[:MAX_SUMMARY],
        created_by=ctx.actor.username,
        created_at=ctx.clock.now(),
        status="open",
    )
    session.add(escalation)
    session.flush()
    return OperationResult(
        summary=f"Escalated to a human colleague ({reason.value}).",
        after={"escalation_id": escalation.id, "reason": reason.value},
        data={"escalation_id": escalation.id},
    )
