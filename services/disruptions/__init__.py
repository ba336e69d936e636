"""Flight disruptions and what EU Regulation 261/2004 entitles passengers to.

- records: `disrupt_flight` (an administrator cancels or delays a flight, with a cause),
  `find_flight` (by number and local date); the command line `python -m services.disruptions`.
- causes: which causes are extraordinary circumstances (Art. 5(3)).
- eu261: the rules as pure functions (distance band, compensation, care, refund or rerouting).
- claims: the rules applied to a passenger's ticket read from the database
  (`ticket_entitlements`, `leg_entitlements`, `flight_facts`).
- overview: what the Disruptions page lists (`disrupted_flights` with counts) and the
  itineraries a whole party fits (`party_options`).
- planner: re-accommodation of a disrupted flight's passengers for staff (`plan_flight`,
  `plan_flights`, `greedy_plan`; read-only), and one ticket's alternatives
  (`options_for_ticket`); affected, candidates, priorities, plan_entitlements and plan_types are its parts."""

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
from services.disruptions.overview import (
    DisruptedFlight,
    PartyMember,
    disrupted_flights,
    party_options,
)
from services.disruptions.plan_types import (
    AffectedPassenger,
    EntitlementSummary,
    Itinerary,
    Plan,
    PlanRow,
    PlanSummary,
    Priority,
    RowAction,
    Strategy,
)
from services.disruptions.planner import (
    greedy_plan,
    options_for_ticket,
    plan_flight,
    plan_flights,
)
from services.disruptions.priorities import parse_priorities
from services.disruptions.records import disrupt_flight, find_flight

__all__ = [
    "EXTRAORDINARY",
    "AffectedPassenger",
    "Band",
    "CareDecision",
    "CompensationDecision",
    "Decision",
    "DisruptedFlight",
    "EntitlementSummary",
    "Entitlements",
    "FlightFacts",
    "Itinerary",
    "PartyMember",
    "Plan",
    "PlanRow",
    "PlanSummary",
    "Priority",
    "Rerouting",
    "RowAction",
    "Strategy",
    "disrupt_flight",
    "disrupted_flights",
    "disruption_of",
    "eur_chf_rate",
    "find_flight",
    "flight_facts",
    "great_circle_km",
    "greedy_plan",
    "is_extraordinary",
    "leg_entitlements",
    "options_for_ticket",
    "parse_priorities",
    "party_options",
    "plan_flight",
    "plan_flights",
    "rerouting_for",
    "ticket_entitlements",
]
