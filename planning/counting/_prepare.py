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
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    keep = prep.active[indices]
    rows, idx = rows[keep], indices[keep]
    nwords = max(1, (m + 63) // 64)
    masks = np.zeros((n, nwords), dtype=np.uint64)
    bits = np.left_shift(np.uint64(1), (idx % 64).astype(np.uint64))
    np.bitwise_or.at(masks, (rows, idx // 64), bits)
    if nwords == 1:
        _, first, inverse, counts = np.unique(
            masks[:, 0], return_index=True, return_inverse=True, return_counts=True)
    else:
        view = np.ascontiguousarray(masks).view(np.dtype((np.void, 8 * nwords))).ravel()
        _, first, inverse, counts = np.unique(
            view, return_index=True, return_inverse=True, return_counts=True)
    G = len(first)
    # group ballots from the representative voter of each group (filtered CSR)
    fcounts = np.bincount(rows, minlength=n)
    findptr = np.concatenate(([0], np.cumsum(fcounts))).astype(np.int64)
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
    order = np.argsort(gindices, kind="stable")
    pgroups = rep[order].astype(np.int64)
    pindptr = np.concatenate(([0], np.cumsum(np.bincount(gindices, minlength=m)))).astype(
        np.int64)
    return Groups(w=counts.astype(np.int64), gindptr=gindptr, gindices=gindices.astype(np.int64),
                  pindptr=pindptr, pgroups=pgroups, n_voters=n)


def cooccurrence(groups: Groups, m: int) -> np.ndarray | None:
    """Boolean m×m matrix: projects sharing at least one supporter (None if too large)."""
    if groups.G * m > 60_000_000:
        return None
    dense = np.zeros((groups.G, m), dtype=np.float32)
    rows = np.repeat(np.arange(groups.G), np.diff(groups.gindptr))
    dense[rows, groups.gindices] = 1.0
    return (dense.T @ dense) > 0


def frac_str(x) -> str:
    return str(x)


def num_json(x):
    """JSON-friendly exact number: int stays int, a Fraction becomes a float."""
    if isinstance(x, int):
        return x
    if isinstance(x, Fraction) and x.denominator == 1:
        return int(x)
    return float(x)
