"""Small-cell suppression: a demographic breakdown never shows a group of fewer than MIN_CELL
people, nor a figure from which such a group could be worked out.

MIN_CELL is the one threshold: the tables, their charts and exports and every published
snapshot (``meta["min_cell"]``) follow it."""
from __future__ import annotations

#: Demographic cells counting fewer people than this are suppressed; MIN_CELL people are shown.
MIN_CELL = 10
#: What a suppressed cell holds instead of its count (the JSON value in tables and exports).
SUPPRESSED = f"<{MIN_CELL}"
#: A cell of MIN_CELL or more hidden so that a suppressed cell cannot be worked out from the
#: total.
HIDDEN = "hidden"


def is_small_cell(people: int) -> bool:
    """Whether a cell of this many people is too small to show."""
    return people < MIN_CELL


def suppression_mask(counts: list[int]) -> list[str | None]:
    """Which cells of one breakdown to hide, and how: SUPPRESSED for every cell of fewer than
    MIN_CELL people (primary); when exactly one cell is suppressed, the smallest other cell is
    HIDDEN too (complementary), so the suppressed cell cannot be worked out as the total minus
    the cells shown. None for the cells shown."""
    marks: list[str | None] = [SUPPRESSED if is_small_cell(n) else None for n in counts]
    if marks.count(SUPPRESSED) == 1 and len(counts) > 1:
        shown = [i for i, mark in enumerate(marks) if mark is None]
        smallest = min(shown, key=lambda i: (counts[i], i))
        marks[smallest] = HIDDEN
    return marks


def is_withheld(value) -> bool:
    """Whether a table cell was suppressed or hidden (and so carries no figure)."""
    return value in (SUPPRESSED, HIDDEN)
