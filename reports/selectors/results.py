"""A consultation's results in its report: votes per proposal, the official selection with
the engine's explanations in words, and the counting rules compared on the same ballots; all
from one read of the ballots as arrays."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from consult.models import Consultation, Proposal, VotingMethod
from planning import selectors as plan_selectors
from planning.models import CountRun

from .formatting import money
from .tables import explanation_cell, table_from_frame

#: Rules compared side by side on the same ballots (plus the consultation's own rule).
COMPARED_RULES = ("greedy", "mes", "mes-greedy", "phragmen")

VOTE_TYPES = {"proposal_id": "text", "proposal": "text", "theme": "text", "cost": "money",
              "votes": "int"}
COMPARISON_TYPES = {"rule": "text", "rule_label": "label", "official": "bool",
                    "allocated": "money", "budget_share": "percent", "funded": "int",
                    "voters_funded": "percent", "note": "label"}
#: The rule's name and its note are codes, worded when read (`tables.RULE_NOTES`).
COMPARISON_VOCABULARIES = {"rule_label": "counting_rule", "note": "rule_note"}


def official_run(consultation: Consultation) -> CountRun | None:
    return plan_selectors.count_run_official(consultation=consultation)


# --- counting every rule on the same ballots ---------------------------------------------------


@dataclass(frozen=True)
class _Projects:
    """The election's projects (in the engine's order) with what the tables show of them."""

    pks: list[int]
    info: dict[int, dict]
    costs: np.ndarray
    votes: np.ndarray
    points: np.ndarray
    theme_names: list[str]
    theme_of: np.ndarray

    @classmethod
    def of(cls, election, proposal_pks) -> _Projects:
        pks = proposal_pks.tolist()
        info = {row["pk"]: row for row in Proposal.objects.filter(pk__in=pks).values(
            "pk", "title", "theme__name", "theme__position")}
        votes = election.supporters()
        points = np.array(election.total_points_exact(), dtype=float) \
            if election.points is not None else votes
        themes = sorted({(info[pk]["theme__position"], info[pk]["theme__name"]) for pk in pks})
        theme_names = [name for _pos, name in themes]
        return cls(
            pks=pks, info=info, votes=votes, points=points, theme_names=theme_names,
            costs=np.array([money(c) for c in election.costs_exact], dtype=float),
            theme_of=np.array([theme_names.index(info[pk]["theme__name"]) for pk in pks],
                              dtype=np.int64),
        )


def _rule_outcome(election, rule: str, *, run: CountRun | None,
                  official_rule: str) -> tuple[list, dict, str] | str:
    """What a rule selects, the explanations and a note; or why it cannot count. Notes are
    codes of `tables.RULE_NOTES`, worded when read."""
    from planning.counting import CountingError, RuleNotApplicable, count

    if run is not None and rule == run.rule:
        return list(run.selected), run.explanations, "official"
    try:
        outcome = count(election, rule)
    except RuleNotApplicable:
        return "not_applicable:cumulative_ballots"
    except CountingError:
        return "not_applicable:counting_error"
    note = "no_official_count" if rule == official_rule else ""
    return outcome.selected, outcome.explanations, note


def _share_of_voters_funded(election, chosen: np.ndarray) -> float | None:
    """Voters whose ballot names a funded project (%): cumulative sums over the CSR arrays."""
    if not election.n_voters:
        return None
    hits = np.concatenate([[0], np.cumsum(chosen[election.indices])])
    covered = (hits[election.indptr[1:]] - hits[election.indptr[:-1]]) > 0
    return round(float(covered.mean()) * 100, 1)


def _compare_rules(consultation: Consultation, election, projects: _Projects, rules: list[str],
                   *, run: CountRun | None, official_rule: str):
    """Each rule counted on the same ballots: the comparison rows, and per rule that applies
    its outcome (selected, explanations) and which projects it funds (a boolean mask)."""
    index = {pid: j for j, pid in enumerate(election.project_ids)}
    comparison, outcomes, selection = [], {}, {}
    for rule in rules:
        outcome = _rule_outcome(election, rule, run=run, official_rule=official_rule)
        if isinstance(outcome, str):
            comparison.append([rule, rule, False, None, None, None, None, outcome])
            continue
        selected, explanations, note = outcome
        outcomes[rule] = (selected, explanations)
        chosen = np.zeros(election.n_projects, dtype=bool)
        chosen[[index[pid] for pid in selected if pid in index]] = True
        spent = float(projects.costs[chosen].sum())
        comparison.append([
            rule, rule, run is not None and rule == run.rule,
            round(spent, 2), round(spent / float(consultation.budget) * 100, 1),
            int(chosen.sum()), _share_of_voters_funded(election, chosen), note,
        ])
        selection[rule] = chosen
    return comparison, outcomes, selection


def _votes_table(election, projects: _Projects, order: np.ndarray, *, main: np.ndarray,
                 explanations: dict, cumulative: bool, currency: str) -> dict:
    titles = {election.project_ids[j]: projects.info[pk]["title"]
              for j, pk in enumerate(projects.pks)}
    rows = []
    for j in order.tolist():
        pk = projects.pks[j]
        pid = election.project_ids[j]
        info = projects.info[pk]
        row = [pid, info["title"], info["theme__name"], projects.costs[j],
               int(projects.votes[j])]
        if cumulative:
            row.append(int(projects.points[j]))
        row += [bool(main[j]), explanation_cell(explanations.get(pid), titles=titles)]
        rows.append(row)
    types = dict(VOTE_TYPES) | ({"points": "int"} if cumulative else {}) \
        | {"selected": "bool", "explanation": "explanation"}
    return table_from_frame(pd.DataFrame(rows, columns=list(types)), types)


def consultation_results(consultation: Consultation) -> dict[str, Any]:
    """Votes per proposal, the official selection with explanations and the rules compared,
    all from one read of the ballots as arrays."""
    from planning.services import consultation_election

    election, proposal_pks = consultation_election(consultation=consultation)
    projects = _Projects.of(election, proposal_pks)
    run = official_run(consultation)
    official_rule = run.rule if run else consultation.counting_rule
    rules = [official_rule] + [r for r in COMPARED_RULES if r != official_rule]
    comparison, outcomes, selection = _compare_rules(
        consultation, election, projects, rules, run=run, official_rule=official_rule)
    applied = [rule for rule in rules if rule in selection]
    main_selected, main_explanations = outcomes.get(official_rule, ([], {}))
    m = election.n_projects
    main = selection.get(official_rule, np.zeros(m, dtype=bool))
    order = np.lexsort((np.arange(m), -projects.points, ~main))
    per_theme = {rule: np.bincount(projects.theme_of[selection[rule]],
                                   weights=projects.costs[selection[rule]],
                                   minlength=len(projects.theme_names)) for rule in applied}
    theme_frame = pd.DataFrame({"theme": projects.theme_names} | per_theme)
    selection_frame = pd.DataFrame(
        {"proposal": [projects.info[projects.pks[j]]["title"] for j in order.tolist()]}
        | {rule: selection[rule][order] for rule in applied})
    return {
        "tables": {
            "votes": _votes_table(
                election, projects, order, main=main, explanations=main_explanations,
                cumulative=consultation.voting_method == VotingMethod.CUMULATIVE,
                currency=consultation.currency),
            "rule_comparison": table_from_frame(
                pd.DataFrame(comparison, columns=list(COMPARISON_TYPES)), COMPARISON_TYPES,
                vocabularies=COMPARISON_VOCABULARIES),
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
