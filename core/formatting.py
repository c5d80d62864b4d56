"""Numbers and money as people read them (grouped for the active language, with the currency
code) and as they write them (`parse_number`: their grouping, their decimal mark, and a
refusal that shows both readings when a number reads two ways)."""
from __future__ import annotations

import re
from decimal import Decimal

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


# --- reading numbers as people write them ------------------------------------------------------

#: The mark people of each language group thousands with when they type ("2.400.000" in
#: Spanish and Portuguese, "2,400,000" in English; French groups with spaces). Django's own
#: formats group Spanish with a no-break space when *showing* numbers; typed, both are read.
TYPED_GROUPING = {"es": ".", "pt": ".", "en": ",", "fr": " "}

#: Spaces people (and their keyboards, and our own pages) group digits with: space, no-break,
#: narrow no-break, thin; and the apostrophes of Swiss writing.
_SPACES = " \u00a0\u202f\u2009"
_APOSTROPHES = "'\u2019\u02bc"
_MINUS = "-\u2212"
_NUMBER = re.compile(r"[0-9]+(?:[.,' ][0-9]+)*|[.,][0-9]+")


class NumberUnreadable(ValueError):
    """The text is not a number written any way we know."""


class NumberAmbiguous(ValueError):
    """The text reads two ways: `whole` (the mark groups thousands) or `fraction` (it is the
    decimal mark)."""

    def __init__(self, *, whole: Decimal, fraction: Decimal):
        super().__init__(whole, fraction)
        self.whole, self.fraction = whole, fraction


def _language() -> str:
    return (translation.get_language() or "en").lower()[:2]


def decimal_mark() -> str:
    return formats.get_format("DECIMAL_SEPARATOR", use_l10n=True)


def grouping_mark() -> str:
    """The mark the active language's writers group thousands with when they type."""
    mark = TYPED_GROUPING.get(_language())
    if mark is None:
        mark = formats.get_format("THOUSAND_SEPARATOR", use_l10n=True)
        mark = " " if mark in _SPACES else mark
    return mark


def _grouped(runs: list[str]) -> bool:
    """Digit runs that form thousands groups: 1–3 digits, then exactly 3 each."""
    return 1 <= len(runs[0]) <= 3 and all(len(run) == 3 for run in runs[1:])


def parse_number(text: str) -> Decimal | None:
    """A number as a person of the active language writes it; None for an empty text.

    Grouping may be ".", ",", spaces of any kind or apostrophes; the decimal mark is the last
    "." or "," when it is the only one of its kind and comes after the grouping. A lone mark
    followed by exactly three digits ("2.400", "2,400") is grouping when it is the language's
    own grouping mark (`grouping_mark`); otherwise it could be either and `NumberAmbiguous` says
    both readings. Raises `NumberUnreadable` for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    sign = ""
    if text[0] in _MINUS or text[0] == "+":
        sign = "-" if text[0] in _MINUS else ""
        text = text[1:].lstrip()
    for space in _SPACES:
        text = text.replace(space, " ")
    for apostrophe in _APOSTROPHES:
        text = text.replace(apostrophe, "'")
    if not _NUMBER.fullmatch(text):
        raise NumberUnreadable(text)
    runs = re.split(r"[.,' ]", text)
    marks = re.findall(r"[.,' ]", text)
    if text[0] in ".,":  # ",5": a decimal without its zero
        return Decimal(f"{sign}0.{runs[1]}")
    if not marks:
        return Decimal(sign + text)
    last = marks[-1]
    if last in ".," and marks.count(last) == 1:
        groups = set(marks[:-1])
        if len(groups) > 1 or (groups and not _grouped(runs[:-1])):
            raise NumberUnreadable(text)
        whole, fraction = "".join(runs[:-1]), runs[-1]
        if not groups and len(fraction) == 3 and _grouped(runs) and runs[0][0] != "0":
            if last == grouping_mark():
                return Decimal(sign + whole + fraction)
            raise NumberAmbiguous(whole=Decimal(sign + whole + fraction),
                                  fraction=Decimal(f"{sign}{whole}.{fraction}"))
        return Decimal(f"{sign}{whole}.{fraction}")
    if len(set(marks)) > 1 or not _grouped(runs):
        raise NumberUnreadable(text)
    return Decimal(sign + "".join(runs))


def plain_number(value: Decimal) -> str:
    """A number written so that no language can misread it: no grouping, the active language's
    decimal mark, and a fourth decimal when three would look like a thousands group."""
    text = format(value.normalize(), "f")
    whole, _dot, fraction = text.partition(".")
    if len(fraction) == 3:
        fraction += "0"
    return f"{whole}{decimal_mark()}{fraction}" if fraction else whole
