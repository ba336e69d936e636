"""Which causes of a disruption are extraordinary circumstances (EU 261/2004 Art. 5(3)).

The table follows recital 14 and the Court of Justice's case law. The carrier must prove an
extraordinary circumstance, so a cause it cannot name (`other`) is not one; a record may
override the table when the facts differ (e.g. a hidden manufacturing defect, C-549/07)."""

from __future__ import annotations

from db.models import DisruptionCause

EXTRAORDINARY: dict[DisruptionCause, bool] = {
    DisruptionCause.WEATHER: True,  # recital 14: meteorological conditions
    DisruptionCause.AIR_TRAFFIC_CONTROL: True,  # recital 15: air traffic management decisions
    DisruptionCause.STRIKE_AIRLINE_STAFF: False,  # C-195/17 Krüsemann, C-28/20 Airhelp v SAS
    DisruptionCause.STRIKE_THIRD_PARTY: True,  # recital 14: strikes outside the carrier
    DisruptionCause.TECHNICAL: False,  # C-549/07 Wallentin-Hermann: inherent in operations
    DisruptionCause.CREW: False,  # C-156/22 TAP: a crew member's absence is not
    DisruptionCause.SECURITY: True,  # recital 14: security risks
    DisruptionCause.AIRPORT: True,  # C-308/21 SATA: airport fuel supply failure
    DisruptionCause.OTHER: False,  # not proven
}

CAUSE_WORDS: dict[DisruptionCause, str] = {
    DisruptionCause.WEATHER: "weather",
    DisruptionCause.AIR_TRAFFIC_CONTROL: "air traffic control",
    DisruptionCause.STRIKE_AIRLINE_STAFF: "a strike by the airline's own staff",
    DisruptionCause.STRIKE_THIRD_PARTY: "a strike outside the airline",
    DisruptionCause.TECHNICAL: "a technical problem with the aircraft",
    DisruptionCause.CREW: "crew availability",
    DisruptionCause.SECURITY: "a security risk",
    DisruptionCause.AIRPORT: "an airport closure or failure",
    DisruptionCause.OTHER: "an operational reason",
}


def is_extraordinary(cause: DisruptionCause) -> bool:
    return EXTRAORDINARY[cause]
