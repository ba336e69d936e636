"""Money: fare prices (pricing), which card a charge or refund goes to
(payments), and the quote of a write's payments for its approval card (quotes)."""

__all__ = [
    "payments",
    "pricing",
    "quotes",
]
