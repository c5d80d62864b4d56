"""Writes of the planning app: counting a consultation into an immutable CountRun, drafting a
strategy plan from it, editing, versions and council review, monitoring."""
from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consult import selectors as consult_selectors
from consult import services as consult_services
from consult.models import Consultation, Phase, Proposal, VotingMethod
from core.errors import NotAllowed, ServiceError
from core.validation import validated

from . import rules as plan_rules
from . import selectors
from .models import (
    Action,
    BudgetLine,
    CountRun,
    FundingSource,
    Indicator,
    IndicatorPeriod,
    Objective,
    PlanChange,
    PlanComment,
    PlanStatus,
    PlanVersion,
    PlanYearCeiling,
    ResultLevel,
    ReviewDecision,
    StrategyPlan,
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
    from decimal import Decimal
    from fractions import Fraction

    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


# --- strategy plans ----------------------------------------------------------------------------
# Every service below checks its predicate, locks the plan row (so two planners' edits and a
# council decision are serialised), writes, and records a PlanChange for the audit log.

MONEY_STEP = Decimal("0.01")


def _log(plan: StrategyPlan, user, kind: str, detail: str = "", **data) -> PlanChange:
    return PlanChange.objects.create(
        plan=plan, user=user if getattr(user, "is_authenticated", False) else None,
        kind=kind, detail=str(detail)[:300], data=data,
    )


def _locked(plan: StrategyPlan) -> StrategyPlan:
    """The plan row, locked for the rest of the transaction, with its city."""
    return StrategyPlan.objects.select_for_update(of=("self",)).select_related("city").get(
        pk=plan.pk
    )


def _editable(plan: StrategyPlan, user) -> StrategyPlan:
    locked = _locked(plan)
    if not plan_rules.is_planner(user, locked):
        raise NotAllowed(_("Only the city's planners can edit this plan."))
    if locked.status == PlanStatus.IN_REVIEW:
        raise ServiceError(
            _("The plan is with the council for review; it can change once they decide.")
        )
    if locked.status == PlanStatus.APPROVED:
        raise ServiceError(
            _("This plan is approved and can no longer change. Start a revision to prepare "
              "the next version.")
        )
    if locked.status == PlanStatus.SUPERSEDED:
        raise ServiceError(_("This plan was superseded by a later plan; it can no longer change."))
    return locked


def _check_year(plan: StrategyPlan, year: int, field: str = "year") -> int:
    try:
        year = int(year)
    except (TypeError, ValueError) as error:
        raise ServiceError(_("Enter a year."), field=field) from error
    if not plan.start_year <= year <= plan.end_year:
        raise ServiceError(
            _("%(year)s is outside the plan period %(start)s–%(end)s.")
            % {"year": year, "start": plan.start_year, "end": plan.end_year},
            field=field,
        )
    return year


def _money(value, field: str = "amount", *, allow_none: bool = False) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ServiceError(_("Enter an amount."), field=field)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise ServiceError(_("Enter an amount."), field=field) from error
    if not amount.is_finite():
        raise ServiceError(_("Enter an amount."), field=field)
    if amount < 0:
        raise ServiceError(_("An amount cannot be negative."), field=field)
    if amount >= Decimal("1e14"):
        raise ServiceError(_("This amount is too large."), field=field)
    return amount.quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def _clean_ceilings(plan: StrategyPlan, ceilings: Mapping[int, Decimal | None]) -> dict:
    cleaned = {}
    for year, amount in ceilings.items():
        year = _check_year(plan, year, field="ceilings")
        amount = _money(amount, field="ceilings", allow_none=True)
        if amount is not None:
            cleaned[year] = amount
    return cleaned


def spread_evenly(total: Decimal, years: list[int]) -> dict[int, Decimal]:
    """Split an amount evenly over years, to the cent; the remainder cents go to the last year
    so the parts add up exactly to the total."""
    cents = int((Decimal(total) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    base, remainder = divmod(cents, len(years))
    parts = {year: Decimal(base) / 100 for year in years}
    parts[years[-1]] += Decimal(remainder) / 100
    return {year: amount.quantize(MONEY_STEP) for year, amount in parts.items()}


def proposal_year_profile(proposal: Proposal, years: list[int]) -> dict[int, Decimal]:
    """A proposal's cost per plan year: its own yearly costs (clamped into the period), or its
    estimated cost spread evenly over the period when it has none."""
    own = [(cost.year, cost.amount) for cost in proposal.year_costs.all()]
    if not own:
        return spread_evenly(proposal.estimated_cost, years)
    profile: dict[int, Decimal] = defaultdict(Decimal)
    for year, amount in own:
        profile[min(max(year, years[0]), years[-1])] += amount
    return dict(profile)


def place_within_ceilings(
    profiles: list[tuple[int, dict[int, Decimal]]],
    *,
    years: list[int],
    ceilings: Mapping[int, Decimal],
) -> tuple[dict[int, int], list[dict]]:
    """Place each action's yearly profile (in rank order: better-ranked actions first) so that
    no year goes over its ceiling, shifting an action's whole profile to later years where the
    period allows. Returns the shift (in years) per action key and the conflicts left: one per
    year still over its ceiling, naming the actions that could not be moved. Pure function."""
    used: dict[int, Decimal] = defaultdict(Decimal)
    shifts: dict[int, int] = {}
    stuck: dict[int, list[int]] = defaultdict(list)
    last = years[-1]

    def fits(profile: dict[int, Decimal], shift: int) -> bool:
        return all(
            year + shift <= last
            and (year + shift not in ceilings or used[year + shift] + amount
                 <= ceilings[year + shift])
            for year, amount in profile.items()
        )

    for key, profile in profiles:
        profile = {year: amount for year, amount in profile.items() if amount}
        latest = max(profile, default=last)
        shift = next((s for s in range(0, last - latest + 1) if fits(profile, s)), None)
        if shift is None:
            shift = 0
            for year in profile:
                if year in ceilings and used[year] + profile[year] > ceilings[year]:
                    stuck[year].append(key)
        shifts[key] = shift
        for year, amount in profile.items():
            used[year + shift] += amount
    conflicts = [
        {
            "code": "ceiling",
            "year": year,
            "ceiling": f"{ceilings[year]:.2f}",
            "planned": f"{used[year]:.2f}",
            "excess": f"{used[year] - ceilings[year]:.2f}",
            "actions": stuck.get(year, []),
        }
        for year in years
        if year in ceilings and used[year] > ceilings[year]
    ]
    return shifts, conflicts


def count_run_official_for(
    *, consultation: Consultation, user, rule: str | None = None
) -> CountRun:
    """The consultation's latest official count, or a new official count once voting closed."""
    run = selectors.count_run_official(consultation=consultation)
    if run is not None:
        return run
    return count_run_create(consultation=consultation, rule=rule, official=True, user=user)


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
    if not plan_rules.can_draft_plan(user, consultation.city):
        raise NotAllowed(_("Only the city's planners can draft a plan."))
    if not count_run.is_official:
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
        .select_related("theme")
        .prefetch_related("year_costs")
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
) -> tuple[StrategyPlan, list[dict]]:
    """The planner's button: use the official count (counting now if there is none yet, once
    voting closed) and draft a plan from it. One transaction: a failed draft leaves no count."""
    if not plan_rules.can_draft_plan(user, consultation.city):
        raise NotAllowed(_("Only the city's planners can draft a plan."))
    with transaction.atomic():
        run = count_run_official_for(consultation=consultation, user=user, rule=rule)
        return plan_draft_from_count(count_run=run, user=user, title=title, ceilings=ceilings)


@transaction.atomic
def plan_update(
    *,
    plan: StrategyPlan,
    user,
    title: str,
    description: str = "",
    envelope: Decimal | None = None,
    ceilings: Mapping[int, Decimal | None] | None = None,
) -> StrategyPlan:
    """Edit the plan's details and (when given) replace its annual ceilings."""
    locked = _editable(plan, user)
    if not (title or "").strip():
        raise ServiceError(_("Give the plan a title."), field="title")
    locked.title = title.strip()
    locked.description = (description or "").strip()
    locked.envelope = _money(envelope, field="envelope", allow_none=True)
    validated(locked)
    locked.save()
    if ceilings is not None:
        cleaned = _clean_ceilings(locked, ceilings)
        locked.ceilings.all().delete()
        PlanYearCeiling.objects.bulk_create(
            PlanYearCeiling(plan=locked, year=year, amount=amount)
            for year, amount in sorted(cleaned.items())
        )
    _log(locked, user, PlanChange.Kind.PLAN_EDITED, locked.title)
    return locked


# --- objectives, actions, budget lines, indicators ---------------------------------------------


NOT_OF_THIS_PLAN = {
    "objective": gettext_lazy("Choose an objective of this plan."),
    "action": gettext_lazy("Choose an action of this plan."),
}


def _own(plan: StrategyPlan, obj, what: str) -> None:
    if obj is not None and getattr(obj, "plan_id", None) != plan.pk:
        raise ServiceError(str(NOT_OF_THIS_PLAN[what]), field=what)


@transaction.atomic
def objective_create(
    *, plan: StrategyPlan, user, title: str, description: str = "",
    result_level: str = ResultLevel.OUTCOME, position: int | None = None,
) -> Objective:
    locked = _editable(plan, user)
    if position is None:
        position = locked.objectives.count()
    objective = Objective(plan=locked, title=(title or "").strip(), description=description,
                          result_level=result_level, position=position)
    validated(objective)
    objective.save()
    _log(locked, user, PlanChange.Kind.OBJECTIVE_ADDED, objective.title, objective=objective.pk)
    return objective


@transaction.atomic
def objective_update(*, objective: Objective, user, **changes: Any) -> Objective:
    locked = _editable(objective.plan, user)
    editable = {"title", "description", "result_level", "position"}
    _only(changes, editable)
    objective = Objective.objects.get(pk=objective.pk, plan=locked)
    for name, value in changes.items():
        setattr(objective, name, value)
    validated(objective)
    objective.save()
    _log(locked, user, PlanChange.Kind.OBJECTIVE_EDITED, objective.title, objective=objective.pk)
    return objective


@transaction.atomic
def objective_delete(*, objective: Objective, user) -> None:
    locked = _editable(objective.plan, user)
    if objective.actions.exists():
        raise ServiceError(_("Move or remove this objective's actions first."))
    title, pk = objective.title, objective.pk
    objective.delete()
    _log(locked, user, PlanChange.Kind.OBJECTIVE_REMOVED, title, objective=pk)


def _only(changes: Mapping[str, Any], editable: set[str]) -> None:
    unknown = set(changes) - editable
    if unknown:
        raise ServiceError(_("These fields cannot be edited: %s") % ", ".join(sorted(unknown)))


def _check_proposals(plan: StrategyPlan, proposals) -> list[Proposal]:
    proposals = list(proposals or [])
    consultation_ids = set(plan.consultations.values_list("pk", flat=True))
    if any(p.consultation_id not in consultation_ids for p in proposals):
        raise ServiceError(
            _("An action can only come from proposals of the plan's consultations."),
            field="proposals",
        )
    return proposals


@transaction.atomic
def action_create(
    *, plan: StrategyPlan, user, objective: Objective, title: str, description: str = "",
    department: str = "", partners: str = "", partner_cities=(), proposals=(),
    rank: int | None = None,
) -> Action:
    locked = _editable(plan, user)
    _own(locked, objective, "objective")
    action = Action(plan=locked, objective=objective, title=(title or "").strip(),
                    description=description, department=department, partners=partners,
                    rank=rank)
    validated(action)
    action.save()
    action.partner_cities.set(partner_cities)
    action.proposals.set(_check_proposals(locked, proposals))
    _log(locked, user, PlanChange.Kind.ACTION_ADDED, action.title, action=action.pk)
    return action


@transaction.atomic
def action_update(*, action: Action, user, **changes: Any) -> Action:
    locked = _editable(action.plan, user)
    _only(changes, {"objective", "title", "description", "department", "partners",
                    "partner_cities", "proposals", "rank"})
    action = Action.objects.get(pk=action.pk, plan=locked)
    _own(locked, changes.get("objective"), "objective")
    cities = changes.pop("partner_cities", None)
    proposals = changes.pop("proposals", None)
    for name, value in changes.items():
        setattr(action, name, value)
    validated(action)
    action.save()
    if cities is not None:
        action.partner_cities.set(cities)
    if proposals is not None:
        action.proposals.set(_check_proposals(locked, proposals))
    _log(locked, user, PlanChange.Kind.ACTION_EDITED, action.title, action=action.pk)
    return action


@transaction.atomic
def action_delete(*, action: Action, user) -> None:
    locked = _editable(action.plan, user)
    title, pk = action.title, action.pk
    Action.objects.filter(pk=pk, plan=locked).delete()
    _log(locked, user, PlanChange.Kind.ACTION_REMOVED, title, action=pk)


def _line_fields(plan: StrategyPlan, fields: Mapping[str, Any]) -> dict:
    cleaned = dict(fields)
    if "year" in cleaned:
        cleaned["year"] = _check_year(plan, cleaned["year"])
    if "amount" in cleaned:
        cleaned["amount"] = _money(cleaned["amount"])
    for name, choices in (("source", FundingSource), ("type", BudgetLine.Type),
                          ("status", BudgetLine.Status)):
        if name in cleaned and cleaned[name] not in choices.values:
            raise ServiceError(_("Choose a valid option."), field=name)
    return cleaned


def _save_line(line: BudgetLine) -> None:
    if BudgetLine.objects.filter(
        action_id=line.action_id, year=line.year, source=line.source, type=line.type
    ).exclude(pk=line.pk).exists():
        raise ServiceError(
            _("This action already has a %(type)s line for %(year)s from this source; edit "
              "that line instead.") % {"type": line.get_type_display().lower(), "year": line.year}
        )
    validated(line)
    line.save()


@transaction.atomic
def budget_line_create(
    *, action: Action, user, year: int, amount: Decimal,
    source: str = FundingSource.MUNICIPAL, type: str = BudgetLine.Type.ORIGINAL,  # noqa: A002
    status: str = BudgetLine.Status.INDICATIVE, currency: str | None = None,
) -> BudgetLine:
    locked = _editable(action.plan, user)
    cleaned = _line_fields(locked, {"year": year, "amount": amount, "source": source,
                                    "type": type, "status": status})
    line = BudgetLine(action=action, currency=currency or locked.currency, **cleaned)
    _save_line(line)
    _log(locked, user, PlanChange.Kind.LINE_ADDED,
         f"{action.title} · {line.year} · {line.amount} {line.currency}",
         line=line.pk, action=action.pk, year=line.year, amount=f"{line.amount:.2f}")
    return line


@transaction.atomic
def budget_line_update(*, line: BudgetLine, user, **changes: Any) -> BudgetLine:
    locked = _editable(line.action.plan, user)
    _only(changes, {"year", "amount", "source", "type", "status", "currency"})
    line = BudgetLine.objects.select_related("action").get(pk=line.pk, action__plan=locked)
    before = f"{line.amount:.2f}"
    for name, value in _line_fields(locked, changes).items():
        setattr(line, name, value)
    _save_line(line)
    _log(locked, user, PlanChange.Kind.LINE_EDITED,
         f"{line.action.title} · {line.year} · {line.amount} {line.currency}",
         line=line.pk, action=line.action_id, year=line.year, before=before,
         after=f"{line.amount:.2f}")
    return line


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, user) -> None:
    locked = _editable(line.action.plan, user)
    detail = f"{line.action.title} · {line.year} · {line.amount} {line.currency}"
    pk = line.pk
    BudgetLine.objects.filter(pk=pk, action__plan=locked).delete()
    _log(locked, user, PlanChange.Kind.LINE_REMOVED, detail, line=pk)


INDICATOR_FIELDS = {
    "title", "measure", "unit_label", "ascending", "baseline_year", "baseline_value",
    "baseline_comment", "means_of_verification", "assumptions",
}


def _set_targets(indicator: Indicator, plan: StrategyPlan, targets, target_comments) -> None:
    targets = dict(targets or {})
    comments = dict(target_comments or {})
    for year in set(targets) | set(comments):
        _check_year(plan, year, field="targets")
    existing = {period.year: period for period in indicator.periods.all()}
    for year in plan.years:
        if year not in targets and year not in comments:
            continue
        period = existing.get(year) or IndicatorPeriod(indicator=indicator, year=year)
        if year in targets:
            period.target = targets[year]
        if year in comments:
            period.target_comment = (comments[year] or "").strip()
        validated(period)
        period.save()


@transaction.atomic
def indicator_create(
    *, plan: StrategyPlan, user, title: str, action: Action | None = None,
    objective: Objective | None = None, targets: Mapping[int, Decimal | None] | None = None,
    target_comments: Mapping[int, str] | None = None, **fields: Any,
) -> Indicator:
    locked = _editable(plan, user)
    _only(fields, INDICATOR_FIELDS)
    if (action is None) == (objective is None):
        raise ServiceError(_("Attach the indicator to an action or to an objective, not both."))
    _own(locked, action, "action")
    _own(locked, objective, "objective")
    indicator = Indicator(plan=locked, action=action, objective=objective,
                          title=(title or "").strip(), **fields)
    validated(indicator)
    indicator.save()
    _set_targets(indicator, locked, targets, target_comments)
    _log(locked, user, PlanChange.Kind.INDICATOR_ADDED, indicator.title, indicator=indicator.pk)
    return indicator


@transaction.atomic
def indicator_update(
    *, indicator: Indicator, user, targets: Mapping[int, Decimal | None] | None = None,
    target_comments: Mapping[int, str] | None = None, **changes: Any,
) -> Indicator:
    locked = _editable(indicator.plan, user)
    _only(changes, INDICATOR_FIELDS | {"action", "objective"})
    indicator = Indicator.objects.get(pk=indicator.pk, plan=locked)
    _own(locked, changes.get("action"), "action")
    _own(locked, changes.get("objective"), "objective")
    for name, value in changes.items():
        setattr(indicator, name, value)
    if (indicator.action_id is None) == (indicator.objective_id is None):
        raise ServiceError(_("Attach the indicator to an action or to an objective, not both."))
    validated(indicator)
    indicator.save()
    _set_targets(indicator, locked, targets, target_comments)
    _log(locked, user, PlanChange.Kind.INDICATOR_EDITED, indicator.title, indicator=indicator.pk)
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator, user) -> None:
    locked = _editable(indicator.plan, user)
    title, pk = indicator.title, indicator.pk
    Indicator.objects.filter(pk=pk, plan=locked).delete()
    _log(locked, user, PlanChange.Kind.INDICATOR_REMOVED, title, indicator=pk)


# --- versions and council review ---------------------------------------------------------------


@transaction.atomic
def plan_submit(*, plan: StrategyPlan, user, note: str = "") -> PlanVersion:
    """Freeze the plan into a new immutable version and send it to the council."""
    locked = _locked(plan)
    if not plan_rules.is_planner(user, locked):
        raise NotAllowed(_("Only the city's planners can submit this plan."))
    if not locked.is_editable:
        raise ServiceError(
            _("Only a draft or a returned plan can be submitted; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    if not locked.actions.exists():
        raise ServiceError(_("Add at least one action before submitting the plan."))
    number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=locked, number=number, snapshot=selectors.plan_snapshot(plan=locked),
        checks=[check.as_dict() for check in selectors.plan_checks(locked)],
        note=(note or "").strip(), created_by=user,
    )
    locked.status = PlanStatus.IN_REVIEW
    locked.save(update_fields=["status", "updated_at"])
    _log(locked, user, PlanChange.Kind.SUBMITTED, f"v{number}", version=number)
    return version


@transaction.atomic
def plan_comment_create(
    *, plan: StrategyPlan, user, body: str, action: Action | None = None
) -> PlanComment:
    """A council member (or a planner answering) remarks on the plan or one of its actions."""
    locked = _locked(plan)
    if not plan_rules.can_comment_plan(user, locked):
        raise NotAllowed(_("Only the city's planners and council members can comment on plans."))
    body = (body or "").strip()
    if not body:
        raise ServiceError(_("Write something before sending."), field="body")
    if len(body) > 4000:
        raise ServiceError(_("Keep comments under 4000 characters."), field="body")
    _own(locked, action, "action")
    comment = PlanComment.objects.create(
        plan=locked, version=locked.versions.order_by("-number").first(), action=action,
        action_title=action.title if action else "", author=user, body=body,
    )
    _log(locked, user, PlanChange.Kind.COMMENTED, action.title if action else "",
         comment=comment.pk)
    return comment


@transaction.atomic
def plan_review_decide(
    *, plan: StrategyPlan, user, decision: str, reason: str = ""
) -> ReviewDecision:
    """A council member of the plan's city approves or returns the version under review.

    Approving makes that version the one in force (public, monitored); the version approved
    before it is superseded, and so is any other approved plan of the city for an overlapping
    period. Returning needs a reason the planners can act on."""
    locked = _locked(plan)
    if not plan_rules.is_plan_reviewer(user, locked):
        raise NotAllowed(_("Only the council members of the plan's city review it (planners of "
                           "the city do not review their own plan)."))
    if not plan_rules.can_review_plan(user, locked):
        raise ServiceError(
            _("Only a plan in review can be approved or returned; this one is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    if decision not in ReviewDecision.Decision.values:
        raise ServiceError(_("Choose approve or return."), field="decision")
    reason = (reason or "").strip()
    if decision == ReviewDecision.Decision.RETURN and not reason:
        raise ServiceError(_("Tell the planners why you return the plan."), field="reason")
    version = locked.versions.order_by("-number").first()
    if version is None or hasattr(version, "decision"):
        raise ServiceError(_("There is no version waiting for a decision."))
    record = ReviewDecision.objects.create(
        plan=locked, version=version, reviewer=user, decision=decision, reason=reason
    )
    if decision == ReviewDecision.Decision.APPROVE:
        locked.status = PlanStatus.APPROVED
        locked.approved_version = version
        for other in StrategyPlan.objects.select_for_update().filter(
            city_id=locked.city_id, status=PlanStatus.APPROVED,
            start_year__lte=locked.end_year, end_year__gte=locked.start_year,
        ).exclude(pk=locked.pk):
            other.status = PlanStatus.SUPERSEDED
            other.save(update_fields=["status", "updated_at"])
            _log(other, user, PlanChange.Kind.SUPERSEDED, locked.title, by=locked.pk)
        _log(locked, user, PlanChange.Kind.APPROVED, f"v{version.number}",
             version=version.number)
    else:
        locked.status = PlanStatus.RETURNED
        _log(locked, user, PlanChange.Kind.RETURNED, reason[:300], version=version.number)
    locked.save(update_fields=["status", "approved_version", "updated_at"])
    return record


@transaction.atomic
def plan_revision_start(*, plan: StrategyPlan, user) -> StrategyPlan:
    """An approved plan never changes: its approved version stays in force (public, monitored)
    while the planners prepare the next version, which goes through review again."""
    locked = _locked(plan)
    if not plan_rules.is_planner(user, locked):
        raise NotAllowed(_("Only the city's planners can revise this plan."))
    if locked.status != PlanStatus.APPROVED:
        raise ServiceError(_("Only an approved plan can be revised."))
    locked.status = PlanStatus.DRAFT
    locked.save(update_fields=["status", "updated_at"])
    _log(locked, user, PlanChange.Kind.REVISION_STARTED,
         f"v{locked.approved_version.number}" if locked.approved_version else "")
    return locked


# --- monitoring --------------------------------------------------------------------------------


def _monitored(plan: StrategyPlan, user) -> StrategyPlan:
    locked = _locked(plan)
    if not plan_rules.is_planner(user, locked):
        raise NotAllowed(_("Only the city's planners can record monitoring data."))
    if locked.approved_version_id is None or locked.status == PlanStatus.SUPERSEDED:
        raise ServiceError(_("Execution is recorded once the plan is approved."))
    return locked


@transaction.atomic
def budget_line_record_spending(*, line: BudgetLine, user, spent: Decimal | None) -> BudgetLine:
    locked = _monitored(line.action.plan, user)
    line = BudgetLine.objects.select_related("action").get(pk=line.pk, action__plan=locked)
    line.spent = _money(spent, field="spent", allow_none=True)
    line.save(update_fields=["spent"])
    _log(locked, user, PlanChange.Kind.SPENDING_RECORDED,
         f"{line.action.title} · {line.year} · {line.spent if line.spent is not None else '—'}",
         line=line.pk, spent=None if line.spent is None else f"{line.spent:.2f}")
    return line


@transaction.atomic
def indicator_record_actual(
    *, indicator: Indicator, user, year: int, actual: Decimal | None, actual_comment: str = ""
) -> IndicatorPeriod:
    locked = _monitored(indicator.plan, user)
    indicator = Indicator.objects.get(pk=indicator.pk, plan=locked)
    year = _check_year(locked, year)
    period, _created = IndicatorPeriod.objects.get_or_create(indicator=indicator, year=year)
    period.actual = actual
    period.actual_comment = (actual_comment or "").strip()
    validated(period)
    period.save()
    _log(locked, user, PlanChange.Kind.ACTUAL_RECORDED, f"{indicator.title} · {year}",
         indicator=indicator.pk, year=year,
         actual=None if actual is None else str(actual))
    return period
