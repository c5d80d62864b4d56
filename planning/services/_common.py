"""What every plan write shares: the plan row lock, the editable check, the audit log, years and
money as a planner types them."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotAllowed, ServiceError
from core.validation import in_period

from .. import rules as plan_rules
from ..drafting import MONEY_STEP
from ..models import (
    NEGATIVE_AMOUNT,
    PlanChange,
    PlanStatus,
    StrategyPlan,
)


def _log(plan: StrategyPlan, user, kind: str, detail: str = "", **data) -> PlanChange:
    return PlanChange.objects.create(
        plan=plan, user=user if getattr(user, "is_authenticated", False) else None,
        kind=kind, detail=str(detail)[:300], data=data,
    )


def _figure(value: Decimal | None, currency: str = "") -> dict:
    """The figure of a change, kept apart from its text (`PlanChange.figure` words it in the
    reader's language when shown): an amount with its currency, or a plain number."""
    return {"figure": None if value is None else str(value), "currency": currency}


def _locked(plan: StrategyPlan) -> StrategyPlan:
    """The plan row, locked for the rest of the transaction, with its city."""
    return StrategyPlan.objects.select_for_update(of=("self",)).select_related("city").get(
        pk=plan.pk
    )


def ensure_editable(*, plan: StrategyPlan, user) -> None:
    """Refuse unless `user` may edit `plan` now: a planner of its city, while it is a draft or
    returned. The edit pages call it before showing a form, every edit service under the lock."""
    if not plan_rules.is_planner(user, plan):
        raise NotAllowed(_("Only the city's planners can edit this plan."))
    if plan.status == PlanStatus.IN_REVIEW:
        raise ServiceError(
            _("The plan is with the council for review; it can change once they decide.")
        )
    if plan.status == PlanStatus.APPROVED:
        raise ServiceError(
            _("This plan is approved and can no longer change. Start a revision to prepare "
              "the next version.")
        )
    if plan.status == PlanStatus.SUPERSEDED:
        raise ServiceError(_("This plan was superseded by a later plan; it can no longer change."))


def _editable(plan: StrategyPlan, user) -> StrategyPlan:
    locked = _locked(plan)
    ensure_editable(plan=locked, user=user)
    return locked


def _check_year(plan: StrategyPlan, year: int, field: str = "year") -> int:
    try:
        year = int(year)
    except (TypeError, ValueError) as error:
        raise ServiceError(_("Enter a year."), field=field) from error
    return in_period(year, start=plan.start_year, end=plan.end_year, field=field)


def _money(value, field: str = "amount", *, allow_none: bool = False) -> Decimal | None:
    if (value is None or value == "") and allow_none:
        return None
    try:
        amount = Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        raise ServiceError(_("Enter an amount."), field=field)
    if amount < 0:
        raise ServiceError(str(NEGATIVE_AMOUNT), field=field)
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


NOT_OF_THIS_PLAN = {
    "objective": gettext_lazy("Choose an objective of this plan."),
    "action": gettext_lazy("Choose an action of this plan."),
}


def _own(plan: StrategyPlan, obj, what: str) -> None:
    if obj is not None and getattr(obj, "plan_id", None) != plan.pk:
        raise ServiceError(str(NOT_OF_THIS_PLAN[what]), field=what)
