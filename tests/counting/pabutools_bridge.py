"""Run pabutools 1.2.3 on an :class:`Election` exactly as DESIGN.md defines each rule."""

from __future__ import annotations

from fractions import Fraction

from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    Project,
)
from pabutools.election.satisfaction import AdditiveSatisfaction
from pabutools.fractions import frac
from pabutools.rules import (
    completion_by_rule_combination,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)
from pabutools.tiebreaking import TieBreakingRule, lexico_tie_breaking

from planning.counting import Election


class PointsCostSat(AdditiveSatisfaction):
    """Satisfaction = points × cost (greedy by total points)."""

    def __init__(self, instance, profile, ballot):
        super().__init__(instance, profile, ballot,
                         lambda inst, prof, b, proj, pre: b.get(proj, 0) * proj.cost)


def _num(x):
    x = Fraction(x)
    return int(x) if x.denominator == 1 else frac(x.numerator, x.denominator)


def to_pabutools(election: Election, min_votes: int = 0):
    votes = election.supporters()
    keep = {j for j in range(election.n_projects) if votes[j] >= min_votes}
    projects = {j: Project(election.project_ids[j], _num(election.costs_exact[j])) for j in keep}
    instance = Instance(projects.values(), budget_limit=_num(election.budget))
    ptr, idx = election.indptr.tolist(), election.indices.tolist()
    if election.points is None:
        ballots = [ApprovalBallot(projects[j] for j in idx[ptr[v]:ptr[v + 1]] if j in keep)
                   for v in range(election.n_voters)]
        profile = ApprovalProfile(ballots)
    else:
        pts = election.points.tolist()
        ballots = []
        for v in range(election.n_voters):
            b = CumulativeBallot()
            for k in range(ptr[v], ptr[v + 1]):
                if idx[k] in keep:
                    b[projects[idx[k]]] = _num(pts[k])
            ballots.append(b)
        profile = CumulativeProfile(ballots)
    return instance, profile


def tie_breaking_rule(name: str, election: Election):
    if name == "lexicographic":
        return lexico_tie_breaking
    votes = election.supporters()
    index = {p: j for j, p in enumerate(election.project_ids)}
    return TieBreakingRule(
        lambda inst, prof, proj: (-int(votes[index[proj.name]]), proj.cost, proj.name))


def pabutools_outcome(election: Election, rule: str, min_votes: int = 0,
                      tie_break: str = "lexicographic") -> tuple[list[str], Fraction]:
    instance, profile = to_pabutools(election, min_votes)
    tb = tie_breaking_rule(tie_break, election)
    sat = PointsCostSat if election.points is not None else Cost_Sat
    if rule == "greedy":
        res = greedy_utilitarian_welfare(instance, profile, sat_class=sat, tie_breaking=tb)
    elif rule == "mes":
        res = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=tb)
    elif rule == "mes-add1":
        res = method_of_equal_shares(instance, profile, sat_class=Cost_Sat, tie_breaking=tb,
                                     voter_budget_increment=1)
    elif rule == "mes-add1u":
        res = completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat, "tie_breaking": tb, "voter_budget_increment": 1},
             {"sat_class": Cost_Sat, "tie_breaking": tb}])
    elif rule == "mes-greedy":
        res = completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": Cost_Sat, "tie_breaking": tb},
             {"sat_class": Cost_Sat, "tie_breaking": tb}])
    elif rule == "phragmen":
        res = sequential_phragmen(instance, profile, tie_breaking=tb)
    else:
        raise ValueError(rule)
    return _names_and_cost(res)


def _names_and_cost(res) -> tuple[list[str], Fraction]:
    selected = sorted(p.name for p in res)
    total = Fraction(sum((Fraction(str(p.cost)) for p in res), Fraction(0)))
    return selected, total


def pabutools_greedy_completion(election: Election, initial: list[str], min_votes: int = 0,
                                tie_break: str = "lexicographic") -> tuple[list[str], Fraction]:
    """The second step of ``completion_by_rule_combination([rule, greedy_utilitarian_welfare])``
    when ``rule`` returned the projects ``initial``: pabutools' greedy started from them (it
    returns them unchanged when they are already exhaustive)."""
    instance, profile = to_pabutools(election, min_votes)
    tb = tie_breaking_rule(tie_break, election)
    by_name = {p.name: p for p in instance}
    res = completion_by_rule_combination(
        instance, profile, [greedy_utilitarian_welfare],
        [{"sat_class": Cost_Sat, "tie_breaking": tb}],
        initial_budget_allocation=[by_name[pid] for pid in initial])
    return _names_and_cost(res)
