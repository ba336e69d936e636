"""Flight disruptions and what EU Regulation 261/2004 entitles passengers to.

- records: `disrupt_flight` (an administrator cancels or delays a flight, with a cause),
  `find_flight` (by number and local date); the command line `python -m services.disruptions`.
- causes: which causes are extraordinary circumstances (Art. 5(3)).
- eu261: the rules as pure functions (distance band, compensation, care, refund or rerouting).
- claims: the rules applied to a passenger's ticket read from the database
  (`ticket_entitlements`, `leg_entitlements`, `flight_facts`)."""

from services.disruptions.causes import EXTRAORDINARY, is_extraordinary
from services.disruptions.claims import (
    disruption_of,
    eur_chf_rate,
    flight_facts,
    leg_entitlements,
    rerouting_for,
    ticket_entitlements,
)
from services.disruptions.eu261 import (
    Band,
    CareDecision,
    CompensationDecision,
    Decision,
    Entitlements,
    FlightFacts,
    Rerouting,
    great_circle_km,
)
from services.disruptions.records import disrupt_flight, find_flight

__all__ = [
    "EXTRAORDINARY",
    "Band",
    "CareDecision",
    "CompensationDecision",
    "Decision",
    "Entitlements",
    "FlightFacts",
    "Rerouting",
    "disrupt_flight",
    "disruption_of",
    "eur_chf_rate",
    "find_flight",
    "flight_facts",
    "great_circle_km",
    "is_extraordinary",
    "leg_entitlements",
    "rerouting_for",
    "ticket_entitlements",
]
