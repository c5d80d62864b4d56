"""The plan report: budget per year × objective and per funding source, theme → objective →
action, proposals → actions, indicators (baseline, targets, actuals) and execution."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _

from consult.models import Proposal, Theme
from planning import selectors as plan_selectors
from planning.models import FundingSource, IndicatorPeriod, PlanVersion, StrategyPlan

from .formatting import money, number_or_none
from .tables import table_from_frame

INDICATOR_TYPES = {
    "indicator": "text", "attached_to": "text", "unit": "text", "baseline_year": "year",
    "baseline": "number", "year": "year", "target": "number", "actual": "number",
    "progress": "percent",
}


def funding_source_label(code: str) -> str:
    return str(dict(FundingSource.choices).get(code, code))


def _progress(baseline, target, actual) -> float | None:
    if target is None or actual is None:
        return None
    base = baseline or 0.0
    if target == base:
        return None
    return round((actual - base) / (target - base) * 100, 1)


def _plan_snapshot(plan: StrategyPlan, *, live: bool) -> tuple[dict, PlanVersion | None]:
    """The working copy (live), or the approved version's frozen snapshot and that version."""
    if live:
        return plan_selectors.plan_snapshot(plan=plan), None
    version = plan.approved_version
    if version is None:
        raise StrategyPlan.DoesNotExist("The plan has no approved version.")
    return version.snapshot, version


def _budget_rows(snapshot: dict, view: dict, years: list[int]):
    """Per objective and year the amounts, per action its place under theme and objective,
    and per citizen proposal the share of each action's budget that came from it. "" stands
    for no theme and for the planners' own actions (worded when read: `tables.VOCABULARIES`)."""
    long_rows, hierarchy, flows = [], [], []
    theme_ids = {o.get("theme") for o in snapshot.get("objectives", []) if o.get("theme")}
    theme_names = dict(Theme.objects.filter(pk__in=theme_ids).values_list("pk", "name"))
    proposal_ids = {p for a in snapshot.get("actions", []) for p in a.get("proposals", [])}
    proposal_titles = dict(Proposal.objects.filter(pk__in=proposal_ids).values_list("pk",
                                                                                      "title"))
    for objective in view["objectives"]:
        theme = theme_names.get(objective.get("theme")) or ""
        for action in objective["action_list"]:
            for year, amount in zip(years, action["year_cells"], strict=True):
                long_rows.append((objective["title"], str(year), money(amount)))
            hierarchy.append((theme, objective["title"], action["title"],
                              money(action["total"])))
            sources = action.get("proposals") or []
            for pk in sources or [None]:
                flows.append((proposal_titles.get(pk, _("Proposal %(id)s") % {"id": pk})
                              if pk else "", action["title"],
                              objective["title"], money(action["total"]) / max(len(sources), 1)))
    return long_rows, hierarchy, flows


def _year_objective_grid(long_rows: list, view: dict, year_keys: list[str]) -> pd.DataFrame:
    """Objectives (in the plan's order) × years, with a total per objective."""
    long = pd.DataFrame(long_rows, columns=["objective", "year", "amount"])
    objectives_order = [o["title"] for o in view["objectives"]]
    if len(long):
        grid = long.pivot_table(index="objective", columns="year", values="amount",
                                aggfunc="sum", fill_value=0.0, sort=False)
        grid = grid.reindex(index=[o for o in objectives_order if o in grid.index],
                            columns=year_keys, fill_value=0.0)
    else:
        grid = pd.DataFrame(columns=year_keys, index=pd.Index([], name="objective"))
    grid["total"] = grid.sum(axis=1)
    return grid.reset_index()


def _indicator_rows(snapshot: dict, years: list[int]) -> list[tuple]:
    """Per indicator and year: baseline, target and actual (or their comments) and progress."""
    periods = defaultdict(dict)
    indicator_ids = [i["id"] for i in snapshot.get("indicators", [])]
    for row in IndicatorPeriod.objects.filter(indicator_id__in=indicator_ids).values(
            "indicator_id", "year", "actual", "actual_comment"):
        periods[row["indicator_id"]][row["year"]] = row
    action_titles = {a["id"]: a["title"] for a in snapshot.get("actions", [])}
    objective_titles = {o["id"]: o["title"] for o in snapshot.get("objectives", [])}
    rows = []
    for indicator in snapshot.get("indicators", []):
        attached = action_titles.get(indicator.get("action")) or objective_titles.get(
            indicator.get("objective"), "")
        baseline = number_or_none(indicator.get("baseline_value"))
        for year in years:
            target = indicator.get("targets", {}).get(str(year)) or {}
            period = periods[indicator["id"]].get(year, {})
            target_value = number_or_none(target.get("value"))
            actual = number_or_none(period.get("actual"))
            rows.append((
                indicator["title"], attached, indicator.get("unit_label", ""),
                indicator.get("baseline_year"), baseline if baseline is not None
                else indicator.get("baseline_comment") or None, year,
                target_value if target_value is not None else (target.get("comment") or None),
                actual if actual is not None else (period.get("actual_comment") or None),
                _progress(baseline, target_value, actual),
            ))
    return rows


def _execution_frame(execution: dict) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(row["year"], money(row["budget"]), money(row["spent"]))
         for row in execution["per_year"]], columns=["year", "budget", "spent"])
    frame["execution_rate"] = np.where(
        frame["budget"] > 0,
        frame["spent"] / frame["budget"].where(frame["budget"] > 0, 1) * 100, np.nan)
    return frame


def _plan_charts(year_keys: list[str]) -> list[dict]:
    return [
        {"id": "budget_year_objective", "table": "budget_year_objective",
         "type": "stack_columns", "name": "objective", "columns": year_keys, "money": True},
        {"id": "budget_source", "table": "budget_source", "type": "hbar", "x": "source",
         "y": ["amount"], "money": True},
        {"id": "budget_hierarchy", "table": "budget_hierarchy", "type": "treemap",
         "path": ["theme", "objective", "action"], "value": "amount", "money": True},
        {"id": "proposal_flows", "table": "proposal_flows", "type": "sankey",
         "path": ["proposal", "action", "objective"], "value": "amount", "money": True},
        {"id": "execution", "table": "execution", "type": "bar", "x": "year",
         "y": ["budget", "spent"], "money": True},
    ]


def _plan_meta(plan: StrategyPlan, snapshot: dict, *, live: bool,
               version: PlanVersion | None) -> dict:
    return {
        "city": {"slug": plan.city.slug, "name": plan.city.name},
        "plan": {"id": plan.pk, "title": snapshot["plan"]["title"],
                 "start_year": snapshot["plan"]["start_year"],
                 "end_year": snapshot["plan"]["end_year"],
                 "status": plan.status},
        "currency": snapshot["plan"]["currency"],
        "envelope": number_or_none(snapshot["plan"].get("envelope")),
        "source": "live" if live else "approved_version",
        "version": version.number if version else None,
        "built_at": timezone.now().isoformat(),
    }


def plan_report(*, plan: StrategyPlan, live: bool) -> dict[str, Any]:
    """The plan report. ``live`` reads the working copy (planners and council); otherwise the
    approved version's frozen snapshot (public readers). Monitoring data (spending, actuals)
    is read live."""
    plan = plan_selectors.plan_get(pk=plan.pk)
    snapshot, version = _plan_snapshot(plan, live=live)
    view = plan_selectors.snapshot_view(snapshot)
    years = [row["year"] for row in view["years"]]
    year_keys = [str(y) for y in years]
    long_rows, hierarchy, flows = _budget_rows(snapshot, view, years)
    total = money(view["total"])
    sources = pd.DataFrame([(row["source"], money(row["total"])) for row in view["sources"]],
                           columns=["source", "amount"])
    sources["budget_share"] = sources["amount"] / total * 100 if total else np.nan
    execution = plan_selectors.plan_execution(plan)
    tables = {
        "budget_year_objective": table_from_frame(
            _year_objective_grid(long_rows, view, year_keys),
            {"objective": "text"} | {y: "money" for y in year_keys} | {"total": "money"}),
        "budget_source": table_from_frame(
            sources, {"source": "label", "amount": "money", "budget_share": "percent"},
            vocabularies={"source": "funding_source"}),
        "budget_hierarchy": table_from_frame(
            pd.DataFrame(hierarchy, columns=["theme", "objective", "action", "amount"]),
            {"theme": "label", "objective": "text", "action": "text", "amount": "money"},
            vocabularies={"theme": "theme"}),
        "proposal_flows": table_from_frame(
            pd.DataFrame(flows, columns=["proposal", "action", "objective", "amount"]),
            {"proposal": "label", "action": "text", "objective": "text", "amount": "money"},
            vocabularies={"proposal": "plan_proposal"}),
        "indicators": table_from_frame(
            pd.DataFrame(_indicator_rows(snapshot, years), columns=list(INDICATOR_TYPES)),
            INDICATOR_TYPES),
        "execution": table_from_frame(_execution_frame(execution), {
            "year": "year", "budget": "money", "spent": "money", "execution_rate": "percent"}),
    }
    summary = {
        "total": total,
        "objectives": len(snapshot.get("objectives", [])),
        "actions": len(snapshot.get("actions", [])),
        "indicators": len(snapshot.get("indicators", [])),
        "spent": money(execution["total_spent"]),
    }
    return {"kind": "plan", "meta": _plan_meta(plan, snapshot, live=live, version=version),
            "summary": summary, "tables": tables, "charts": _plan_charts(year_keys)}
