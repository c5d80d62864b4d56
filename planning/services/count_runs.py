"""Counting a consultation: its ballots into the engine, the outcome into an immutable CountRun."""
from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consult import selectors as consult_selectors
from consult import services as consult_services
from consult.models import Ballot, Consultation, Phase, VotingMethod
from core.errors import Conflict, NotAllowed, ServiceError

from .. import rules as plan_rules
from .. import selectors
from ..models import (
    COMPARED_WITH_GREEDY,
    CountJob,
    CountRun,
    OfficialChoice,
    ResultsPublication,
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


#: The reason recorded when a count is made official as it is made (the draft page's "Count the
#: votes", commands, the demo): the consultation's own rule was applied.
OFFICIAL_AT_COUNT = _("Counted as the official count with the consultation's rule.")
NO_REASON = _("Say why this count is the official one.")
NOT_THIS_CONSULTATION = _("That count is not a count of this consultation.")
ALREADY_OFFICIAL = _("This count is already the official count.")
NO_OFFICIAL_COUNT = _("Choose the official count before publishing the results.")
ALREADY_PUBLISHED = _("The results of this consultation are already published.")


def rule_options() -> dict[str, tuple[str, ...]]:
    """The options each rule takes (the engine's RULE_OPTIONS; none where it has no such
    table)."""
    from planning import counting

    return {rule: tuple(names) for rule, names in getattr(counting, "RULE_OPTIONS", {}).items()}


def rules_for(*, consultation: Consultation) -> list[str]:
    """The engine's rules that apply to the consultation's kind of ballot."""
    from planning.counting import RULES, rule_applies

    vote_type = VOTE_TYPES[consultation.voting_method]
    return [rule for rule in RULES if rule_applies(rule, vote_type)]


def ensure_rule(*, consultation: Consultation, rule: str,
                options: Mapping[str, str] | None) -> dict[str, str]:
    """The rule is one of the engine's, applies to the consultation's ballots, and takes the
    options given (their values are the engine's to check). Returns the options as a dict."""
    from planning.counting import RULES

    if rule not in RULES:
        raise ServiceError(_("Unknown counting rule."), field="rule")
    if rule not in rules_for(consultation=consultation):
        raise ServiceError(_(
            "This rule does not apply to this consultation's kind of ballot "
            "(%(method)s); choose another rule.") % {
                "method": consultation.get_voting_method_display()}, field="rule")
    options = dict(options or {})
    allowed = rule_options().get(rule, ())
    for name, value in options.items():
        if name not in allowed or not isinstance(value, str):
            raise ServiceError(_("The rule %(rule)s takes no option %(option)s.") % {
                "rule": rule, "option": name}, field="options")
    return options


def voters_funded(election, selected: list[str]) -> int:
    """How many ballots have at least one selected proposal (with points, for points ballots):
    from the ballots already in memory, once, when the count is made."""
    import numpy as np

    chosen = np.isin(np.asarray(election.project_ids, dtype=object),
                     np.asarray(list(selected), dtype=object))
    hit = chosen[election.indices] if len(election.indices) else np.zeros(0, dtype=bool)
    if election.points is not None and len(hit):
        hit &= np.asarray(election.points > 0, dtype=bool)
    voters = np.repeat(np.arange(election.n_voters), np.diff(election.indptr))
    return int(np.unique(voters[hit]).size)


def greedy_comparison(election, proposal_pks, *, rule: str, min_votes: int,
                      tie_break: str) -> dict | None:
    """What a plain greedy count selects on the election already in memory (with the same
    minimum votes and tie-break): the selected project and proposal ids, how many, the money
    allocated (a decimal string) and the ballots with a funded proposal. None for a greedy
    count (it is its own comparison), or where greedy does not apply or fails."""
    from planning.counting import CountingError, count, rule_applies

    if rule == "greedy" or not rule_applies("greedy", election.vote_type):
        return None
    try:
        outcome = count(election, "greedy", min_votes=min_votes, tie_break=tie_break)
    except CountingError:
        logger.warning("the greedy comparison of a %s count failed", rule, exc_info=True)
        return None
    index = {pid: i for i, pid in enumerate(election.project_ids)}
    selected = list(outcome.selected)
    return {
        "selected": selected,
        "selected_proposal_ids": sorted(int(proposal_pks[index[pid]]) for pid in selected),
        "n_selected": len(selected),
        "allocated": str(_decimal(outcome.total_cost).quantize(Decimal("0.01"))),
        "voters_funded": voters_funded(election, selected),
    }


@transaction.atomic
def count_run_create(
    *,
    consultation: Consultation,
    rule: str | None = None,
    min_votes: int | None = None,
    tie_break: str = "lexicographic",
    options: Mapping[str, str] | None = None,
    official: bool = False,
    reason: str = "",
    user: AbstractBaseUser | None = None,
) -> CountRun:
    """Count the consultation's ballots and store the immutable record.

    Only after voting has closed (no partial results leak), only by the city's planners when a
    user is given (commands pass none). ``min_votes`` defaults to the consultation's own;
    ``options`` go to the engine as keyword arguments. ``official`` also records the count as
    the official one (an OfficialChoice, with ``reason`` or OFFICIAL_AT_COUNT).
    """
    from planning.counting import CountingError, count

    ensure_can_count(user=user, consultation=consultation)
    rule = rule or consultation.counting_rule
    options = ensure_rule(consultation=consultation, rule=rule, options=options)
    if min_votes is None:
        min_votes = getattr(consultation, "min_votes", 0)
    started = time.perf_counter()
    election, proposal_pks = consultation_election(consultation=consultation)
    try:
        outcome = count(election, rule, min_votes=min_votes, tie_break=tie_break, **options)
    except CountingError as error:
        raise ServiceError(str(error)) from error
    duration_ms = round((time.perf_counter() - started) * 1000)
    index = {pid: i for i, pid in enumerate(election.project_ids)}
    selected_pks = sorted(int(proposal_pks[index[pid]]) for pid in outcome.selected)
    stored = outcome.to_dict()
    greedy = greedy_comparison(election, proposal_pks, rule=rule, min_votes=min_votes,
                               tie_break=tie_break)
    if greedy is not None:
        stored[COMPARED_WITH_GREEDY] = greedy
    run = CountRun.objects.create(
        consultation=consultation,
        rule=rule,
        min_votes=min_votes,
        tie_break=outcome.tie_break,
        options=options,
        input_hash=election.input_hash(),
        n_ballots=election.n_voters,
        n_projects=election.n_projects,
        budget=consultation.budget,
        total_cost=_decimal(outcome.total_cost),
        selected=list(outcome.selected),
        selected_proposal_ids=selected_pks,
        outcome=stored,
        voters_funded=voters_funded(election, outcome.selected),
        engine_version=ENGINE_VERSION,
        duration_ms=duration_ms,
        created_by=user,
    )
    run.is_official = False
    if official:
        _official_record(consultation=consultation, run=run, user=user,
                         reason=reason.strip() or str(OFFICIAL_AT_COUNT))
    return run


def ensure_can_count(*, user: AbstractBaseUser | None, consultation: Consultation) -> None:
    """The city's planners may count (commands pass no user), and only once voting closed (no
    partial results leak)."""
    ensure_counter(user=user, consultation=consultation)
    if consultation.phase not in (Phase.COUNTING, Phase.RESULTS):
        raise ServiceError(_("Votes are counted once voting has closed."))


def ensure_counter(*, user: AbstractBaseUser | None, consultation: Consultation) -> None:
    """The person may count this consultation and choose and publish its results: the city's
    planners (`rules.can_draft_plan`); commands pass no user."""
    if user is not None and not plan_rules.can_draft_plan(user, consultation):
        raise NotAllowed(_("Only the city's planners can count a consultation."))


COUNT_UNDER_WAY = _("A count of this consultation is already under way; wait for it to finish.")


def count_job_request(
    *,
    consultation: Consultation,
    user: AbstractBaseUser | None,
    rule: str | None = None,
    min_votes: int | None = None,
    tie_break: str = "lexicographic",
    options: Mapping[str, str] | None = None,
    official: bool = False,
) -> CountJob:
    """Ask a worker to count the consultation; returns the queued job at once.

    The checks that do not need the ballots (who may count, voting closed, the rule and its
    options) are made here so that the person asking hears a refusal now, not later from the
    job. A second request while a count of the consultation is under way is a Conflict; a job
    left behind by a worker that died (older than COUNT_JOB_STALE_AFTER) is marked failed first.
    """
    from planning.tasks import run_count_job

    ensure_can_count(user=user, consultation=consultation)
    rule = rule or consultation.counting_rule
    options = ensure_rule(consultation=consultation, rule=rule, options=options)
    if min_votes is None:
        min_votes = getattr(consultation, "min_votes", 0)
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
                    tie_break=tie_break, options=options, official=official,
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
            tie_break=job.tie_break, options=job.options, official=job.official,
            user=job.requested_by)
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


def _tell_fates_after_commit(*, consultation: Consultation, selected, proposal_ids,
                             occasion: str) -> None:
    """Telling grows with the consultation's people (a city's voters): a worker does it once
    the publication or choice is committed, never the request."""
    from consult.tasks import tell_fates

    args = (consultation.pk, sorted(selected),
            None if proposal_ids is None else sorted(proposal_ids), occasion)
    # robust: the publication stands even if telling fails (it is logged; telling again is safe)
    transaction.on_commit(lambda: tell_fates.delay(*args), robust=True)


def _official_record(*, consultation: Consultation, run: CountRun, user,
                     reason: str) -> OfficialChoice:
    """Record ``run`` as the official count. The proposals' statuses (what every page, the API
    and the exports say of each proposal) follow the official selection once the results are
    published: at publication, and at every later choice, which tells the people behind each
    proposal whose fate it changed."""
    choice = OfficialChoice.objects.create(
        consultation=consultation, count_run=run, reason=reason,
        created_by=user if user is not None and user.is_authenticated else None)
    run.is_official = True
    if ResultsPublication.objects.filter(consultation=consultation).exists():
        before = consult_selectors.selected_proposal_ids(consultation=consultation)
        consult_services.proposals_mark_selected(
            consultation=consultation, proposal_ids=run.selected_proposal_ids)
        after = set(run.selected_proposal_ids)
        if before != after:  # only the proposals whose fate changed are told again
            _tell_fates_after_commit(consultation=consultation, selected=after,
                                     proposal_ids=before ^ after, occasion=str(choice.pk))
    return choice


@transaction.atomic
def official_choose(*, consultation: Consultation, count_run_id: int,
                    user: AbstractBaseUser | None, reason: str) -> OfficialChoice:
    """A planner makes one of the consultation's counts the official one, saying why. The
    latest choice decides; earlier ones stay as its history. Choosing again needs its own
    reason."""
    ensure_counter(user=user, consultation=consultation)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(NO_REASON, field="reason")
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    run = CountRun.objects.filter(consultation=consultation, pk=count_run_id).first()
    if run is None:
        raise ServiceError(NOT_THIS_CONSULTATION, field="count_run")
    if run.is_official:
        raise ServiceError(ALREADY_OFFICIAL, field="count_run")
    return _official_record(consultation=consultation, run=run, user=user, reason=reason)


def paper_ballots_after(*, count_run: CountRun) -> int:
    """Paper ballots that became ballots after the count read the ballots (clerks may enter them
    until the results are published): the count does not hold them. The count read its ballots
    at most ``duration_ms`` before it was stored."""
    read_at = count_run.created_at - timedelta(milliseconds=count_run.duration_ms)
    return Ballot.objects.filter(consultation_id=count_run.consultation_id,
                                 channel=Ballot.Channel.PAPER, created_at__gte=read_at).count()


@transaction.atomic
def results_publish(*, consultation: Consultation, user: AbstractBaseUser | None
                    ) -> ResultsPublication:
    """Publish the consultation's results: the public results page shows the official count
    from now on (whichever it is later: the latest choice). Only by the
    city's planners (commands and the demo pass no user), once there is an official count,
    once."""
    ensure_counter(user=user, consultation=consultation)
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    if ResultsPublication.objects.filter(consultation=consultation).exists():
        raise ServiceError(ALREADY_PUBLISHED)
    choice = selectors.official_choice_latest(consultation=consultation)
    if choice is None:
        raise ServiceError(NO_OFFICIAL_COUNT)
    late = paper_ballots_after(count_run=choice.count_run)
    if late:
        raise ServiceError(ngettext(
            "%(n)s paper ballot was entered after the official count: count again and make "
            "the new count official before publishing.",
            "%(n)s paper ballots were entered after the official count: count again and make "
            "the new count official before publishing.", late) % {"n": late})
    try:
        with transaction.atomic():
            publication = ResultsPublication.objects.create(
                consultation=consultation, official_choice=choice,
                created_by=user if user is not None and user.is_authenticated else None)
    except IntegrityError as error:  # published at the same moment elsewhere
        raise ServiceError(ALREADY_PUBLISHED) from error
    consult_services.proposals_mark_selected(
        consultation=consultation, proposal_ids=choice.count_run.selected_proposal_ids)
    # Who wrote, supported or follows a proposal on the ballot hears what became of it, and
    # every voter that the results are out.
    _tell_fates_after_commit(consultation=consultation,
                             selected=choice.count_run.selected_proposal_ids,
                             proposal_ids=None, occasion=str(choice.pk))
    return publication
