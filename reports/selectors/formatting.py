"""Numbers and money as reports hold them (plain floats) and as people read them (grouped for
the active language, with the currency code)."""
from __future__ import annotations

from fractions import Fraction

from core.formatting import format_money, format_number

__all__ = ["format_money", "format_number", "money", "number_or_none"]


def money(value) -> float:
    """An amount as a table holds it: a float with two decimals (exact fractions included)."""
    if isinstance(value, Fraction):
        return round(value.numerator / value.denominator, 2)
    return round(float(value or 0), 2)


def number_or_none(value) -> float | None:
    """A snapshot's stored number (a string, or empty when not given) as a float."""
    return None if value in (None, "") else float(value)
