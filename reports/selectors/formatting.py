"""Numbers and money as reports hold them (plain floats) and as people read them (grouped for
the active language, with the currency code)."""
from __future__ import annotations

from fractions import Fraction

from django.utils import formats


def money(value) -> float:
    """An amount as a table holds it: a float with two decimals (exact fractions included)."""
    if isinstance(value, Fraction):
        return round(value.numerator / value.denominator, 2)
    return round(float(value or 0), 2)


def number_or_none(value) -> float | None:
    """A snapshot's stored number (a string, or empty when not given) as a float."""
    return None if value in (None, "") else float(value)


def format_number(value, places: int = 0) -> str:
    """A number for the active language: its grouping and decimal mark."""
    if value is None:
        return ""
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_money(value, currency: str) -> str:
    """An amount for the active language, with its currency code; cents only when there are
    any."""
    if value is None:
        return ""
    value = float(value)
    places = 0 if value == int(value) else 2
    return f"{format_number(value, places)}\u00a0{currency}"
