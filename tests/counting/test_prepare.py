"""Voter grouping and the project co-occurrence matrix against plain Python."""

from __future__ import annotations

import numpy as np
import pytest

from planning.counting import Election
from planning.counting._prepare import TieBreak, cooccurrence, group_voters, prepare


def _election(m: int, n: int, max_len: int, seed: int) -> Election:
    rng = np.random.default_rng(seed)
    ballots = []
    for _ in range(n):
        k = int(rng.integers(0, max_len + 1))
        # few distinct ballots, so that groups have several voters
        ballots.append([str(j) for j in rng.choice(min(m, k + 3), size=k, replace=False)])
    return Election.from_ballots([str(j) for j in range(m)], [10] * m, 50, ballots)


@pytest.mark.parametrize("m, max_len, min_votes", [
    (5, 3, 0),  # short ballots: one int64 key per ballot
    (83, 5, 2),  # a Warszawa-like shape, with projects dropped by min_votes
    (200, 40, 0),  # long ballots over many projects: the bitmask path
])
def test_groups_match_plain_python(m, max_len, min_votes):
    e = _election(m, 400, max_len, seed=m)
    prep = prepare(e, min_votes, TieBreak.LEXICOGRAPHIC)
    g = group_voters(prep)
    expected: dict[tuple, int] = {}
    for v in range(e.n_voters):
        key = tuple(j for j in e.indices[e.indptr[v]:e.indptr[v + 1]].tolist()
                    if prep.active[j])
        expected[key] = expected.get(key, 0) + 1
    got = {tuple(g.gindices[g.gindptr[k]:g.gindptr[k + 1]].tolist()): int(g.w[k])
           for k in range(g.G)}
    assert got == expected
    assert g.n_voters == e.n_voters
    for j in range(m):
        sup = g.supporters_of(j).tolist()
        assert sup == sorted(sup)
        assert sup == [k for k in range(g.G) if j in g.gindices[g.gindptr[k]:g.gindptr[k + 1]]]
    co = cooccurrence(g, m)
    naive = np.zeros((m, m), dtype=bool)
    for k in range(g.G):
        b = g.gindices[g.gindptr[k]:g.gindptr[k + 1]]
        naive[np.ix_(b, b)] = True
    assert (co == naive).all()
