"""Shared preparation for the rules: active projects, tie-break ranks, voter groups."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

import numpy as np

from .election import Election


class TieBreak(StrEnum):
    """How ties between projects are broken.

    ``lexicographic``: the project whose id comes first as a *string* wins (pabutools' default;
    note that "10" < "9"). ``votes-then-cost``: most supporters first, then the lowest cost, then
    the id as a string.
    """

    LEXICOGRAPHIC = "lexicographic"
    VOTES_THEN_COST = "votes-then-cost"


@dataclass
class Prepared:
    """An election with ``min_votes`` applied, ready for the rules."""

    election: Election
    active: np.ndarray  # bool per project: kept after min_votes
    votes: np.ndarray  # supporters per project (int64)
    costs: list  # exact costs
    costs_f: np.ndarray  # float costs
    budget: int | Fraction
    rank: np.ndarray  # tie-break rank per project (lower wins)
    tie_break: TieBreak

    @property
    def m(self) -> int:
        return len(self.costs)


def prepare(election: Election, min_votes: int, tie_break: TieBreak) -> Prepared:
    votes = election.supporters()
    active = votes >= min_votes
    costs = list(election.costs_exact)
    ids = election.project_ids
    if tie_break is TieBreak.LEXICOGRAPHIC:
        order = sorted(range(len(ids)), key=lambda j: ids[j])
    else:
        order = sorted(range(len(ids)), key=lambda j: (-int(votes[j]), costs[j], ids[j]))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    return Prepared(
        election=election,
        active=active,
        votes=votes,
        costs=costs,
        costs_f=np.array([float(c) for c in costs], dtype=np.float64),
        budget=election.budget,
        rank=rank,
        tie_break=tie_break,
    )


@dataclass
class Groups:
    """Voters with identical (active-project) approval ballots, grouped.

    ``w[g]`` voters share the ballot ``gindices[gindptr[g]:gindptr[g + 1]]``; ``pgroups`` lists,
    per project, the groups approving it (``pindptr`` delimits). Voters with identical ballots
    always hold equal budgets / loads in MES and Phragmén, so they can be counted once.
    """

    w: np.ndarray
    gindptr: np.ndarray
    gindices: np.ndarray
    pindptr: np.ndarray
    pgroups: np.ndarray
    n_voters: int

    @property
    def G(self) -> int:
        return len(self.w)

    def supporters_of(self, j: int) -> np.ndarray:
        return self.pgroups[self.pindptr[j]:self.pindptr[j + 1]]

    def weight_of(self, j: int) -> int:
        return int(self.w[self.supporters_of(j)].sum())

    def expand(self, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ballot entries of ``groups``: (position of the group in ``groups``, project index)."""
        starts = self.gindptr[groups]
        lens = self.gindptr[groups + 1] - starts
        total = int(lens.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        rep = np.repeat(np.arange(len(groups)), lens)
        offs = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        return rep, self.gindices[starts[rep] + offs]


def group_voters(prep: Prepared) -> Groups:
    e = prep.election
    m = e.n_projects
    n = e.n_voters
    indptr, indices = e.indptr, e.indices
    lens = np.diff(indptr)
    if prep.active.all():
        idx = indices
        fcounts = lens
    else:
        keep = prep.active[indices]
        idx = indices[keep]
        ck = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
        fcounts = ck[indptr[1:]] - ck[indptr[:-1]]
    findptr = np.concatenate(([0], np.cumsum(fcounts))).astype(np.int64)
    first, counts = _identical_ballots(idx, findptr, fcounts, m, n)
    G = len(first)
    # group ballots from the representative voter of each group (filtered CSR)
    glens = fcounts[first]
    gindptr = np.concatenate(([0], np.cumsum(glens))).astype(np.int64)
    total = int(gindptr[-1])
    if total:
        rep = np.repeat(np.arange(G), glens)
        offs = np.arange(total) - np.repeat(gindptr[:-1], glens)
        gindices = idx[findptr[first][rep] + offs]
    else:
        rep = np.zeros(0, dtype=np.int64)
        gindices = np.zeros(0, dtype=np.int64)
    # groups per project: a stable sort by project (radix sort on a small integer type)
    small = gindices.astype(np.uint16) if m <= 65535 else gindices
    order = np.argsort(small, kind="stable")
    pgroups = rep[order].astype(np.int64)
    pindptr = np.concatenate(([0], np.cumsum(np.bincount(gindices, minlength=m)))).astype(
        np.int64)
    return Groups(w=counts.astype(np.int64), gindptr=gindptr, gindices=gindices.astype(np.int64),
                  pindptr=pindptr, pgroups=pgroups, n_voters=n)


def _identical_ballots(idx, indptr, lens, m, n):
    """(a representative voter per distinct ballot, number of voters per distinct ballot).

    Ballots are canonical (sorted, no duplicates). Short ballots are encoded exactly as one
    int64, ``sum_k (idx_k + 1) * (m + 1) ** k``; long ones as a bitmask of the projects.
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    base = m + 1
    maxlen = int(lens.max()) if len(lens) else 0
    if maxlen == 0 or base ** maxlen < 2**62:
        if maxlen == 0:
            key = np.zeros(n, dtype=np.int64)
        else:
            pos = np.arange(len(idx)) - np.repeat(indptr[:-1], lens)
            powers = base ** np.arange(maxlen, dtype=np.int64)
            terms = (idx + 1) * powers[pos]
            # row sums as differences of a running sum (int64 wrap-around cancels out: each
            # row's sum is below 2**62)
            with np.errstate(over="ignore"):
                csum = np.concatenate(([0], np.cumsum(terms)))
                key = csum[indptr[1:]] - csum[indptr[:-1]]
    else:
        nwords = (m + 63) // 64
        rows = np.repeat(np.arange(n, dtype=np.int64), lens)
        masks = np.zeros((n, nwords), dtype=np.uint64)
        bits = np.left_shift(np.uint64(1), (idx % 64).astype(np.uint64))
        np.bitwise_or.at(masks, (rows, idx // 64), bits)
        key = np.ascontiguousarray(masks).view(np.dtype((np.void, 8 * nwords))).ravel()
    order = np.argsort(key)
    skey = key[order]
    starts = np.flatnonzero(np.concatenate(([True], skey[1:] != skey[:-1])))
    counts = np.diff(np.append(starts, n))
    return order[starts], counts


_BITS = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))


def cooccurrence(groups: Groups, m: int) -> np.ndarray:
    """Boolean m×m matrix: projects sharing at least one supporter group."""
    G = groups.G
    nwords = max(1, (m + 63) // 64)
    gi = groups.gindices
    rows = np.repeat(np.arange(G, dtype=np.int64), np.diff(groups.gindptr))
    bits = _BITS[gi & 63]
    word = gi >> 6
    has = np.diff(groups.pindptr) > 0
    pstarts = groups.pindptr[:-1][has]
    pm = np.zeros((m, nwords), dtype=np.uint64)
    for w in range(nwords):
        sel = word == w if nwords > 1 else slice(None)
        r, b = rows[sel], bits[sel]
        if len(r) == 0:
            continue
        starts = np.flatnonzero(np.concatenate(([True], r[1:] != r[:-1])))
        gmask = np.zeros(G, dtype=np.uint64)
        gmask[r[starts]] = np.bitwise_or.reduceat(b, starts)
        if len(pstarts):
            pm[has, w] = np.bitwise_or.reduceat(gmask[groups.pgroups], pstarts)
    co = np.unpackbits(pm.astype("<u8").view(np.uint8), axis=1, bitorder="little")
    return co[:, :m].astype(bool)


def frac_str(x) -> str:
    return str(x)


def num_json(x):
    """JSON-friendly exact number: int stays int, a Fraction becomes a float."""
    if isinstance(x, int):
        return x
    if isinstance(x, Fraction) and x.denominator == 1:
        return int(x)
    return float(x)
