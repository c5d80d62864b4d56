"""Plans, their budget grid, versions, comments, decisions, history, execution and what became of
a proposal."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.utils import timezone

from consult.models import CityRole, Consultation, Proposal

from ..models import (
    Action,
    BudgetLine,
    CountJob,
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
from .checks import ZERO, conflict_message, current_budget_lines, plan_checks
from .snapshots import _current_snapshot_lines, source_label
from .visibility import working_city_ids


def count_job_latest(*, consultation: Consultation) -> CountJob | None:
    """The consultation's latest count job, to show how far a count asked for has got."""
    return (consultation.count_jobs.select_related("count_run")
            .order_by("-created_at", "-pk").first())


def plans_for(user) -> dict[str, Any]:
    """Plans a user works on (as planner or council member, in their cities) and the approved
    plans everybody may read."""
    public = (
        StrategyPlan.objects.filter(approved_version__isnull=False)
        .exclude(status=PlanStatus.SUPERSEDED)
        .select_related("city", "approved_version")
        .order_by("city__name", "-start_year")
    )
    working = (
        StrategyPlan.objects.filter(city_id__in=working_city_ids(user=user))
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
        .annotate(n_official=Count("official_choices", distinct=True),
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
        {"source": row["source"], "label": source_label(row["source"]), "total": row["total"]}
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


def _add_spending(entries: list[dict]) -> None:
    """The execution of each entry's action: the spending recorded during monitoring, per
    year and in all (one query for every entry)."""
    spent = defaultdict(dict)
    rows = (BudgetLine.objects.filter(action_id__in={e["action_id"] for e in entries},
                                      spent__isnull=False)
            .values("action_id", "year").annotate(total=Sum("spent")))
    for row in rows:
        spent[row["action_id"]][row["year"]] = row["total"]
    for entry in entries:
        by_year = spent.get(entry["action_id"], {})
        for year in entry["years"]:
            year["spent"] = by_year.get(year["year"])
        entry["spent"] = sum(by_year.values(), Decimal("0")) if by_year else None


def plan_actions_from(*, consultation_id: int, proposal_pks) -> dict[int, list[dict]]:
    """The actions of approved plans that come from each of these proposals (of one
    consultation), with their budget per year as approved and their execution: from the
    approved versions' frozen snapshots of the consultation's city (few per city) and the
    spending recorded since, in three queries for any number of proposals."""
    wanted = set(proposal_pks)
    versions = (
        PlanVersion.objects.filter(
            plan__city_id__in=Consultation.objects.filter(pk=consultation_id)
            .values("city_id"),
            plan__approved_version=F("pk"),
        )
        .exclude(plan__status=PlanStatus.SUPERSEDED)
        .select_related("plan")
    )
    found: dict[int, list[dict]] = defaultdict(list)
    entries = []
    for version in versions:
        snapshot = version.snapshot
        for action in snapshot.get("actions", []):
            origins = wanted.intersection(action.get("proposals", []))
            if not origins:
                continue
            per_year = defaultdict(Decimal)
            committed = set()
            for line in _current_snapshot_lines(action["budget_lines"]):
                per_year[line["year"]] += Decimal(line["amount"])
                if line.get("status") == BudgetLine.Status.COMMITTED:
                    committed.add(line["year"])
            entry = {
                "plan_id": version.plan_id,
                "plan_title": snapshot["plan"]["title"],
                "version": version.number,
                "currency": snapshot["plan"]["currency"],
                "action_id": action["id"],
                "action_title": action["title"],
                "objective": action.get("objective_title", ""),
                "rank": action.get("rank"),
                "years": [{"year": year, "amount": amount, "committed": year in committed}
                          for year, amount in sorted(per_year.items())],
                "total": sum(per_year.values(), Decimal("0")),
            }
            entries.append(entry)
            for pk in origins:
                found[pk].append(entry)
    _add_spending(entries)
    return dict(found)


def proposal_fate(proposal: Proposal, *, entries: list[dict] | None = None) -> dict | None:
    """What became of a proposal in the plans: selected by the official count → the action(s)
    of approved plans that come from it (``plan_actions_from``; ``entries`` when the caller
    has read them already), or the plan in preparation. None when the proposal was neither
    selected nor taken into an approved plan."""
    selected = proposal.status == Proposal.Status.SELECTED
    if entries is None:
        entries = plan_actions_from(consultation_id=proposal.consultation_id,
                                    proposal_pks=[proposal.pk]).get(proposal.pk, [])
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
