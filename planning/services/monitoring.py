"""Monitoring an approved plan: spending per budget line, actual values per indicator and year.
Each recorded change of an action tells the people behind its proposals (notices)."""
from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import NotAllowed, ServiceError
from core.validation import validated

from .. import rules as plan_rules
from ..models import (
    BudgetLine,
    Indicator,
    IndicatorPeriod,
    PlanChange,
    PlanStatus,
    StrategyPlan,
)
from ._common import _check_year, _figure, _locked, _log, _money
from .notices import tell_action_progress


def ensure_can_monitor(*, plan: StrategyPlan, user) -> None:
    if not plan_rules.is_planner(user, plan):
        raise NotAllowed(_("Only the city's planners can record monitoring data."))
    if plan.approved_version_id is None or plan.status == PlanStatus.SUPERSEDED:
        raise ServiceError(_("Execution is recorded once the plan is approved."))


def _monitored(plan: StrategyPlan, user) -> StrategyPlan:
    locked = _locked(plan)
    ensure_can_monitor(plan=locked, user=user)
    return locked


@transaction.atomic
def budget_line_record_spending(*, line: BudgetLine, user, spent: Decimal | None) -> BudgetLine:
    locked = _monitored(line.action.plan, user)
    line = BudgetLine.objects.select_related("action").get(pk=line.pk, action__plan=locked)
    line.spent = _money(spent, field="spent", allow_none=True)
    line.save(update_fields=["spent"])
    change = _log(
        locked, user, PlanChange.Kind.SPENDING_RECORDED,
        f"{line.action.title} · {line.year}",
        line=line.pk, spent=None if line.spent is None else f"{line.spent:.2f}",
        **_figure(line.spent, line.currency))
    tell_action_progress(action=line.action, change=change)
    return line


@transaction.atomic
def indicator_record_actual(
    *, indicator: Indicator, user, year: int, actual: Decimal | None, actual_comment: str = ""
) -> IndicatorPeriod:
    locked = _monitored(indicator.plan, user)
    indicator = Indicator.objects.select_related("action").get(pk=indicator.pk, plan=locked)
    year = _check_year(locked, year)
    period, _created = IndicatorPeriod.objects.get_or_create(indicator=indicator, year=year)
    period.actual = actual
    period.actual_comment = (actual_comment or "").strip()
    validated(period)
    period.save()
    change = _log(locked, user, PlanChange.Kind.ACTUAL_RECORDED, f"{indicator.title} · {year}",
                  indicator=indicator.pk, year=year,
                  actual=None if actual is None else str(actual), **_figure(actual))
    if indicator.action is not None:  # an objective's indicator belongs to no proposal
        tell_action_progress(action=indicator.action, change=change)
    return period
