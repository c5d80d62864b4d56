"""Editing a plan: its settings, objectives, actions, budget lines and indicators."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from consult.models import Proposal
from core.errors import ServiceError
from core.i18n import apply_translations
from core.validation import validated

from ..models import (
    Action,
    BudgetLine,
    FundingSource,
    Indicator,
    IndicatorPeriod,
    Objective,
    PlanChange,
    PlanYearCeiling,
    ResultLevel,
    StrategyPlan,
)
from ._common import _check_year, _clean_ceilings, _editable, _figure, _log, _money, _own


@transaction.atomic
def plan_update(
    *,
    plan: StrategyPlan,
    user,
    title: str | None = None,
    description: str | None = None,
    envelope: Decimal | None = None,
    ceilings: Mapping[int, Decimal | None] | None = None,
    translations: Mapping[str, Mapping[str, str]] | None = None,
) -> StrategyPlan:
    """Edit the plan's details and (when given) replace its annual ceilings. ``title`` and
    ``description`` are in the request's language (``None``: unchanged); ``translations``
    gives them in other languages."""
    locked = _editable(plan, user)
    if title is not None:
        locked.title = title.strip()
    if description is not None:
        locked.description = description.strip()
    apply_translations(locked, translations)
    if not (locked.title or "").strip():
        raise ServiceError(_("Give the plan a title."), field="title")
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


@transaction.atomic
def objective_create(
    *, plan: StrategyPlan, user, title: str = "", description: str = "",
    result_level: str = ResultLevel.OUTCOME, position: int | None = None,
    translations: Mapping[str, Mapping[str, str]] | None = None,
) -> Objective:
    locked = _editable(plan, user)
    if position is None:
        position = locked.objectives.count()
    objective = Objective(plan=locked, title=(title or "").strip(), description=description,
                          result_level=result_level, position=position)
    apply_translations(objective, translations)
    validated(objective)
    objective.save()
    _log(locked, user, PlanChange.Kind.OBJECTIVE_ADDED, objective.title, objective=objective.pk)
    return objective


@transaction.atomic
def objective_update(
    *, objective: Objective, user, translations: Mapping[str, Mapping[str, str]] | None = None,
    **changes: Any,
) -> Objective:
    locked = _editable(objective.plan, user)
    editable = {"title", "description", "result_level", "position"}
    _only(changes, editable)
    objective = Objective.objects.get(pk=objective.pk, plan=locked)
    for name, value in changes.items():
        setattr(objective, name, value)
    apply_translations(objective, translations)
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
    *, plan: StrategyPlan, user, objective: Objective, title: str = "", description: str = "",
    department: str = "", partners: str = "", partner_cities=(), proposals=(),
    rank: int | None = None, translations: Mapping[str, Mapping[str, str]] | None = None,
) -> Action:
    locked = _editable(plan, user)
    _own(locked, objective, "objective")
    action = Action(plan=locked, objective=objective, title=(title or "").strip(),
                    description=description, department=department, partners=partners,
                    rank=rank)
    apply_translations(action, translations)
    validated(action)
    action.save()
    action.partner_cities.set(partner_cities)
    action.proposals.set(_check_proposals(locked, proposals))
    _log(locked, user, PlanChange.Kind.ACTION_ADDED, action.title, action=action.pk)
    return action


@transaction.atomic
def action_update(
    *, action: Action, user, translations: Mapping[str, Mapping[str, str]] | None = None,
    **changes: Any,
) -> Action:
    locked = _editable(action.plan, user)
    _only(changes, {"objective", "title", "description", "department", "partners",
                    "partner_cities", "proposals", "rank"})
    action = Action.objects.get(pk=action.pk, plan=locked)
    _own(locked, changes.get("objective"), "objective")
    cities = changes.pop("partner_cities", None)
    proposals = changes.pop("proposals", None)
    for name, value in changes.items():
        setattr(action, name, value)
    apply_translations(action, translations)
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
    _log(locked, user, PlanChange.Kind.LINE_ADDED, f"{action.title} · {line.year}",
         line=line.pk, action=action.pk, year=line.year, amount=f"{line.amount:.2f}",
         **_figure(line.amount, line.currency))
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
    _log(locked, user, PlanChange.Kind.LINE_EDITED, f"{line.action.title} · {line.year}",
         line=line.pk, action=line.action_id, year=line.year, before=before,
         after=f"{line.amount:.2f}", **_figure(line.amount, line.currency))
    return line


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, user) -> None:
    locked = _editable(line.action.plan, user)
    detail, figure = f"{line.action.title} · {line.year}", _figure(line.amount, line.currency)
    pk = line.pk
    BudgetLine.objects.filter(pk=pk, action__plan=locked).delete()
    _log(locked, user, PlanChange.Kind.LINE_REMOVED, detail, line=pk, **figure)


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


def _attached_once(indicator: Indicator) -> None:
    if (indicator.action_id is None) == (indicator.objective_id is None):
        raise ServiceError(_("Attach the indicator to an action or to an objective, not both."))


@transaction.atomic
def indicator_create(
    *, plan: StrategyPlan, user, title: str, action: Action | None = None,
    objective: Objective | None = None, targets: Mapping[int, Decimal | None] | None = None,
    target_comments: Mapping[int, str] | None = None, **fields: Any,
) -> Indicator:
    locked = _editable(plan, user)
    _only(fields, INDICATOR_FIELDS)
    _own(locked, action, "action")
    _own(locked, objective, "objective")
    indicator = Indicator(plan=locked, action=action, objective=objective,
                          title=(title or "").strip(), **fields)
    _attached_once(indicator)
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
    _attached_once(indicator)
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
