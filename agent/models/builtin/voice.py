"""How the built-in model speaks to a customer: a passenger signed in with their own account
confirms or declines their own change, so its fixed phrases about an approval (which staff
give) read as confirming. The phrases are the model's own templates (flows_*.py, outcomes.py,
planner.py), never the person's text; the system prompt says who is talking (agent.prompts)."""

from __future__ import annotations

CUSTOMER_PHRASES = {
    "for your approval": "for you to confirm",
    "please approve the escalation": "please confirm the escalation",
    "was not approved": "was declined",
    "Approvals happen only on the approval card here": (
        "Changes happen only when you confirm them on the card here"
    ),
}


def for_customer(text: str) -> str:
    for staff, customer in CUSTOMER_PHRASES.items():
        text = text.replace(staff, customer)
    return text
