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
  as soon as the lower bound exceeds the best ``rho`` found (pabutools does the same);
* ``mes-add1``'s float runs and whole-interval checks run compiled (``_kernel``, numba): a
  port of the float paths below, which stay as the reference (``kernel=False``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd

import numpy as np

from ._prepare import Groups, Prepared, cooccurrence, group_voters

#: relative window within which float values are treated as possibly tied and compared exactly
WINDOW = 1e-7
#: absolute tolerance on float budgets, relative to the initial budget per voter
BUDGET_TOL = 1e-9
#: relative error margin of the add1 breakpoint analysis (float round-off is < 1e-11 here)
REL = 1e-8
#: dot products are taken in chunks of this size: OpenBLAS runs longer ones on several
#: threads, which on a busy machine costs far more than it saves (Warszawa mes-add1: ×4)
_CHUNK = 8192


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """``a @ b`` as a float, single-threaded (``b`` may be boolean)."""
    n = len(a)
    if n <= _CHUNK:
        return float(np.dot(a, b))
    return float(sum(np.dot(a[i:i + _CHUNK], b[i:i + _CHUNK]) for i in range(0, n, _CHUNK)))


@dataclass
class MesSetup:
    prep: Prepared
    groups: Groups
    wf: np.ndarray
    projects: list[int]  # MES projects: active, cost > 0, supported
    weight: dict[int, int]
    co: np.ndarray | None
    pw: dict[int, np.ndarray] = field(default_factory=dict)  # float weights of supporters
    pwi: dict[int, np.ndarray] = field(default_factory=dict)  # int weights of supporters
    sup: list = field(default_factory=list)  # supporter groups per project (views)
    pW: dict[int, float] = field(default_factory=dict)  # total weight of supporters (float)
    cf: list = field(default_factory=list)  # float costs as Python floats
    kernel: object = None  # the compiled float runs (_kernel.FloatKernel), built on first use


def _float_kernel(setup: MesSetup):
    if setup.kernel is None:
        from ._kernel import FloatKernel  # numba: imported only where add1 needs it

        setup.kernel = FloatKernel(setup)
    return setup.kernel


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
    wf = groups.w.astype(np.float64)
    sup = [groups.supporters_of(j) for j in range(prep.m)]
    pwi = {j: groups.w[sup[j]] for j in projects}
    pw = {j: wf[sup[j]] for j in projects}
    return MesSetup(prep=prep, groups=groups, wf=wf, projects=projects, weight=weight,
                    co=cooccurrence(groups, prep.m), pw=pw, pwi=pwi, sup=sup,
                    pW={j: float(weight[j]) for j in projects},
                    cf=[float(c) for c in prep.costs_f])


@dataclass
class MesRun:
    """Result of one run of MES with a given budget per voter."""

    per_voter: Fraction
    selected: list[int] = field(default_factory=list)
    prices: dict[int, Fraction] = field(default_factory=dict)
    rounds: list[dict] = field(default_factory=list)
    dropped: dict[int, dict] = field(default_factory=dict)  # j -> {round, available}
    #: with ``analyse``: the runs at per_voter + t select the same projects for 0 <= t < this
    same_until: float = 0.0
    #: mes_add1 only: what ended the loop ("exhaustive", "overspend", "all_bought")
    stop_reason: str = ""

    @property
    def total_cost(self):
        return None


class _NeedExact(Exception):
    """A float decision fell within the tolerance window: redo the run exactly."""


@dataclass
class _Snap:
    """State of an analysed float run just before one of its rounds (see :func:`_resume`).

    With ``d = B' - base``, the run at per-voter budget ``B'`` has the same structure as the
    run at ``base`` in all rounds before this one whenever ``0 <= d < tmin``, and then holds
    the budgets ``bf + sf * d`` when this round starts.
    """

    base: Fraction
    tmin: float
    round_no: int
    gstate: np.ndarray  # rows: budgets bf, slopes sf, magnitudes sa (per voter group)
    alive: np.ndarray
    selected: list
    st: np.ndarray  # rows: st_a, st_s, st_sa, st_wr of the analysis (per project)
    #: projects dropped during this round as unaffordable: (j, up0, s_up) of note_drop, i.e.
    #: j's supporters hold less than its cost at ``base + d`` while ``up0 + s_up * d < 0``
    drops: list = field(default_factory=list)
    prices: dict = field(default_factory=dict)  # prices of the winners so far


class _Run:
    def __init__(self, setup: MesSetup, B: Fraction, exact: bool = True,
                 analyse: bool = False):
        self.exact = exact
        self.simple = {}
        self.s = setup
        self.g = setup.groups
        self.sup = setup.sup
        self.B = Fraction(B)
        self.Bf = float(self.B)
        self.tol = BUDGET_TOL * max(self.Bf, 1e-300)
        G = self.g.G
        # budgets, and (analysis) their slopes and magnitudes, as rows of one array so that a
        # snapshot is one copy
        self.gstate = np.empty((3, G))
        self.bf = self.gstate[0]
        self.bf[:] = self.Bf
        self.exh = np.zeros(G, dtype=bool)
        self.prices: dict[int, Fraction] = {}
        # exact budgets as integers over a common denominator L: B = BL / L, price_j = PL_j / L
        self.L = self.B.denominator
        self.BL = self.B.numerator
        self.PL: dict[int, int] = {}
        self.m = setup.prep.m
        self.analyse = analyse
        self.drop_log = None
        if analyse:
            self._init_analysis()

    # -- exact helpers -------------------------------------------------------------------

    def _add_price(self, j: int, p: Fraction) -> None:
        self.prices[j] = p
        d = p.denominator
        if self.L % d:
            f = d // gcd(self.L, d)
            self.L *= f
            self.BL *= f
            self.PL = {k: v * f for k, v in self.PL.items()}
        self.PL[j] = p.numerator * (self.L // d)

    def exact_sum_num(self, groups: np.ndarray) -> int:
        """Exact total budget of ``groups`` (weights included), times ``self.L``."""
        groups = groups[~self.exh[groups]]
        if len(groups) == 0:
            return 0
        w = self.g.w[groups]
        total = int(w.sum()) * self.BL
        if self.PL:
            rep, proj = self.g.expand(groups)
            cnt = np.bincount(proj, weights=w[rep].astype(np.float64), minlength=self.m)
            cnt = cnt.tolist()
            for j, pl in self.PL.items():
                c = cnt[j]
                if c:
                    total -= int(c) * pl
        return total

    def exact_sum(self, groups: np.ndarray) -> Fraction:
        """Exact total budget of ``groups`` (weights included)."""
        return Fraction(self.exact_sum_num(groups), self.L)

    def exact_budget(self, g: int) -> Fraction:
        if self.exh[g]:
            return Fraction(0)
        b = self.BL
        lo, hi = self.g.gindptr[g], self.g.gindptr[g + 1]
        PL = self.PL
        for j in self.g.gindices[lo:hi].tolist():
            pl = PL.get(j)
            if pl is not None:
                b -= pl
        return Fraction(b, self.L)

    def exact_price_full(self, j: int) -> Fraction | None:
        """Exact price cap from exact budgets of all supporters (slow path)."""
        S = self.sup[j]
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
        S = self.sup[j]
        b = self.bf[S]
        ww = self.s.pw[j]
        c = self.s.cf[j]
        avail = _dot(ww, b)
        if avail < c * (1 - WINDOW) - self.tol:
            return None
        if avail <= c * (1 + WINDOW) + self.tol:
            if not self.exact:
                raise _NeedExact
            cj = self.s.prep.costs[j]
            if self.exact_sum_num(S) < cj * self.L:
                return None
        W = self.s.pW[j]
        x = c / W
        if not self.exact:
            # If every supporter with money left holds more than cost / (their number), the
            # price is exactly that: rho = 1 / W_live, comparable exactly as an integer.
            # (Weights are small integers: their float sums are exact.)
            live = b > 0  # exhausted groups hold exactly 0.0, the others more than tol
            w_live = _dot(ww, live)
            self.simple[j] = None
            if w_live:
                x0 = c / w_live
                thr = x0 * (1 + WINDOW) + self.tol
                # all live supporters above thr <=> the only budgets <= thr are the 0.0 ones
                if np.count_nonzero(b <= thr) == len(b) - np.count_nonzero(live):
                    self.simple[j] = int(w_live)
                    # the fixed point below would make exactly the exhausted groups poor
                    # and return c / w_live
                    return x0
        prev_wp = -1.0
        wb = None
        for _ in range(8):
            poor = b < x
            wp = _dot(ww, poor)
            if wp == prev_wp:
                if not self.exact and wp and c > 1e6 * x * (W - wp):
                    raise _NeedExact  # catastrophic cancellation: trust no float here
                return x
            prev_wp = wp
            if W - wp <= 0:
                if not self.exact:
                    raise _NeedExact
                return float(b.max())
            if wb is None:
                wb = ww * b
            x = (c - _dot(wb, poor)) / (W - wp)
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

    def behind(self, j: int, thr: float) -> float | None:
        """A lower bound on ``j``'s rho if it certainly exceeds ``thr`` (``inf``: ``j`` is
        unaffordable), else None; float runs only.

        One pass instead of a price evaluation: with ``q = thr * cost`` the supporters pay
        ``sum min(budget, q) = A + W_R q`` (``A``: money of those below ``q``, ``W_R``: weight
        of the others); below the cost (with the margins of :meth:`evaluate`) the price cap
        exceeds ``q``, and ``(cost - A) / W_R`` bounds it from below.
        """
        S = self.sup[j]
        b = self.bf[S]
        ww = self.s.pw[j]
        c = self.s.cf[j]
        if _dot(ww, b) < c * (1 - WINDOW) - self.tol:
            return np.inf
        q = thr * c
        below = b < q
        a = _dot(ww * b, below)
        wr = self.s.pW[j] - _dot(ww, below)
        if wr <= 0 or a + wr * q >= c * (1 - WINDOW) - self.tol:
            return None
        return max(thr, (c - a) / wr / c * (1 - 1e-6))

    def exact_price(self, j: int, x: float) -> Fraction:
        """Exact price cap of ``j``, using the float guess ``x`` to find who pays in full."""
        S = self.sup[j]
        b = self.bf[S]
        poor = b < x
        w = self.s.pwi[j]
        w_rich = int(w[~poor].sum())
        c = self.s.prep.costs[j]
        if w_rich > 0:
            num = self.exact_sum_num(S[poor])
            if isinstance(c, int):
                p = Fraction(c * self.L - num, self.L * w_rich)
            else:
                p = (c - Fraction(num, self.L)) / w_rich
            pf = float(p)
            lo = b[poor].max() if poor.any() else -np.inf
            hi = b[~poor].min()
            if lo < pf - self.tol and hi > pf + self.tol:
                return p
        p = self.exact_price_full(j)
        assert p is not None, "evaluate() certified the project as affordable"
        return p

    # -- breakpoint analysis (mes-add1) --------------------------------------------------
    #
    # Run at per-voter budget B; consider the same run at B + t, t >= 0. As long as the run's
    # structure is unchanged (same winner each round, same supporters paying all they have),
    # every budget is affine in t: ``bf + sf * t`` (``sf``: slope, 1 at the start, 0 once
    # exhausted, minus the slope of each price paid), and so is each winner's price
    # ``p + pi * t`` with ``pi = -(sum of poor supporters' slopes) / rich supporters``. The
    # structure holds while (a) each winner's poor supporters stay <= its price and its rich
    # ones >= it, and (b) no other project j reaches the winner's rho. For (b) we use that for
    # ANY split P / R of j's supporters, sum_g w_g min(budget_g, q) <= sum_P w budget + W_R q:
    # with q = rho_winner * cost_j, j cannot win (or tie) while
    # ``L(t) = sum_P w budget_g(t) + W_R q(t) - cost_j < 0``; L is affine, P is the split of
    # j's last evaluation (budgets only fall during a run, so older budgets bound newer ones),
    # and a project dropped as unaffordable stays so while sum_S w budget_g(t) < cost_j. Each
    # constraint gives the first t at which it may fail; every float quantity gets a margin
    # REL times its scale, so the bound ``tmin`` is safe (it is conservative, never late).

    def _init_analysis(self):
        m = self.m
        self.sf = self.gstate[1]  # slope of each group's budget
        self.sa = self.gstate[2]  # bound on the magnitude of the terms summed into sf
        self.sf[:] = 1.0
        self.sa[:] = 1.0
        # per project, rows: st_a, st_s, st_sa, st_wr (one array: one copy per snapshot)
        self.st = np.zeros((4, m))
        self.tmin = np.inf
        self.st_a = self.st[0]  # per project: sum_P w budget at its last evaluation
        self.st_s = self.st[1]  # ... sum_P w slope
        self.st_sa = self.st[2]  # ... sum_P w magnitude
        self.st_wr = self.st[3]  # ... weight of R (rich supporters)
        self.st_w = np.zeros(m)
        for j, W in self.s.weight.items():
            self.st_wr[j] = W
            self.st_w[j] = W
        self.cf = self.s.prep.costs_f

    def _give_up(self):
        self.tmin = 0.0
        self.analyse = False

    def _bound(self, t: float) -> None:
        if t < self.tmin:
            self.tmin = t
            if t <= 1.0:  # no run can be skipped any more: stop analysing this run
                self.analyse = False

    def note_state(self, j: int, x: float) -> None:
        S = self.sup[j]
        b = self.bf[S]
        ww = self.s.pw[j]
        poor = b < x
        wp = ww[poor]
        self.st_a[j] = _dot(wp, b[poor])
        self.st_s[j] = _dot(wp, self.sf[S][poor])
        self.st_sa[j] = _dot(wp, self.sa[S][poor])
        self.st_wr[j] = self.st_w[j] - float(wp.sum())

    def note_drop(self, j: int) -> None:
        S = self.sup[j]
        ww = self.s.wf[S]
        c = self.cf[j]
        up0 = _dot(ww, self.bf[S]) - c + REL * (self.st_w[j] * self.Bf + c)
        if up0 >= 0:
            self._give_up()
            return
        s_up = _dot(ww, self.sf[S]) + REL * (_dot(ww, self.sa[S]) + 1.0)
        if self.drop_log is not None:
            self.drop_log.append((j, up0, s_up))
        if s_up > 0:
            self._bound(-up0 / s_up)

    def note_round(self, winner: int, p, others: np.ndarray) -> tuple | None:
        """Constraints of one round (before charging); returns the winner's price slope."""
        S = self.sup[winner]
        pf = float(p)
        b = self.bf[S]
        sf = self.sf[S]
        sa = self.sa[S]
        ww = self.s.wf[S]
        margin = REL * (self.Bf + pf)
        poor = b < pf
        dev = b - pf
        edge = np.abs(dev) <= 2 * margin
        if not edge.any():
            # common case (same constraints as below, fewer numpy calls): every supporter is
            # more than 2 * margin away from the price, so e0 > 0 for all of them
            wp = ww[poor]
            w_rich = self.s.pW[winner] - float(wp.sum())
            if w_rich <= 0:
                self._give_up()
                return None
            pi = -_dot(wp, sf[poor]) / w_rich
            pi_abs = _dot(wp, sa[poor]) / w_rich
            sign = np.where(poor, 1.0, -1.0)
            e0 = -sign * dev - margin
            e1 = sign * (pi - sf) - REL * (pi_abs + sa + 1.0)
            neg = e1 < 0
            if neg.any():
                self._bound(float((e0[neg] / -e1[neg]).min()))
            return self._note_others(winner, pf, pi, pi_abs, w_rich, others,
                                     simple_price=not (b[poor].any() or sf[poor].any()),
                                     poor=poor)
        if edge.any():
            # supporters whose budget may equal the price: decide exactly (exact run only)
            if not self.exact:
                raise _NeedExact
            for g in S[edge].tolist():
                if self.exact_budget(g) != p:
                    self._give_up()
                    return None
        inner = ~edge
        # slope of the price: edge supporters go to the side they move to (a fixed point)
        on_edge = np.zeros(len(S), dtype=bool) if not edge.any() else edge
        poor = poor & inner
        pi = pi_abs = 0.0
        for _ in range(4):
            w_rich = float(ww[~poor].sum())
            if w_rich <= 0:
                self._give_up()
                return None
            pi = -_dot(ww[poor], sf[poor]) / w_rich
            pi_abs = _dot(ww[poor], sa[poor]) / w_rich
            if not on_edge.any():
                break
            tol_s = REL * (pi_abs + sa[on_edge] + 1.0)
            gap = sf[on_edge] - pi
            if (np.abs(gap) <= tol_s).any():
                self._give_up()
                return None
            new_poor = poor.copy()
            new_poor[on_edge] = gap < 0
            if np.array_equal(new_poor, poor):
                break
            poor = new_poor
        else:
            self._give_up()
            return None
        # (a) poor supporters: p - b >= 0; rich ones: b - p >= 0 (edge ones: equal at t = 0,
        # and moving the right way by construction)
        sign = np.where(poor, 1.0, -1.0)
        e0 = sign * (pf - b) - REL * (self.Bf + pf)
        e0[on_edge] = 0.0
        if inner.any() and e0[inner].min() <= 0:
            self._give_up()
            return None
        e1 = sign * (pi - sf) - REL * (pi_abs + sa + 1.0)
        e1[on_edge] = np.maximum(e1[on_edge], 0.0)
        neg = e1 < 0
        if neg.any():
            self._bound(float((e0[neg] / -e1[neg]).min()))
        return self._note_others(winner, pf, pi, pi_abs, w_rich, others,
                                 simple_price=not on_edge.any()
                                 and not (b[poor].any() or sf[poor].any()), poor=poor)

    def _note_others(self, winner, pf, pi, pi_abs, w_rich, others, simple_price, poor):
        # (b) the other projects still in the race must stay strictly behind the winner
        if len(others):
            cw = self.cf[winner]
            c = self.cf[others]
            q = pf / cw * c
            qd = pi / cw * c
            qa = pi_abs / cw * c
            wr = self.st_wr[others]
            up0 = (self.st_a[others] + wr * q - c
                   + REL * (self.st_w[others] * self.Bf + wr * q + c))
            s_up = self.st_s[others] + wr * qd + REL * (self.st_sa[others] + wr * qa + 1.0)
            if simple_price:
                # the winner's price is cost / W_rich, constant in t; against a project whose
                # poor supporters are all exhausted too, L(t) = cost_j (W_R,j / W_rich - 1)
                # exactly: compare the integer weights (a tie persists and is decided by the
                # tie-break as it was at t = 0)
                simple = (self.st_a[others] == 0) & (self.st_s[others] == 0)
                if simple.any():
                    rank = self.s.prep.rank
                    ok = (wr < w_rich) | ((wr == w_rich) & (rank[others] > rank[winner]))
                    if not ok[simple].all():
                        self._give_up()
                        return None
                    up0[simple] = -1.0
                    s_up[simple] = 0.0
            if up0.max() >= 0:
                self._give_up()
                return None
            pos = s_up > 0
            if pos.any():
                self._bound(float((-up0[pos] / s_up[pos]).min()))
        return poor, pi, pi_abs

    def update_slopes(self, winner: int, info) -> None:
        poor, pi, pi_abs = info
        S = self.sup[winner]
        self.sf[S] = np.where(poor, 0.0, self.sf[S] - pi)
        self.sa[S] = np.where(poor, 0.0, self.sa[S] + pi_abs)

    # -- charging ------------------------------------------------------------------------

    def charge(self, j: int, p: Fraction) -> int:
        """Charge the supporters of ``j``; return the number of voters who paid in full."""
        S = self.sup[j]
        b = self.bf[S]
        pf = float(p)
        if not self.exact:
            # float runs are never recorded: the number paying in full is not needed, and
            # exhausted groups are recognised by their budget of exactly 0.0
            d = b - pf
            if float(np.abs(d).min()) <= self.tol:
                raise _NeedExact
            self.bf[S] = np.maximum(d, 0.0)  # b < p  <=>  b - p < 0 (IEEE subtraction)
            return 0
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
        self._add_price(j, p)
        return full


def mes_run(setup: MesSetup, B: Fraction, record: bool = True,
            analyse: bool = False, snaps=None, kernel: bool = True) -> MesRun:
    """One run of MES with budget ``B`` per voter.

    Without ``record`` a fast float run is tried first; it gives up (and the run is redone with
    exact prices) as soon as any decision is not clear-cut in floating point. With ``analyse``
    the result's ``same_until`` is a safe bound ``t`` such that the runs at ``B + t'`` for
    every ``0 <= t' < t`` select exactly the same projects (see :meth:`_Run.note_round`).
    With ``kernel`` the float run is the compiled one of ``_kernel`` (``snaps`` then is its
    ``Snapshots``), otherwise the Python reference (``snaps`` a list of :class:`_Snap`).
    """
    if not record:
        if kernel:
            got = _float_kernel(setup).run(Fraction(B), analyse, snaps)
            if got is not None:
                sel, prices, same_until = got
                return MesRun(per_voter=Fraction(B), selected=sel,
                              prices=dict(zip(sel, prices, strict=True)),
                              same_until=same_until)
        else:
            try:
                return _mes_run(setup, B, record=False, exact=False, analyse=analyse,
                                snaps=snaps if analyse else None)
            except _NeedExact:
                pass
    if snaps is not None:
        snaps.clear()
    return _mes_run(setup, B, record=record, exact=True, analyse=analyse)


def _resume(setup: MesSetup, run: _Run, snaps: list, B: Fraction):
    """Start ``run`` (at ``B``) from the latest snapshot whose prefix provably stays the same.

    Returns (alive, selected so far, number of the last round done, stale lower bounds, prices
    so far) or None
    to start from the first round. Snapshots after the one used are discarded.
    """
    k = len(snaps) - 1
    while k >= 0:
        d = float(B - snaps[k].base)
        if 0 <= d < snaps[k].tmin:
            break
        k -= 1
    del snaps[k + 1:]
    if k < 0:
        return None
    sn = snaps[k]
    run.gstate[:] = sn.gstate
    run.bf += run.sf * d  # exhausted groups: slope 0, budget stays exactly 0.0
    run.st[:] = sn.st
    # the affine sums of the last evaluations, shifted to B (upper bounds: margin added)
    run.st_a += run.st_s * d + REL * run.st_sa * d
    run.tmin = sn.tmin - d
    if run.tmin <= 1.0:
        run.analyse = False
    alive = sn.alive.copy()
    for j, up0, s_up in sn.drops:
        # dropped at this round of the snapshot's run, and provably still unaffordable here
        u = up0 + s_up * d
        if u < 0 and alive[j]:
            alive[j] = False
            if s_up > 0:
                run._bound(-u / s_up)
    # lower bounds on rho: for the split P / R of j's last evaluation, its price q satisfies
    # cost <= sum_P budget + W_R q, and budgets only fall during a run
    m = setup.prep.m
    stale = np.full(m, np.inf)
    cand = np.nonzero(alive)[0]
    c = run.cf[cand]
    lb = 1.0 / run.st_w[cand]
    wr = run.st_wr[cand]
    ok = wr > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        up = run.st_a[cand] + REL * (run.st_w[cand] * run.Bf + c)
        lb2 = (c - up) / (wr * c) * (1 - 1e-6)
    lb = np.where(ok & (lb2 > lb), lb2, lb)
    stale[cand] = lb
    return alive, list(sn.selected), sn.round_no - 1, stale, dict(sn.prices)


def _mes_run(setup: MesSetup, B: Fraction, record: bool, exact: bool,
             analyse: bool = False, snaps: list | None = None) -> MesRun:
    prep = setup.prep
    run = _Run(setup, B, exact=exact, analyse=analyse)
    out = MesRun(per_voter=Fraction(B))
    m = prep.m
    fresh_x = np.full(m, np.nan)
    fresh = np.zeros(m, dtype=bool)
    resumed = _resume(setup, run, snaps, B) if snaps is not None else None
    if resumed is None:
        stale = np.full(m, np.inf)
        alive = np.zeros(m, dtype=bool)
        for j in setup.projects:
            alive[j] = True
            stale[j] = 1.0 / setup.weight[j]
        round_no = 0
    else:
        alive, out.selected, round_no, stale, out.prices = resumed
    first = round_no + 1  # the snapshot of this round exists (or is the start)
    rank = prep.rank
    costs_f = prep.costs_f
    while True:
        round_no += 1
        if snaps is not None and run.analyse and round_no > first:
            snaps.append(_Snap(base=B, tmin=run.tmin, round_no=round_no, gstate=run.gstate.copy(),
                               alive=alive.copy(), selected=list(out.selected),
                               st=run.st.copy(), prices=dict(out.prices)))
            run.drop_log = snaps[-1].drops
        else:
            run.drop_log = None
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
                    if run.analyse:
                        run.note_drop(j)
                    if record:
                        out.dropped[j] = {"round": round_no}
                    continue
                if run.analyse:
                    run.note_state(j, x)
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
        info = None
        if run.analyse:
            alive[winner] = False
            info = run.note_round(winner, p, np.nonzero(alive)[0])
        full = run.charge(winner, p)
        if info is not None and run.analyse:
            run.update_slopes(winner, info)
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
    if analyse:
        out.same_until = run.tmin
    return out


def _same_sequence(setup: MesSetup, res: MesRun, T: int, kernel: bool = True) -> MesRun | None:
    """The run at ``B + T`` if the runs at every per-voter budget in ``[B, B + T]``
    (``B = res.per_voter``) provably buy the projects of ``res`` in the same order, hence
    select the same set; otherwise None.

    Monotone sandwich: charge the winners of ``res`` in their order (the *forced* run) at some
    ``B' >= B``. By induction every budget before every round is non-decreasing in ``B'``:
    more money lowers each price cap, and a supporter keeps ``max(budget - price, 0)``. A
    project's rho (price cap / cost) is non-increasing in the budgets, and its affordability
    non-decreasing. So for ``B <= B' <= B + T``, with the forced run at ``B + T``: round ``r``'s
    winner is affordable at ``B'`` (it is at ``B``) with ``rho(B') <= rho(B)``, and every other
    project ``j`` still in the race has ``rho_j(B') >= rho_j(B + T)``; if that exceeds the
    winner's rho at ``B`` (with a margin) at every round, and if no project is affordable after
    the last round at ``B + T``, MES at ``B'`` makes exactly the same choices. "Exceeds" needs
    no price: one pass over ``j``'s supporters bounds its rho from below (:meth:`_Run.behind`).
    Lower bounds of rho stay valid within the forced run (money only falls), so projects are
    re-checked lazily. Any doubtful float decision answers None. The run
    returned (same projects, the forced run's float prices at ``B + T``) can start the next
    such check: only consecutive budgets are compared, so the checks chain.
    """
    sel = res.selected
    if not sel or any(j not in res.prices for j in sel):
        return None
    if kernel:
        B = res.per_voter + T
        got = _float_kernel(setup).same_sequence(sel, [float(res.prices[w]) for w in sel],
                                                 float(B))
        if got is None:
            return None
        return MesRun(per_voter=B, selected=list(sel), prices=dict(zip(sel, got, strict=True)))
    run = _Run(setup, res.per_voter + T, exact=False)
    cf = setup.cf
    chosen = set(sel)
    rest = [j for j in setup.projects if j not in chosen]
    lb = {j: 1.0 / setup.pW[j] for j in setup.projects}
    later = list(sel)
    prices = {}
    try:
        for r, w in enumerate(sel):
            thr = float(res.prices[w]) / cf[w] * (1 + 4 * WINDOW)
            later[r] = -1
            for j in rest + later[r + 1:]:
                if j < 0 or lb[j] > thr:
                    continue
                lb[j] = run.behind(j, thr)
                if lb[j] is None:
                    return None
            x = run.evaluate(w)
            if x is None:
                return None
            run.charge(w, x)
            prices[w] = x
            lb[w] = np.inf
            rest = [j for j in rest if lb[j] < np.inf]
        # after the last round, nothing else may be affordable
        for j in rest:
            if run.evaluate(j) is not None:
                return None
    except _NeedExact:
        return None
    return MesRun(per_voter=run.B, selected=list(sel), prices=prices)


def mes_add1(setup: MesSetup, record: bool = True, accelerate: bool = True,
             resume: bool = True, gallop: bool | None = None,
             stop: str = "exhaustive", kernel: bool = True) -> tuple[MesRun, int, list[dict]]:
    """Iterated MES: add 1 to every voter's budget until the outcome is exhaustive.

    As pabutools 1.2.3 with ``voter_budget_increment=1``: run MES with ``budget / n``,
    ``budget / n + 1``, ... and stop at the first run whose outcome is exhaustive (no other MES
    project fits in the money left) and return it; if a run overspends the budget, return the
    previous run's outcome instead.

    With ``stop="overspend"`` (equalshares.net's computation tool with "stop process when
    exhaustive" unticked) an exhaustive run does not stop the loop: the budgets keep rising
    until a run overspends, and the previous run is returned. As no budget can buy more than
    every MES project, a run that buys them all stops the loop too (the tool would loop for
    ever there). The returned run's ``stop_reason`` says which case ended the loop:
    ``"exhaustive"``, ``"overspend"`` or ``"all_bought"``.

    With ``accelerate`` each run also returns a safe bound ``t`` such that the runs at
    ``B + 1, ..., B + k`` with ``k < t`` select the same projects (hence are just as
    non-exhaustive and feasible): they are skipped, and the next run computed is the first one
    whose outcome may differ. ``accelerate=False`` is the plain loop (the reference).
    ``kernel`` chooses the compiled float runs (``_kernel``) or the Python ones.
    Returns (chosen run, number of per-voter budgets pabutools tries, short log of the runs
    computed).
    """
    prep = setup.prep
    budget = prep.budget
    n = setup.groups.n_voters
    B0 = B = Fraction(budget) / n
    previous: MesRun | None = None
    log = []
    costs = prep.costs
    # The analysis costs about one run; where breakpoints are dense (many voter groups, or an
    # outcome that changes almost every step) it rarely pays, so after an analysis that saved
    # less than it cost, the next few runs are not analysed (1, 2, 4, ... up to 32 of them).
    wait = backoff = 0
    if gallop is None:
        gallop = accelerate
    snaps = _float_kernel(setup).snapshots(B0) if kernel else []
    span, cool, cool_backoff = 16, 0, 0
    if stop not in ("exhaustive", "overspend"):
        raise ValueError(f"unknown add1 stop {stop!r}")
    stop_at_exhaustive = stop == "exhaustive"
    n_mes = len(setup.projects)
    while True:
        analyse = accelerate and wait == 0
        wait = max(0, wait - 1)
        res = mes_run(setup, B, record=False, analyse=analyse,
                      snaps=snaps if resume else None, kernel=kernel)
        cost = sum(costs[j] for j in res.selected)
        feasible = cost <= budget
        chosen = set(res.selected)
        exhaustive = feasible and all(
            j in chosen or cost + costs[j] > budget for j in setup.projects)
        if stop_at_exhaustive:
            done = exhaustive
        else:
            done = feasible and len(chosen) == n_mes  # every MES project bought: nothing to gain
        step = 1
        if analyse and feasible and not done and 1 < res.same_until < np.inf:
            step = max(1, int(np.ceil(res.same_until)))
        if cool:
            cool -= 1
        elif gallop and feasible and not done and step <= span:
            # chain monotone-sandwich checks (see _same_sequence) from this run: each one
            # proves [B, B + T] to have this outcome and gives the run at B + T; T grows
            # by half after a success and halves after a failure
            T, cur, chained = span, res, 0
            while True:
                nxt = _same_sequence(setup, cur, T, kernel=kernel)
                if nxt is None:
                    if T <= 2:
                        break
                    T //= 2
                    continue
                cur, chained = nxt, chained + 1
                log.append({"per_voter": cur.per_voter, "selected": len(cur.selected),
                            "cost": cost, "feasible": True, "exhaustive": exhaustive,
                            "chained": True})
                T = min(T + max(1, T // 2), 1 << 16)
            span = max(2, T)
            # where outcomes change almost every step (Toulouse) the checks rarely pay: after
            # a chain that advanced nothing, skip them for the next 1, 2, 4, ... 32 runs
            cool_backoff = 0 if chained else min(32, max(1, 2 * cool_backoff))
            cool = cool_backoff
            res, B, step = cur, cur.per_voter, 1
        if analyse and not resume:
            if step > 2:
                backoff = 0
            else:
                backoff = min(32, max(1, 2 * backoff))
                wait = backoff
        runs = int(B - B0) + 1
        entry = {"per_voter": B, "selected": len(res.selected), "cost": cost,
                 "feasible": feasible, "exhaustive": exhaustive}
        if step > 1:
            entry["same_outcome_until"] = B + step - 1
        log.append(entry)
        if not feasible:
            if previous is None:
                out = MesRun(per_voter=B - 1)
            else:
                out = mes_run(setup, B - 1) if record else previous
            out.stop_reason = "overspend"
            return out, runs, log
        if done:
            out = mes_run(setup, B) if record else res
            out.stop_reason = "exhaustive" if stop_at_exhaustive else "all_bought"
            return out, runs, log
        previous = res
        B += step
