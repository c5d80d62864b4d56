"""Numbers and money as people read them: grouped for the active language, with the currency
code."""
from __future__ import annotations

from django.utils import formats, translation

#: Languages that write a space between a number and "%" (the others write "42%").
SPACED_PERCENT = ("es", "fr")


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
    return f"{format_number(value, places)}\u00a0{currency}" if currency else format_number(
        value, places)


def format_percent(share: float | None) -> str:
    """A share (0.42) as a percentage for the active language ("42 %" written its way)."""
    if share is None:
        return ""
    value = share * 100
    places = 0 if value >= 10 or value == int(value) else 1
    space = "\u00a0" if (translation.get_language() or "")[:2] in SPACED_PERCENT else ""
    return f"{format_number(round(value, places), places)}{space}%"
