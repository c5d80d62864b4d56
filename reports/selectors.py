"""Reads of the reports app: every report is built here as a JSON-ready dict of tables
(pandas for the arithmetic, the database for the counting) and chart specifications.

A report is ``{"kind", "meta", "summary", "tables": {name: table}, "charts": [spec, ...]}``;
a table is ``{"columns": [{"key", "type"}], "rows": [[...], ...]}`` with plain JSON values
(money as numbers with two decimals, suppressed cells as the string ``"<10"``). Published
reports freeze exactly this dict; pages, exports and charts are drawn from it, so a published
report looks the same whatever changes later.

Counting happens in the database (``values`` + ``annotate``), ballots are read as CSR arrays
(``consult.selectors.ballot_arrays``) and counted with the engine in memory: the number of
queries does not grow with the number of ballots.
"""
from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, Substr, TruncDate
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consult import selectors as consult_selectors
from consult.models import (
    Ballot,
    City,
    CityRole,
    Comment,
    Consultation,
    CountingRule,
    Organisation,
    Participant,
    Phase,
    Proposal,
    Support,
    Theme,
    VotingMethod,
)
from consult.services import DEFAULT_THEMES
from planning import selectors as plan_selectors
from planning.models import (
    CountRun,
    FundingSource,
    IndicatorPeriod,
    PlanStatus,
    PlanVersion,
    StrategyPlan,
)

from .models import Dimension, PopulationGroup, PublishedReport

#: Cells counting fewer people than this are suppressed in demographic breakdowns.
MIN_CELL = 10
SUPPRESSED = "<10"
#: A cell of 10 or more hidden so that a suppressed cell cannot be worked out from the total.
HIDDEN = "hidden"
#: Rules compared side by side on the same ballots (plus the consultation's own rule).
COMPARED_RULES = ("greedy", "mes", "mes-greedy", "phragmen")

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


def table_frame(table: dict, *, labels: bool = False) -> pd.DataFrame:
    """A table as a DataFrame (column keys, or translated labels for people's downloads)."""
    keys = [column["key"] for column in table["columns"]]
    frame = pd.DataFrame(table["rows"], columns=keys)
    if labels:
        frame.columns = [column_label(key) for key in keys]
    return frame


def _money(value) -> float:
    if isinstance(value, Fraction):
        return round(value.numerator / value.denominator, 2)
    return round(float(value or 0), 2)


# --- suppression -------------------------------------------------------------------------------


def suppression_mask(counts: list[int]) -> list[str | None]:
    """Which cells of one breakdown to hide, and how: SUPPRESSED for every cell of fewer than
    MIN_CELL people (primary); when exactly one cell is suppressed, the smallest other cell is
    HIDDEN too (complementary), so the suppressed cell cannot be worked out as the total minus
    the cells shown. None for the cells shown."""
    marks: list[str | None] = [SUPPRESSED if n < MIN_CELL else None for n in counts]
    if marks.count(SUPPRESSED) == 1 and len(counts) > 1:
        shown = [i for i, mark in enumerate(marks) if mark is None]
        smallest = min(shown, key=lambda i: (counts[i], i))
        marks[smallest] = HIDDEN
    return marks


# --- consultation: participation and inclusion -------------------------------------------------


def _took_part(consultation: Consultation):
    return (
        Exists(Support.objects.filter(participant=OuterRef("pk"),
                                      proposal__consultation=consultation))
        | Exists(Ballot.objects.filter(participant=OuterRef("pk"), consultation=consultation))
        | Exists(Proposal.objects.filter(author=OuterRef("pk"), consultation=consultation))
    )


def _participation(consultation: Consultation) -> tuple[dict, dict]:
    counts = consult_selectors.consultation_counts(consultation=consultation)
    counts["comments"] = Comment.objects.filter(
        proposal__consultation=consultation, is_hidden=False,
        proposal__status__in=consult_selectors.VISIBLE_STATUSES, proposal__is_hidden=False,
    ).count()
    order = ["participants", "proposals", "supports", "comments", "ballots"]
    frame = pd.DataFrame({"metric": [str(METRIC_LABELS[k]) for k in order],
                          "value": [counts[k] for k in order]})
    return counts, table_from_frame(frame, {"metric": "text", "value": "int"})


def _whole_hour_offsets(tz, *moments) -> bool:
    return all(moment.astimezone(tz).utcoffset().total_seconds() % 3600 == 0
               for moment in moments)


def _ballots_per_day(consultation: Consultation) -> dict:
    """Ballots per day in the city's local time. PostgreSQL converts and truncates in SQL. On
    SQLite Django's TruncDate calls a Python function per row (1.7 s for 100,000 ballots), so
    the database groups by UTC hour (a plain substring of the stored text) and the few hundred
    hours are put into local days here — exact for zones whose offset is whole hours."""
    tz = consultation.city.tzinfo
    ballots = Ballot.objects.filter(consultation=consultation).order_by()
    per_day: dict = defaultdict(int)
    if connection.vendor == "sqlite" and _whole_hour_offsets(
            tz, consultation.voting_opens_at, consultation.voting_closes_at):
        hours = ballots.annotate(hour=Substr(Cast("created_at", CharField()), 1, 13)) \
            .values("hour").annotate(n=Count("pk"))
        for row in hours:
            moment = datetime.strptime(row["hour"], "%Y-%m-%d %H").replace(tzinfo=UTC)
            per_day[moment.astimezone(tz).date()] += row["n"]
    else:
        for row in ballots.annotate(day=TruncDate("created_at", tzinfo=tz)).values("day") \
                .annotate(n=Count("pk")):
            per_day[row["day"]] += row["n"]
    frame = pd.DataFrame(sorted(per_day.items()), columns=["day", "ballots"])
    frame["day"] = frame["day"].map(lambda d: d.isoformat() if d else "")
    frame["cumulative"] = frame["ballots"].cumsum()
    return table_from_frame(frame, {"day": "date", "ballots": "int", "cumulative": "int"})


def _proposals_per(consultation: Consultation) -> tuple[dict, dict]:
    visible = Proposal.objects.filter(
        consultation=consultation, status__in=consult_selectors.VISIBLE_STATUSES,
        is_hidden=False,
    ).order_by()
    themes = pd.DataFrame(
        list(Theme.objects.filter(consultation=consultation)
             .annotate(n=Count("proposals", filter=Q(
                 proposals__status__in=consult_selectors.VISIBLE_STATUSES,
                 proposals__is_hidden=False)))
             .order_by("position", "name").values_list("name", "n")),
        columns=["theme", "proposals"],
    )
    kinds = {row["action_kind"]: row["n"] for row in
             visible.values("action_kind").annotate(n=Count("pk"))}
    labels = dict(Proposal.ActionKind.choices)
    kind_rows = [(str(label), kinds.get(code, 0)) for code, label in labels.items()]
    if kinds.get(""):
        kind_rows.append((_("Not stated"), kinds[""]))
    kind_frame = pd.DataFrame(kind_rows, columns=["kind", "proposals"])
    return (table_from_frame(themes, {"theme": "text", "proposals": "int"}),
            table_from_frame(kind_frame, {"kind": "text", "proposals": "int"}))


DIMENSION_CHOICES = {
    Dimension.AGE_BAND: Participant.AgeBand.choices,
    Dimension.GENDER: Participant.Gender.choices,
    Dimension.ORGANISATION_KIND: Organisation.Kind.choices,
}


def _inclusion(consultation: Consultation) -> dict[str, dict]:
    """Participants per district, age band, gender and kind of organisation, next to the
    city's population where it is known; cells under MIN_CELL suppressed (see suppression_mask).
    Three queries whatever the number of participants."""
    people = Participant.objects.filter(_took_part(consultation)).order_by()
    # One GROUP BY over the three personal fields (a few hundred combinations at most), summed
    # per field with pandas; kinds of organisation need their own query (a person may belong
    # to several).
    combos = pd.DataFrame(list(people.values("district", "age_band", "gender")
                               .annotate(n=Count("pk"))),
                          columns=["district", "age_band", "gender", "n"])

    def per(field: str) -> list[dict]:
        sums = combos.groupby(field)["n"].sum()
        return [{"g": key, "n": int(n)} for key, n in sums.items()]

    observed = {
        Dimension.DISTRICT: per("district"),
        Dimension.AGE_BAND: per("age_band"),
        Dimension.GENDER: per("gender"),
        Dimension.ORGANISATION_KIND: people.values(g=F("user__organisations__kind"))
        .annotate(n=Count("pk", distinct=True)),
    }
    population = defaultdict(dict)
    for row in PopulationGroup.objects.filter(city_id=consultation.city_id).values(
            "dimension", "group", "population"):
        population[row["dimension"]][row["group"]] = row["population"]
    tables = {}
    for dimension, rows in observed.items():
        counts = {(row["g"] or ""): row["n"] for row in rows}
        known = population.get(dimension, {})
        choices = DIMENSION_CHOICES.get(dimension)
        if choices:
            groups = [(code, str(label)) for code, label in choices]
        else:
            groups = [(name, name) for name in sorted(set(counts) | set(known)) if name]
        none_label = _("No organisation") if dimension == Dimension.ORGANISATION_KIND \
            else _("Not stated")
        frame = pd.DataFrame(
            [(label, counts.get(code, 0), known.get(code)) for code, label in groups]
            + ([(none_label, counts[""], None)] if counts.get("") else []),
            columns=["group", "participants", "population"],
        )
        stated = frame["group"] != none_label
        marks = suppression_mask(frame["participants"].tolist())
        hidden = [mark is not None for mark in marks]
        stated_total = frame.loc[stated, "participants"].sum()
        frame["share"] = np.where(stated & (stated_total > 0),
                                  frame["participants"] / max(stated_total, 1) * 100, np.nan)
        pop = pd.to_numeric(frame["population"], errors="coerce").astype(float)
        pop_total = pop.sum()
        frame["population_share"] = pop / pop_total * 100 if pop_total > 0 else np.nan
        frame["representation"] = (frame["share"].astype(float)
                                   / frame["population_share"].astype(float)).round(2)
        frame["participants"] = frame["participants"].astype(object)
        frame["population"] = pd.Series([None if pd.isna(v) else int(v) for v in pop], dtype=object)
        for column in ("share", "representation"):
            frame[column] = frame[column].astype(object)
            frame.loc[hidden, column] = None
        frame.loc[hidden, "participants"] = [mark for mark in marks if mark is not None]
        tables[f"inclusion_{dimension}"] = table_from_frame(frame, {
            "group": "text", "participants": "int", "share": "percent", "population": "int",
            "population_share": "percent", "representation": "ratio",
        })
        tables[f"inclusion_{dimension}"]["suppressed"] = int(sum(hidden))
    return tables


# --- consultation: results and rules compared --------------------------------------------------


def official_run(consultation: Consultation) -> CountRun | None:
    return plan_selectors.count_run_official(consultation=consultation)


def _fmt_number(value, places: int = 0) -> str:
    if value is None:
        return ""
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def _fmt_money(value, currency: str) -> str:
    if value is None:
        return ""
    value = float(value)
    places = 0 if value == int(value) else 2
    return f"{_fmt_number(value, places)}\u00a0{currency}"


def explain(explanation: dict | None, *, currency: str) -> str:
    """The counting engine's explanation of one project, in words."""
    if not explanation:
        return _("Not counted.")
    e = explanation
    money = lambda key: _fmt_money(e.get(key), currency)  # noqa: E731
    reason = e.get("reason")
    status = e.get("status")
    prefix = ""
    if e.get("phase") == "completion":
        prefix = _("After the Method of Equal Shares (%(mes)s), the greedy completion: ") % {
            "mes": explain(e["mes"], currency=currency).rstrip(".")} if e.get("mes") else _(
            "In the greedy completion: ")
    if status == "selected":
        if reason == "fitted":
            return prefix + _("Selected: ranked %(rank)s by votes (%(votes)s votes), it fitted "
                              "in the %(left)s still available.") % {
                "rank": e.get("rank"), "votes": _fmt_number(e.get("votes")),
                "left": money("remaining_before")}
        if "price_per_supporter" in e:
            return _("Selected in round %(round)s: its %(votes)s supporters could pay for it, "
                     "at most %(price)s each.") % {
                "round": e.get("round"), "votes": _fmt_number(e.get("votes")),
                "price": _fmt_money(e.get("price_per_supporter"), currency)}
        if "time" in e:
            return _("Selected in round %(round)s, supported by %(votes)s voters.") % {
                "round": e.get("round"), "votes": _fmt_number(e.get("votes"))}
        return _("Selected.")
    texts = {
        "did_not_fit": _("Not selected: when its turn came (rank %(rank)s by votes) only "
                         "%(left)s was left, less than its cost of %(cost)s."),
        "supporters_out_of_money": _("Not selected: in round %(round)s its supporters had "
                                     "%(money_left)s left between them, less than its cost of "
                                     "%(cost)s."),
        "no_supporters": _("Not selected: nobody voted for it."),
        "zero_cost_ignored": _("Not selected by equal shares: it costs nothing, so it brings "
                               "no satisfaction under this rule."),
        "below_min_votes": _("Not counted: %(votes)s votes, fewer than the minimum of "
                             "%(min_votes)s."),
        "rule_stopped": _("Not selected: the rule stopped at round %(stopped)s, when a project "
                          "tied for the next purchase no longer fitted."),
        "exceeds_budget": _("Not selected: it costs more than the whole budget."),
    }
    params = {
        "rank": e.get("rank"), "left": money("remaining_before"), "cost": money("cost"),
        "round": e.get("round"), "money_left": money("supporters_money_left"),
        "votes": _fmt_number(e.get("votes")), "min_votes": _fmt_number(e.get("min_votes")),
        "stopped": e.get("stopped_at_round"),
    }
    if reason in texts:
        return prefix + str(texts[reason]) % params
    return prefix + _("Not selected (%(reason)s).") % {"reason": reason or status}


def _results(consultation: Consultation) -> dict[str, Any]:
    """Votes per proposal, the official selection with explanations and the rules compared,
    all from one read of the ballots as arrays."""
    from planning.counting import CountingError, RuleNotApplicable, count
    from planning.services import consultation_election

    election, proposal_pks = consultation_election(consultation=consultation)
    pks = proposal_pks.tolist()
    info = {row["pk"]: row for row in Proposal.objects.filter(pk__in=pks).values(
        "pk", "title", "theme__name", "theme__position")}
    m, n = election.n_projects, election.n_voters
    currency = consultation.currency
    costs = np.array([_money(c) for c in election.costs_exact], dtype=float)
    votes = election.supporters()
    points = np.array(election.total_points_exact(), dtype=float) \
        if election.points is not None else votes
    themes = sorted({(info[pk]["theme__position"], info[pk]["theme__name"]) for pk in pks})
    theme_names = [name for _pos, name in themes]
    theme_of = np.array([theme_names.index(info[pk]["theme__name"]) for pk in pks],
                        dtype=np.int64)
    index = {pid: j for j, pid in enumerate(election.project_ids)}
    run = official_run(consultation)
    official_rule = run.rule if run else consultation.counting_rule
    rules = [official_rule] + [r for r in COMPARED_RULES if r != official_rule]
    rule_labels = dict(CountingRule.choices)
    comparison, per_theme, selection, outcomes = [], {}, {}, {}
    # voters whose ballot names a funded project: cumulative sums over the CSR arrays
    for rule in rules:
        note = ""
        if run is not None and rule == run.rule:
            selected, explanations = list(run.selected), run.explanations
            note = _("Official count")
        else:
            try:
                outcome = count(election, rule)
            except RuleNotApplicable:
                comparison.append([rule, str(rule_labels.get(rule, rule)), False, None, None,
                                   None, None, _("Does not apply to cumulative ballots.")])
                continue
            except CountingError as error:
                comparison.append([rule, str(rule_labels.get(rule, rule)), False, None, None,
                                   None, None, str(error)])
                continue
            selected, explanations = outcome.selected, outcome.explanations
            if rule == official_rule:
                note = _("The consultation's rule; no official count yet")
        outcomes[rule] = (selected, explanations)
        chosen = np.zeros(m, dtype=bool)
        chosen[[index[pid] for pid in selected if pid in index]] = True
        hits = np.concatenate([[0], np.cumsum(chosen[election.indices])])
        covered = (hits[election.indptr[1:]] - hits[election.indptr[:-1]]) > 0
        spent = float(costs[chosen].sum())
        comparison.append([
            rule, str(rule_labels.get(rule, rule)), run is not None and rule == run.rule,
            round(spent, 2), round(spent / float(consultation.budget) * 100, 1),
            int(chosen.sum()), round(float(covered.mean()) * 100, 1) if n else None, str(note),
        ])
        per_theme[rule] = np.bincount(theme_of[chosen], weights=costs[chosen],
                                      minlength=len(theme_names))
        selection[rule] = chosen
    applied = [rule for rule in rules if rule in selection]
    main_selected, main_expl = outcomes.get(official_rule, ([], {}))
    main = selection.get(official_rule, np.zeros(m, dtype=bool))
    order = np.lexsort((np.arange(m), -points, ~main))
    cumulative = consultation.voting_method == VotingMethod.CUMULATIVE
    vote_rows = []
    for j in order.tolist():
        pk = pks[j]
        pid = election.project_ids[j]
        row = [pid, info[pk]["title"], info[pk]["theme__name"], costs[j], int(votes[j])]
        if cumulative:
            row.append(int(points[j]))
        row += [bool(main[j]), explain(main_expl.get(pid), currency=currency)]
        vote_rows.append(row)
    vote_types = {"proposal_id": "text", "proposal": "text", "theme": "text", "cost": "money",
                  "votes": "int"}
    if cumulative:
        vote_types["points"] = "int"
    vote_types |= {"selected": "bool", "explanation": "text"}
    votes_table = table_from_frame(pd.DataFrame(vote_rows, columns=list(vote_types)),
                                   vote_types)
    comparison_types = {"rule": "text", "rule_label": "text", "official": "bool",
                        "allocated": "money", "budget_share": "percent", "funded": "int",
                        "voters_funded": "percent", "note": "text"}
    theme_frame = pd.DataFrame({"theme": theme_names} | {
        rule: per_theme[rule] for rule in applied})
    selection_frame = pd.DataFrame(
        {"proposal": [info[pks[j]]["title"] for j in order.tolist()]}
        | {rule: selection[rule][order] for rule in applied})
    return {
        "tables": {
            "votes": votes_table,
            "rule_comparison": table_from_frame(
                pd.DataFrame(comparison, columns=list(comparison_types)), comparison_types),
            "money_per_theme": table_from_frame(
                theme_frame, {"theme": "text"} | {rule: "money" for rule in applied}),
            "selection_by_rule": table_from_frame(
                selection_frame, {"proposal": "text"} | {rule: "bool" for rule in applied}),
        },
        "rules": applied,
        "official_rule": official_rule,
        "selected_count": len(main_selected),
        "election": election,
        "run": run,
    }


def consultation_report(*, consultation: Consultation) -> dict[str, Any]:
    """The consultation results report: participation, inclusion, results (once voting has
    closed: no partial results leak), rules compared and how to verify the count."""
    consultation = Consultation.objects.select_related("city").get(pk=consultation.pk)
    city = consultation.city
    phase = consultation.phase
    closed = phase in (Phase.COUNTING, Phase.RESULTS)
    counts, participation = _participation(consultation)
    per_theme, per_kind = _proposals_per(consultation)
    tables = {
        "participation": participation,
        "ballots_per_day": _ballots_per_day(consultation),
        "proposals_per_theme": per_theme,
        "proposals_per_action_kind": per_kind,
        **_inclusion(consultation),
    }
    charts = [
        {"id": "ballots_per_day", "table": "ballots_per_day", "type": "bar", "x": "day",
         "y": ["ballots"]},
        {"id": "proposals_per_theme", "table": "proposals_per_theme", "type": "hbar",
         "x": "theme", "y": ["proposals"]},
        {"id": "proposals_per_action_kind", "table": "proposals_per_action_kind",
         "type": "hbar", "x": "kind", "y": ["proposals"]},
    ] + [
        {"id": f"inclusion_{d}", "table": f"inclusion_{d}", "type": "hbar", "x": "group",
         "y": ["share", "population_share"]}
        for d in Dimension.values
    ]
    meta = {
        "city": {"slug": city.slug, "name": city.name, "population": city.population},
        "consultation": {"id": consultation.pk, "slug": consultation.slug,
                         "title": consultation.title},
        "currency": consultation.currency,
        "budget": _money(consultation.budget),
        "voting_method": consultation.voting_method,
        "counting_rule": consultation.counting_rule,
        "phase": str(phase),
        "voting_closed": closed,
        "timezone": city.timezone,
        "voting_closes_at": consultation.voting_closes_at.isoformat(),
        "built_at": timezone.now().isoformat(),
        "min_cell": MIN_CELL,
    }
    summary = dict(counts)
    if closed:
        results = _results(consultation)
        tables.update(results["tables"])
        charts += [
            {"id": "votes", "table": "votes", "type": "hbar", "x": "proposal", "y": ["votes"],
             "highlight": "selected", "limit": 30},
            {"id": "rule_comparison", "table": "rule_comparison", "type": "bar",
             "x": "rule_label", "y": ["budget_share", "voters_funded"]},
            {"id": "money_per_theme", "table": "money_per_theme", "type": "stack_columns",
             "name": "theme", "columns": results["rules"], "money": True},
        ]
        run, election = results["run"], results["election"]
        meta["verification"] = {
            "official": run is not None,
            "rule": results["official_rule"],
            "min_votes": run.min_votes if run else 0,
            "tie_break": run.tie_break if run else "lexicographic",
            "input_hash": run.input_hash if run else election.input_hash(),
            "n_ballots": run.n_ballots if run else election.n_voters,
            "n_projects": run.n_projects if run else election.n_projects,
            "counted_at": run.created_at.isoformat() if run else None,
            "engine_version": run.engine_version if run else None,
        }
        summary["selected"] = results["selected_count"]
    return {"kind": "consultation", "meta": meta, "summary": summary, "tables": tables,
            "charts": charts}


# --- plans -------------------------------------------------------------------------------------


def _progress(baseline, target, actual) -> float | None:
    if target is None or actual is None:
        return None
    base = baseline or 0.0
    if target == base:
        return None
    return round((actual - base) / (target - base) * 100, 1)


def _num(value) -> float | None:
    return None if value in (None, "") else float(value)


def plan_report(*, plan: StrategyPlan, live: bool) -> dict[str, Any]:
    """The plan report: budget per year × objective and per funding source, theme → objective
    → action, proposals → actions, indicators (baseline, targets, actuals) and execution.
    ``live`` reads the working copy (planners and council); otherwise the approved version's
    frozen snapshot (public readers). Monitoring data (spending, actuals) is read live."""
    plan = plan_selectors.plan_get(pk=plan.pk)
    version = None
    if live:
        snapshot = plan_selectors.plan_snapshot(plan=plan)
    else:
        version = plan.approved_version
        if version is None:
            raise StrategyPlan.DoesNotExist("The plan has no approved version.")
        snapshot = version.snapshot
    view = plan_selectors.snapshot_view(snapshot)
    years = [row["year"] for row in view["years"]]
    year_keys = [str(y) for y in years]
    currency = snapshot["plan"]["currency"]
    long_rows, hierarchy, flows = [], [], []
    theme_ids = {o.get("theme") for o in snapshot.get("objectives", []) if o.get("theme")}
    theme_names = dict(Theme.objects.filter(pk__in=theme_ids).values_list("pk", "name"))
    proposal_ids = {p for a in snapshot.get("actions", []) for p in a.get("proposals", [])}
    proposal_titles = dict(Proposal.objects.filter(pk__in=proposal_ids).values_list("pk",
                                                                                      "title"))
    for objective in view["objectives"]:
        theme = theme_names.get(objective.get("theme")) or _("No theme")
        for action in objective["action_list"]:
            for year, amount in zip(years, action["year_cells"], strict=True):
                long_rows.append((objective["title"], str(year), _money(amount)))
            hierarchy.append((theme, objective["title"], action["title"],
                              _money(action["total"])))
            sources = action.get("proposals") or []
            for pk in sources or [None]:
                flows.append((proposal_titles.get(pk, _("Proposal %(id)s") % {"id": pk})
                              if pk else _("Added by the planners"), action["title"],
                              objective["title"], _money(action["total"]) / max(len(sources), 1)))
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
    grid = grid.reset_index()
    total = _money(view["total"])
    sources = pd.DataFrame([(row["label"], _money(row["total"])) for row in view["sources"]],
                           columns=["source", "amount"])
    sources["budget_share"] = sources["amount"] / total * 100 if total else np.nan
    periods = defaultdict(dict)
    indicator_ids = [i["id"] for i in snapshot.get("indicators", [])]
    for row in IndicatorPeriod.objects.filter(indicator_id__in=indicator_ids).values(
            "indicator_id", "year", "actual", "actual_comment"):
        periods[row["indicator_id"]][row["year"]] = row
    action_titles = {a["id"]: a["title"] for a in snapshot.get("actions", [])}
    objective_titles = {o["id"]: o["title"] for o in snapshot.get("objectives", [])}
    indicator_rows = []
    for indicator in snapshot.get("indicators", []):
        attached = action_titles.get(indicator.get("action")) or objective_titles.get(
            indicator.get("objective"), "")
        baseline = _num(indicator.get("baseline_value"))
        for year in years:
            target = indicator.get("targets", {}).get(str(year)) or {}
            period = periods[indicator["id"]].get(year, {})
            target_value = _num(target.get("value"))
            actual = _num(period.get("actual"))
            indicator_rows.append((
                indicator["title"], attached, indicator.get("unit_label", ""),
                indicator.get("baseline_year"), baseline if baseline is not None
                else indicator.get("baseline_comment") or None, year,
                target_value if target_value is not None else (target.get("comment") or None),
                actual if actual is not None else (period.get("actual_comment") or None),
                _progress(baseline, target_value, actual),
            ))
    execution = plan_selectors.plan_execution(plan)
    execution_frame = pd.DataFrame(
        [(row["year"], _money(row["budget"]), _money(row["spent"]))
         for row in execution["per_year"]], columns=["year", "budget", "spent"])
    execution_frame["execution_rate"] = np.where(
        execution_frame["budget"] > 0,
        execution_frame["spent"] / execution_frame["budget"].where(
            execution_frame["budget"] > 0, 1) * 100, np.nan)
    tables = {
        "budget_year_objective": table_from_frame(
            grid, {"objective": "text"} | {y: "money" for y in year_keys} | {"total": "money"}),
        "budget_source": table_from_frame(sources, {"source": "text", "amount": "money",
                                                    "budget_share": "percent"}),
        "budget_hierarchy": table_from_frame(
            pd.DataFrame(hierarchy, columns=["theme", "objective", "action", "amount"]),
            {"theme": "text", "objective": "text", "action": "text", "amount": "money"}),
        "proposal_flows": table_from_frame(
            pd.DataFrame(flows, columns=["proposal", "action", "objective", "amount"]),
            {"proposal": "text", "action": "text", "objective": "text", "amount": "money"}),
        "indicators": table_from_frame(
            pd.DataFrame(indicator_rows, columns=[
                "indicator", "attached_to", "unit", "baseline_year", "baseline", "year",
                "target", "actual", "progress"]),
            {"indicator": "text", "attached_to": "text", "unit": "text", "baseline_year": "year",
             "baseline": "number", "year": "year", "target": "number", "actual": "number",
             "progress": "percent"}),
        "execution": table_from_frame(execution_frame, {
            "year": "year", "budget": "money", "spent": "money", "execution_rate": "percent"}),
    }
    charts = [
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
    meta = {
        "city": {"slug": plan.city.slug, "name": plan.city.name},
        "plan": {"id": plan.pk, "title": snapshot["plan"]["title"],
                 "start_year": snapshot["plan"]["start_year"],
                 "end_year": snapshot["plan"]["end_year"],
                 "status": plan.status},
        "currency": currency,
        "envelope": _num(snapshot["plan"].get("envelope")),
        "source": "live" if live else "approved_version",
        "version": version.number if version else None,
        "built_at": timezone.now().isoformat(),
    }
    summary = {
        "total": total,
        "objectives": len(snapshot.get("objectives", [])),
        "actions": len(snapshot.get("actions", [])),
        "indicators": len(snapshot.get("indicators", [])),
        "spent": _money(execution["total_spent"]),
    }
    return {"kind": "plan", "meta": meta, "summary": summary, "tables": tables,
            "charts": charts}


# --- network dashboard -------------------------------------------------------------------------


def _participants_per_city() -> dict[int, int]:
    """Distinct people who supported, voted or proposed in each city's consultations: one
    query (a UNION of (city, participant) pairs, counted per city in the database)."""
    sql_pairs = (
        Ballot.objects.order_by().annotate(c=F("consultation__city_id"), p=F("participant_id"))
        .values_list("c", "p")
        .union(
            Support.objects.order_by().annotate(c=F("proposal__consultation__city_id"),
                                                p=F("participant_id")).values_list("c", "p"),
            Proposal.objects.order_by().annotate(c=F("consultation__city_id"),
                                                 p=F("author_id")).values_list("c", "p"),
        )
    )
    sql, params = sql_pairs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT c, COUNT(*) FROM ({sql}) pairs GROUP BY c", params)
        return {city: n for city, n in cursor.fetchall()}


def network_report() -> dict[str, Any]:
    """The network's cities side by side: consultations held, participation per 1,000
    inhabitants where the population is known, and approved plan budgets per theme."""
    now = timezone.now()
    cities = list(
        City.objects.annotate(held=Count("consultations", filter=Q(
            consultations__proposals_open_at__lte=now)))
        .order_by("kind", "name").values("pk", "name", "kind", "population", "held")
    )
    participants = _participants_per_city()
    frame = pd.DataFrame(
        [(c["name"], str(dict(City.Kind.choices)[c["kind"]]), c["population"], c["held"],
          participants.get(c["pk"], 0)) for c in cities],
        columns=["city", "kind", "population", "consultations", "participants"])
    pop = pd.to_numeric(frame["population"], errors="coerce").astype(float)
    frame["per_thousand"] = (frame["participants"].astype(float) / pop * 1000).round(2)
    frame["population"] = pd.Series([None if pd.isna(v) else int(v) for v in pop], dtype=object)
    versions = (
        PlanVersion.objects.filter(plan__approved_version=F("pk"))
        .exclude(plan__status=PlanStatus.SUPERSEDED)
        .select_related("plan__city").order_by("plan__city__name", "plan_id")
    )
    budget_rows, theme_ids, snapshots = [], set(), []
    for version in versions:
        snapshot = version.snapshot
        snapshots.append((version.plan.city.name, snapshot))
        theme_ids |= {o.get("theme") for o in snapshot.get("objectives", []) if o.get("theme")}
    theme_slugs = dict(Theme.objects.filter(pk__in=theme_ids).values_list("pk", "slug"))
    default_labels = {slug: str(label) for slug, label in DEFAULT_THEMES}
    for city_name, snapshot in snapshots:
        view = plan_selectors.snapshot_view(snapshot)
        per_theme = defaultdict(float)
        for objective in view["objectives"]:
            slug = theme_slugs.get(objective.get("theme"))
            label = default_labels.get(slug) or objective["title"]
            per_theme[label] += _money(objective["total"])
        total = sum(per_theme.values())
        for label, amount in per_theme.items():
            budget_rows.append((city_name, snapshot["plan"]["title"],
                                snapshot["plan"]["currency"], label, amount,
                                amount / total * 100 if total else None))
    budgets = pd.DataFrame(budget_rows, columns=["city", "plan", "currency", "theme", "amount",
                                                 "budget_share"])
    shares = budgets.pivot_table(index="city", columns="theme", values="budget_share",
                                 aggfunc="sum", fill_value=0.0) if len(budgets) else None
    tables = {
        "cities": table_from_frame(frame, {
            "city": "text", "kind": "text", "population": "int", "consultations": "int",
            "participants": "int", "per_thousand": "number"}),
        "plan_budget_theme": table_from_frame(budgets, {
            "city": "text", "plan": "text", "currency": "text", "theme": "text",
            "amount": "number", "budget_share": "percent"}),
    }
    charts = [
        {"id": "cities", "table": "cities", "type": "hbar", "x": "city",
         "y": ["per_thousand"]},
        {"id": "plan_budget_theme", "table": "plan_budget_theme", "type": "stack_long",
         "x": "city", "color": "theme", "y": "budget_share"},
    ]
    return {"kind": "network", "meta": {"built_at": now.isoformat(),
                                        "themes": list(shares.columns) if shares is not None
                                        else []},
            "summary": {"cities": len(cities), "participants": int(frame["participants"].sum()),
                        "consultations": int(frame["consultations"].sum())},
            "tables": tables, "charts": charts}


# --- published reports, and what each person may open ------------------------------------------


def published_reports(*, consultation: Consultation | None = None,
                      plan: StrategyPlan | None = None) -> QuerySet[PublishedReport]:
    qs = PublishedReport.objects.select_related("city", "published_by", "consultation", "plan") \
        .defer("data")
    if consultation is not None:
        qs = qs.filter(consultation=consultation)
    if plan is not None:
        qs = qs.filter(plan=plan)
    return qs.order_by("-published_at", "-pk")


def published_report_get(*, pk: int) -> PublishedReport:
    return PublishedReport.objects.select_related(
        "city", "published_by", "consultation", "plan").get(pk=pk)


def published_report_data(report: PublishedReport) -> dict:
    """A published report as the API serves it: what was frozen, with where it came from."""
    return {
        "id": report.pk,
        "kind": report.kind,
        "title": report.title,
        "version": report.version,
        "language": report.language,
        "city": report.city.slug,
        "consultation": report.consultation_id,
        "plan": report.plan_id,
        "published_at": report.published_at.isoformat(),
        "published_by": report.published_by.get_username() if report.published_by else None,
        "meta": report.data.get("meta", {}),
        "summary": report.data.get("summary", {}),
        "tables": {
            name: {**table, "title": table_title(name),
                   "columns": [{**c, "label": column_label(c["key"])}
                               for c in table["columns"]]}
            for name, table in report.data.get("tables", {}).items()
        },
        "charts": report.data.get("charts", []),
    }


def reports_index(user) -> dict[str, Any]:
    """What the reports page lists: published reports for everyone; consultations and plans of
    the cities where the user plans or sits on the council, for their live reports."""
    working_consultations = Consultation.objects.none()
    working_plans = StrategyPlan.objects.none()
    if user.is_authenticated:
        cities = CityRole.objects.filter(user=user, role__in=[
            CityRole.Role.PLANNER, CityRole.Role.ADMIN, CityRole.Role.COUNCIL]).values("city_id")
        working_consultations = (Consultation.objects.filter(city_id__in=cities)
                                 .select_related("city").order_by("city__name",
                                                                  "-voting_opens_at"))
        working_plans = (StrategyPlan.objects.filter(city_id__in=cities)
                         .select_related("city").order_by("city__name", "-start_year"))
    return {"published": published_reports()[:100], "consultations": working_consultations,
            "plans": working_plans}


def funding_source_label(code: str) -> str:
    return str(dict(FundingSource.choices).get(code, code))
