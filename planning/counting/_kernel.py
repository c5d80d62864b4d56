"""Compiled float runs of MES for ``mes-add1`` (numba).

``mes-add1`` computes hundreds to thousands of MES runs. In Python each run costs thousands of
small numpy calls (one project's price cap over its few dozen supporter groups, the
breakpoint analysis of one round...): on Toulouse 2022 (199 projects, 2,449 voter groups,
~35 supporter groups per project) that overhead was nearly all of the time. This module runs
the *float* pass of a run, and the monotone-sandwich check, as compiled loops over the CSR
supporter structure instead.

It is a line-by-line port of the float paths of ``mes._Run`` / ``mes._mes_run`` /
``mes._resume`` / ``mes._same_sequence`` (see their docstrings for the why of each step) and
makes exactly their decisions: it certifies each decision with the same windows and margins,
and wherever the Python float pass would raise ``_NeedExact`` it returns ``EXACT``, after
which the caller redoes the run exactly in Python (``mes._mes_run(exact=True)``). Only the
order of float summations differs (sequential here, blocked in numpy): the round-off of either
is below 1e-11 relative, far inside the windows (1e-7) and margins (1e-8) that every decision
keeps. ``mes.mes_run(..., kernel=False)`` is the Python reference; the tests compare both.

Functions are compiled on first use and cached on disk (``cache=True``, next to this file in
``__pycache__``), so a fresh process loads them instead of compiling again.
"""

from __future__ import annotations

from fractions import Fraction

import numba as nb
import numpy as np

#: keep in step with planning.counting.mes (imported there from here would be circular)
WINDOW = 1e-7
BUDGET_TOL = 1e-9
REL = 1e-8

OK, DROP, EXACT = 0, 1, 2

_jit = nb.njit(cache=True, nogil=True)


# -- one project ------------------------------------------------------------------------------

@nb.njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _poor_sums(bs, ws, n, x):
    """(weight, weighted budget) of the entries ``bs[:n] < x``. Reassociation lets the sums
    vectorise; any summation order is fine here (see the module docstring)."""
    wp = 0.0
    s = 0.0
    for i in range(n):
        if bs[i] < x:
            wp += ws[i]
            s += ws[i] * bs[i]
    return wp, s


@_jit
def _evaluate(j, pindptr, pgroups, wsup, bf, cf, pW, tol, simple, buf):
    """Float price cap of ``j`` (``_Run.evaluate`` with ``exact=False``): (status, price).
    ``buf`` (at least as long as j's supporter list) receives their budgets."""
    lo, hi = pindptr[j], pindptr[j + 1]
    n = hi - lo
    ws = wsup[lo:hi]
    c = cf[j]
    avail = 0.0
    w_live = 0.0
    min_live = np.inf
    for i in range(n):
        b = bf[pgroups[lo + i]]
        buf[i] = b
        avail += ws[i] * b
        if b > 0:
            w_live += ws[i]
            if b < min_live:
                min_live = b
    if avail < c * (1 - WINDOW) - tol:
        return DROP, 0.0
    if avail <= c * (1 + WINDOW) + tol:
        return EXACT, 0.0
    W = pW[j]
    x = c / W
    # every supporter with money left above cost / (their number): that is the price, and
    # rho = 1 / W_live is compared exactly as an integer (exhausted groups hold exactly 0.0)
    simple[j] = 0
    if w_live > 0:
        x0 = c / w_live
        if min_live > x0 * (1 + WINDOW) + tol:
            simple[j] = np.int64(w_live)
            return OK, x0
    # fixed point over who pays in full
    prev_wp = -1.0
    for _ in range(8):
        wp, s = _poor_sums(buf, ws, n, x)
        if wp == prev_wp:
            if wp != 0 and c > 1e6 * x * (W - wp):
                return EXACT, 0.0  # catastrophic cancellation: trust no float here
            return OK, x
        prev_wp = wp
        if W - wp <= 0:
            return EXACT, 0.0
        x = (c - s) / (W - wp)
    # did not settle: sort the supporters by budget
    bs = buf[:n].copy()
    o = np.argsort(bs, kind="mergesort")
    spent = 0.0
    cumw = 0.0
    for i in range(n):
        idx = o[i]
        b = bs[idx]
        w = ws[idx]
        wleft = W - cumw
        if wleft > 0:
            cand = (c - spent) / wleft
            if cand <= b:
                if c > 1e6 * cand * wleft:
                    return EXACT, 0.0
                return OK, cand
        cumw += w
        spent += w * b
    return EXACT, 0.0


@_jit
def _charge(j, p, pindptr, pgroups, bf, tol):
    """Charge ``j``'s supporters ``min(budget, p)``; False where a budget is within ``tol``
    of ``p`` (the caller then redoes the run exactly)."""
    lo, hi = pindptr[j], pindptr[j + 1]
    for k in range(lo, hi):
        if abs(bf[pgroups[k]] - p) <= tol:
            return False
    for k in range(lo, hi):
        g = pgroups[k]
        d = bf[g] - p
        bf[g] = d if d > 0 else 0.0
    return True


# -- breakpoint analysis (see the comment block above mes._Run._init_analysis) ----------------

@_jit
def _bound(an, t):
    """``an = [tmin, analysing]``: lower tmin to ``t``; stop analysing once it is <= 1."""
    if t < an[0]:
        an[0] = t
        if t <= 1.0:
            an[1] = 0.0


@_jit
def _note_state(j, x, pindptr, pgroups, wsup, bf, sf, sa, st, st_w):
    lo, hi = pindptr[j], pindptr[j + 1]
    a = s = s_a = wp = 0.0
    for k in range(lo, hi):
        g = pgroups[k]
        b = bf[g]
        if b < x:
            w = wsup[k]
            a += w * b
            s += w * sf[g]
            s_a += w * sa[g]
            wp += w
    st[0, j] = a
    st[1, j] = s
    st[2, j] = s_a
    st[3, j] = st_w[j] - wp


@_jit
def _note_drop(j, pindptr, pgroups, wsup, bf, sf, sa, cf, st_w, Bf, an, drops, nd):
    """Returns the new number of logged drops (``drops`` rows: j, up0, s_up; or None)."""
    lo, hi = pindptr[j], pindptr[j + 1]
    c = cf[j]
    tb = ts = tsa = 0.0
    for k in range(lo, hi):
        g = pgroups[k]
        w = wsup[k]
        tb += w * bf[g]
        ts += w * sf[g]
        tsa += w * sa[g]
    up0 = tb - c + REL * (st_w[j] * Bf + c)
    if up0 >= 0:
        an[0] = 0.0
        an[1] = 0.0
        return nd
    s_up = ts + REL * (tsa + 1.0)
    if nd >= 0:
        drops[0, nd] = j
        drops[1, nd] = up0
        drops[2, nd] = s_up
        nd += 1
    if s_up > 0:
        _bound(an, -up0 / s_up)
    return nd


@_jit
def _note_round(winner, pf, pindptr, pgroups, wsup, bf, sf, sa, cf, pW, rank, st, st_w,
                alive, Bf, an, poor):
    """Constraints of one round before charging (``_Run.note_round`` + ``_note_others``,
    float path). Fills ``poor`` (per supporter of the winner); returns (status, pi, pi_abs,
    have_info): EXACT if a supporter may hold exactly the price."""
    lo, hi = pindptr[winner], pindptr[winner + 1]
    margin = REL * (Bf + pf)
    for k in range(lo, hi):
        if abs(bf[pgroups[k]] - pf) <= 2 * margin:
            return EXACT, 0.0, 0.0, False
    wpoor = ps = psa = 0.0
    simple_price = True
    for k in range(lo, hi):
        g = pgroups[k]
        b = bf[g]
        poor[k - lo] = b < pf
        if b < pf:
            w = wsup[k]
            wpoor += w
            ps += w * sf[g]
            psa += w * sa[g]
            if b != 0 or sf[g] != 0:
                simple_price = False
    w_rich = pW[winner] - wpoor
    if w_rich <= 0:
        an[0] = 0.0
        an[1] = 0.0
        return OK, 0.0, 0.0, False
    pi = -ps / w_rich
    pi_abs = psa / w_rich
    # (a) the poor stay below the price, the rich above it
    tb = np.inf
    for k in range(lo, hi):
        g = pgroups[k]
        sign = 1.0 if poor[k - lo] else -1.0
        e0 = -sign * (bf[g] - pf) - margin
        e1 = sign * (pi - sf[g]) - REL * (pi_abs + sa[g] + 1.0)
        if e1 < 0:
            t = e0 / -e1
            if t < tb:
                tb = t
    if tb < np.inf:
        _bound(an, tb)
    # (b) the other projects still in the race stay strictly behind the winner
    cw = cf[winner]
    tb = np.inf
    for j in range(len(alive)):
        if not alive[j]:
            continue
        c = cf[j]
        q = pf / cw * c
        qd = pi / cw * c
        qa = pi_abs / cw * c
        wr = st[3, j]
        up0 = st[0, j] + wr * q - c + REL * (st_w[j] * Bf + wr * q + c)
        s_up = st[1, j] + wr * qd + REL * (st[2, j] + wr * qa + 1.0)
        if simple_price and st[0, j] == 0 and st[1, j] == 0:
            # a persisting exact tie or a clear integer comparison (see _note_others)
            if not (wr < w_rich or (wr == w_rich and rank[j] > rank[winner])):
                an[0] = 0.0
                an[1] = 0.0
                return OK, 0.0, 0.0, False
            continue
        if up0 >= 0:
            an[0] = 0.0
            an[1] = 0.0
            return OK, 0.0, 0.0, False
        if s_up > 0:
            t = -up0 / s_up
            if t < tb:
                tb = t
    if tb < np.inf:
        _bound(an, tb)
    return OK, pi, pi_abs, True


@_jit
def _update_slopes(winner, pi, pi_abs, pindptr, pgroups, sf, sa, poor):
    lo, hi = pindptr[winner], pindptr[winner + 1]
    for k in range(lo, hi):
        g = pgroups[k]
        if poor[k - lo]:
            sf[g] = 0.0
            sa[g] = 0.0
        else:
            sf[g] -= pi
            sa[g] += pi_abs


# -- one run ----------------------------------------------------------------------------------

@_jit
def float_run(pindptr, pgroups, wsup, cf, pW, rank, co, is_mes, G, Bf, tol, analyse,
              use_snaps, koff, snap_n, snap_base, snap_tmin, snap_round, snap_g, snap_alive,
              snap_st, snap_nd, snap_drops, sel_out, price_out, result):
    """Float pass of one MES run at per-voter budget ``Bf`` (``_mes_run(exact=False)``).

    Snapshots (``use_snaps``; see ``mes._Snap``): ``snap_n[0]`` of them are kept, the k-th
    taken by a run at per-voter budget ``B0 + snap_base[k]`` before round ``snap_round[k]``;
    this run is at ``B0 + koff``. All snapshots kept are consistent with one sequence of
    winners, so the winners and their prices per round live in ``sel_out`` / ``price_out``
    (the run's output too). Returns OK or EXACT; ``result`` gets (number selected, tmin).
    """
    m = len(cf)
    gstate = np.empty((3, G))
    bf = gstate[0]
    sf = gstate[1]
    sa = gstate[2]
    st = np.zeros((4, m))
    st_w = pW
    an = np.empty(2)
    an[0] = np.inf
    an[1] = 1.0 if analyse else 0.0
    alive = np.zeros(m, dtype=np.bool_)
    stale = np.full(m, np.inf)
    simple = np.zeros(m, dtype=np.int64)
    fresh = np.zeros(m, dtype=np.bool_)
    fresh_x = np.zeros(m)
    maxlen = 0
    for j in range(m):
        if pindptr[j + 1] - pindptr[j] > maxlen:
            maxlen = pindptr[j + 1] - pindptr[j]
    poor = np.zeros(maxlen, dtype=np.bool_)
    buf = np.empty(maxlen)
    k = -1
    if use_snaps:
        k = snap_n[0] - 1
        while k >= 0:
            d = float(koff - snap_base[k])
            if 0 <= d < snap_tmin[k]:
                break
            k -= 1
        snap_n[0] = k + 1
    if k < 0:
        bf[:] = Bf
        if analyse:
            sf[:] = 1.0
            sa[:] = 1.0
            for j in range(m):
                st[3, j] = pW[j]
        for j in range(m):
            if is_mes[j]:
                alive[j] = True
                stale[j] = 1.0 / pW[j]
        round_no = 0
    else:
        # resume from snapshot k (``mes._resume``)
        d = float(koff - snap_base[k])
        gstate[:, :] = snap_g[k]
        for g in range(G):
            bf[g] += sf[g] * d  # exhausted groups: slope 0, budget stays exactly 0.0
        st[:, :] = snap_st[k]
        for j in range(m):
            st[0, j] += st[1, j] * d + REL * st[2, j] * d
        an[0] = snap_tmin[k] - d
        if an[0] <= 1.0:
            an[1] = 0.0
        alive[:] = snap_alive[k]
        for i in range(snap_nd[k]):
            j = np.int64(snap_drops[k, 0, i])
            u = snap_drops[k, 1, i] + snap_drops[k, 2, i] * d
            if u < 0 and alive[j]:
                alive[j] = False
                if snap_drops[k, 2, i] > 0:
                    _bound(an, -u / snap_drops[k, 2, i])
        for j in range(m):
            if alive[j]:
                c = cf[j]
                lb = 1.0 / st_w[j]
                wr = st[3, j]
                if wr > 0:
                    up = st[0, j] + REL * (st_w[j] * Bf + c)
                    lb2 = (c - up) / (wr * c) * (1 - 1e-6)
                    if lb2 > lb:
                        lb = lb2
                stale[j] = lb
        round_no = snap_round[k] - 1
    n_sel = round_no
    first = round_no + 1
    cap = snap_base.shape[0]
    evaluated = np.empty(m, dtype=np.int64)
    while True:
        round_no += 1
        nd = -1
        ks = -1
        if use_snaps and an[1] != 0 and round_no > first and snap_n[0] < cap:
            ks = snap_n[0]
            snap_n[0] = ks + 1
            snap_base[ks] = koff
            snap_tmin[ks] = an[0]
            snap_round[ks] = round_no
            snap_g[ks, :, :] = gstate
            snap_alive[ks, :] = alive
            snap_st[ks, :, :] = st
            snap_nd[ks] = 0
            nd = 0
        ncand = 0
        for j in range(m):
            if alive[j]:
                ncand += 1
        if ncand == 0:
            break
        cand = np.empty(ncand, dtype=np.int64)
        i = 0
        for j in range(m):
            if alive[j]:
                cand[i] = j
                i += 1
        order = cand[np.argsort(stale[cand], kind="mergesort")]
        best = np.inf
        ne = 0
        for j in order:
            if stale[j] > best * (1 + WINDOW):
                break
            if not fresh[j]:
                status, x = _evaluate(j, pindptr, pgroups, wsup, bf, cf, pW, tol, simple, buf)
                if status == EXACT:
                    return EXACT
                if status == DROP:
                    alive[j] = False
                    if an[1] != 0:
                        nd = _note_drop(j, pindptr, pgroups, wsup, bf, sf, sa, cf, st_w, Bf,
                                        an, snap_drops[max(ks, 0)], nd)
                    continue
                if an[1] != 0:
                    _note_state(j, x, pindptr, pgroups, wsup, bf, sf, sa, st, st_w)
                fresh[j] = True
                fresh_x[j] = x
                stale[j] = x / cf[j]
            evaluated[ne] = j
            ne += 1
            if stale[j] < best:
                best = stale[j]
        if ks >= 0:
            snap_nd[ks] = nd
        if ne == 0:
            break
        winner = -1
        ntied = 0
        for i in range(ne):
            j = evaluated[i]
            if stale[j] <= best * (1 + WINDOW):
                ntied += 1
                if winner < 0:
                    winner = j
        if ntied > 1:
            # ties only between simple prices: rho = 1 / supporters with money, as integers
            top = 0
            for i in range(ne):
                j = evaluated[i]
                if stale[j] <= best * (1 + WINDOW):
                    if simple[j] == 0:
                        return EXACT
                    if simple[j] > top:
                        top = simple[j]
            winner = -1
            for i in range(ne):
                j = evaluated[i]
                if stale[j] <= best * (1 + WINDOW) and simple[j] == top:
                    if winner < 0 or rank[j] < rank[winner]:
                        winner = j
        p = fresh_x[winner]
        have_info = False
        pi = pi_abs = 0.0
        alive[winner] = False
        if an[1] != 0:
            status, pi, pi_abs, have_info = _note_round(
                winner, p, pindptr, pgroups, wsup, bf, sf, sa, cf, pW, rank, st, st_w, alive,
                Bf, an, poor)
            if status == EXACT:
                return EXACT
        if not _charge(winner, p, pindptr, pgroups, bf, tol):
            return EXACT
        if have_info and an[1] != 0:
            _update_slopes(winner, pi, pi_abs, pindptr, pgroups, sf, sa, poor)
        sel_out[n_sel] = winner
        price_out[n_sel] = p
        n_sel += 1
        # projects sharing supporters with the winner need a fresh evaluation
        for j in range(m):
            if co[winner, j]:
                fresh[j] = False
    result[0] = n_sel
    result[1] = an[0] if analyse else 0.0
    return OK


@_jit
def _behind(j, thr, pindptr, pgroups, wsup, bf, cf, pW, tol):
    """Is ``j``'s rho above ``thr``? One pass instead of a price evaluation: with
    ``q = thr * cost``, the supporters pay ``sum min(budget, q) = A + W_R q`` (``A``: money of
    those below ``q``, ``W_R``: weight of the others); below the cost (with the margins of
    ``_evaluate``) the price cap exceeds ``q``, and ``(cost - A) / W_R`` bounds it from below.
    Returns (DROP: unaffordable, OK with a lower bound on rho, EXACT: it may reach ``thr``)."""
    lo, hi = pindptr[j], pindptr[j + 1]
    c = cf[j]
    q = thr * c
    total = 0.0
    a = 0.0
    wp = 0.0
    for k in range(lo, hi):
        b = bf[pgroups[k]]
        w = wsup[k]
        total += w * b
        if b < q:
            a += w * b
            wp += w
    if total < c * (1 - WINDOW) - tol:
        return DROP, np.inf
    wr = pW[j] - wp
    if wr <= 0 or a + wr * q >= c * (1 - WINDOW) - tol:
        return EXACT, 0.0
    lb = (c - a) / wr / c * (1 - 1e-6)
    return OK, lb if lb > thr else thr


@_jit
def same_sequence(pindptr, pgroups, wsup, cf, pW, is_mes, G, sel, sel_price, Bf, tol,
                  prices_out):
    """``mes._same_sequence`` at per-voter budget ``Bf`` (= B + T): True if every budget in
    ``[B, B + T]`` provably buys ``sel`` in this order; ``prices_out`` gets the forced run's
    prices."""
    m = len(cf)
    bf = np.full(G, Bf)
    maxlen = 0
    for j in range(m):
        if pindptr[j + 1] - pindptr[j] > maxlen:
            maxlen = pindptr[j + 1] - pindptr[j]
    buf = np.empty(maxlen)
    simple = np.zeros(m, dtype=np.int64)
    lb = np.full(m, np.inf)
    rest = np.zeros(m, dtype=np.bool_)
    for j in range(m):
        if is_mes[j]:
            lb[j] = 1.0 / pW[j]
            rest[j] = True
    ns = len(sel)
    for r in range(ns):
        rest[sel[r]] = False
    for r in range(ns):
        w = sel[r]
        thr = sel_price[r] / cf[w] * (1 + 4 * WINDOW)
        for i in range(m + ns - r - 1):
            j = i if i < m else sel[r + 1 + i - m]
            if (i < m and not rest[j]) or lb[j] > thr:
                continue
            status, bound = _behind(j, thr, pindptr, pgroups, wsup, bf, cf, pW, tol)
            if status == EXACT:
                return False
            if status == DROP:
                lb[j] = np.inf
                rest[j] = False
                continue
            lb[j] = bound
        status, x = _evaluate(w, pindptr, pgroups, wsup, bf, cf, pW, tol, simple, buf)
        if status != OK:
            return False
        if not _charge(w, x, pindptr, pgroups, bf, tol):
            return False
        prices_out[r] = x
        lb[w] = np.inf
    # after the last round nothing else may be affordable
    for j in range(m):
        if rest[j]:
            status, x = _evaluate(j, pindptr, pgroups, wsup, bf, cf, pW, tol, simple, buf)
            if status != DROP:
                return False
    return True


# -- Python side ------------------------------------------------------------------------------

class Snapshots:
    """Snapshot store of the runs of one ``mes_add1`` loop (compiled counterpart of its list
    of ``mes._Snap``). Storage is allocated with ``np.empty``, so only the snapshots taken use
    memory."""

    #: at most this many bytes of (virtual) snapshot storage
    MAX_BYTES = 1 << 30

    def __init__(self, m: int, G: int, B0: Fraction):
        per = 8 * (3 * G + 4 * m + 3 * m) + m + 24
        cap = max(1, min(m + 2, self.MAX_BYTES // per))
        self.B0 = B0
        self.n = np.zeros(1, dtype=np.int64)
        self.base = np.empty(cap, dtype=np.int64)
        self.tmin = np.empty(cap)
        self.round = np.empty(cap, dtype=np.int64)
        self.g = np.empty((cap, 3, G))
        self.alive = np.empty((cap, m), dtype=np.bool_)
        self.st = np.empty((cap, 4, m))
        self.nd = np.empty(cap, dtype=np.int64)
        self.drops = np.empty((cap, 3, max(m, 1)))
        self.sel = np.empty(m + 1, dtype=np.int64)
        self.price = np.empty(m + 1)

    def clear(self) -> None:
        self.n[0] = 0


class FloatKernel:
    """The arrays of one ``MesSetup`` in the kernel's layout, and calls into it."""

    def __init__(self, setup):
        groups = setup.groups
        m = setup.prep.m
        self.m, self.G = m, groups.G
        self.pindptr = np.ascontiguousarray(groups.pindptr, dtype=np.int64)
        self.pgroups = np.ascontiguousarray(groups.pgroups, dtype=np.int64)
        self.wsup = setup.wf[self.pgroups]
        self.cf = np.ascontiguousarray(setup.prep.costs_f, dtype=np.float64)
        self.is_mes = np.zeros(m, dtype=np.bool_)
        self.is_mes[setup.projects] = True
        self.pW = np.zeros(m)
        for j in setup.projects:
            self.pW[j] = setup.pW[j]
        self.rank = np.ascontiguousarray(setup.prep.rank, dtype=np.int64)
        co = setup.co if setup.co is not None else np.ones((m, m), dtype=bool)
        self.co = np.ascontiguousarray(co, dtype=np.bool_)
        self._result = np.zeros(2)
        self._none = Snapshots(0, 0, Fraction(0))  # placeholder arrays when not snapshotting
        self._none.g = np.empty((1, 3, self.G))
        self._none.sel = np.empty(m + 1, dtype=np.int64)
        self._none.price = np.empty(m + 1)

    def snapshots(self, B0: Fraction) -> Snapshots:
        return Snapshots(self.m, self.G, B0)

    def run(self, B: Fraction, analyse: bool, snaps: Snapshots | None):
        """(selected, float prices by round, same_until), or None: redo the run exactly."""
        Bf = float(B)
        tol = BUDGET_TOL * max(Bf, 1e-300)
        koff = 0
        if snaps is not None:
            off = B - snaps.B0
            if not analyse:
                snaps = None  # as in Python: a run without analysis neither uses nor takes any
            elif off.denominator != 1:
                snaps.clear()  # budgets not B0 + an integer: unrelated to the snapshots
                snaps = None
            else:
                koff = int(off)
        s = snaps if snaps is not None else self._none
        status = float_run(self.pindptr, self.pgroups, self.wsup, self.cf, self.pW, self.rank,
                           self.co, self.is_mes, self.G, Bf, tol, analyse, snaps is not None, koff,
                           s.n, s.base, s.tmin, s.round, s.g, s.alive, s.st, s.nd, s.drops,
                           s.sel, s.price, self._result)
        if status != OK:
            return None
        n = int(self._result[0])
        return s.sel[:n].tolist(), s.price[:n].tolist(), float(self._result[1])

    def same_sequence(self, sel: list[int], prices: list[float], Bf: float):
        """The forced run's float prices at ``Bf``, or None (see ``mes._same_sequence``)."""
        tol = BUDGET_TOL * max(Bf, 1e-300)
        out = np.empty(len(sel))
        ok = same_sequence(self.pindptr, self.pgroups, self.wsup, self.cf, self.pW,
                           self.is_mes, self.G, np.asarray(sel, dtype=np.int64),
                           np.asarray(prices, dtype=np.float64), Bf, tol, out)
        return out.tolist() if ok else None


def warm_up() -> None:
    """Compile the kernel now (or load it from the cache) instead of in the first count:
    ``python -m planning.counting._kernel`` (``make install`` runs it; compiling takes ~12 s on
    2 cores, loading a fraction of a second)."""
    from ._prepare import TieBreak, prepare
    from .election import Election
    from .mes import _float_kernel, mes_setup

    election = Election.from_ballots(["a", "b"], [10, 20], 25, [["a"], ["a", "b"]])
    kernel = _float_kernel(mes_setup(prepare(election, 0, TieBreak.LEXICOGRAPHIC)))
    B = Fraction(25, 2)
    kernel.run(B, True, kernel.snapshots(B))
    kernel.same_sequence([0], [5.0], 13.0)


if __name__ == "__main__":
    warm_up()
