"""Counting a consultation: its ballots into the engine, the outcome into an immutable CountRun."""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consult import selectors as consult_selectors
from consult import services as consult_services
from consult.models import Consultation, Phase, VotingMethod
from core.errors import Conflict, NotAllowed, ServiceError

from .. import rules as plan_rules
from .. import selectors
from ..models import (
    CountJob,
    CountRun,
)

logger = logging.getLogger(__name__)

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

    ensure_can_count(user=user, consultation=consultation)
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


def ensure_can_count(*, user: AbstractBaseUser | None, consultation: Consultation) -> None:
    """The city's planners may count (commands pass no user), and only once voting closed (no
    partial results leak)."""
    if user is not None and not plan_rules.can_draft_plan(user, consultation):
        raise NotAllowed(_("Only the city's planners can count a consultation."))
    if consultation.phase not in (Phase.COUNTING, Phase.RESULTS):
        raise ServiceError(_("Votes are counted once voting has closed."))


COUNT_UNDER_WAY = _("A count of this consultation is already under way; wait for it to finish.")


def count_job_request(
    *,
    consultation: Consultation,
    user: AbstractBaseUser | None,
    rule: str | None = None,
    min_votes: int = 0,
    tie_break: str = "lexicographic",
    official: bool = False,
) -> CountJob:
    """Ask a worker to count the consultation; returns the queued job at once.

    The checks that do not need the ballots (who may count, voting closed, the rule) are made
    here so that the person asking hears a refusal now, not later from the job. A second request
    while a count of the consultation is under way is a Conflict; a job left behind by a worker
    that died (older than COUNT_JOB_STALE_AFTER) is marked failed first.
    """
    from planning.counting import RULES
    from planning.tasks import run_count_job

    ensure_can_count(user=user, consultation=consultation)
    rule = rule or consultation.counting_rule
    if rule not in RULES:
        raise ServiceError(_("Unknown counting rule."), field="rule")
    stale_before = timezone.now() - timedelta(seconds=settings.COUNT_JOB_STALE_AFTER)
    with transaction.atomic():
        Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
        CountJob.objects.filter(
            consultation=consultation, state__in=CountJob.UNDER_WAY, created_at__lt=stale_before,
        ).update(state=CountJob.State.FAILED, finished_at=timezone.now(),
                 error=_("The count stopped without finishing; ask for it again."))
        if CountJob.objects.filter(consultation=consultation,
                                   state__in=CountJob.UNDER_WAY).exists():
            raise Conflict(COUNT_UNDER_WAY)
        try:
            with transaction.atomic():
                job = CountJob.objects.create(
                    consultation=consultation, rule=rule, min_votes=min_votes,
                    tie_break=tie_break, official=official,
                    requested_by=user if user is not None and user.is_authenticated else None,
                )
        except IntegrityError as error:  # a request on another server got there first
            raise Conflict(COUNT_UNDER_WAY) from error
        transaction.on_commit(lambda: run_count_job.delay(job.pk))
    job.refresh_from_db()  # without a broker the job has run by now
    return job


def count_job_run(*, job_id: int) -> CountJob:
    """Carry out a queued count job (the worker's part). A refusal or a counting error ends the
    job as failed with its message; anything unexpected too, and is logged."""
    claimed = CountJob.objects.filter(pk=job_id, state=CountJob.State.QUEUED).update(
        state=CountJob.State.RUNNING, started_at=timezone.now())
    job = CountJob.objects.select_related("consultation", "requested_by").get(pk=job_id)
    if not claimed:  # already taken by another worker (a redelivered message)
        return job
    try:
        run = count_run_create(
            consultation=job.consultation, rule=job.rule, min_votes=job.min_votes,
            tie_break=job.tie_break, official=job.official, user=job.requested_by)
    except ServiceError as error:
        job.state, job.error = CountJob.State.FAILED, error.message
    except Exception:
        logger.exception("count job %s failed", job_id)
        job.state, job.error = CountJob.State.FAILED, _("The count failed; ask for it again.")
    else:
        job.state, job.count_run = CountJob.State.DONE, run
    finally:
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "error", "count_run", "finished_at"])
    return job


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
