"""`Election.input_hash` is computed with numpy; its value must stay byte-for-byte that of the
original per-voter Python implementation (stored CountRuns carry it), kept here as the
reference."""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.counting import Election, pabulib
from planning.counting.election import format_number
from tests.needs import needs

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "pabulib"


def reference_input_hash(self: Election) -> str:
    """The implementation of `Election.input_hash` before it was vectorised (verbatim)."""
    h = hashlib.sha256()
    order = sorted(range(self.n_projects), key=lambda j: self.project_ids[j])
    header = {
        "format": "cabildo-count-input/1",
        "vote_type": self.vote_type,
        "budget": format_number(self.budget),
        "projects": [[self.project_ids[j], format_number(self._costs_exact[j])]
                     for j in order],
    }
    h.update(json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode())
    ids = self.project_ids
    ptr = self.indptr.tolist()
    idx = self.indices.tolist()
    if self.points is None:
        keys = [
            ",".join(sorted(ids[j] for j in idx[ptr[v]:ptr[v + 1]]))
            for v in range(self.n_voters)
        ]
    else:
        pts = [format_number(p) for p in self.points.tolist()]
        keys = [
            ",".join(sorted(f"{ids[idx[k]]}:{pts[k]}" for k in range(ptr[v], ptr[v + 1])))
            for v in range(self.n_voters)
        ]
    keys.sort()
    h.update(b"\n")
    h.update("\n".join(keys).encode())
    return h.hexdigest()


def assert_same_hash(election: Election) -> None:
    assert election.input_hash() == reference_input_hash(election)


# -- real Pabulib instances ------------------------------------------------------------------


def _real_files() -> list[str]:
    return sorted(p.name for p in DATA.glob("*.pb")) if DATA.is_dir() else []


@cache
def _read(name: str) -> Election:
    return pabulib.read(DATA / name)[1]


@pytest.mark.parametrize("name", _real_files() or ["(none)"])
def test_real_instances_hash_as_before(name):
    needs(bool(_real_files()), f"real Pabulib instances not found in {DATA.resolve()}")
    election = _read(name)
    assert_same_hash(election)


def test_real_instances_include_approval_and_cumulative():
    needs(bool(_real_files()), f"real Pabulib instances not found in {DATA.resolve()}")
    types = {_read(name).vote_type for name in _real_files()}
    assert {"approval", "cumulative"} <= types


# -- hand-picked cases -----------------------------------------------------------------------


def test_ids_that_sort_differently_as_strings_and_numbers():
    ids = [str(i) for i in range(1, 13)]  # "10" < "9" as strings
    ballots = [["9", "10"], ["10"], ["1", "10", "2"], [], ["12", "1"], ["9"], ["10", "9"]]
    assert_same_hash(Election.from_ballots(ids, [1] * 12, 5, ballots))
    points = [{"9": 1, "10": 2}, {"10": 10}, {"1": 1}, {}, {"1": 10}, {"1": 2, "12": 3}]
    assert_same_hash(Election.from_ballots(ids, [1] * 12, 5, points))


def test_only_empty_ballots_and_no_ballots():
    assert_same_hash(Election.from_ballots(["a", "b"], [1, 2], 3, [[], [], []]))
    assert_same_hash(Election.from_ballots(["a", "b"], [1, 2], 3, [[]]))
    assert_same_hash(Election.from_ballots(["a", "b"], [1, 2], 3, []))
    assert_same_hash(Election.from_ballots(["a"], [1], 3, [{}, {}], vote_type="cumulative"))


@pytest.mark.parametrize("ids", [
    ["1", "1 a", "1a", "2"],  # " " sorts before ",": the keys are sorted in Python
    ["a", "a,b", "b"],  # a "," inside an id
    ["x", "x!", "x\n", "y"],
    ["", "a", "b"],
])
def test_ids_whose_prefix_order_differs_from_key_order(ids):
    ballots = [[ids[0]], [ids[0], ids[-1]], [ids[1]], [ids[1], ids[-1]], [ids[2]], [],
               list(ids), [ids[0], ids[2]]]
    assert_same_hash(Election.from_ballots(ids, [1] * len(ids), 5, ballots))
    maps = [{b: i + 1 for i, b in enumerate(ballot)} for ballot in ballots]
    assert_same_hash(Election.from_ballots(ids, [1] * len(ids), 5, maps))


def test_points_that_share_prefixes_and_fractions():
    ids = ["1", "10", "2"]
    ballots = [{"1": 1}, {"1": 10}, {"1": 100, "10": 1}, {"10": 0}, {"1": 0, "2": 5}]
    assert_same_hash(Election.from_ballots(ids, [1, 1, 1], 5, ballots))
    fractional = [{"1": Fraction(1, 3)}, {"1": Fraction(1, 2), "2": 2}, {"10": 1}]
    election = Election.from_ballots(ids, [1, 1, 1], 5, fractional, vote_type="scoring")
    assert election.points.dtype == object
    assert_same_hash(election)


def test_long_and_non_ascii_ids():
    ids = ["é", "e", "ß" * 40, "z" * 33, "日本", "10", "9"]
    ballots = [ids[:3], ids[2:], [ids[4], ids[0]], [ids[5], ids[6]], [ids[3]], []]
    assert_same_hash(Election.from_ballots(ids, [1] * len(ids), 5, ballots))


def test_many_tokens_and_long_ballots():
    rng = np.random.default_rng(3)
    ids = [str(i) for i in range(300)]
    ballots = [[ids[j] for j in rng.choice(300, size=rng.integers(0, 120), replace=False)]
               for _ in range(400)]
    assert_same_hash(Election.from_ballots(ids, [1] * 300, 5, ballots))
    maps = [{p: int(rng.integers(0, 50)) for p in b} for b in ballots]
    assert_same_hash(Election.from_ballots(ids, [1] * 300, 5, maps))


def test_huge_points_values():
    ids = ["a", "b", "c"]
    ballots = [{"a": 2**61, "b": 1}, {"a": 3}, {"c": 2**61 + 5}]
    assert_same_hash(Election.from_ballots(ids, [1, 1, 1], 5, ballots))


# -- random elections ------------------------------------------------------------------------

ID_ALPHABET = st.sampled_from(list("0123456789ab:- ,é"))
random_ids = st.lists(
    st.one_of(st.integers(0, 120).map(str), st.text(ID_ALPHABET, min_size=0, max_size=4)),
    min_size=1, max_size=25, unique=True)


@st.composite
def elections(draw):
    ids = draw(random_ids)
    kind = draw(st.sampled_from(["approval", "cumulative", "scoring"]))
    n = len(ids)
    ballot = st.lists(st.integers(0, n - 1), max_size=min(n, 12), unique=True)
    ballots = draw(st.lists(ballot, max_size=60))
    costs = draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))
    budget = draw(st.integers(0, 10**7))
    if kind == "approval":
        return Election.from_ballots(ids, costs, budget, [[ids[j] for j in b] for b in ballots])
    points = st.integers(0, 120)
    if kind == "scoring" and draw(st.booleans()):
        points = st.fractions(0, 10, max_denominator=7)
    maps = [{ids[j]: draw(points) for j in b} for b in ballots]
    return Election.from_ballots(ids, costs, budget, maps, vote_type=kind)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections())
def test_random_elections_hash_as_before(election):
    assert_same_hash(election)


@settings(max_examples=50, deadline=None)
@given(elections(), st.randoms(use_true_random=False))
def test_hash_ignores_ballot_order(election, random):
    order = list(range(election.n_voters))
    random.shuffle(order)
    ballots = []
    for v in order:
        lo, hi = election.indptr[v], election.indptr[v + 1]
        items = [election.project_ids[j] for j in election.indices[lo:hi]]
        if election.points is None:
            ballots.append(items)
        else:
            ballots.append(dict(zip(items, election.points[lo:hi].tolist(), strict=True)))
    shuffled = Election.from_ballots(election.project_ids, election.costs_exact,
                                     election.budget, ballots, vote_type=election.vote_type)
    assert shuffled.input_hash() == election.input_hash()
