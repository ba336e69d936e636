"""The support desk's view of a passenger: the trip snapshot, the passenger
picker (passengers), conversations and escalations, and policy retrieval (policy_docs)."""

__all__ = [
    "conversations",
    "escalations",
    "passengers",
    "policy_docs",
    "snapshot",
]
