"""The frozen content of a plan version and the view of it the pages show."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from consult.models import Proposal
from core.i18n import localized, localized_dict, translations

from ..models import (
    Action,
    BudgetLine,
    FundingSource,
    Indicator,
    IndicatorPeriod,
    Objective,
    StrategyPlan,
)


def _money(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _number(value) -> str | None:
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return text


def _texts(obj, language: str, *fields: str) -> dict[str, Any]:
    """The translated texts of a row as a snapshot keeps them: each field in the city's default
    language (else any it is written in), and under "translations" every language."""
    out: dict[str, Any] = {field: str(localized(obj, field, language=language,
                                             default_language=language))
                           for field in fields}
    out["translations"] = {field: translations(obj, field) for field in fields}
    return out


def localize_item(item: dict, default_language: str | None, *fields: str) -> dict:
    """A snapshot item with its texts in the reader's language (else the city's default, else
    the text frozen; snapshots frozen before translations have only that)."""
    texts = item.get("translations") or {}
    out = {**item}
    for field in fields:
        out[field] = localized_dict(texts.get(field), item.get(field) or "",
                                    default_language=default_language)
    return out


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
    language = plan.city.default_language
    return {
        "plan": {
            "id": plan.pk,
            **_texts(plan, language, "title", "description"),
            "city": {"id": plan.city_id, "slug": plan.city.slug, "name": plan.city.name,
                     "default_language": language},
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
            {"id": o.pk, **_texts(o, language, "title", "description"),
             "result_level": o.result_level, "theme": o.theme_id, "position": o.position}
            for o in Objective.objects.filter(plan=plan)
        ],
        "actions": [
            {
                "id": a.pk,
                **_texts(a, language, "title", "description"),
                "objective": a.objective_id,
                "objective_title": str(localized(
                    a.objective, "title", language=language, default_language=language)),
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


def snapshot_proposal_titles(snapshot: dict) -> dict[int, str]:
    """The titles of the citizens' proposals behind a snapshot's actions that anybody may read
    (not hidden, not drafts), in one query; a snapshot keeps only their ids."""
    ids = {pk for action in snapshot.get("actions", []) for pk in action.get("proposals", [])}
    if not ids:
        return {}
    return dict(Proposal.objects.filter(pk__in=ids, is_hidden=False)
                .exclude(status=Proposal.Status.DRAFT).values_list("pk", "title"))


def snapshot_view(snapshot: dict, *, with_proposals: bool = False) -> dict[str, Any]:
    """A snapshot arranged for a page: objectives with their actions, a year × action grid with
    totals (computed from the frozen figures, which no longer live in tables), its texts in
    the reader's language where the snapshot holds them. With `with_proposals`, each action's
    `proposal_list` holds its proposals as `{"id", "title"}` (title None for one nobody may
    read any more), read in one query."""
    language = snapshot["plan"].get("city", {}).get("default_language")
    plan = localize_item(snapshot["plan"], language, "title", "description")
    titles = snapshot_proposal_titles(snapshot) if with_proposals else {}
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
            **localize_item(action, language, "title", "description"),
            "year_cells": [per_year.get(year) for year in years],
            "total": sum(per_year.values(), Decimal("0")),
            "indicator_list": indicators_by_action.get(action["id"], []),
            "proposal_list": [{"id": pk, "title": titles.get(pk)}
                              for pk in action.get("proposals", [])] if with_proposals else [],
        })
    for objective in snapshot.get("objectives", []):
        actions = actions_by_objective.get(objective["id"], [])
        objectives.append({
            **localize_item(objective, language, "title", "description"),
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
            {"source": source, "label": source_label(source), "total": total}
            for source, total in sorted(source_totals.items())
        ],
        "total": sum(year_totals.values(), Decimal("0")),
    }


def _current_snapshot_lines(lines: list[dict]) -> list[dict]:
    revised = {(line["year"], line["source"]) for line in lines if line["type"] == "revised"}
    return [line for line in lines
            if line["type"] == "revised" or (line["year"], line["source"]) not in revised]


def source_label(value: str) -> str:
    """A funding source as a person reads it."""
    return str(dict(FundingSource.choices).get(value, value))
