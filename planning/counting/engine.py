"""``count()``: run a rule on an election and explain the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ._prepare import Prepared, TieBreak, num_json, prepare
from .election import APPROVAL_TYPES, CountingError, Election

#: Rules and the pabutools 1.2.3 definition each reproduces.
RULES: dict[str, str] = {
    "greedy": "greedy_utilitarian_welfare, satisfaction = cost per approval "
              "(points × cost for cumulative/scoring ballots: greedy by total points)",
    "mes": "method_of_equal_shares(sat_class=Cost_Sat)",
    "mes-add1": "method_of_equal_shares(sat_class=Cost_Sat, voter_budget_increment=1)",
    "mes-greedy": "completion_by_rule_combination([method_of_equal_shares, "
                  "greedy_utilitarian_welfare]), both with Cost_Sat",
    "phragmen": "sequential_phragmen",
}

#: Vote types each rule applies to.
RULE_VOTE_TYPES: dict[str, tuple[str, ...]] = {
    "greedy": ("approval", "choose-1", "cumulative", "scoring"),
    "mes": APPROVAL_TYPES,
    "mes-add1": APPROVAL_TYPES,
    "mes-greedy": APPROVAL_TYPES,
    "phragmen": APPROVAL_TYPES,
}


class RuleNotApplicable(CountingError):
    """The rule is not defined for this vote type."""


def rule_applies(rule: str, vote_type: str) -> bool:
    return vote_type in RULE_VOTE_TYPES[rule]


@dataclass
class Outcome:
    """The result of a count. ``to_dict()`` gives a JSON-safe version."""

    rule: str
    tie_break: str
    min_votes: int
    vote_type: str
    selected: list[str]  # project ids, sorted as strings (as pabutools lists them)
    selection_order: list[str]  # in the order the rule picked them
    total_cost: int | Fraction
    budget: int | Fraction
    explanations: dict[str, dict]
    trace: dict[str, Any] = field(default_factory=dict)
    n_voters: int = 0
    n_projects: int = 0

    def to_dict(self) -> dict:
        return _jsonable({
            "rule": self.rule,
            "rule_definition": RULES[self.rule],
            "tie_break": self.tie_break,
            "min_votes": self.min_votes,
            "vote_type": self.vote_type,
            "n_voters": self.n_voters,
            "n_projects": self.n_projects,
            "budget": self.budget,
            "total_cost": self.total_cost,
            "selected": self.selected,
            "selection_order": self.selection_order,
            "explanations": self.explanations,
            "trace": self.trace,
        })


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_jsonable(v) for v in x]
    if isinstance(x, Fraction):
        return num_json(x)
    if isinstance(x, bool) or x is None or isinstance(x, str | float | int):
        return x
    if hasattr(x, "item"):  # numpy scalar
        return x.item()
    return str(x)


def _exact_str(x) -> str:
    return str(x)


def count(
    election: Election,
    rule: str,
    *,
    min_votes: int = 0,
    tie_break: str | TieBreak = TieBreak.LEXICOGRAPHIC,
) -> Outcome:
    """Count ``election`` with ``rule`` (one of :data:`RULES`).

    ``min_votes`` first drops projects with fewer supporters (voters giving positive points, for
    points ballots); the voters stay, so budgets per voter are unchanged. ``tie_break`` is
    ``"lexicographic"`` (pabutools' default) or ``"votes-then-cost"``.
    """
    if rule not in RULES:
        raise CountingError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    try:
        tie_break = TieBreak(tie_break)
    except ValueError:
        raise CountingError(
            f"unknown tie-break {tie_break!r}; expected one of "
            f"{', '.join(t.value for t in TieBreak)}") from None
    if not rule_applies(rule, election.vote_type):
        raise RuleNotApplicable(
            f"rule {rule!r} applies to approval (and choose-1) ballots only, not to "
            f"{election.vote_type} ballots; use 'greedy'")
    if int(min_votes) < 0:
        raise CountingError("min_votes must not be negative")
    prep = prepare(election, int(min_votes), tie_break)
    ids = election.project_ids
    explanations: dict[str, dict] = {}
    for j in range(prep.m):
        if not prep.active[j]:
            explanations[ids[j]] = {"status": "rejected", "reason": "below_min_votes",
                                    "votes": int(prep.votes[j]), "min_votes": int(min_votes),
                                    "cost": num_json(prep.costs[j])}
    trace: dict[str, Any] = {}
    if rule == "greedy":
        from .greedy import greedy_complete

        order = greedy_complete(prep, [], explanations)
    elif rule == "phragmen":
        from .phragmen import phragmen

        order, rounds, stop = phragmen(prep, explanations)
        for r in rounds:
            j = _index(prep, r["project"])
            explanations[r["project"]] = {
                "status": "selected", "round": r["round"], "time": _time(r["time"]),
                "votes": r["supporters"], "cost": num_json(prep.costs[j]),
                "tied_with": r["tied_with"]}
        for j in range(prep.m):
            if ids[j] not in explanations:
                explanations[ids[j]] = {"status": "rejected", "reason": "rule_stopped",
                                        "votes": int(prep.votes[j]),
                                        "cost": num_json(prep.costs[j]),
                                        "stopped_at_round": stop.get("round")}
        trace = {"rounds": [{**r, "time": _time(r["time"])} for r in rounds],
                 "stop": {**stop, "time": _time(stop.get("time"))} if stop else None}
    else:
        from .mes import mes_add1, mes_run, mes_setup

        setup = mes_setup(prep)
        if election.n_voters == 0:
            from .mes import MesRun

            res, runs, log = MesRun(per_voter=Fraction(0)), 0, []
        elif rule == "mes-add1":
            res, runs, log = mes_add1(setup)
        else:
            res = mes_run(setup, Fraction(prep.budget) / election.n_voters)
            runs, log = 1, []
        _explain_mes(prep, setup, res, explanations)
        order = list(res.selected)
        trace = {
            "voter_budget": res.per_voter,
            "voter_budget_exact": str(res.per_voter),
            "voter_groups": setup.groups.G,
            "rounds": [_round_json(r) for r in res.rounds],
        }
        if rule == "mes-add1":
            trace["runs"] = runs  # per-voter budgets tried, as pabutools' loop does
            trace["runs_computed"] = len(log)  # the others provably had the same outcome
            trace["runs_log"] = log[-5:]
        if rule == "mes-greedy":
            from .greedy import greedy_complete

            mes_expl = {k: v for k, v in explanations.items()}
            added = greedy_complete(prep, order, explanations, phase="completion")
            for j in range(prep.m):
                if prep.active[j] and j not in order:
                    explanations[ids[j]]["mes"] = mes_expl[ids[j]]
            for j in order:
                explanations[ids[j]] = mes_expl[ids[j]]
            trace["completion"] = [ids[j] for j in added]
            order = order + added
    total = sum((prep.costs[j] for j in order), 0)
    return Outcome(
        rule=rule,
        tie_break=tie_break.value,
        min_votes=int(min_votes),
        vote_type=election.vote_type,
        selected=sorted(ids[j] for j in order),
        selection_order=[ids[j] for j in order],
        total_cost=total,
        budget=prep.budget,
        explanations={p: explanations[p] for p in ids},
        trace=trace,
        n_voters=election.n_voters,
        n_projects=election.n_projects,
    )


def _index(prep: Prepared, pid: str) -> int:
    cache = getattr(prep, "_index_cache", None)
    if cache is None:
        cache = {p: i for i, p in enumerate(prep.election.project_ids)}
        prep._index_cache = cache
    return cache[pid]


def _time(t):
    return None if t is None else float(t)


def _round_json(r: dict) -> dict:
    return {
        "round": r["round"],
        "project": r["project"],
        "price_per_supporter": float(r["price_per_supporter"]),
        "price_per_supporter_exact": str(r["price_per_supporter"]),
        "effective_votes": float(r["effective_votes"]),
        "rho": float(r["rho"]),
        "supporters": r["supporters"],
        "paid_in_full": r["paid_in_full"],
        "tied_with": r["tied_with"],
    }


def _explain_mes(prep, setup, res, explanations) -> None:
    ids = prep.election.project_ids
    rounds = {r["project"]: r for r in res.rounds}
    for j in range(prep.m):
        if not prep.active[j]:
            continue
        pid = ids[j]
        base = {"votes": int(prep.votes[j]), "cost": num_json(prep.costs[j])}
        if pid in rounds:
            r = _round_json(rounds[pid])
            explanations[pid] = {"status": "selected", **base, "round": r["round"],
                                 "price_per_supporter": r["price_per_supporter"],
                                 "price_per_supporter_exact": r["price_per_supporter_exact"],
                                 "effective_votes": r["effective_votes"], "rho": r["rho"],
                                 "paid_in_full": r["paid_in_full"], "tied_with": r["tied_with"]}
        elif prep.costs[j] <= 0:
            explanations[pid] = {"status": "rejected", **base, "reason": "zero_cost_ignored"}
        elif j not in setup.weight:
            explanations[pid] = {"status": "rejected", **base, "reason": "no_supporters"}
        elif j in res.dropped:
            d = res.dropped[j]
            explanations[pid] = {"status": "rejected", **base,
                                 "reason": "supporters_out_of_money", "round": d["round"],
                                 "supporters_money_left": num_json(d["available"])}
        else:  # pragma: no cover - MES ends only when every project is bought or dropped
            explanations[pid] = {"status": "rejected", **base, "reason": "not_reached"}
