"""Counting a consultation: its ballots into the engine, the outcome into an immutable CountRun."""
from __future__ import annotations

import time
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from consult import selectors as consult_selectors
from consult import services as consult_services
from consult.models import Consultation, Phase, VotingMethod
from core.errors import NotAllowed, ServiceError

from .. import rules as plan_rules
from .. import selectors
from ..models import (
    CountRun,
)

ENGINE_VERSION = "1"


VOTE_TYPES = {
    VotingMethod.APPROVAL: "approval",
    VotingMethod.KNAPSACK: "approval",
    VotingMethod.CUMULATIVE: "cumulative",
}


def consultation_election(*, consultation: Consultation):
    """The consultation's ballots as a counting-engine Election (and the proposals' pks)."""
    from planning.counting import Election

    arrays = consult_selectors.ballot_arrays(consultation=consultation)
    vote_type = VOTE_TYPES[consultation.voting_method]
    election = Election(
        project_ids=arrays.project_ids,
        costs=arrays.costs,
        budget=consultation.budget,
        indptr=arrays.indptr,
        indices=arrays.indices,
        points=arrays.points if vote_type == "cumulative" else None,
        vote_type=vote_type,
    )
    return election, arrays.proposal_pks


@transaction.atomic
def count_run_create(
    *,
    consultation: Consultation,
    rule: str | None = None,
    min_votes: int = 0,
    tie_break: str = "lexicographic",
    official: bool = False,
    user: AbstractBaseUser | None = None,
) -> CountRun:
    """Count the consultation's ballots and store the immutable record.

    Only after voting has closed (no partial results leak), only by the city's planners when a
    user is given (commands pass none). An official count marks the selected proposals.
    """
    from planning.counting import CountingError, count

    if user is not None and not plan_rules.can_draft_plan(user, consultation):
        raise NotAllowed(_("Only the city's planners can count a consultation."))
    if consultation.phase not in (Phase.COUNTING, Phase.RESULTS):
        raise ServiceError(_("Votes are counted once voting has closed."))
    rule = rule or consultation.counting_rule
    started = time.perf_counter()
    election, proposal_pks = consultation_election(consultation=consultation)
    try:
        outcome = count(election, rule, min_votes=min_votes, tie_break=tie_break)
    except CountingError as error:
        raise ServiceError(str(error)) from error
    duration_ms = round((time.perf_counter() - started) * 1000)
    index = {pid: i for i, pid in enumerate(election.project_ids)}
    selected_pks = sorted(int(proposal_pks[index[pid]]) for pid in outcome.selected)
    run = CountRun.objects.create(
        consultation=consultation,
        rule=rule,
        min_votes=min_votes,
        tie_break=outcome.tie_break,
        is_official=official,
        input_hash=election.input_hash(),
        n_ballots=election.n_voters,
        n_projects=election.n_projects,
        budget=consultation.budget,
        total_cost=_decimal(outcome.total_cost),
        selected=list(outcome.selected),
        selected_proposal_ids=selected_pks,
        outcome=outcome.to_dict(),
        engine_version=ENGINE_VERSION,
        duration_ms=duration_ms,
        created_by=user,
    )
    if official:
        consult_services.proposals_mark_selected(
            consultation=consultation, proposal_ids=selected_pks
        )
    return run


def _decimal(value):
    from fractions import Fraction

    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


def count_run_official_for(
    *, consultation: Consultation, user, rule: str | None = None
) -> CountRun:
    """The consultation's latest official count, or a new official count once voting closed."""
    run = selectors.count_run_official(consultation=consultation)
    if run is not None:
        return run
    return count_run_create(consultation=consultation, rule=rule, official=True, user=user)
