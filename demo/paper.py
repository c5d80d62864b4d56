"""The demo's paper ballots (docs/eligibility.md, "Paper ballots"): Lima's vote has closed and
its two clerks have entered the paper ballots of its polling station — each by both, through
the same service as the entry page; the last serial's two entries disagree and wait for a
third look. Lima's planner's count (it waits for her) includes them."""
from __future__ import annotations

import random
from decimal import Decimal

from consult import selectors
from consult.models import Consultation, PaperEntry, VotingMethod
from consult.services.paper import paper_entry_record

from .people import SEED

PAPER_BALLOTS = 12


def _choices(consultation: Consultation, proposals: list, rng: random.Random) -> dict[int, int]:
    """One or two proposals that fit the ballot's limits."""
    rng.shuffle(proposals)
    chosen, spent = {}, Decimal("0")
    limit = consultation.max_choices if consultation.voting_method == VotingMethod.APPROVAL \
        else None
    for proposal in proposals:
        if len(chosen) == rng.choice((1, 2)) or (limit and len(chosen) == limit):
            break
        if consultation.voting_method == VotingMethod.KNAPSACK and (
                spent + proposal.ballot_cost > consultation.budget):
            continue
        chosen[proposal.pk] = 1
        spent += proposal.ballot_cost
    return chosen


def seed_paper_ballots(consultation: Consultation, clerks: tuple) -> int:
    """The paper ballots of the consultation's polling station (once); returns how many became
    ballots."""
    if PaperEntry.objects.filter(consultation=consultation).exists():
        return 0
    if consultation.voting_method == VotingMethod.CUMULATIVE:
        raise ValueError("the demo's paper ballots are approval or knapsack ballots")
    rng = random.Random(f"{SEED}-paper-{consultation.slug}")
    proposals = list(selectors.proposals_on_ballot(consultation=consultation))
    first, second = clerks
    counted = 0
    for number in range(1, PAPER_BALLOTS + 1):
        serial = f"{number:04d}"
        choices = _choices(consultation, proposals, rng)
        paper_entry_record(clerk=first, consultation=consultation, serial=serial,
                           choices=choices)
        if number == PAPER_BALLOTS:  # the second clerk read another number: a mismatch
            other = min((p for p in proposals if p.pk not in choices),
                        key=lambda p: p.ballot_cost)
            choices = {other.pk: 1}
        outcome = paper_entry_record(clerk=second, consultation=consultation, serial=serial,
                                     choices=choices)
        counted += bool(outcome.ballot)
    return counted
