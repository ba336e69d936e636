"""How a disrupted passenger's question is recognised: a disruption described (a delay, an
airline cancellation, a missed connection) with a question about what they can do, what they
are owed or the care they get ("my flight was cancelled, what are my options?", "what am I
owed for the delay?", "can I get a hotel?"), and not a request to act, which the other rules
take (rules.RULES). German and French reach here through glossary.py."""

from __future__ import annotations

import re

from agent.models.builtin.state import Slots
from agent.models.builtin.understanding import Utterance

# A disrupted flight, as people describe it. A cancellation by the airline ("was cancelled",
# "my cancelled flight") is read in understanding.py (the "disruption" cue): a bare
# "cancelled" may be the passenger's own ("what would I get back if I cancelled?").
DISRUPTED = re.compile(
    r"\b(delay\w*|late|disrupt\w*|stranded|stuck|grounded|overbooked|"
    r"missed (my |his |her |their |the )?connection)\b"
)
# What a disrupted passenger asks: what they can do, what they are owed, the care they get.
AFTERMATH = re.compile(
    r"\b(options?|alternatives?|what (can|could|should|do) (i|we|she|he|they|you) do( now)?|"
    r"anything (i|we|she|he|they|you) can do|what now|what happens now|what are (my|his|her|"
    r"their|the) (rights|choices)|rights|owed|entitled|entitlements?|what (do|does|can|will|would) "
    r"(i|we|she|he|they) get|help)\b"
)
# The care of EU 261 Art. 9, asked about: "can I get a hotel?", "do I get meal vouchers?".
CARE = re.compile(
    r"\b(meals?|food|vouchers?|refreshments?|drinks?|something to eat|hotels?|accommodation|"
    r"a room|overnight|transfers?|taxi to the hotel)\b"
)
# "rebook me", "can you put him on...", "can I get compensation for it?": a request, even asked.
ASKS_TO_ACT = re.compile(
    r"\b(rebook|move|change|put|switch|get|book|cancel|claim|file|pay) (me|him|her|them|us|it)\b"
)
NAMES_COMPENSATION = re.compile(r"\b(compensat\w*|indemnit\w*)\b")
ENTITLEMENT_WORDS = re.compile(
    r"\b(owed|entitled|entitlements?|my rights|(his|her|their) rights)\b"
)


def asks_about_disruption(u: Utterance, *, asks_only: bool) -> bool:
    """A disrupted passenger asking what they can do, what they are owed or what care they
    get, about their own flights and not asking for an action (that is the other rules')."""
    if u.other_person or u.has("policy") or NAMES_COMPENSATION.search(u.lower):
        # "would he be owed compensation?": the compensation flow answers it and offers to
        # claim it; "what is he owed?" asks for everything, which is answered here.
        return False
    if (u.dates or u.shift_days is not None) and u.has("change"):
        return False  # "anything later tomorrow?": a change searched on that day
    if not (u.is_question or asks_only):
        return False
    care = CARE.search(u.lower) is not None and u.nights is None
    # "what if I cancelled?", "what would a change cost?": a quote ("a free meal?" is care).
    if u.has("cancel") or (u.has("cost") and not care):
        return False
    acting = u.has("book", "refund", "compensation") or ASKS_TO_ACT.search(u.lower)
    if acting and not asks_only:
        return False
    if u.has("disruption") or DISRUPTED.search(u.lower):
        return care or AFTERMATH.search(u.lower) is not None
    # Nothing said about a disruption: "can I get a hotel?", "what am I owed?" are still
    # answered from the passenger's flights first (the flow books a stay when none is hit);
    # a hotel somewhere named is a stay to book.
    return (care and not u.places) or ENTITLEMENT_WORDS.search(u.lower) is not None


def disruption_slots(u: Utterance) -> Slots:
    """What the disruption flow reads besides the usual slots: whether the ticket number was
    typed now, and whether the care (a hotel above all) is what is asked about."""
    return {
        "typed_ticket": bool(u.ticket_nos),
        "hotel_wanted": re.search(r"\b(hotels?|accommodation|a room|overnight)\b", u.lower)
        is not None,
        "care_first": CARE.search(u.lower) is not None,
    }
