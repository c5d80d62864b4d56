"""The checks a plan must pass before the council sees it, with a message for the planner."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from ..models import (
    Action,
    BudgetLine,
    Indicator,
    Objective,
    StrategyPlan,
)

ZERO = Decimal("0.00")


CHECK_MESSAGES = {
    "no_actions": _("The plan has no actions yet."),
    "over_envelope": _(
        "The plan spends %(total)s %(currency)s, %(excess)s over its envelope of "
        "%(envelope)s %(currency)s."
    ),
    "over_ceiling": _(
        "%(year)s: %(total)s %(currency)s planned, %(excess)s over the ceiling of "
        "%(ceiling)s %(currency)s."
    ),
    "line_outside_period": _(
        "“%(action)s” has money in %(year)s, outside the plan period %(start)s–%(end)s."
    ),
    "line_other_currency": _(
        "“%(action)s” has a budget line in %(line_currency)s; the plan counts in %(currency)s."
    ),
    "action_without_indicator": _("“%(action)s” has no indicator: add one to follow its results."),
    "action_without_budget": _("“%(action)s” has no budget line."),
    "indicator_without_baseline": _(
        "The indicator “%(indicator)s” has no baseline (year and value)."
    ),
    "indicator_without_targets": _("The indicator “%(indicator)s” has no target for any year."),
    "objective_without_actions": _("The objective “%(objective)s” has no actions."),
}


CONFLICT_MESSAGES = {
    "ceiling": _(
        "%(year)s stays %(excess)s over its ceiling of %(ceiling)s (%(planned)s planned); these "
        "actions could not move to a later year: %(actions)s."
    ),
}


@dataclass(frozen=True)
class Check:
    """One finding about a plan, with a message for the planner. `severity` is "error" for what
    breaks a limit (envelope, ceiling, period) and "warning" for what is missing."""

    code: str
    severity: str
    params: dict = field(default_factory=dict)
    anchor: str = ""

    @property
    def message(self) -> str:
        return str(CHECK_MESSAGES[self.code]) % self.params

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "params": self.params,
                "anchor": self.anchor}

    @classmethod
    def from_dict(cls, data: dict) -> Check:
        return cls(code=data["code"], severity=data["severity"], params=data.get("params", {}),
                   anchor=data.get("anchor", ""))


def conflict_message(conflict: dict) -> str:
    params = {**conflict, "actions": ", ".join(
        f"“{action['title']}”" if isinstance(action, dict) else str(action)
        for action in conflict.get("actions", [])
    ) or "—"}
    return str(CONFLICT_MESSAGES.get(conflict.get("code"), CONFLICT_MESSAGES["ceiling"])) % params


def _fmt(amount: Decimal | None) -> str:
    return "" if amount is None else f"{Decimal(amount):,.2f}"


def current_budget_lines(plan: StrategyPlan) -> QuerySet[BudgetLine]:
    """The lines that count: a revised line replaces the original line of the same action, year
    and source (IATI budget types)."""
    revised = BudgetLine.objects.filter(
        action_id=OuterRef("action_id"), year=OuterRef("year"), source=OuterRef("source"),
        type=BudgetLine.Type.REVISED,
    )
    return (
        BudgetLine.objects.filter(action__plan=plan)
        .annotate(has_revision=Exists(revised))
        .filter(Q(type=BudgetLine.Type.REVISED) | Q(has_revision=False))
    )


def plan_checks(plan: StrategyPlan) -> list[Check]:
    """What the planner should look at, in a fixed number of queries. Never raises on
    incomplete data: every finding is a message."""
    checks: list[Check] = []
    currency = plan.currency
    lines = current_budget_lines(plan)
    per_year = {row["year"]: row["total"] or ZERO
                for row in lines.order_by().values("year").annotate(total=Sum("amount"))}
    total = sum(per_year.values(), ZERO)
    actions = list(
        Action.objects.filter(plan=plan)
        .annotate(n_indicators=Count("indicators", distinct=True),
                  n_lines=Count("budget_lines", distinct=True))
        .values("pk", "title", "n_indicators", "n_lines")
    )
    if not actions:
        checks.append(Check("no_actions", "warning"))
    if plan.envelope is not None and total > plan.envelope:
        checks.append(Check("over_envelope", "error", {
            "total": _fmt(total), "envelope": _fmt(plan.envelope),
            "excess": _fmt(total - plan.envelope), "currency": currency,
        }, "budget"))
    for ceiling in plan.ceilings.all():
        planned = per_year.get(ceiling.year, ZERO)
        if planned > ceiling.amount:
            checks.append(Check("over_ceiling", "error", {
                "year": ceiling.year, "total": _fmt(planned), "ceiling": _fmt(ceiling.amount),
                "excess": _fmt(planned - ceiling.amount), "currency": currency,
            }, "budget"))
    outside = (
        BudgetLine.objects.filter(action__plan=plan)
        .filter(Q(year__lt=plan.start_year) | Q(year__gt=plan.end_year))
        .values("action__title", "year").distinct()
    )
    for row in outside:
        checks.append(Check("line_outside_period", "error", {
            "action": row["action__title"], "year": row["year"],
            "start": plan.start_year, "end": plan.end_year,
        }, "budget"))
    for row in (BudgetLine.objects.filter(action__plan=plan).exclude(currency=currency)
                .values("action__title", "currency").distinct()):
        checks.append(Check("line_other_currency", "warning", {
            "action": row["action__title"], "line_currency": row["currency"],
            "currency": currency,
        }, "budget"))
    for action in actions:
        if not action["n_lines"]:
            checks.append(Check("action_without_budget", "warning", {"action": action["title"]},
                                f"action-{action['pk']}"))
        if not action["n_indicators"]:
            checks.append(Check("action_without_indicator", "warning",
                                {"action": action["title"]}, f"action-{action['pk']}"))
    indicators = (
        Indicator.objects.filter(plan=plan)
        .annotate(n_targets=Count(
            "periods",
            filter=Q(periods__target__isnull=False) | ~Q(periods__target_comment=""),
        ))
        .values("pk", "title", "baseline_year", "baseline_value", "baseline_comment",
                "n_targets")
    )
    for indicator in indicators:
        anchor = f"indicator-{indicator['pk']}"
        if indicator["baseline_year"] is None or (
            indicator["baseline_value"] is None and not indicator["baseline_comment"]
        ):
            checks.append(Check("indicator_without_baseline", "warning",
                                {"indicator": indicator["title"]}, anchor))
        if not indicator["n_targets"]:
            checks.append(Check("indicator_without_targets", "warning",
                                {"indicator": indicator["title"]}, anchor))
    for objective in (Objective.objects.filter(plan=plan)
                      .annotate(n=Count("actions")).filter(n=0).values("pk", "title")):
        checks.append(Check("objective_without_actions", "warning",
                            {"objective": objective["title"]}, f"objective-{objective['pk']}"))
    return checks
