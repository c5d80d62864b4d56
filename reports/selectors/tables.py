"""Report tables: the labels of tables and columns, and the table dict every page, chart,
export and published snapshot is drawn from.

A table is ``{"columns": [{"key", "type"}], "rows": [[...], ...]}`` with plain JSON values
(money as numbers with two decimals, suppressed cells as the string SUPPRESSED)."""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy

from consult.models import CountingRule
from planning.explanations import explain

from .suppression import SUPPRESSED

# --- labels (translated when a page or an export is drawn) --------------------------------------

TABLE_TITLES = {
    "participation": gettext_lazy("Participation"),
    "ballots_per_day": gettext_lazy("Ballots per day (city's local time)"),
    "proposals_per_theme": gettext_lazy("Proposals per theme"),
    "proposals_per_action_kind": gettext_lazy("Proposals per kind of international action"),
    "inclusion_district": gettext_lazy("Participants per district"),
    "inclusion_age_band": gettext_lazy("Participants per age band"),
    "inclusion_gender": gettext_lazy("Participants per gender"),
    "inclusion_organisation_kind": gettext_lazy("Participants per kind of organisation"),
    "votes": gettext_lazy("Votes per proposal and why each was or was not selected"),
    "rule_comparison": gettext_lazy("Counting rules compared on the same ballots"),
    "money_per_theme": gettext_lazy("Money per theme under each rule"),
    "selection_by_rule": gettext_lazy("Proposals selected under each rule"),
    "budget_year_objective": gettext_lazy("Budget per year and objective"),
    "budget_source": gettext_lazy("Budget per funding source"),
    "budget_hierarchy": gettext_lazy("Budget per theme, objective and action"),
    "proposal_flows": gettext_lazy("From citizens' proposals to plan actions"),
    "indicators": gettext_lazy("Indicators: baseline, targets and actuals"),
    "execution": gettext_lazy("Execution against budget"),
    "cities": gettext_lazy("The network's cities side by side"),
    "plan_budget_theme": gettext_lazy("Plan budgets per theme"),
}

COLUMN_LABELS = {
    "metric": gettext_lazy("Figure"),
    "value": gettext_lazy("Value"),
    "day": gettext_lazy("Day"),
    "ballots": gettext_lazy("Ballots"),
    "cumulative": gettext_lazy("Ballots so far"),
    "theme": gettext_lazy("Theme"),
    "kind": gettext_lazy("Kind"),
    "proposals": gettext_lazy("Proposals"),
    "group": gettext_lazy("Group"),
    "participants": gettext_lazy("Participants"),
    "share": gettext_lazy("Share of participants (%)"),
    "population": gettext_lazy("Population"),
    "population_share": gettext_lazy("Share of population (%)"),
    "representation": gettext_lazy("Representation (1 = as in the population)"),
    "proposal_id": gettext_lazy("Project id"),
    "proposal": gettext_lazy("Proposal"),
    "cost": gettext_lazy("Cost"),
    "votes": gettext_lazy("Votes"),
    "points": gettext_lazy("Points"),
    "selected": gettext_lazy("Selected"),
    "explanation": gettext_lazy("Why"),
    "rule": gettext_lazy("Rule code"),
    "rule_label": gettext_lazy("Counting rule"),
    "official": gettext_lazy("Official"),
    "allocated": gettext_lazy("Money allocated"),
    "spent": gettext_lazy("Spent"),
    "budget_share": gettext_lazy("Share of the budget (%)"),
    "funded": gettext_lazy("Proposals funded"),
    "voters_funded": gettext_lazy("Voters with at least one funded proposal (%)"),
    "note": gettext_lazy("Note"),
    "objective": gettext_lazy("Objective"),
    "action": gettext_lazy("Action"),
    "total": gettext_lazy("Total"),
    "source": gettext_lazy("Funding source"),
    "amount": gettext_lazy("Amount"),
    "indicator": gettext_lazy("Indicator"),
    "attached_to": gettext_lazy("Measures"),
    "unit": gettext_lazy("Unit"),
    "baseline_year": gettext_lazy("Baseline year"),
    "baseline": gettext_lazy("Baseline"),
    "year": gettext_lazy("Year"),
    "target": gettext_lazy("Target"),
    "actual": gettext_lazy("Actual"),
    "progress": gettext_lazy("Progress towards the target (%)"),
    "budget": gettext_lazy("Budget"),
    "execution_rate": gettext_lazy("Spent (%)"),
    "city": gettext_lazy("City"),
    "consultations": gettext_lazy("Consultations held"),
    "per_thousand": gettext_lazy("Participants per 1,000 inhabitants"),
    "currency": gettext_lazy("Currency"),
    "plan": gettext_lazy("Plan"),
}

METRIC_LABELS = {
    "participants": gettext_lazy("Participants"),
    "proposals": gettext_lazy("Proposals"),
    "supports": gettext_lazy("Supports"),
    "comments": gettext_lazy("Comments"),
    "ballots": gettext_lazy("Ballots"),
}


def column_label(key: str) -> str:
    if key in COLUMN_LABELS:
        return str(COLUMN_LABELS[key])
    rules = dict(CountingRule.choices)
    if key in rules:
        return str(rules[key])
    return key


def table_title(name: str) -> str:
    return str(TABLE_TITLES.get(name, name))


# --- tables ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON-ready scalar: numpy and Decimal numbers become int/float, NaN becomes None."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Decimal | Fraction):
        value = float(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 4)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def table_from_frame(frame: pd.DataFrame, types: dict[str, str]) -> dict:
    """A table dict from a DataFrame; ``types`` gives each column's type (text, int, money,
    percent, ratio, number, bool, date) and its order."""
    columns = [{"key": key, "type": types[key]} for key in types]
    keys = list(types)
    rows = []
    for record in frame[keys].itertuples(index=False, name=None) if len(frame) else []:
        row = []
        for key, value in zip(keys, record, strict=True):
            if types[key] == "money" and value is not None and value != SUPPRESSED:
                value = None if pd.isna(value) else round(float(value), 2)
            elif types[key] == "percent" and value is not None and not isinstance(value, str):
                value = None if pd.isna(value) else round(float(value), 1)
            row.append(_plain(value))
        rows.append(row)
    return {"columns": columns, "rows": rows}


def explanation_cell(explanation: dict | None, *, titles: dict[str, str]) -> dict | None:
    """An "explanation" cell: the count's figures for one project (and the titles of the
    projects they name), worded when read, in the reader's language (`worded_table`)."""
    if explanation is None:
        return None
    named = {pid for pid, _amount in _paid_for(explanation)}
    return {"explanation": explanation, "names": {pid: titles.get(pid, pid) for pid in named}}


def _paid_for(explanation: dict) -> list:
    return explanation.get("supporters_paid_for") or (explanation.get("mes") or {}).get(
        "supporters_paid_for") or []


def word_cell(value: Any, *, currency: str) -> str:
    """An "explanation" cell in words (a report published before explanations were stored as
    figures holds the words already)."""
    if isinstance(value, dict):
        return explain(value["explanation"], currency=currency, names=value.get("names"))
    return explain(None, currency=currency) if value is None else str(value)


def worded_table(table: dict, *, currency: str) -> dict:
    """The table with its "explanation" columns in words, as text columns."""
    kinds = [column["type"] for column in table["columns"]]
    if "explanation" not in kinds:
        return table
    return {**table,
            "columns": [{**c, "type": "text" if c["type"] == "explanation" else c["type"]}
                        for c in table["columns"]],
            "rows": [[word_cell(value, currency=currency) if kind == "explanation" else value
                      for value, kind in zip(row, kinds, strict=True)]
                     for row in table["rows"]]}


def table_frame(table: dict, *, labels: bool = False) -> pd.DataFrame:
    """A table as a DataFrame (column keys, or translated labels for people's downloads)."""
    keys = [column["key"] for column in table["columns"]]
    frame = pd.DataFrame(table["rows"], columns=keys)
    if labels:
        frame.columns = [column_label(key) for key in keys]
    return frame
