"""Text people and models write, as pure functions: invisible characters stripped
(user_text), contact data and card numbers masked (masking), counted words (words)."""

__all__ = [
    "masking",
    "user_text",
    "words",
]
