"""Text people and models write: invisible characters stripped (user_text), chat
messages checked (validation), contact data and card numbers masked (masking)."""

__all__ = [
    "masking",
    "user_text",
    "validation",
]
