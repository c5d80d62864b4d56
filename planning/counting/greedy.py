"""Greedy by votes (pabutools' ``greedy_utilitarian_welfare`` with cost satisfaction)."""

from __future__ import annotations

from fractions import Fraction

from ._prepare import Prepared, num_json


def greedy_scores(prep: Prepared) -> list:
    """Score that orders the greedy rule: supporters (approval) or total points (cumulative).

    Mirrors pabutools' satisfaction density ``total_sat / cost`` with ``sat = cost`` per approval
    (or ``points × cost``): a project with zero cost or no support scores 0.
    """
    totals = prep.election.total_points_exact()
    return [
        totals[j] if (prep.costs[j] > 0 and totals[j] > 0) else 0
        for j in range(prep.m)
    ]


def greedy_complete(
    prep: Prepared,
    initial: list[int],
    explanations: dict,
    phase: str = "greedy",
) -> list[int]:
    """Add projects in decreasing score order while they fit; return the projects added."""
    e = prep.election
    scores = greedy_scores(prep)
    chosen = set(initial)
    remaining: int | Fraction = prep.budget - sum(prep.costs[j] for j in initial)
    candidates = [j for j in range(prep.m) if prep.active[j] and j not in chosen]
    candidates.sort(key=lambda j: (-scores[j], int(prep.rank[j])))
    added = []
    for rank, j in enumerate(candidates, start=1):
        cost = prep.costs[j]
        entry = {
            "phase": phase,
            "rank": rank,
            "score": num_json(scores[j]),
            "votes": int(prep.votes[j]),
            "cost": num_json(cost),
            "remaining_before": num_json(remaining),
        }
        if cost <= remaining:
            remaining -= cost
            added.append(j)
            entry.update(status="selected", reason="fitted")
        else:
            entry.update(status="rejected", reason="did_not_fit")
        explanations[e.project_ids[j]] = entry
    return added
