"""Reads of the planning app. Totals are aggregated in the database (values + Sum); lists use
select_related / prefetch_related so the number of queries does not grow with the rows."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consult.models import CityRole, Consultation, Proposal

from .models import (
    Action,
    BudgetLine,
    CountRun,
    Indicator,
    IndicatorPeriod,
    Objective,
    PlanChange,
    PlanComment,
    PlanStatus,
    PlanVersion,
    ReviewDecision,
    StrategyPlan,
)


def count_run_official(*, consultation: Consultation) -> CountRun | None:
    """The count that decides the consultation: its latest official CountRun, if any."""
    return consultation.count_runs.filter(is_official=True).order_by("-created_at", "-pk").first()

ZERO = Decimal("0.00")

# --- checks ------------------------------------------------------------------------------------

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


# --- the workspace -----------------------------------------------------------------------------


def plans_for(user) -> dict[str, Any]:
    """Plans a user works on (as planner or council member, in their cities) and the approved
    plans everybody may read."""
    public = (
        StrategyPlan.objects.filter(approved_version__isnull=False)
        .exclude(status=PlanStatus.SUPERSEDED)
        .select_related("city", "approved_version")
        .order_by("city__name", "-start_year")
    )
    working = StrategyPlan.objects.none()
    if user.is_authenticated:
        cities = CityRole.objects.filter(
            user=user, role__in=[CityRole.Role.PLANNER, CityRole.Role.ADMIN,
                                 CityRole.Role.COUNCIL]
        ).values("city_id")
        working = (
            StrategyPlan.objects.filter(city_id__in=cities)
            .select_related("city", "approved_version")
            .annotate(n_actions=Count("actions"))
            .order_by("city__name", "-updated_at")
        )
    return {"working": working, "public": public}


def consultations_to_plan(user) -> QuerySet:
    """Closed consultations of the cities where the user plans, with their plans."""
    cities = CityRole.objects.filter(
        user=user, role__in=[CityRole.Role.PLANNER, CityRole.Role.ADMIN]
    ).values("city_id")
    return (
        Consultation.objects.filter(city_id__in=cities, voting_closes_at__lte=timezone.now())
        .select_related("city")
        .annotate(n_official=Count("count_runs", filter=Q(count_runs__is_official=True)),
                  n_plans=Count("plans", distinct=True))
        .order_by("city__name", "-voting_closes_at")
    )


def plan_get(*, pk: int) -> StrategyPlan:
    return StrategyPlan.objects.select_related(
        "city", "count_run", "approved_version"
    ).get(pk=pk)


def plan_budget(plan: StrategyPlan) -> dict[str, Any]:
    """The year × action grid with totals per year, per objective and per funding source, all
    aggregated in the database over the current lines (4 queries)."""
    lines = current_budget_lines(plan).order_by()
    cells = defaultdict(dict)
    for row in lines.values("action_id", "year").annotate(total=Sum("amount")):
        cells[row["action_id"]][row["year"]] = row["total"]
    per_year = {row["year"]: row["total"]
                for row in lines.values("year").annotate(total=Sum("amount"))}
    per_objective = {row["action__objective_id"]: row["total"]
                     for row in lines.values("action__objective_id").annotate(total=Sum("amount"))}
    per_source = [
        {"source": row["source"], "label": _source_label(row["source"]), "total": row["total"]}
        for row in lines.values("source").annotate(total=Sum("amount")).order_by("source")
    ]
    ceilings = {ceiling.year: ceiling.amount for ceiling in plan.ceilings.all()}
    years = [
        {"year": year, "total": per_year.get(year, ZERO), "ceiling": ceilings.get(year),
         "over": ceilings.get(year) is not None and per_year.get(year, ZERO) > ceilings[year]}
        for year in plan.years
    ]
    return {
        "cells": cells,
        "years": years,
        "per_objective": per_objective,
        "per_source": per_source,
        "total": sum(per_year.values(), ZERO),
        "ceilings": ceilings,
    }


def _source_label(value: str) -> str:
    from .models import FundingSource

    return str(dict(FundingSource.choices).get(value, value))


def plan_workspace(plan: StrategyPlan) -> dict[str, Any]:
    """Everything the planner workspace and the review page show, in a bounded number of
    queries whatever the number of actions, lines and indicators."""
    periods = IndicatorPeriod.objects.order_by("year")
    indicators = Indicator.objects.prefetch_related(Prefetch("periods", queryset=periods))
    actions = list(
        Action.objects.filter(plan=plan)
        .select_related("objective")
        .prefetch_related(
            Prefetch("proposals",
                     queryset=Proposal.objects.select_related("consultation__city")),
            "partner_cities",
            Prefetch("budget_lines", queryset=BudgetLine.objects.order_by("year", "source",
                                                                          "type")),
            Prefetch("indicators", queryset=indicators),
        )
    )
    objectives = list(
        Objective.objects.filter(plan=plan).prefetch_related(
            Prefetch("indicators", queryset=indicators)
        )
    )
    budget = plan_budget(plan)
    for action in actions:
        row = budget["cells"].get(action.pk, {})
        action.year_cells = [row.get(year) for year in plan.years]
        action.total = sum((v for v in row.values() if v is not None), ZERO)
    by_objective = defaultdict(list)
    for action in actions:
        by_objective[action.objective_id].append(action)
    for objective in objectives:
        objective.plan_actions = by_objective.get(objective.pk, [])
        objective.total = budget["per_objective"].get(objective.pk, ZERO)
    return {
        "objectives": objectives,
        "actions": actions,
        "budget": budget,
        "checks": plan_checks(plan),
        "conflicts": [
            {**conflict, "message": conflict_message(conflict)}
            for conflict in plan.draft_report.get("conflicts", [])
        ] if plan.status == PlanStatus.DRAFT and not plan.versions.exists() else [],
        "shifted": plan.draft_report.get("shifted", []),
        "versions": plan_versions(plan),
        "comments": plan_comments(plan),
    }


def plan_versions(plan: StrategyPlan) -> list[PlanVersion]:
    return list(
        PlanVersion.objects.filter(plan=plan)
        .select_related("created_by", "decision__reviewer")
        .defer("snapshot")
        .order_by("-number")
    )


def plan_comments(plan: StrategyPlan) -> QuerySet[PlanComment]:
    return PlanComment.objects.filter(plan=plan).select_related("author", "version", "action")


def plan_decisions(plan: StrategyPlan) -> QuerySet[ReviewDecision]:
    return ReviewDecision.objects.filter(plan=plan).select_related("reviewer", "version")


def plan_history(plan: StrategyPlan) -> QuerySet[PlanChange]:
    return PlanChange.objects.filter(plan=plan).select_related("user")


def version_status(version: PlanVersion, plan: StrategyPlan) -> str:
    """In review, returned, approved (in force) or superseded: derived, since versions never
    change once stored."""
    decision = getattr(version, "decision", None) if _has_decision(version) else None
    if decision is None:
        return PlanStatus.IN_REVIEW
    if decision.decision == ReviewDecision.Decision.RETURN:
        return PlanStatus.RETURNED
    if plan.approved_version_id == version.pk and plan.status != PlanStatus.SUPERSEDED:
        return PlanStatus.APPROVED
    return PlanStatus.SUPERSEDED


def _has_decision(version: PlanVersion) -> bool:
    try:
        version.decision  # noqa: B018
    except ReviewDecision.DoesNotExist:
        return False
    return True


# --- snapshots ---------------------------------------------------------------------------------


def _money(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _number(value) -> str | None:
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return text


def plan_snapshot(*, plan: StrategyPlan) -> dict[str, Any]:
    """The whole plan as JSON-ready data (amounts as strings): what a version freezes. Ids are
    kept so two versions of the same plan can be compared line by line."""
    plan = StrategyPlan.objects.select_related("city", "count_run").prefetch_related(
        "consultations", "ceilings"
    ).get(pk=plan.pk)
    workspace_actions = (
        Action.objects.filter(plan=plan)
        .select_related("objective")
        .prefetch_related("proposals", "partner_cities",
                          Prefetch("budget_lines", queryset=BudgetLine.objects.order_by(
                              "year", "source", "type", "pk")))
    )
    indicators = Indicator.objects.filter(plan=plan).prefetch_related(
        Prefetch("periods", queryset=IndicatorPeriod.objects.order_by("year"))
    )
    return {
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "description": plan.description,
            "city": {"id": plan.city_id, "slug": plan.city.slug, "name": plan.city.name},
            "start_year": plan.start_year,
            "end_year": plan.end_year,
            "currency": plan.currency,
            "envelope": _money(plan.envelope),
            "count_run": plan.count_run_id,
            "count_rule": plan.count_run.rule if plan.count_run else None,
            "consultations": [
                {"id": c.pk, "slug": c.slug, "title": c.title} for c in plan.consultations.all()
            ],
        },
        "ceilings": {str(c.year): _money(c.amount) for c in plan.ceilings.all()},
        "objectives": [
            {"id": o.pk, "title": o.title, "description": o.description,
             "result_level": o.result_level, "theme": o.theme_id, "position": o.position}
            for o in Objective.objects.filter(plan=plan)
        ],
        "actions": [
            {
                "id": a.pk,
                "title": a.title,
                "description": a.description,
                "objective": a.objective_id,
                "objective_title": a.objective.title,
                "department": a.department,
                "partners": a.partners,
                "partner_cities": sorted(c.name for c in a.partner_cities.all()),
                "rank": a.rank,
                "proposals": sorted(p.pk for p in a.proposals.all()),
                "budget_lines": [
                    {"id": line.pk, "year": line.year, "amount": _money(line.amount),
                     "currency": line.currency, "source": line.source, "type": line.type,
                     "status": line.status}
                    for line in a.budget_lines.all()
                ],
            }
            for a in workspace_actions
        ],
        "indicators": [
            {
                "id": i.pk,
                "title": i.title,
                "action": i.action_id,
                "objective": i.objective_id,
                "measure": i.measure,
                "unit_label": i.unit_label,
                "ascending": i.ascending,
                "baseline_year": i.baseline_year,
                "baseline_value": _number(i.baseline_value),
                "baseline_comment": i.baseline_comment,
                "means_of_verification": i.means_of_verification,
                "assumptions": i.assumptions,
                "targets": {
                    str(p.year): {"value": _number(p.target), "comment": p.target_comment}
                    for p in i.periods.all()
                    if p.target is not None or p.target_comment
                },
            }
            for i in indicators
        ],
    }


def snapshot_view(snapshot: dict) -> dict[str, Any]:
    """A snapshot arranged for a page: objectives with their actions, a year × action grid with
    totals (computed from the frozen figures, which no longer live in tables)."""
    plan = snapshot["plan"]
    years = list(range(plan["start_year"], plan["end_year"] + 1))
    indicators_by_action = defaultdict(list)
    indicators_by_objective = defaultdict(list)
    for indicator in snapshot.get("indicators", []):
        indicator = {**indicator, "target_list": [
            indicator["targets"].get(str(year)) for year in years
        ]}
        if indicator.get("action"):
            indicators_by_action[indicator["action"]].append(indicator)
        else:
            indicators_by_objective[indicator.get("objective")].append(indicator)
    year_totals = defaultdict(Decimal)
    source_totals = defaultdict(Decimal)
    objectives = []
    actions_by_objective = defaultdict(list)
    for action in snapshot.get("actions", []):
        current = _current_snapshot_lines(action["budget_lines"])
        per_year = defaultdict(Decimal)
        for line in current:
            per_year[line["year"]] += Decimal(line["amount"])
            year_totals[line["year"]] += Decimal(line["amount"])
            source_totals[line["source"]] += Decimal(line["amount"])
        actions_by_objective[action["objective"]].append({
            **action,
            "year_cells": [per_year.get(year) for year in years],
            "total": sum(per_year.values(), Decimal("0")),
            "indicator_list": indicators_by_action.get(action["id"], []),
        })
    for objective in snapshot.get("objectives", []):
        actions = actions_by_objective.get(objective["id"], [])
        objectives.append({
            **objective,
            "action_list": actions,
            "total": sum((a["total"] for a in actions), Decimal("0")),
            "indicator_list": indicators_by_objective.get(objective["id"], []),
        })
    ceilings = snapshot.get("ceilings", {})
    return {
        "plan": plan,
        "years": [
            {"year": year, "total": year_totals.get(year, Decimal("0")),
             "ceiling": Decimal(ceilings[str(year)]) if str(year) in ceilings else None}
            for year in years
        ],
        "objectives": objectives,
        "sources": [
            {"source": source, "label": _source_label(source), "total": total}
            for source, total in sorted(source_totals.items())
        ],
        "total": sum(year_totals.values(), Decimal("0")),
    }


def _current_snapshot_lines(lines: list[dict]) -> list[dict]:
    revised = {(line["year"], line["source"]) for line in lines if line["type"] == "revised"}
    return [line for line in lines
            if line["type"] == "revised" or (line["year"], line["source"]) not in revised]


# --- transparency ------------------------------------------------------------------------------


def public_plan(*, pk: int) -> tuple[StrategyPlan, PlanVersion]:
    """An approved plan and its version in force; raises StrategyPlan.DoesNotExist otherwise."""
    plan = StrategyPlan.objects.select_related("city", "approved_version").get(
        pk=pk, approved_version__isnull=False
    )
    return plan, plan.approved_version


def plan_execution(plan: StrategyPlan) -> dict[str, Any]:
    """Monitoring figures: spending per line and year against the budget, and indicators'
    targets and actuals per year (3 queries)."""
    lines = current_budget_lines(plan).order_by()
    per_year = [
        {"year": row["year"], "budget": row["budget"] or ZERO, "spent": row["spent"] or ZERO}
        for row in lines.values("year").annotate(budget=Sum("amount"), spent=Sum("spent"))
        .order_by("year")
    ]
    per_action = {
        row["action_id"]: {"budget": row["budget"] or ZERO, "spent": row["spent"] or ZERO}
        for row in lines.values("action_id").annotate(budget=Sum("amount"), spent=Sum("spent"))
    }
    indicators = list(
        Indicator.objects.filter(plan=plan)
        .select_related("action", "objective")
        .prefetch_related(Prefetch("periods", queryset=IndicatorPeriod.objects.order_by("year")))
    )
    for indicator in indicators:
        by_year = {p.year: p for p in indicator.periods.all()}
        indicator.progress = [
            _progress(indicator, by_year.get(year), year) for year in plan.years
        ]
    return {"per_year": per_year, "per_action": per_action, "indicators": indicators,
            "total_budget": sum((r["budget"] for r in per_year), ZERO),
            "total_spent": sum((r["spent"] for r in per_year), ZERO)}


def _progress(indicator: Indicator, period: IndicatorPeriod | None, year: int) -> dict:
    """Progress of an actual towards its target, from the baseline, in percent (None when it
    cannot be computed, e.g. qualitative indicators)."""
    result = {"year": year, "period": period, "percent": None, "met": None}
    if period is None or period.target is None or period.actual is None:
        return result
    base = indicator.baseline_value if indicator.baseline_value is not None else Decimal("0")
    span = period.target - base
    moved = period.actual - base
    if span != 0:
        result["percent"] = int(round(moved / span * 100))
    result["met"] = (period.actual >= period.target) if indicator.ascending else (
        period.actual <= period.target)
    return result


def proposal_fate(proposal: Proposal) -> dict | None:
    """What became of a proposal: selected by the official count → the action(s) of approved
    plans that come from it, with their budget per year as approved. None when the proposal was
    neither selected nor taken into an approved plan. Reads the approved versions' frozen
    snapshots of the proposal's city (few per city), in two queries."""
    selected = proposal.status == Proposal.Status.SELECTED
    versions = (
        PlanVersion.objects.filter(
            plan__city_id__in=Consultation.objects.filter(pk=proposal.consultation_id)
            .values("city_id"),
            plan__approved_version=F("pk"),
        )
        .exclude(plan__status=PlanStatus.SUPERSEDED)
        .select_related("plan")
    )
    entries = []
    for version in versions:
        snapshot = version.snapshot
        for action in snapshot.get("actions", []):
            if proposal.pk not in action.get("proposals", []):
                continue
            per_year = defaultdict(Decimal)
            for line in _current_snapshot_lines(action["budget_lines"]):
                per_year[line["year"]] += Decimal(line["amount"])
            entries.append({
                "plan_id": version.plan_id,
                "plan_title": snapshot["plan"]["title"],
                "version": version.number,
                "currency": snapshot["plan"]["currency"],
                "action_id": action["id"],
                "action_title": action["title"],
                "objective": action.get("objective_title", ""),
                "rank": action.get("rank"),
                "years": [{"year": year, "amount": amount}
                          for year, amount in sorted(per_year.items())],
                "total": sum(per_year.values(), Decimal("0")),
            })
    if not selected and not entries:
        return None
    drafting = []
    if selected and not entries:
        drafting = list(
            StrategyPlan.objects.filter(actions__proposals=proposal)
            .exclude(status=PlanStatus.SUPERSEDED)
            .values_list("status", flat=True)
            .distinct()
        )
    return {
        "proposal": proposal.pk,
        "selected": selected,
        "entries": entries,
        "in_preparation": bool(drafting),
    }
