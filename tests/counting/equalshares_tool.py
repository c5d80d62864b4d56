"""A slow, plain reference of equalshares.net's computation tool, as a test oracle.

Written from the behaviour of ``equalShares()`` in the tool's ``js/methodOfEqualSharesWorker.js``
(github.com/equalshares/equalshares-compute-tool), with exact fractions ("fractions" accuracy),
for approval ballots:

* MES at a total budget ``T``: every voter holds ``T / n``; each round buys the project with the
  largest effective vote count ``cost / price`` (ties: the first in ``order``); a project whose
  supporters hold less than its cost is dropped.
* Add1: start at the real budget (``integral`` off) and add 1 per voter while the next run does
  not overspend; with ``exhaustive`` stop as soon as the outcome is exhaustive (checked over all
  projects, as the tool does). Where no run can overspend (every MES project fits) the tool
  would loop for ever: like the engine, stop once every MES project is bought.
* ``add1u``: then the projects with the most votes that still fit (utilitarian completion).
* Comparison step with the greedy outcome (utilitarian completion of nothing): ``satisfaction``
  (more funded approved projects; a voter without any in one outcome counts for neither side)
  or ``exclusion`` (at least one funded project against none); greedy replaces Equal Shares
  only if strictly more voters prefer it.

Not reproduced (the tests avoid these cases): the tool skips Add1 entirely when the projects all
fit in the budget together.
"""

from __future__ import annotations

from fractions import Fraction


def _mes(order, cost, approvers, n, total):
    money = [Fraction(total) / n] * n
    eff = {c: Fraction(len(approvers[c])) for c in order if cost[c] > 0 and approvers[c]}
    winners = []
    while True:
        best, best_eff = [], Fraction(0)
        for c in sorted(eff, key=lambda c: -eff[c]):  # stable: ties stay in `order`
            if eff[c] < best_eff:
                break
            if sum(money[i] for i in approvers[c]) < cost[c]:
                del eff[c]
                continue
            paid, left = Fraction(0), len(approvers[c])
            for i in sorted(approvers[c], key=lambda i: money[i]):
                share = (cost[c] - paid) / left
                if share > money[i]:
                    paid += money[i]
                    left -= 1
                    continue
                eff[c] = cost[c] / share
                if eff[c] > best_eff:
                    best, best_eff = [c], eff[c]
                elif eff[c] == best_eff:
                    best.append(c)
                break
        if not best:
            return winners
        w = min(best, key=order.index)
        winners.append(w)
        price = cost[w] / best_eff
        for i in approvers[w]:
            money[i] = money[i] - price if money[i] > price else Fraction(0)
        del eff[w]


def _utilitarian(order, cost, approvers, budget, start):
    chosen = list(start)
    spent = sum((cost[c] for c in chosen), Fraction(0))
    for c in sorted(order, key=lambda c: -len(approvers[c])):
        if c not in chosen and spent + cost[c] <= budget:
            chosen.append(c)
            spent += cost[c]
    return chosen


def tool_outcome(ids, costs, budget, ballots, *, completion="add1", exhaustive=False,
                 comparison=None):
    """(selected ids sorted, report) as the tool computes them; ties go to the id first as a
    string (the tool's explicit-order tie-breaking with the ids sorted)."""
    order = sorted(ids)
    cost = {c: Fraction(k) for c, k in zip(ids, costs, strict=True)}
    budget = Fraction(budget)
    n = len(ballots)
    approvers = {c: [i for i, b in enumerate(ballots) if c in b] for c in order}
    mes_projects = {c for c in order if cost[c] > 0 and approvers[c]}
    if sum(cost.values()) <= budget:
        raise ValueError("the tool skips Add1 when every project fits: not reproduced")
    total = budget
    winners = _mes(order, cost, approvers, n, total)
    while True:
        spent = sum((cost[c] for c in winners), Fraction(0))
        if exhaustive and all(c in winners or spent + cost[c] > budget for c in order):
            break
        if set(winners) == mes_projects:
            break
        nxt = _mes(order, cost, approvers, n, total + n)
        if sum((cost[c] for c in nxt), Fraction(0)) > budget:
            break
        total, winners = total + n, nxt
    if completion == "add1u":
        winners = _utilitarian(order, cost, approvers, budget, winners)
    report = None
    if comparison:
        greedy = _utilitarian(order, cost, approvers, budget, [])
        mes_sat = [sum(1 for c in winners if c in b) for b in ballots]
        gr_sat = [sum(1 for c in greedy if c in b) for b in ballots]
        if comparison == "satisfaction":
            pm = sum(1 for a, g in zip(mes_sat, gr_sat, strict=True) if a and g and a > g)
            pg = sum(1 for a, g in zip(mes_sat, gr_sat, strict=True) if a and g and g > a)
        else:
            pm = sum(1 for a, g in zip(mes_sat, gr_sat, strict=True) if a and not g)
            pg = sum(1 for a, g in zip(mes_sat, gr_sat, strict=True) if g and not a)
        report = {"prefer_equal_shares": pm, "prefer_greedy": pg,
                  "equal_shares": sorted(winners), "greedy": sorted(greedy)}
        if pg > pm:
            winners = greedy
    return sorted(winners), report
