"""Amounts in CHF: the one rounding rule (half up, to the cent) every price, charge and refund
and every approval's comparison of them use."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value: Decimal | int | float | str) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def chf(value: Decimal | int | float | str) -> str:
    """An amount as people read it: "CHF 2,324.00" (thousands grouped, to the cent)."""
    return f"CHF {money(value):,.2f}"


def eur(value: Decimal | int | float | str) -> str:
    return f"EUR {money(value):,.2f}"
