"""Money: fare prices (pricing) and which card a charge or refund goes to
(payments)."""

__all__ = [
    "payments",
    "pricing",
]
