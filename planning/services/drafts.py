"""Drafting a strategy plan from a consultation's official count."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from consult.models import Consultation, Proposal
from core.errors import Conflict, NotAllowed, ServiceError
from core.validation import validated

from .. import rules as plan_rules
from .. import selectors
from ..drafting import place_within_ceilings, year_profile
from ..models import (
    Action,
    BudgetLine,
    CountRun,
    Indicator,
    IndicatorPeriod,
    Objective,
    PlanChange,
    PlanStatus,
    PlanYearCeiling,
    ResultLevel,
    StrategyPlan,
)
from ._common import _clean_ceilings, _log
from .count_runs import count_run_official_for, ensure_can_count

NOT_COUNTED_YET = _("There is no official count of this consultation yet: count the votes "
                    "first, then draft the plan.")


def proposal_year_profile(proposal: Proposal, years: list[int]) -> dict[int, Decimal]:
    """A proposal's cost per plan year (see `drafting.year_profile`): the validated cost and
    its split when a reviewer found it feasible (`consult.models.ProposalAssessment`), the
    author's estimate and split otherwise. Load the proposals with `select_related("assessment")`
    and `prefetch_related("year_costs", "assessment__year_costs")`."""
    assessment = getattr(proposal, "assessment", None)  # no row: RelatedObjectDoesNotExist
    if assessment is not None and assessment.validated_cost is not None:
        return year_profile(
            estimated_cost=assessment.validated_cost,
            year_costs=[(cost.year, cost.amount) for cost in assessment.year_costs.all()],
            years=years,
        )
    return year_profile(
        estimated_cost=proposal.estimated_cost,
        year_costs=[(cost.year, cost.amount) for cost in proposal.year_costs.all()],
        years=years,
    )


def ensure_can_draft(*, user, city) -> None:
    if not plan_rules.can_draft_plan(user, city):
        raise NotAllowed(_("Only the city's planners can draft a plan."))


@transaction.atomic
def plan_draft_from_count(
    *,
    count_run: CountRun,
    user,
    title: str | None = None,
    ceilings: Mapping[int, Decimal | None] | None = None,
) -> tuple[StrategyPlan, list[dict]]:
    """Draft a plan from an official count: an objective per theme, an action per selected
    proposal (ranked as in the count's selection order), budget lines from the proposals' costs
    per year, an indicator stub per action. Actions are shifted to later years where annual
    ceilings require it; the conflicts that remain are returned and kept on the plan."""
    consultation = Consultation.objects.select_related("city").get(pk=count_run.consultation_id)
    ensure_can_draft(user=user, city=consultation.city)
    official = selectors.count_run_official(consultation=consultation)
    if official is None or official.pk != count_run.pk:
        raise ServiceError(_("Plans are drafted from the official count."))
    if StrategyPlan.objects.filter(count_run=count_run, status=PlanStatus.DRAFT).exists():
        raise ServiceError(_("A draft plan from this count already exists; edit that one."))
    title = (title or "").strip() or _("Strategy plan %(start)s–%(end)s: %(consultation)s") % {
        "start": consultation.plan_start_year,
        "end": consultation.plan_end_year,
        "consultation": consultation.title,
    }
    plan = StrategyPlan(
        city=consultation.city,
        title=title[:200],
        start_year=consultation.plan_start_year,
        end_year=consultation.plan_end_year,
        currency=consultation.currency,
        envelope=count_run.budget,
        count_run=count_run,
        created_by=user,
    )
    validated(plan)
    plan.save()
    plan.consultations.add(consultation)
    ceilings = _clean_ceilings(plan, ceilings or {})
    PlanYearCeiling.objects.bulk_create(
        PlanYearCeiling(plan=plan, year=year, amount=amount)
        for year, amount in sorted(ceilings.items())
    )

    objectives = {}
    for position, theme in enumerate(consultation.themes.order_by("position", "name")):
        objectives[theme.pk] = Objective.objects.create(
            plan=plan, title=theme.name, description=theme.description, theme=theme,
            result_level=ResultLevel.OUTCOME, position=position,
        )

    proposals = {
        proposal.count_id: proposal
        for proposal in Proposal.objects.filter(pk__in=count_run.selected_proposal_ids)
        .select_related("theme", "assessment")
        .prefetch_related("year_costs", "assessment__year_costs")
    }
    order = [str(pid) for pid in count_run.outcome.get("selection_order") or count_run.selected]
    ordered = [proposals[pid] for pid in order if pid in proposals]
    ordered += sorted((p for pid, p in proposals.items() if pid not in order), key=lambda p: p.pk)

    years = plan.years
    profiles = [(proposal.pk, proposal_year_profile(proposal, years)) for proposal in ordered]
    shifts, conflicts = place_within_ceilings(profiles, years=years, ceilings=ceilings)

    actions = []
    for rank, proposal in enumerate(ordered, start=1):
        objective = objectives.get(proposal.theme_id)
        if objective is None:  # a theme added after the objectives were listed
            objective = objectives[proposal.theme_id] = Objective.objects.create(
                plan=plan, title=proposal.theme.name, theme=proposal.theme,
                position=len(objectives),
            )
        actions.append(Action(
            plan=plan, objective=objective, title=proposal.title[:200],
            description=proposal.summary, partners=proposal.partners[:300], rank=rank,
        ))
    Action.objects.bulk_create(actions)
    by_proposal = {proposal.pk: action for proposal, action in zip(ordered, actions, strict=True)}
    Action.proposals.through.objects.bulk_create(
        Action.proposals.through(action_id=action.pk, proposal_id=pk)
        for pk, action in by_proposal.items()
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(action=by_proposal[pk], year=year + shifts[pk], amount=amount,
                   currency=plan.currency)
        for pk, profile in profiles
        for year, amount in sorted(profile.items())
        if amount
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(plan=plan, action=action,
                  title=(_("Result: %(action)s") % {"action": action.title})[:200])
        for action in actions
    )
    IndicatorPeriod.objects.bulk_create(
        IndicatorPeriod(indicator=indicator, year=year)
        for indicator in indicators
        for year in years
    )
    shifted = [
        {"action": by_proposal[pk].pk, "title": by_proposal[pk].title, "years": shift}
        for pk, shift in shifts.items()
        if shift
    ]
    for conflict in conflicts:
        conflict["actions"] = [
            {"id": by_proposal[pk].pk, "title": by_proposal[pk].title} for pk in conflict["actions"]
        ]
    plan.draft_report = {"shifted": shifted, "conflicts": conflicts}
    plan.save(update_fields=["draft_report"])
    _log(plan, user, PlanChange.Kind.DRAFTED, consultation.title, count_run=count_run.pk,
         actions=len(actions), shifted=len(shifted), conflicts=len(conflicts))
    return plan, conflicts


def plan_draft_for_consultation(
    *,
    consultation: Consultation,
    user,
    title: str | None = None,
    ceilings: Mapping[int, Decimal | None] | None = None,
    rule: str | None = None,
    count_now: bool = False,
) -> tuple[StrategyPlan, list[dict]]:
    """The planner's button: draft a plan from the consultation's official count.

    Counting reads every ballot, so the web and the API have a worker count first (a CountJob)
    and are refused here while there is no official count (Conflict). Commands and the demo
    may count in-process (`count_now=True`); one transaction, so a failed draft leaves no count.
    """
    ensure_can_draft(user=user, city=consultation.city)
    with transaction.atomic():
        if count_now:
            run = count_run_official_for(consultation=consultation, user=user, rule=rule)
        else:
            ensure_can_count(user=user, consultation=consultation)
            run = selectors.count_run_official(consultation=consultation)
            if run is None:
                raise Conflict(NOT_COUNTED_YET)
        return plan_draft_from_count(count_run=run, user=user, title=title, ceilings=ceilings)
