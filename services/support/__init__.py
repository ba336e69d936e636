"""The support desk's view of a passenger: the trip snapshot, the passenger picker
(passengers), other passengers named in a chat message (mentions), conversations (their titles,
the approvals waiting in them, the links that open them), escalations, the channel API's event
log (event_log), and policy retrieval (policy_docs)."""

__all__ = [
    "conversation_titles",
    "conversations",
    "escalations",
    "event_log",
    "links",
    "mentions",
    "passengers",
    "policy_docs",
    "snapshot",
    "waiting",
]
