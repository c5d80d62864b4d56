"""Pure counting engine: greedy, Method of Equal Shares (+ completions), Phragmén.

No Django, no other app: arrays in, an :class:`Outcome` out. See docs/counting.md.

    from planning.counting import Election, count
    election = Election.from_ballots(["a", "b"], [10, 20], 25, [["a"], ["a", "b"]])
    outcome = count(election, "mes", min_votes=0, tie_break="lexicographic")
    outcome = count(election, "mes-add1u", add1_stop="overspend", comparison="satisfaction")
    outcome.selected, outcome.total_cost, outcome.to_dict()
"""

from ._prepare import TieBreak
from .election import VOTE_TYPES, CountingError, Election
from .engine import (
    ADD1_STOPS,
    COMPARISONS,
    RULE_OPTIONS,
    RULE_VOTE_TYPES,
    RULES,
    Outcome,
    RuleNotApplicable,
    count,
    rule_applies,
)

__all__ = [
    "Election",
    "Outcome",
    "count",
    "RULES",
    "RULE_VOTE_TYPES",
    "RULE_OPTIONS",
    "ADD1_STOPS",
    "COMPARISONS",
    "TieBreak",
    "VOTE_TYPES",
    "CountingError",
    "RuleNotApplicable",
    "rule_applies",
]
