"""``count()``: run a rule on an election and explain the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from ._prepare import Prepared, TieBreak, num_json, prepare
from .election import APPROVAL_TYPES, CountingError, Election

#: Rules and the pabutools 1.2.3 definition each reproduces.
RULES: dict[str, str] = {
    "greedy": "greedy_utilitarian_welfare, satisfaction = cost per approval "
              "(points × cost for cumulative/scoring ballots: greedy by total points)",
    "mes": "method_of_equal_shares(sat_class=Cost_Sat)",
    "mes-add1": "method_of_equal_shares(sat_class=Cost_Sat, voter_budget_increment=1)",
    "mes-add1u": "completion_by_rule_combination([method_of_equal_shares, "
                 "greedy_utilitarian_welfare]), both with Cost_Sat, MES with "
                 "voter_budget_increment=1",
    "mes-greedy": "completion_by_rule_combination([method_of_equal_shares, "
                  "greedy_utilitarian_welfare]), both with Cost_Sat",
    "phragmen": "sequential_phragmen",
}

#: ``add1_stop`` values: stop raising the per-voter budget at the first exhaustive outcome
#: (pabutools), or only when the next step would overspend (equalshares.net's tool)
ADD1_STOPS: tuple[str, ...] = ("exhaustive", "overspend")
#: ``comparison`` values (besides None): how voters compare the Equal Shares outcome with the
#: greedy one (equalshares.net's tool's comparison step, see docs/counting.md)
COMPARISONS: tuple[str, ...] = ("satisfaction", "exclusion")

#: Options of :func:`count` each rule accepts (beyond ``min_votes`` and ``tie_break``).
RULE_OPTIONS: dict[str, tuple[str, ...]] = {
    "greedy": (),
    "mes": ("comparison",),
    "mes-add1": ("add1_stop", "comparison"),
    "mes-add1u": ("add1_stop", "comparison"),
    "mes-greedy": ("comparison",),
    "phragmen": (),
}
#: the value of each option that means "not used"
_OPTION_DEFAULTS = {"add1_stop": "exhaustive", "comparison": None}

#: Vote types each rule applies to.
RULE_VOTE_TYPES: dict[str, tuple[str, ...]] = {
    "greedy": ("approval", "choose-1", "cumulative", "scoring"),
    "mes": APPROVAL_TYPES,
    "mes-add1": APPROVAL_TYPES,
    "mes-add1u": APPROVAL_TYPES,
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
    #: the rule's options (see :data:`RULE_OPTIONS`) and their values
    options: dict[str, Any] = field(default_factory=dict)
    #: the comparison step's report when ``comparison`` was used, else None
    comparison: dict[str, Any] | None = None

    def to_dict(self) -> dict:
        return _jsonable({
            "rule": self.rule,
            "rule_definition": RULES[self.rule],
            "tie_break": self.tie_break,
            "min_votes": self.min_votes,
            "options": self.options,
            "comparison": self.comparison,
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
    add1_stop: str = "exhaustive",
    comparison: str | None = None,
) -> Outcome:
    """Count ``election`` with ``rule`` (one of :data:`RULES`).

    ``min_votes`` first drops projects with fewer supporters (voters giving positive points, for
    points ballots); the voters stay, so budgets per voter are unchanged. ``tie_break`` is
    ``"lexicographic"`` (pabutools' default) or ``"votes-then-cost"``. ``add1_stop`` (one of
    :data:`ADD1_STOPS`, ``mes-add1`` / ``mes-add1u`` only) says when the Add1 loop stops;
    ``comparison`` (None or one of :data:`COMPARISONS`, Equal Shares rules only) adds the
    comparison step with the greedy outcome. :data:`RULE_OPTIONS` lists the options of each rule;
    a value other than the default for a rule without that option raises :class:`CountingError`.
    """
    if rule not in RULES:
        raise CountingError(f"unknown rule {rule!r}; expected one of {', '.join(RULES)}")
    try:
        tie_break = TieBreak(tie_break)
    except ValueError:
        raise CountingError(
            f"unknown tie-break {tie_break!r}; expected one of "
            f"{', '.join(t.value for t in TieBreak)}") from None
    if add1_stop not in ADD1_STOPS:
        raise CountingError(
            f"unknown add1_stop {add1_stop!r}; expected one of {', '.join(ADD1_STOPS)}")
    if comparison is not None and comparison not in COMPARISONS:
        raise CountingError(
            f"unknown comparison {comparison!r}; expected None or one of "
            f"{', '.join(COMPARISONS)}")
    given = {"add1_stop": add1_stop, "comparison": comparison}
    for name, value in given.items():
        if value != _OPTION_DEFAULTS[name] and name not in RULE_OPTIONS[rule]:
            takers = ", ".join(r for r, opts in RULE_OPTIONS.items() if name in opts)
            raise CountingError(
                f"option {name}={value!r} does not apply to rule {rule!r}; it applies to "
                f"{takers}")
    options = {name: given[name] for name in RULE_OPTIONS[rule]}
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
        elif rule in ("mes-add1", "mes-add1u"):
            res, runs, log = mes_add1(setup, stop=add1_stop)
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
        if rule in ("mes-add1", "mes-add1u"):
            trace["add1_stop"] = add1_stop
            # what ended the loop: "exhaustive", "overspend" (the next budget overspent) or
            # "all_bought" (overspend mode: every MES project bought, no budget buys more)
            trace["stopped_by"] = res.stop_reason or None
            trace["runs"] = runs  # per-voter budgets tried, as pabutools' loop does
            trace["runs_computed"] = len(log)  # the others provably had the same outcome
            trace["runs_log"] = log[-5:]
        if rule in ("mes-greedy", "mes-add1u"):
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
        if comparison is not None:
            order, explanations, report = _comparison_step(prep, order, explanations,
                                                           comparison)
            trace["comparison"] = report
    report = trace.get("comparison")
    if options:
        trace["options"] = dict(options)
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
        options=options,
        comparison=report,
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


#: How many of the winners its supporters paid for an unselected project's explanation names.
PAID_FOR_SHOWN = 5


def _supporters_spending(prep: Prepared, setup, res) -> tuple[list[int], np.ndarray]:
    """Replay the recorded MES payments: ``spent[j, k]`` is what the supporters of project
    ``j`` paid, between them, for the ``k``-th winner (each of the winner's supporters pays the
    round's price per supporter, or all she has left). Floats: the figures explain the outcome,
    they decide nothing."""
    groups = setup.groups
    budget = np.full(groups.G, float(res.per_voter))
    winners = [_index(prep, r["project"]) for r in res.rounds]
    spent = np.zeros((prep.m, len(winners)))
    weights = groups.w.astype(np.float64)
    for k, (j, r) in enumerate(zip(winners, res.rounds, strict=True)):
        supporters = setup.sup[j]
        pay = np.minimum(budget[supporters], float(r["price_per_supporter"]))
        budget[supporters] -= pay
        rep, proj = groups.expand(supporters)
        spent[:, k] = np.bincount(proj, weights=(weights[supporters] * pay)[rep],
                                  minlength=prep.m)
    return winners, spent


def _paid_for(prep: Prepared, j: int, winners: list[int], spent: np.ndarray) -> dict:
    """Where the money of project ``j``'s supporters went: the winners it paid most for."""
    row = spent[j]
    order = [k for k in np.argsort(-row, kind="stable").tolist() if row[k] > 0.005]
    ids = prep.election.project_ids
    return {
        "supporters_paid_for": [[ids[winners[k]], round(float(row[k]), 2)]
                                for k in order[:PAID_FOR_SHOWN]],
        "supporters_paid_total": round(float(row.sum()), 2),
    }


def _explain_mes(prep, setup, res, explanations) -> None:
    ids = prep.election.project_ids
    rounds = {r["project"]: r for r in res.rounds}
    winners, spent = _supporters_spending(prep, setup, res)
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
                                 "supporters_money_left": num_json(d["available"]),
                                 # the share of its cost its supporters could still pay
                                 "effective_support": float(
                                     Fraction(d["available"]) / Fraction(prep.costs[j])),
                                 "voter_budget": float(res.per_voter),
                                 **_paid_for(prep, j, winners, spent)}
        else:  # pragma: no cover - MES ends only when every project is bought or dropped
            explanations[pid] = {"status": "rejected", **base, "reason": "not_reached"}


def _comparison_step(prep: Prepared, order: list[int], explanations: dict, method: str):
    """equalshares.net's comparison step: keep the Equal Shares outcome ``order`` unless more
    voters prefer the greedy outcome (``comparisonStep`` in the tool's
    ``js/methodOfEqualSharesWorker.js``).

    * ``satisfaction``: a voter prefers the outcome that funds more of the projects she
      approved. As in the tool, a voter none of whose projects is funded in one of the two
      outcomes has no satisfaction value there and counts for neither side.
    * ``exclusion``: a voter prefers the outcome that funds at least one of her projects when
      the other funds none (the tool's "exclusion ratio").

    The greedy outcome is this engine's ``greedy`` rule (same ``min_votes`` and tie-break).
    Returns (order kept, explanations kept, report).
    """
    import numpy as np

    from .greedy import greedy_complete

    e = prep.election
    ids = e.project_ids
    greedy_expl = {k: v for k, v in explanations.items() if v.get("reason") == "below_min_votes"}
    greedy_order = greedy_complete(prep, [], greedy_expl)
    n = e.n_voters
    voter = np.repeat(np.arange(n), np.diff(e.indptr))

    def funded(sel: list[int]) -> np.ndarray:
        mask = np.zeros(prep.m, dtype=np.int64)
        mask[sel] = 1
        return np.bincount(voter, weights=mask[e.indices], minlength=n)

    mes_sat, greedy_sat = funded(order), funded(greedy_order)
    if method == "satisfaction":
        both = (mes_sat > 0) & (greedy_sat > 0)
        prefer_mes = int(np.count_nonzero(both & (mes_sat > greedy_sat)))
        prefer_greedy = int(np.count_nonzero(both & (greedy_sat > mes_sat)))
    else:
        prefer_mes = int(np.count_nonzero((mes_sat > 0) & (greedy_sat == 0)))
        prefer_greedy = int(np.count_nonzero((greedy_sat > 0) & (mes_sat == 0)))
    keep_greedy = prefer_greedy > prefer_mes

    def side(sel: list[int]) -> dict:
        return {"selected": sorted(ids[j] for j in sel),
                "selection_order": [ids[j] for j in sel],
                "total_cost": sum((prep.costs[j] for j in sel), 0),
                "voters_with_a_funded_project": int(
                    np.count_nonzero(funded(sel) > 0))}

    report = {
        "method": method,
        "equal_shares": side(order),
        "greedy": side(greedy_order),
        "prefer_equal_shares": prefer_mes,
        "prefer_greedy": prefer_greedy,
        "no_preference": n - prefer_mes - prefer_greedy,
        "kept": "greedy" if keep_greedy else "equal_shares",
        # more voters prefer greedy: it replaces the Equal Shares outcome; otherwise (also on
        # a tie) Equal Shares stays
        "reason": ("more_voters_prefer_greedy" if keep_greedy
                   else "not_more_voters_prefer_greedy"),
    }
    if not keep_greedy:
        return order, explanations, report
    kept = {}
    for pid in ids:
        kept[pid] = {**greedy_expl[pid], "equal_shares": explanations[pid]}
    return greedy_order, kept, report
