"""Sequential Phragmén, as pabutools 1.2.3 computes it (approval ballots only).

Voters earn money continuously; a project is bought at the earliest time ``t`` at which its
supporters' earnings since their last purchase cover its cost:
``t = (sum of supporters' loads + cost) / supporters``, and every supporter's load becomes ``t``.
Projects nobody supports come last (time = infinity). Like pabutools, the rule stops as soon as
one of the projects tied for the earliest time no longer fits in the budget; projects costing
more than the whole budget are never considered.

Loads are exact: each group of identical ballots remembers the round of its last purchase, and
``C[j, k]`` counts the supporters of ``j`` whose last purchase was round ``k``; the exact sum of
loads is ``sum_k C[j, k] * t_k``. Floats only shortlist the candidates.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ._prepare import Prepared, group_voters, num_json

WINDOW = 1e-9


def phragmen(prep: Prepared, explanations: dict) -> tuple[list[int], list[dict], dict]:
    ids = prep.election.project_ids
    groups = group_voters(prep)
    m = prep.m
    budget = prep.budget
    score = np.zeros(m, dtype=np.int64)
    for j in range(m):
        score[j] = groups.weight_of(j)
    remaining = [j for j in range(m) if prep.active[j] and prep.costs[j] <= budget]
    for j in range(m):
        if prep.active[j] and prep.costs[j] > budget:
            explanations[ids[j]] = {"status": "rejected", "reason": "exceeds_budget",
                                    "votes": int(prep.votes[j]), "cost": num_json(prep.costs[j])}
    C = np.zeros((m, m + 1), dtype=np.int64)
    C[:, 0] = score  # column 0: supporters with load 0
    last = np.zeros(groups.G, dtype=np.int64)  # column index of each group's load
    times: list[Fraction] = [Fraction(0)]
    times_f = [0.0]
    cost = 0
    selected: list[int] = []
    rounds: list[dict] = []
    stop: dict = {}
    rem = np.array(remaining, dtype=np.int64)
    while len(rem):
        k = len(times)
        t_f = np.array(times_f)
        loads_f = C[rem, :k] @ t_f
        supported = score[rem] > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            ml = np.where(supported, (loads_f + prep.costs_f[rem]) / np.maximum(score[rem], 1),
                          np.inf)
        best_f = ml.min()
        if np.isinf(best_f):
            tied = rem.tolist()
            t_new = None
        else:
            short = rem[ml <= best_f * (1 + WINDOW)].tolist()
            exact = {}
            for j in short:
                row = C[j, :k]
                nz = np.nonzero(row)[0]
                total = sum((int(row[q]) * times[q] for q in nz.tolist()), Fraction(0))
                exact[j] = (total + prep.costs[j]) / int(score[j])
            t_new = min(exact.values())
            tied = [j for j in short if exact[j] == t_new]
        too_big = [j for j in tied if cost + prep.costs[j] > budget]
        if too_big:
            stop = {"round": len(selected) + 1,
                    "did_not_fit": sorted(ids[j] for j in too_big),
                    "time": None if t_new is None else t_new}
            break
        winner = min(tied, key=lambda j: prep.rank[j])
        selected.append(winner)
        cost += prep.costs[winner]
        rounds.append({"round": len(selected), "project": ids[winner],
                       "time": t_new, "supporters": int(score[winner]),
                       "tied_with": sorted(ids[j] for j in tied if j != winner)})
        rem = rem[rem != winner]
        if t_new is not None:
            S = groups.supporters_of(winner)
            if len(S):
                rep, proj = groups.expand(S)
                wv = groups.w[S][rep]
                old = last[S][rep]
                np.add.at(C, (proj, old), -wv)
                np.add.at(C, (proj, np.full(len(proj), k)), wv)
                last[S] = k
            times.append(t_new)
            times_f.append(float(t_new))
    return selected, rounds, stop
