"""How the model words the result of a write, a refusal or a failure."""

from __future__ import annotations

import json

from agent.models.builtin.core import Decision, Task, say
from agent.models.builtin.render import chf
from agent.models.builtin.state import Stage
from agent.models.builtin.transcript import ToolResult
from agent.models.shared import ToolStatus
from services.support.policy_docs import rule_meaning

RULE_OFFERS = {
    "fare_light_no_change": "What is possible: cancel the ticket (a Light fare refunds nothing, unless it is within 24 hours of booking) and book a new flight, or I can hand this to a colleague.",
    "within_3h_of_departure": "Changes and cancellations close 3 hours before departure; I can hand this to a colleague at the airport desk if needed.",
    "already_departed": "The flight has already left, so the ticket can no longer be changed.",
    "leg_already_flown": "Part of the journey has been flown, so this ticket can no longer be changed or cancelled.",
    "no_seat_available": "I can look at another flight or another date.",
    "change_must_keep_route": "A change keeps the same origin and destination; for another route I can book a new flight instead.",
    "airline_cancellation_rebooking_window": "A full refund is available instead, or a flight within 7 days of the cancelled one.",
    "not_owner": "Only tickets and bookings on the passenger's own record can be managed: please check the number; another traveller needs to contact us for theirs.",
    "compensation_not_eligible": "Compensation applies only to flights cancelled by the airline or delayed by 3 hours or more.",
    "booking_cancel_window": "I can hand this to a colleague if the passenger wants to discuss it.",
}


def refusal(
    result: ToolResult, task: Task | None = None, lead: str = "I can't do that"
) -> Decision:
    offer = RULE_OFFERS.get(result.rule or "", "")
    # The rule in words from the policy's table, never its code ("fare_light_no_change").
    meaning = rule_meaning(result.rule)
    said = meaning is None or meaning.lower().rstrip(".") in result.message.lower()
    rule = "" if said else f" (Alpine Air policy: {meaning})"
    text = f"{lead}: {result.message}{rule}"
    if offer:
        text += f"\n\n{offer}"
    return say(text, Task(task.intent, task.slots, Stage.REFUSED) if task else None)


def failure(result: ToolResult, task: Task | None = None) -> Decision:
    if result.status is ToolStatus.ALREADY_DONE:
        return say(f"That was already done: {result.message}", task)
    return say(
        f"Sorry, that did not work: {result.message} Nothing was changed. "
        "I can try again, or hand this to a colleague.",
        Task(task.intent, task.slots, Stage.FAILED) if task else None,
    )


def report_write(result: ToolResult, task: Task, done_text: str | None = None) -> Decision:
    """The closing words after the support agent answered the approval card."""
    done = Task(task.intent, task.slots, Stage.DONE)
    if result.denied:
        reason = (
            result.content.split("DENIED by the support agent", 1)[-1]
            .split(". Nothing", 1)[0]
            .strip(" :()")
        )
        why = f" ({reason})" if reason else ""
        return say(
            f"Understood — the change was not approved{why}, so nothing was changed. Is there something else I can do?",
            done,
        )
    if result.refused:
        return refusal(result, task)
    if not result.ok:
        return failure(result, task)
    data = result.data if isinstance(result.data, dict) else {}
    text = done_text or str(data.get("done", "Done."))
    money = []
    if data.get("charged"):
        money.append(f"{chf(data['charged'])} charged to the card on file")
    if data.get("refunded"):
        money.append(f"{chf(data['refunded'])} refunded")
    # A compensation is "paid" (its summary says so), never "refunded".
    if money and not done_text and not any(w in text for w in ("charged", "refund", "paid")):
        sentence = ", ".join(money)
        text = f"{text.split(';')[0].rstrip('.')}. {sentence[0].upper()}{sentence[1:]}."
    elif not money and not done_text:
        text = text if text.endswith(".") else text + "."
    if data.get("rule_applied"):
        text += f" ({data['rule_applied']})"
    return say(f"Done. {text}", done)


def as_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
