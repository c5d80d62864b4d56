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
        The value is that of the original per-voter Python implementation (kept as the
        reference in ``tests/counting/test_input_hash.py``); it is computed with numpy, see
        :func:`_sorted_ballot_keys`.
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
        h.update(b"\n")
        h.update(_sorted_ballot_keys(self))
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


# -- the ballot part of input_hash -------------------------------------------------------------
#
# Each ballot is written as a key: its tokens (project ids for approval ballots, "id:points"
# for points ballots) in string order, joined by ","; the keys are sorted as strings and joined
# by "\n". Instead of one Python string per voter:
#   1. the distinct tokens (at most one per project, or per (project, points) pair) are ranked
#      in string order once, in Python;
#   2. each ballot's tokens are sorted by rank (one numpy sort of voter * T + rank);
#   3. the voters are sorted by their rank sequences: the ranks (+1, so that 0 means "ballot
#      ended") are packed into uint64 words, most significant first, and lexsorted. Comparing
#      rank sequences this way compares the keys as strings provided that, whenever a token a
#      is a proper prefix of a token b, the character of b after a sorts after "," (digits,
#      letters, ":" and "-" all do); otherwise the keys are built and sorted in Python;
#   4. the output bytes are gathered from a table of the tokens' UTF-8 bytes (each followed by
#      ","; the last "," of a ballot becomes "\n"). UTF-8 byte order is code-point order, so
#      this is Python's string order.


def _ballot_tokens(election: Election) -> tuple[np.ndarray, list[str]]:
    """Token number of every choice, and the text of each token."""
    ids = election.project_ids
    if election.points is None:
        return election.indices, list(ids)
    indices, points = election.indices, election.points
    if points.dtype == object:
        seen: dict[tuple[int, str], int] = {}
        pairs = zip(indices.tolist(), (format_number(p) for p in points.tolist()), strict=True)
        tokens = np.fromiter((seen.setdefault(pair, len(seen)) for pair in pairs),
                             dtype=np.int64, count=len(indices))
        return tokens, [f"{ids[j]}:{p}" for j, p in seen]
    if not len(points):
        return indices, []
    width = int(points.max()) + 1
    n_codes = width * max(len(ids), 1)
    if n_codes <= 1 << 24:  # few (project, points) codes: number them without sorting
        code = indices * width + points
        present = np.bincount(code, minlength=n_codes) > 0
        unique = np.flatnonzero(present)
        tokens = (np.cumsum(present) - 1)[code]
        pairs = zip((unique // width).tolist(), (unique % width).tolist(), strict=True)
    elif n_codes < 2**62:
        unique, tokens = np.unique(indices * width + points, return_inverse=True)
        pairs = zip((unique // width).tolist(), (unique % width).tolist(), strict=True)
    else:
        unique, tokens = np.unique(np.stack([indices, points], axis=1), axis=0,
                                   return_inverse=True)
        pairs = unique.tolist()
    return tokens.reshape(-1).astype(np.int64), [f"{ids[j]}:{p}" for j, p in pairs]


def _rank_order_is_string_order(texts: list[str]) -> bool:
    """Whether comparing ballots token by token (by rank) orders their keys as strings.

    ``texts`` is sorted. The tokens having ``a`` as a proper prefix follow ``a`` directly; the
    orders agree unless one of them continues ``a`` with a character that sorts before or at ",".
    """
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            if not b.startswith(a):
                break
            if len(b) > len(a) and b[len(a)] <= ",":
                return False
    return True


def _sorted_ballot_keys(election: Election) -> bytes:
    """The ballot keys of ``election``, sorted, joined by "\\n", UTF-8."""
    n = election.n_voters
    if n == 0:
        return b""
    indptr = election.indptr
    lengths = np.diff(indptr)
    nnz = int(indptr[-1])
    if nnz == 0:
        return b"\n" * (n - 1)
    tokens, texts = _ballot_tokens(election)
    n_tokens = len(texts)
    by_text = sorted(range(n_tokens), key=texts.__getitem__)
    rank_of = np.empty(n_tokens, dtype=np.int64)
    rank_of[by_text] = np.arange(n_tokens)
    texts = [texts[t] for t in by_text]
    voters = np.repeat(np.arange(n, dtype=np.int64), lengths)
    # Sorting voter * T + rank keeps every choice in its ballot and sorts each ballot by rank.
    key = voters * n_tokens + rank_of[tokens]
    key.sort()
    ranks = key - voters * n_tokens
    del key
    if not _rank_order_is_string_order(texts):
        ptr = indptr.tolist()
        flat = ranks.tolist()
        keys = [",".join([texts[r] for r in flat[ptr[v]:ptr[v + 1]]]) for v in range(n)]
        keys.sort()
        return "\n".join(keys).encode()
    # Pack the ranks + 1 of each ballot into int64 words (63 bits used), first token most
    # significant: word w of voter v is at words[v, w].
    bits = n_tokens.bit_length()
    per_word = 63 // bits
    n_words = -(-int(lengths.max()) // per_word)
    starts = indptr[:-1]
    pos = np.arange(nnz, dtype=np.int64) - np.repeat(starts, lengths)
    word = pos // per_word
    scale = np.left_shift(1, bits * np.arange(per_word - 1, -1, -1, dtype=np.int64))
    slot = pos - word * per_word
    slot_scale = scale[slot]
    packed = (ranks + 1) * slot_scale
    cell = voters * n_words + word  # non-decreasing: one run per (voter, word)
    del pos, word, voters
    run_start = np.flatnonzero(np.concatenate(([True], cell[1:] != cell[:-1])))
    words = np.zeros(n * n_words, dtype=np.int64)
    words[cell[run_start]] = np.add.reduceat(packed, run_start)
    del packed, cell, run_start
    order = _lexicographic_order(words.reshape(n, n_words), lengths > per_word)
    del words
    # Ranks in output order.
    new_lengths = lengths[order]
    new_ends = np.cumsum(new_lengths)
    take = np.repeat(starts[order] - (new_ends - new_lengths), new_lengths)
    take += np.arange(nnz, dtype=np.int64)
    ranks = ranks[take]
    del take
    # Gather the bytes: a table of the tokens' bytes, each followed by ",".
    encoded = [t.encode() + b"," for t in texts]
    sizes = np.array([len(e) for e in encoded], dtype=np.int64)
    seg = sizes[ranks]
    width = int(sizes.max())
    if width <= 32:
        table = np.zeros((n_tokens, width), dtype=np.uint8)
        for t, e in enumerate(encoded):
            table[t, :len(e)] = np.frombuffer(e, dtype=np.uint8)
        out = table[ranks][np.arange(width) < seg[:, None]]
    else:
        flat_table = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        offsets = np.cumsum(sizes) - sizes
        out_starts = np.cumsum(seg) - seg
        out = flat_table[np.repeat(offsets[ranks] - out_starts, seg)
                         + np.arange(int(seg.sum()), dtype=np.int64)]
    # The "," after the last token of each ballot ends the line.
    ends = np.cumsum(seg)
    out[ends[new_ends[new_lengths > 0] - 1] - 1] = ord("\n")
    empty = n - int(np.count_nonzero(new_lengths))
    return (b"\n" * empty + out.tobytes())[:-1]


def _lexicographic_order(words: np.ndarray, long: np.ndarray) -> np.ndarray:
    """An order of the rows of ``words`` (n x w, non-negative) that sorts them
    lexicographically; ``long`` marks the rows that may have non-zero words after the first.

    Rows with equal words may come in any order (they stand for equal keys). One unstable
    sort of the first words does most of the work; only the long rows (usually few) need a
    lexsort, and they are merged after the short rows of equal first word.
    """
    first = words[:, 0]
    if words.shape[1] == 1 or not long.any():
        return np.argsort(first)
    short_rows = np.flatnonzero(~long)
    short_rows = short_rows[np.argsort(first[short_rows])]
    long_rows = np.flatnonzero(long)
    long_rows = long_rows[np.lexsort(words[long_rows].T[::-1])]
    at = np.searchsorted(first[short_rows], first[long_rows], side="right")
    return np.insert(short_rows, at, long_rows)
