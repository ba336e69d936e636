"""Suggested prompts, so a demo runs by clicking: for each demo persona (world/personas.py) the
requests its situation is built for, in the order a demo clicks them; general ones for anybody
else.

Personas are recognised by their e-mail (world/personas.py; a test keeps the two in step).
That module is not imported here: importing world loads the whole generator (Faker and
friends), about a second the Chat page's first render should not wait for."""

from __future__ import annotations

BY_PERSONA: dict[str, tuple[str, ...]] = {
    "anna": ("What bookings does she have?", "She wants to fly to London one day later",
             "the first one"),
    "ben": ("Can he move his Paris flight to Thursday?", "How much would he get back if he cancels?"),
    "chloe": ("Cancel her ticket", "Is her flight on time?"),
    "diego": ("Extend his hotel by one night", "What bookings does he have?"),
    "emma": ("How much would she get back if she cancels?", "Cancel her ticket"),
    "farid": ("His flight was cancelled, rebook him tomorrow", "the first one"),
    "grace": ("Is her flight on time?", "She wants compensation for the delay"),
    "hugo": ("Book him a flight from Zurich to Barcelona tomorrow", "the first one"),
    "ines": ("What bookings does she have?", "Is her flight on time?"),
}  # fmt: skip
# A customer asks for themselves.
OWN: dict[str, tuple[str, ...]] = {
    "anna": ("What bookings do I have?", "I want to fly to London one day later", "the first one"),
}
OWN_GENERAL = ("What bookings do I have?", "Is my flight on time?",
               "What does the policy say about changing a Classic fare?")  # fmt: skip
GENERAL = (
    "What bookings does the passenger have?",
    "Is the next flight on time?",
    "What does the policy say about changing a Classic fare?",
)
PERSONA_EMAILS = {
    "anna.keller@example.com": "anna", "ben.okafor@example.com": "ben",
    "chloe.martin@example.com": "chloe", "diego.alvarez@example.com": "diego",
    "emma.schulz@example.com": "emma", "farid.haddad@example.com": "farid",
    "grace.lin@example.com": "grace", "hugo.brun@example.com": "hugo",
    "ines.alvarez@example.com": "ines",
}  # fmt: skip


def persona_of(email: str) -> str | None:
    return PERSONA_EMAILS.get(email.strip().lower())


def suggestions(email: str, *, own: bool = False) -> tuple[str, ...]:
    """The prompts for the passenger with this e-mail (a persona's own, else general ones);
    `own`: asked by the passenger themselves (a customer account), in the first person."""
    persona = persona_of(email)
    if own:
        return OWN.get(persona or "", OWN_GENERAL)
    return BY_PERSONA[persona] if persona else GENERAL
