"""The input of a count: projects, costs, a budget and ballots held as CSR arrays.

Ballots are stored in compressed-sparse-row form: the ballot of voter ``v`` lists the project
indices ``indices[indptr[v]:indptr[v + 1]]`` (with ``points[...]`` alongside for cumulative and
scoring ballots). No Python object is created per voter.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Rational

import numpy as np

__all__ = ["Election", "VOTE_TYPES", "CountingError", "exact_number", "format_number"]

#: Vote types understood by the engine (Pabulib names). ``choose-1`` ballots are approval ballots
#: of length one, as in pabutools.
VOTE_TYPES = ("approval", "choose-1", "cumulative", "scoring")
APPROVAL_TYPES = ("approval", "choose-1")
POINTS_TYPES = ("cumulative", "scoring")


class CountingError(ValueError):
    """Raised for inconsistent input or a rule that does not apply to the ballots."""


def exact_number(value) -> int | Fraction:
    """Return ``value`` as an exact int, or a Fraction when it is not integral.

    Strings are read as decimals ("4000.0", "12,5" with a decimal comma, "1/3"); floats are read
    through their shortest decimal representation, so ``0.1`` becomes ``1/10``.
    """
    if isinstance(value, bool):
        raise CountingError(f"not a number: {value!r}")
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, Fraction | Rational):
        frac = Fraction(value)
    elif isinstance(value, float | np.floating):
        if not np.isfinite(value):
            raise CountingError(f"not a finite number: {value!r}")
        frac = Fraction(repr(float(value)))
    elif isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            frac = Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise CountingError(f"not a number: {value!r}") from None
    else:
        try:
            frac = Fraction(value)
        except (TypeError, ValueError):
            raise CountingError(f"not a number: {value!r}") from None
    return int(frac) if frac.denominator == 1 else frac


def format_number(value) -> str:
    """Canonical text of an exact number: ``"12"``, ``"7/3"``."""
    value = exact_number(value)
    return str(value)


def _exact_array(values: Sequence) -> tuple[np.ndarray, tuple]:
    exact = tuple(exact_number(v) for v in values)
    if all(isinstance(v, int) for v in exact) and all(abs(v) < 2**62 for v in exact):
        return np.array(exact, dtype=np.int64), exact
    return np.array(exact, dtype=object), exact


@dataclass(frozen=True, eq=False)
class Election:
    """Projects, their costs, the budget and the ballots of one count.

    ``indptr`` (length ``n_voters + 1``) and ``indices`` hold the ballots in CSR form; ``points``
    (same length as ``indices``) is ``None`` for approval ballots. On construction each ballot is
    put in canonical form: project indices sorted, duplicates removed (for points ballots the
    last occurrence wins, as pabutools' dictionary ballots do).
    """

    project_ids: tuple[str, ...]
    costs: np.ndarray
    budget: int | Fraction
    indptr: np.ndarray
    indices: np.ndarray
    points: np.ndarray | None = None
    vote_type: str = "approval"
    _costs_exact: tuple = field(init=False, repr=False)
    _points_exact_cache: dict = field(init=False, repr=False, default_factory=dict)

    def __init__(
        self,
        project_ids: Sequence[str],
        costs: Sequence,
        budget,
        indptr,
        indices,
        points=None,
        vote_type: str = "approval",
    ):
        set_ = object.__setattr__
        ids = tuple(str(p) for p in project_ids)
        if len(set(ids)) != len(ids):
            dup = sorted({p for p in ids if ids.count(p) > 1})
            raise CountingError(f"duplicate project id(s): {', '.join(dup[:5])}")
        if vote_type not in VOTE_TYPES:
            raise CountingError(
                f"unknown vote type {vote_type!r}; expected one of {', '.join(VOTE_TYPES)}"
            )
        costs_arr, costs_exact = _exact_array(list(costs))
        if len(costs_exact) != len(ids):
            raise CountingError(f"{len(ids)} projects but {len(costs_exact)} costs")
        if any(c < 0 for c in costs_exact):
            raise CountingError("a project cost is negative")
        budget = exact_number(budget)
        if budget < 0:
            raise CountingError("the budget is negative")
        indptr = np.asarray(indptr, dtype=np.int64)
        indices = np.asarray(indices, dtype=np.int64)
        if indptr.ndim != 1 or len(indptr) < 1 or indptr[0] != 0:
            raise CountingError("indptr must start at 0")
        if np.any(np.diff(indptr) < 0) or indptr[-1] != len(indices):
            raise CountingError("indptr must be non-decreasing and end at len(indices)")
        if len(indices) and (indices.min() < 0 or indices.max() >= len(ids)):
            raise CountingError("a ballot refers to an unknown project index")
        if vote_type in POINTS_TYPES:
            if points is None:
                raise CountingError(f"{vote_type} ballots need points")
            points = np.asarray(points)
            if len(points) != len(indices):
                raise CountingError("points and indices differ in length")
            if points.dtype == object or points.dtype.kind == "f":
                pts_exact = [exact_number(p) for p in points.tolist()]
                if all(isinstance(p, int) for p in pts_exact):
                    points = np.array(pts_exact, dtype=np.int64)
                else:
                    points = np.array(pts_exact, dtype=object)
            else:
                points = points.astype(np.int64)
            if len(points) and any(p < 0 for p in (points.min(),)):
                raise CountingError("points must not be negative")
        elif points is not None:
            raise CountingError(f"{vote_type} ballots carry no points")
        indptr, indices, points = _canonical_csr(indptr, indices, points)
        set_(self, "project_ids", ids)
        set_(self, "costs", costs_arr)
        set_(self, "_costs_exact", costs_exact)
        set_(self, "budget", budget)
        set_(self, "indptr", indptr)
        set_(self, "indices", indices)
        set_(self, "points", points)
        set_(self, "vote_type", vote_type)
        set_(self, "_points_exact_cache", {})
        for arr in (indptr, indices, points):
            if isinstance(arr, np.ndarray):
                arr.setflags(write=False)
        costs_arr.setflags(write=False)

    # -- construction helpers -------------------------------------------------------------

    @classmethod
    def from_ballots(
        cls,
        project_ids: Sequence[str],
        costs: Sequence,
        budget,
        ballots: Iterable[Sequence[str] | Mapping[str, object]],
        *,
        vote_type: str | None = None,
    ) -> Election:
        """Build an election from ballots given as project-id sequences or ``{id: points}``.

        With mappings the vote type defaults to ``cumulative``; otherwise to ``approval``.
        """
        ids = [str(p) for p in project_ids]
        index = {p: i for i, p in enumerate(ids)}
        indptr = [0]
        indices: list[int] = []
        points: list = []
        has_points = None
        for n, ballot in enumerate(ballots):
            is_map = isinstance(ballot, Mapping)
            if has_points is None:
                has_points = is_map
            elif has_points != is_map:
                raise CountingError(f"ballot {n}: mixes approval and points ballots")
            items = ballot.items() if is_map else ((p, None) for p in ballot)
            for pid, pts in items:
                try:
                    indices.append(index[str(pid)])
                except KeyError:
                    raise CountingError(f"ballot {n}: unknown project {pid!r}") from None
                if is_map:
                    points.append(exact_number(pts))
            indptr.append(len(indices))
        if vote_type is None:
            vote_type = "cumulative" if has_points else "approval"
        pts_arr = None
        if vote_type in POINTS_TYPES:
            if has_points is False:
                raise CountingError(f"{vote_type} ballots must be mappings of points")
            pts_arr = (
                np.array(points, dtype=np.int64)
                if all(isinstance(p, int) for p in points)
                else np.array(points, dtype=object)
            )
        elif has_points:
            raise CountingError(f"{vote_type} ballots cannot carry points")
        return cls(ids, costs, budget, np.array(indptr), np.array(indices, dtype=np.int64),
                   pts_arr, vote_type)

    # -- basic properties ---------------------------------------------------------------

    @property
    def n_projects(self) -> int:
        return len(self.project_ids)

    @property
    def n_voters(self) -> int:
        return len(self.indptr) - 1

    @property
    def is_approval(self) -> bool:
        return self.vote_type in APPROVAL_TYPES

    @property
    def costs_exact(self) -> tuple:
        """Costs as exact ints / Fractions."""
        return self._costs_exact

    def ballot(self, voter: int) -> list[str]:
        """The project ids of one ballot (for inspection and tests)."""
        lo, hi = self.indptr[voter], self.indptr[voter + 1]
        return [self.project_ids[i] for i in self.indices[lo:hi]]

    def supporters(self) -> np.ndarray:
        """Number of voters supporting each project (positive points for points ballots)."""
        idx = self.indices
        if self.points is not None:
            idx = idx[self.points > 0] if self.points.dtype != object else idx[
                np.array([p > 0 for p in self.points.tolist()], dtype=bool)]
        return np.bincount(idx, minlength=self.n_projects).astype(np.int64)

    def total_points_exact(self) -> list:
        """Sum of the points each project received (exact)."""
        if self.points is None:
            return [int(x) for x in self.supporters()]
        if self.points.dtype != object:
            sums = np.zeros(self.n_projects, dtype=np.int64)
            np.add.at(sums, self.indices, self.points)
            return [int(x) for x in sums]
        sums = [0] * self.n_projects
        for j, p in zip(self.indices.tolist(), self.points.tolist(), strict=True):
            sums[j] += p
        return [exact_number(s) for s in sums]

    # -- hashing ---------------------------------------------------------------------------

    def input_hash(self) -> str:
        """sha256 of a canonical serialisation of the inputs.

        Projects are sorted by id, ballots are written with project ids (sorted) and the list of
        ballots is sorted, so neither the order of projects nor the order of ballots matters.
        """
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


def _canonical_csr(indptr: np.ndarray, indices: np.ndarray, points):
    """Sort each ballot by project index and drop duplicate entries (last one wins)."""
    n = len(indptr) - 1
    if len(indices) < 2:
        return indptr, indices, points
    width = int(indices.max()) + 1
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr))
    key = rows * width + indices
    if n * width < 2**31:
        key = key.astype(np.int32)  # sorts about twice as fast
    if np.all(key[1:] > key[:-1]):
        return indptr, indices, points  # already canonical
    if points is None:
        # approval: no payload to carry along, sorting the keys themselves is enough
        skey = np.sort(key)
        dup = skey[1:] == skey[:-1]
        if not dup.any():
            # sorting keys of the form row * width + index keeps the rows where they were
            return indptr, (skey - rows * width).astype(np.int64), None
        skey = skey[np.concatenate(([True], ~dup))].astype(np.int64)
        new_rows = skey // width
        counts = np.bincount(new_rows, minlength=n)
        new_indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        return new_indptr, skey - new_rows * width, None
    order = np.argsort(key, kind="stable")
    skey = key[order]
    # keep the last of each (row, index) run: stable sort keeps the input order within a run
    keep = np.ones(len(order), dtype=bool)
    keep[:-1] = skey[1:] != skey[:-1]
    order = order[keep]
    new_rows = rows[order]
    new_indices = indices[order]
    new_points = points[order] if points is not None else None
    counts = np.bincount(new_rows, minlength=n)
    new_indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return new_indptr, new_indices, new_points
