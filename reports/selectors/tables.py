"""Report tables: the labels of tables and columns, and the table dict every page, chart,
export and published snapshot is drawn from.

A table is ``{"columns": [{"key", "type"}], "rows": [[...], ...]}`` with plain JSON values
(money as numbers with two decimals, suppressed cells as the string SUPPRESSED). Words that
come from the code are stored as codes ("label" columns, with the vocabulary that words them)
or as figures ("explanation" columns) and put in words when the report is read, in the
reader's language (`report_in_language`, `worded_table`); so a published report keeps its
frozen figures and speaks its reader's language."""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from django.utils.translation import gettext_lazy

from consult.models import City, CountingRule, Organisation, Participant, Proposal
from planning.explanations import explain
from planning.models import FundingSource

from .suppression import SUPPRESSED

# --- labels (translated when a page or an export is drawn) --------------------------------------

TABLE_TITLES = {
    "participation": gettext_lazy("Participants, proposals, supports, comments and ballots"),
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
    "ballots_online": gettext_lazy("Ballots cast online"),
    "ballots_paper": gettext_lazy("Paper ballots"),
}


NOT_STATED = gettext_lazy("Not stated")

#: Why a rule has the note it has in the rules compared: "official", "no_official_count",
#: "not_applicable:<reason>"; "" for no note.
RULE_NOTES = {
    "": "",
    "official": gettext_lazy("Official count"),
    "no_official_count": gettext_lazy("The consultation's rule; no official count yet"),
    "not_applicable:cumulative_ballots": gettext_lazy("Does not apply to cumulative ballots."),
    "not_applicable:counting_error": gettext_lazy(
        "The counting engine cannot count these ballots with this rule."),
}

#: The words of the codes a "label" column holds, per vocabulary. A code that a vocabulary
#: does not know is shown as it is (district and theme names are written by people: their
#: vocabularies only word "", the group or theme nobody gave).
VOCABULARIES: dict[str, Mapping[str, Any]] = {
    "metric": METRIC_LABELS,
    "district": {"": NOT_STATED},
    "age_band": {**dict(Participant.AgeBand.choices), "": NOT_STATED},
    "gender": {**dict(Participant.Gender.choices), "": NOT_STATED},
    "organisation_kind": {**dict(Organisation.Kind.choices),
                          "": gettext_lazy("No organisation")},
    "action_kind": {**dict(Proposal.ActionKind.choices), "": NOT_STATED},
    "counting_rule": dict(CountingRule.choices),
    "rule_note": RULE_NOTES,
    "funding_source": dict(FundingSource.choices),
    "theme": {"": gettext_lazy("No theme")},
    "plan_proposal": {"": gettext_lazy("Added by the planners")},
    "city_kind": dict(City.Kind.choices),
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


def table_from_frame(frame: pd.DataFrame, types: dict[str, str], *,
                     vocabularies: dict[str, str] | None = None) -> dict:
    """A table dict from a DataFrame; ``types`` gives each column's type (text, int, money,
    percent, ratio, number, bool, date, year, label, explanation) and its order;
    ``vocabularies`` the vocabulary of each "label" column (a key of VOCABULARIES)."""
    vocabularies = vocabularies or {}
    columns = [{"key": key, "type": types[key]}
               | ({"vocabulary": vocabularies[key]} if types[key] == "label" else {})
               for key in types]
    keys = list(types)
    rows = []
    for record in frame[keys].itertuples(index=False, name=None) if len(frame) else []:
        row = []
        for key, value in zip(keys, record, strict=True):
            if types[key] == "money" and value is not None and value != SUPPRESSED:
                value = None if pd.isna(value) else round(float(value), 2)
            elif types[key] == "percent" and value is not None and not isinstance(value, str):
                value = None if pd.isna(value) else round(float(value), 1)
            elif types[key] == "year" and isinstance(value, float | np.floating):
                # a column of years with a gap is a float column in pandas: 2026.0 is 2026
                value = None if pd.isna(value) else int(value)
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


def word_label(value: Any, *, vocabulary: str) -> str:
    """A "label" cell in words: its code's words in the vocabulary, else the code as it is."""
    if value is None:
        return ""
    words = VOCABULARIES.get(vocabulary, {})
    return str(words.get(value, value)) if isinstance(value, str) else str(value)


def _wording(column: dict, *, currency: str) -> Callable[[Any], str] | None:
    """How a column's cells are put in words; None for a column that stays as it is."""
    if column["type"] == "explanation":
        return lambda value: word_cell(value, currency=currency)
    if column["type"] == "label":
        vocabulary = column.get("vocabulary", "")
        return lambda value: word_label(value, vocabulary=vocabulary)
    return None


def worded_table(table: dict, *, currency: str) -> dict:
    """The table in the reader's language: its "label" and "explanation" columns in words, as
    text columns. Other columns stay as they are — text too, so a report frozen with words in
    text columns reads as it did."""
    wordings = [_wording(column, currency=currency) for column in table["columns"]]
    if not any(wordings):
        return table
    return {**table,
            "columns": [{key: value for key, value in column.items() if key != "vocabulary"}
                        | {"type": "text"} if wording else column
                        for column, wording in zip(table["columns"], wordings, strict=True)],
            "rows": [[wording(value) if wording else value
                      for value, wording in zip(row, wordings, strict=True)]
                     for row in table["rows"]]}


def report_in_language(report: dict) -> dict:
    """The report with every table worded in the active language (`worded_table`): what the
    report page, its charts, the council pack and the published report's API read."""
    currency = report.get("meta", {}).get("currency", "")
    return {**report, "tables": {name: worded_table(table, currency=currency)
                                 for name, table in report.get("tables", {}).items()}}


def table_frame(table: dict, *, labels: bool = False) -> pd.DataFrame:
    """A table as a DataFrame (column keys, or translated labels for people's downloads)."""
    keys = [column["key"] for column in table["columns"]]
    frame = pd.DataFrame(table["rows"], columns=keys)
    if labels:
        frame.columns = [column_label(key) for key in keys]
    return frame
