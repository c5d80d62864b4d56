"""Method of Equal Shares with cost satisfaction, as pabutools 1.2.3 computes it.

Every voter starts with ``budget / n_voters``. In each round, for each remaining project ``j``
(cost ``c``) the *price cap* ``p`` is the smallest amount such that supporters paying
``min(budget_i, p)`` together cover ``c``; with cost satisfaction pabutools orders projects by
``rho = p / c`` (smallest first, i.e. the largest *effective vote count* ``c / p``), breaks exact
ties with the tie-break rule, and charges the supporters. Projects whose supporters together hold
less than ``c`` are dropped for good. Zero-cost projects give no cost satisfaction, so MES ignores
them (as pabutools does); so are projects nobody supports.

Implementation notes (speed with exactness):

* voters with identical ballots always hold equal budgets, so they are handled as one weighted
  group;
* budgets are tracked in float64 for speed, but every decision is certified exactly: a group's
  exact budget is ``0`` once it has paid all it had, and otherwise
  ``B - sum(prices of the bought projects it approves)``, which we evaluate with
  :class:`fractions.Fraction` whenever a float comparison falls within a tolerance. Prices of
  bought projects are always exact Fractions, and ties between projects are decided on exact
  values;
* each round only re-evaluates projects whose supporters paid since the last evaluation, in
  increasing order of their last ``rho`` (a lower bound, since budgets only shrink), and stops
  as soon as the lower bound exceeds the best ``rho`` found (pabutools does the same).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from ._prepare import Groups, Prepared, cooccurrence, group_voters

#: relative window within which float values are treated as possibly tied and compared exactly
WINDOW = 1e-7
#: absolute tolerance on float budgets, relative to the initial budget per voter
BUDGET_TOL = 1e-9


@dataclass
class MesSetup:
    prep: Prepared
    groups: Groups
    wf: np.ndarray
    projects: list[int]  # MES projects: active, cost > 0, supported
    weight: dict[int, int]
    co: np.ndarray | None


def mes_setup(prep: Prepared) -> MesSetup:
    groups = group_voters(prep)
    projects = []
    weight = {}
    for j in range(prep.m):
        if not prep.active[j] or prep.costs[j] <= 0:
            continue
        W = groups.weight_of(j)
        if W > 0:
            projects.append(j)
            weight[j] = W
    return MesSetup(prep=prep, groups=groups, wf=groups.w.astype(np.float64),
                    projects=projects, weight=weight, co=cooccurrence(groups, prep.m))


@dataclass
class MesRun:
    """Result of one run of MES with a given budget per voter."""

    per_voter: Fraction
    selected: list[int] = field(default_factory=list)
    prices: dict[int, Fraction] = field(default_factory=dict)
    rounds: list[dict] = field(default_factory=list)
    dropped: dict[int, dict] = field(default_factory=dict)  # j -> {round, available}

    @property
    def total_cost(self):
        return None


class _NeedExact(Exception):
    """A float decision fell within the tolerance window: redo the run exactly."""


class _Run:
    def __init__(self, setup: MesSetup, B: Fraction, exact: bool = True):
        self.exact = exact
        self.simple = {}
        self.s = setup
        self.g = setup.groups
        self.B = Fraction(B)
        self.Bf = float(self.B)
        self.tol = BUDGET_TOL * max(self.Bf, 1e-300)
        G = self.g.G
        self.bf = np.full(G, self.Bf)
        self.exh = np.zeros(G, dtype=bool)
        self.prices: dict[int, Fraction] = {}
        self.m = setup.prep.m

    # -- exact helpers -------------------------------------------------------------------

    def exact_sum(self, groups: np.ndarray) -> Fraction:
        """Exact total budget of ``groups`` (weights included)."""
        groups = groups[~self.exh[groups]]
        if len(groups) == 0:
            return Fraction(0)
        w = self.g.w[groups]
        total = Fraction(int(w.sum())) * self.B
        if self.prices:
            rep, proj = self.g.expand(groups)
            cnt = np.bincount(proj, weights=w[rep].astype(np.float64), minlength=self.m)
            for j, p in self.prices.items():
                c = int(cnt[j])
                if c:
                    total -= c * p
        return total

    def exact_budget(self, g: int) -> Fraction:
        if self.exh[g]:
            return Fraction(0)
        b = self.B
        lo, hi = self.g.gindptr[g], self.g.gindptr[g + 1]
        for j in self.g.gindices[lo:hi].tolist():
            p = self.prices.get(j)
            if p is not None:
                b -= p
        return b

    def exact_price_full(self, j: int) -> Fraction | None:
        """Exact price cap from exact budgets of all supporters (slow path)."""
        S = self.g.supporters_of(j)
        c = Fraction(self.s.prep.costs[j])
        budgets = sorted(
            ((self.exact_budget(int(g)), int(self.g.w[g])) for g in S), key=lambda t: t[0])
        if sum(b * w for b, w in budgets) < c:
            return None
        contrib = Fraction(0)
        remaining_w = sum(w for _, w in budgets)
        for b, w in budgets:
            p = (c - contrib) / remaining_w
            if p <= b:
                return p
            contrib += b * w
            remaining_w -= w
        raise AssertionError("unreachable: affordable project without a price")

    # -- float evaluation ----------------------------------------------------------------

    def evaluate(self, j: int) -> float | None:
        """Float price cap of ``j``; None if its supporters cannot afford it (certified)."""
        S = self.g.supporters_of(j)
        b = self.bf[S]
        ww = self.s.wf[S]
        c = float(self.s.prep.costs_f[j])
        avail = float(ww @ b)
        if avail < c * (1 - WINDOW) - self.tol:
            return None
        if avail <= c * (1 + WINDOW) + self.tol:
            if not self.exact:
                raise _NeedExact
            if self.exact_sum(S) < self.s.prep.costs[j]:
                return None
        W = float(ww.sum())
        x = c / W
        if not self.exact:
            # If every supporter with money left holds more than cost / (their number), the
            # price is exactly that: rho = 1 / W_live, comparable exactly as an integer.
            live = ~self.exh[S]
            w_live = int(self.g.w[S][live].sum())
            self.simple[j] = None
            if w_live:
                x0 = c / w_live
                if b[live].min() > x0 * (1 + WINDOW) + self.tol:
                    self.simple[j] = w_live
        prev_wp = -1.0
        for _ in range(4):
            poor = b < x
            wp = float(ww[poor].sum())
            if wp == prev_wp:
                if not self.exact and wp and c > 1e6 * x * (W - wp):
                    raise _NeedExact  # catastrophic cancellation: trust no float here
                return x
            prev_wp = wp
            if W - wp <= 0:
                if not self.exact:
                    raise _NeedExact
                return float(b.max())
            x = (c - float(ww[poor] @ b[poor])) / (W - wp)
        o = np.argsort(b, kind="stable")
        bs, ws = b[o], ww[o]
        spent = np.cumsum(ws * bs) - ws * bs
        wleft = W - (np.cumsum(ws) - ws)
        with np.errstate(divide="ignore", invalid="ignore"):
            cand = (c - spent) / wleft
        ok = np.nonzero((cand <= bs) & (wleft > 0))[0]
        if len(ok) == 0:
            if not self.exact:
                raise _NeedExact
            return float(b.max())
        x = float(cand[ok[0]])
        if not self.exact and c > 1e6 * x * float(wleft[ok[0]]):
            raise _NeedExact
        return x

    def exact_price(self, j: int, x: float) -> Fraction:
        """Exact price cap of ``j``, using the float guess ``x`` to find who pays in full."""
        S = self.g.supporters_of(j)
        b = self.bf[S]
        poor = b < x
        w = self.g.w[S]
        w_rich = int(w[~poor].sum())
        c = self.s.prep.costs[j]
        if w_rich > 0:
            p = (c - self.exact_sum(S[poor])) / w_rich
            pf = float(p)
            lo = b[poor].max() if poor.any() else -np.inf
            hi = b[~poor].min()
            if lo < pf - self.tol and hi > pf + self.tol:
                return p
        p = self.exact_price_full(j)
        assert p is not None, "evaluate() certified the project as affordable"
        return p

    # -- charging ------------------------------------------------------------------------

    def charge(self, j: int, p: Fraction) -> int:
        """Charge the supporters of ``j``; return the number of voters who paid in full."""
        S = self.g.supporters_of(j)
        b = self.bf[S]
        pf = float(p)
        if not self.exact:
            if (np.abs(b - pf) <= self.tol).any():
                raise _NeedExact
            poor = b < pf
            self.bf[S] = np.where(poor, 0.0, b - pf)
            self.exh[S[poor]] = True
            return int(self.g.w[S[poor]].sum())
        amb = np.abs(b - pf) <= self.tol
        poor = (b < pf) & ~amb
        rich = (b > pf) & ~amb
        full = int(self.g.w[S[poor]].sum())
        self.bf[S[poor]] = 0.0
        self.exh[S[poor]] = True
        self.bf[S[rich]] -= pf
        amb_groups = S[amb]
        exact_budgets = [self.exact_budget(int(g)) for g in amb_groups]
        for g, eb in zip(amb_groups.tolist(), exact_budgets, strict=True):
            if eb <= p:
                full += int(self.g.w[g])
                self.bf[g] = 0.0
                self.exh[g] = True
            else:
                self.bf[g] = float(eb - p)
        self.prices[j] = p
        return full


def mes_run(setup: MesSetup, B: Fraction, record: bool = True) -> MesRun:
    """One run of MES with budget ``B`` per voter.

    Without ``record`` a fast float run is tried first; it gives up (and the run is redone with
    exact prices) as soon as any decision is not clear-cut in floating point.
    """
    if not record:
        try:
            return _mes_run(setup, B, record=False, exact=False)
        except _NeedExact:
            pass
    return _mes_run(setup, B, record=record, exact=True)


def _mes_run(setup: MesSetup, B: Fraction, record: bool, exact: bool) -> MesRun:
    prep = setup.prep
    run = _Run(setup, B, exact=exact)
    out = MesRun(per_voter=Fraction(B))
    m = prep.m
    stale = np.full(m, np.inf)
    fresh_x = np.full(m, np.nan)
    fresh = np.zeros(m, dtype=bool)
    alive = np.zeros(m, dtype=bool)
    for j in setup.projects:
        alive[j] = True
        stale[j] = 1.0 / setup.weight[j]
    rank = prep.rank
    costs_f = prep.costs_f
    round_no = 0
    while True:
        round_no += 1
        cand = np.nonzero(alive)[0]
        if len(cand) == 0:
            break
        order = cand[np.argsort(stale[cand], kind="stable")]
        best = np.inf
        evaluated = []
        for j in order.tolist():
            if stale[j] > best * (1 + WINDOW):
                break
            if not fresh[j]:
                x = run.evaluate(j)
                if x is None:
                    alive[j] = False
                    if record:
                        out.dropped[j] = {"round": round_no}
                    continue
                fresh[j] = True
                fresh_x[j] = x
                stale[j] = x / costs_f[j]
            evaluated.append(j)
            if stale[j] < best:
                best = stale[j]
        if not evaluated:
            break
        tied = [j for j in evaluated if stale[j] <= best * (1 + WINDOW)]
        if not exact:
            if len(tied) > 1:
                if not all(run.simple.get(j) for j in tied):
                    raise _NeedExact
                # simple prices: rho = 1 / supporters with money, compared exactly as integers
                top = max(run.simple[j] for j in tied)
                exact_tied = [j for j in tied if run.simple[j] == top]
                winner = min(exact_tied, key=lambda j: rank[j])
            else:
                winner = tied[0]
                exact_tied = [winner]
            p = float(fresh_x[winner])
        elif len(tied) == 1:
            winner = tied[0]
            p = run.exact_price(winner, fresh_x[winner])
            exact_tied = [winner]
        else:
            exact = {j: run.exact_price(j, fresh_x[j]) / prep.costs[j] for j in tied}
            low = min(exact.values())
            exact_tied = [j for j in tied if exact[j] == low]
            winner = min(exact_tied, key=lambda j: rank[j])
            p = low * prep.costs[winner]
        full = run.charge(winner, p)
        alive[winner] = False
        out.selected.append(winner)
        out.prices[winner] = p
        if record:
            c = prep.costs[winner]
            out.rounds.append({
                "round": round_no,
                "project": prep.election.project_ids[winner],
                "price_per_supporter": p,
                "rho": p / c,
                "effective_votes": c / p,
                "supporters": setup.weight[winner],
                "paid_in_full": full,
                "tied_with": sorted(prep.election.project_ids[t] for t in exact_tied
                                    if t != winner),
            })
        # projects sharing supporters with the winner need a fresh evaluation
        if setup.co is not None:
            fresh &= ~setup.co[winner]
        else:
            fresh[:] = False
    if record:
        for j, info in out.dropped.items():
            S = setup.groups.supporters_of(j)
            info["available"] = run.exact_sum(S)
    return out


def mes_add1(setup: MesSetup, record: bool = True) -> tuple[MesRun, int, list[dict]]:
    """Iterated MES: add 1 to every voter's budget until the outcome is exhaustive.

    As pabutools 1.2.3 with ``voter_budget_increment=1``: stop at the first run whose outcome
    is exhaustive (no other MES project fits in the money left) and return it; if a run
    overspends the budget, return the previous run's outcome instead.
    Returns (chosen run, number of runs computed, short log of the runs).
    """
    prep = setup.prep
    budget = prep.budget
    n = setup.groups.n_voters
    B = Fraction(budget) / n
    previous: MesRun | None = None
    log = []
    runs = 0
    while True:
        runs += 1
        res = mes_run(setup, B, record=False)
        cost = sum(prep.costs[j] for j in res.selected)
        feasible = cost <= budget
        chosen = set(res.selected)
        exhaustive = feasible and all(
            j in chosen or cost + prep.costs[j] > budget for j in setup.projects)
        log.append({"per_voter": B, "selected": len(res.selected), "cost": cost,
                    "feasible": feasible, "exhaustive": exhaustive})
        if not feasible:
            if previous is None:
                return MesRun(per_voter=B - 1), runs, log
            return (mes_run(setup, previous.per_voter) if record else previous), runs, log
        if exhaustive:
            return (mes_run(setup, B) if record else res), runs, log
        previous = res
        B += 1
