"""The review of proposals before the vote (CONSUL's "valuation"): a city administrator assigns
proposals to reviewers; a reviewer (or a planner, or an administrator) records whether each one
is feasible and at what validated cost, between the close of proposals and the opening of the
vote. Only feasible proposals reach the ballot, at their validated cost (docs/domain.md)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotAllowed, ServiceError
from core.formatting import format_money
from core.validation import in_period, validated

from .. import rules as perms
from ..models import (
    AssessmentYearCost,
    CityRole,
    Consultation,
    Proposal,
    ProposalAssessment,
)
from .notices import tell_assessment

ONLY_REVIEW_STAFF = gettext_lazy(
    "Only the city's reviewers, planners and administrators can assess its proposals.")
ASSESSMENT_CLOSED = gettext_lazy(
    "Proposals are assessed between the close of proposals and the opening of the vote.")
ASSESSMENT_BALLOT_FIXED = gettext_lazy(
    "Voting has opened: the ballot is fixed and assessments can no longer change.")
NOT_ASSESSABLE = gettext_lazy(
    "Only a published or shortlisted proposal can be assessed.")
ONLY_ADMINS_ASSIGN = gettext_lazy(
    "Only the city's administrators can assign proposals to reviewers, before voting opens.")
NOT_A_REVIEWER = gettext_lazy("Choose a reviewer of this city.")


def ensure_can_assess(*, user: AbstractBaseUser, proposal: Proposal) -> None:
    """Refuse (403) unless the user may assess this proposal now, saying why."""
    if perms.can_assess_proposal(user, proposal):
        return
    if not perms.is_review_staff(user, proposal):
        raise NotAllowed(ONLY_REVIEW_STAFF)
    if proposal.consultation.voting_has_opened():
        raise NotAllowed(ASSESSMENT_BALLOT_FIXED)
    if not perms.is_review_phase(user, proposal):
        raise NotAllowed(ASSESSMENT_CLOSED)
    raise NotAllowed(NOT_ASSESSABLE)


def ensure_can_assign(*, user: AbstractBaseUser, proposal: Proposal) -> None:
    if not perms.can_assign_reviewer(user, proposal):
        raise NotAllowed(ONLY_ADMINS_ASSIGN)


def _year_split(
    *, proposal: Proposal, validated_cost: Decimal, year_costs: Mapping[int, Decimal]
) -> dict[int, Decimal]:
    consultation = proposal.consultation
    split = {}
    for year, amount in year_costs.items():
        in_period(int(year), start=consultation.plan_start_year, end=consultation.plan_end_year,
                  field="year_costs")
        if amount < 0:
            raise ServiceError(_("A validated yearly cost cannot be negative."),
                               field="year_costs")
        if amount:
            split[int(year)] = amount
    if year_costs and sum(year_costs.values(), Decimal("0")) != validated_cost:
        raise ServiceError(_(
            "The validated years add up to %(years)s, not the validated %(validated)s.") % {
            "years": format_money(sum(year_costs.values(), Decimal("0")), consultation.currency),
            "validated": format_money(validated_cost, consultation.currency),
        }, field="year_costs")
    return split


@transaction.atomic
def assessment_save(
    *,
    user: AbstractBaseUser,
    proposal: Proposal,
    verdict: str,
    reason: str = "",
    validated_cost: Decimal | None = None,
    cost_reason: str = "",
    year_costs: Mapping[int, Decimal] | None = None,
    notes: str = "",
) -> ProposalAssessment:
    """Record (or change) the assessment of a proposal. A feasible proposal needs its validated
    cost (a reason when it differs from the author's estimate) and may split it over the plan
    years (the parts add up to it exactly; no split spreads it evenly when a plan is drafted);
    a proposal that is not feasible needs a public reason. The proposal row is locked, so two
    reviewers saving at once store one assessment, the last one whole."""
    locked = (Proposal.objects.select_for_update().select_related("consultation__city")
              .get(pk=proposal.pk))
    ensure_can_assess(user=user, proposal=locked)
    reason, cost_reason, notes = reason.strip(), cost_reason.strip(), notes.strip()
    split: dict[int, Decimal] = {}
    if verdict == ProposalAssessment.Verdict.NOT_FEASIBLE:
        if not reason:
            raise ServiceError(_("Say publicly why the proposal is not feasible."),
                               field="reason")
        validated_cost, cost_reason = None, ""
    elif verdict == ProposalAssessment.Verdict.FEASIBLE:
        if validated_cost is None:
            raise ServiceError(_("Give the validated cost of a feasible proposal."),
                               field="validated_cost")
        if validated_cost < 0:
            raise ServiceError(_("The validated cost cannot be negative."),
                               field="validated_cost")
        if validated_cost != locked.estimated_cost and not cost_reason:
            raise ServiceError(
                _("Say why the validated cost differs from the author's estimate."),
                field="cost_reason")
        if validated_cost == locked.estimated_cost:
            cost_reason = ""
        split = _year_split(proposal=locked, validated_cost=validated_cost,
                            year_costs=year_costs or {})
    else:
        raise ServiceError(_("Choose feasible or not feasible."), field="verdict")
    assessment = ProposalAssessment.objects.filter(proposal=locked).first() or (
        ProposalAssessment(proposal=locked))
    assessment.verdict = verdict
    assessment.reason = reason
    assessment.validated_cost = validated_cost
    assessment.cost_reason = cost_reason
    assessment.notes = notes
    assessment.assessed_by = user
    assessment.assessed_at = timezone.now()
    validated(assessment)
    assessment.save()
    assessment.year_costs.all().delete()
    AssessmentYearCost.objects.bulk_create(
        AssessmentYearCost(assessment=assessment, year=year, amount=amount)
        for year, amount in sorted(split.items()))
    tell_assessment(assessment=assessment)
    return assessment


@transaction.atomic
def assessment_assign(
    *,
    user: AbstractBaseUser,
    consultation: Consultation,
    proposal_ids: Iterable[int],
    reviewer: AbstractBaseUser | None,
) -> int:
    """Assign proposals of a consultation to a reviewer of its city (``reviewer=None`` takes
    them back); an assessment already made keeps its verdict.
    One proposal or a filtered selection: the queries do not grow with the number of proposals.
    Returns the number of proposals assigned."""
    ids = sorted({int(pk) for pk in proposal_ids})
    if not ids:
        raise ServiceError(_("Tick the proposals to assign, or assign all those shown."),
                           field="proposals")
    proposals = list(
        Proposal.objects.select_for_update().select_related("consultation__city")
        .filter(consultation=consultation, pk__in=ids).order_by("pk"))
    if len(proposals) != len(ids):
        raise ServiceError(_("Choose proposals of this consultation."), field="proposals")
    for proposal in proposals:
        ensure_can_assign(user=user, proposal=proposal)
    if reviewer is not None and not CityRole.objects.filter(
            user=reviewer, city_id=consultation.city_id, role=CityRole.Role.REVIEWER).exists():
        raise ServiceError(NOT_A_REVIEWER, field="reviewer")
    ProposalAssessment.objects.bulk_create(
        [ProposalAssessment(proposal=proposal, reviewer=reviewer) for proposal in proposals],
        update_conflicts=True, unique_fields=["proposal"], update_fields=["reviewer"])
    return len(proposals)
