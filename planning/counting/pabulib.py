"""Fast reader and writer for Pabulib ``.pb`` files.

A file has three sections, each a title line followed by a ``;``-separated header line:
``META`` (``key;value``), ``PROJECTS`` (``project_id;cost;...``) and ``VOTES``
(``voter_id;vote;...``, with ``points`` for cumulative and scoring ballots). The reader builds the
ballots directly as CSR arrays (no Python object per ballot) and keeps the META entries and the
extra project / voter columns so that ``write(read(f))`` reproduces the file's content.

Unreadable or inconsistent files raise :class:`PabulibError`, whose message names the line.
"""

from __future__ import annotations

import csv
import io
import re
from fractions import Fraction
from itertools import repeat
from pathlib import Path

import numpy as np

from .election import VOTE_TYPES, CountingError, Election, exact_number

__all__ = ["PabulibError", "PabulibExtras", "read", "write", "dumps"]

SECTIONS = ("meta", "projects", "votes")
_SECTION_RE = re.compile(r"^[ \t]*(meta|projects|votes)[ \t]*(;[ \t;]*)?$", re.I | re.M)


class PabulibError(CountingError):
    """A Pabulib file could not be read. ``line`` is 1-based (None if not about one line)."""

    def __init__(self, message: str, line: int | None = None, path: str | None = None):
        self.message = message
        self.line = line
        self.path = path
        parts = [p for p in (path, f"line {line}" if line is not None else None) if p]
        where = ": ".join(parts) + ": " if parts else ""
        super().__init__(f"{where}{message}")


class PabulibExtras:
    """What a Pabulib file holds beyond the :class:`Election`, kept for faithful round-trips.

    ``voter_ids`` and ``voter_fields`` (extra VOTES columns, e.g. age) are split out of the
    file lazily, on first access, so that counting a large file does not pay for them.
    """

    def __init__(self, project_columns=None, project_fields=None, voter_columns=None,
                 voter_ids=None, voter_fields=None):
        self.project_columns: list[str] = project_columns or ["project_id", "cost"]
        self.project_fields: dict[str, dict[str, str]] = project_fields or {}
        self.voter_columns: list[str] = voter_columns or ["voter_id", "vote"]
        self._voter_ids = voter_ids
        self._voter_fields = voter_fields if voter_fields is not None else {}
        self._lazy = None

    def _load(self):
        if self._lazy is not None:
            lazy, self._lazy = self._lazy, None
            self._voter_ids, self._voter_fields = lazy()

    @property
    def voter_ids(self) -> list[str] | None:
        self._load()
        return self._voter_ids

    @voter_ids.setter
    def voter_ids(self, value):
        self._load()
        self._voter_ids = value

    @property
    def voter_fields(self) -> dict[str, list[str]]:
        self._load()
        return self._voter_fields

    @voter_fields.setter
    def voter_fields(self, value):
        self._load()
        self._voter_fields = value

    def official_selected(self) -> list[str] | None:
        """Project ids marked ``selected`` = 1 in the PROJECTS section (None if no column)."""
        if "selected" not in self.project_columns:
            return None
        return sorted(p for p, f in self.project_fields.items()
                      if f.get("selected", "").strip() not in ("", "0", "none", "None"))


def read(source: str | Path | bytes) -> tuple[dict[str, str], Election, PabulibExtras]:
    """Read a Pabulib file (a path, or the file's text / bytes) → (meta, election, extras)."""
    path = None
    if isinstance(source, bytes):
        text = source.decode("utf-8-sig")
    elif isinstance(source, Path) or ("\n" not in source and "\r" not in source):
        path = str(source)
        try:
            with open(source, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise PabulibError(f"cannot open file: {exc.strerror or exc}", path=path) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise PabulibError("not valid UTF-8 text", line, path) from None
    else:
        text = source[1:] if source.startswith("\ufeff") else source
        raw = None
    if isinstance(source, bytes):
        raw = source
    try:
        return _parse(text, raw)
    except PabulibError as exc:
        if path and exc.path is None:
            raise PabulibError(exc.message, exc.line, path) from None
        raise


# a section title line: the regex engine searches fast for the literal "\n" that starts it
_SECTION_NL_RE = re.compile(r"\n[ \t]*(meta|projects|votes)[ \t]*(;[ \t;]*)?(?=\n|$)", re.I)
_SECTION_AT0_RE = re.compile(r"[ \t]*(meta|projects|votes)[ \t]*(;[ \t;]*)?(?=\n|$)", re.I)


def _find_sections(text: str) -> dict[str, tuple[int, int]]:
    """Section name -> (0-based line index, offset of the title line in ``text``)."""
    found: dict[str, tuple[int, int]] = {}
    hits = []
    mt = _SECTION_AT0_RE.match(text)
    if mt:
        hits.append((mt.group(1).lower(), 0))
    hits.extend((mt.group(1).lower(), mt.start() + 1) for mt in _SECTION_NL_RE.finditer(text))
    for name, pos in hits:
        line_no = text.count("\n", 0, pos)
        if name in found:
            raise PabulibError(f"section {name.upper()} appears twice", line_no + 1)
        found[name] = (line_no, pos)
    return found


def _parse(text: str, raw: bytes | None = None):
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        raw = None
    located = _find_sections(text)
    for name in SECTIONS:
        if name not in located:
            raise PabulibError(f"missing section {name.upper()}", None)
    found = {name: line for name, (line, _pos) in located.items()}
    votes_line, votes_pos = located["votes"]
    votes_last = votes_line == max(found.values())
    # Lines are only split up to the VOTES section when it comes last (as usual): a plain
    # VOTES section is read in bulk from the text (_votes_numeric); otherwise all lines.
    lines = text[:votes_pos].split("\n") if votes_last else text.split("\n")
    bounds = sorted(found.values()) + [len(lines)]  # (the end of VOTES: see below)
    first = min(found.values())
    for i in range(first):
        if lines[i].strip():
            raise PabulibError("text before the first section", i + 1)

    def section(name):
        start = found[name]
        end = bounds[bounds.index(start) + 1]
        return start, end

    meta = _read_meta(lines, *section("meta"))
    vote_type = meta.get("vote_type")
    if vote_type is None:
        raise PabulibError("META has no vote_type", found["meta"] + 1)
    if vote_type not in VOTE_TYPES:
        raise PabulibError(
            f"vote_type {vote_type!r} is not supported (expected one of {', '.join(VOTE_TYPES)})",
            _meta_line(lines, found["meta"], "vote_type"))
    if "budget" not in meta:
        raise PabulibError("META has no budget", found["meta"] + 1)
    try:
        budget = exact_number(meta["budget"])
        if budget < 0:
            raise CountingError("negative")
    except CountingError:
        raise PabulibError(f"bad budget {meta['budget']!r}",
                           _meta_line(lines, found["meta"], "budget")) from None
    extras = PabulibExtras()
    ids, costs = _read_projects(lines, *section("projects"), extras)
    fast = None
    if votes_last and vote_type in ("approval", "choose-1"):
        fast = _votes_numeric(text, votes_pos, raw, ids, extras)
    if fast is not None:
        indptr, indices = fast
        points = None
    else:
        if votes_last:
            lines = text.split("\n")
            bounds[-1] = len(lines)
        indptr, indices, points = _read_votes(lines, *section("votes"), ids, vote_type,
                                              extras)
    try:
        election = Election(ids, costs, budget, indptr, indices, points, vote_type)
    except CountingError as exc:
        raise PabulibError(str(exc), None) from None
    return meta, election, extras


_DIGITS_ONLY = re.compile(r"(0|[1-9][0-9]{0,14})\Z")


def _votes_numeric(text: str, pos: int, raw: bytes | None, ids, extras: PabulibExtras):
    """Approval VOTES section (the last section) read with numpy, when project ids are numbers.

    Applies when every project id is a decimal integer written plainly (no sign, no leading
    zero, at most 15 digits) and the section is plain: a header right after the title, no
    quotes, every line with exactly as many fields as the header, vote fields made of digits
    and commas only, no empty ballot or empty token, every voted id known. Anything else
    returns None and the general reader takes over (it names the offending line).
    """
    if not ids or not all(_DIGITS_ONLY.match(p) for p in ids):
        return None
    p1 = text.find("\n", pos)
    p2 = text.find("\n", p1 + 1) if p1 >= 0 else -1
    if p2 < 0:
        return None
    header_line = text[p1 + 1:p2]
    if '"' in header_line or not header_line.strip():
        return None
    header = [h.strip() for h in header_line.split(";")]
    if "vote" not in header or "points" in header:
        return None
    ncols = len(header)
    vi = header.index("vote")
    body_pos = p2 + 1
    body_end = len(text) - 1 if text.endswith("\n") else len(text)
    if body_end <= body_pos:
        return None
    if raw is not None:
        bom = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
        start = bom + len(text[:body_pos].encode("utf-8"))
        a = np.frombuffer(raw, dtype=np.uint8, offset=start)
        a = a[:len(a) - (len(text) - body_end)]  # the final newline is one byte
    else:
        a = np.frombuffer(text[body_pos:body_end].encode("utf-8"), dtype=np.uint8)
    if len(a) == 0 or ncols < 2:
        return None
    nl = np.flatnonzero(a == 10)
    n = len(nl) + 1
    semi = np.flatnonzero(a == 59)
    if len(semi) != n * (ncols - 1) or (a == 34).any():
        return None
    ends = np.append(nl, len(a))
    starts = np.concatenate(([0], nl + 1))
    # exactly ncols - 1 separators on each line: with n * (ncols - 1) in all, it suffices that
    # the i-th block of ncols - 1 separators lies within line i (a blank line has none)
    semi = semi.reshape(n, ncols - 1)
    if (semi[:, 0] < starts).any() or (semi[:, -1] > ends).any():
        return None
    vstart = starts if vi == 0 else semi[:, vi - 1] + 1
    vend = ends if vi == ncols - 1 else semi[:, vi]
    if (vend <= vstart).any():
        return None  # empty ballots: the general reader handles them
    # commas inside the vote fields separate the tokens (commas elsewhere are ignored)
    commas = np.flatnonzero(a == 44)
    line = np.searchsorted(ends, commas)
    in_vote = (commas >= vstart[line]) & (commas < vend[line])
    vc = commas[in_vote]
    vline = line[in_vote]
    per_line = np.bincount(vline, minlength=n) + 1
    indptr = np.concatenate(([0], np.cumsum(per_line))).astype(np.int64)
    ntok = int(indptr[-1])
    # token k of a line starts at the field start (k = 0) or after its k-th comma
    ts = np.empty(ntok, dtype=np.int64)
    te = np.empty(ntok, dtype=np.int64)
    ts[indptr[:-1]] = vstart
    te[indptr[1:] - 1] = vend
    after = np.arange(len(vc)) + vline
    ts[after + 1] = vc + 1
    te[after] = vc
    tl = te - ts
    if tl.min() <= 0 or tl.max() > 15:
        return None  # an empty token, or a token too long to be one of the ids
    # value of each token (Horner's rule over its digits); every byte must be a digit
    ap = np.concatenate((a, np.zeros(16, dtype=np.uint8)))
    if ((ap[ts] == 48) & (tl > 1)).any():
        return None  # a leading zero: not written as the ids are
    val = np.zeros(ntok, dtype=np.int64)
    for k in range(int(tl.max())):
        dk = ap[ts + k] - np.uint8(48)  # a non-digit wraps to a value > 9
        more = tl > k
        if (more & (dk > 9)).any():
            return None  # not a digit (a space, a sign, a letter...)
        val = np.where(more, val * 10 + dk, val)
    pid = np.array([int(p) for p in ids], dtype=np.int64)
    top = int(pid.max())
    if top <= 4 * len(a):
        table = np.full(top + 2, -1, dtype=np.int64)
        table[pid] = np.arange(len(pid))
        indices = table[np.minimum(val, top + 1)]
        if (indices < 0).any():
            return None  # a vote for an unknown project: the general reader names the line
    else:
        order = np.argsort(pid, kind="stable")
        spid = pid[order]
        at = np.searchsorted(spid, val).clip(max=len(spid) - 1)
        if (spid[at] != val).any():
            return None
        indices = order[at]
    voter_columns = header

    def lazy():
        body = text[body_pos:body_end]
        return _voter_extras([b.split(";") for b in body.split("\n")], voter_columns)

    extras.voter_columns = header
    extras._lazy = lazy
    return indptr, indices.astype(np.int64)


def _meta_line(lines, start, key):
    for i in range(start + 2, len(lines)):
        if lines[i].split(";", 1)[0].strip() == key:
            return i + 1
    return start + 1


def _csv_rows(lines, start, end):
    """(line number, row) for the non-blank lines of a small section, header first."""
    out = []
    for i in range(start + 1, end):
        line = lines[i]
        if not line.strip():
            continue
        try:
            row = next(csv.reader([line], delimiter=";"))
        except csv.Error as exc:
            raise PabulibError(f"unreadable line ({exc})", i + 1) from None
        out.append((i + 1, row))
    return out


def _read_meta(lines, start, end) -> dict[str, str]:
    rows = _csv_rows(lines, start, end)
    if not rows:
        raise PabulibError("META has no header line", start + 1)
    meta: dict[str, str] = {}
    for line_no, row in rows[1:]:
        if len(row) < 2:
            raise PabulibError("META line needs key;value", line_no)
        meta[row[0].strip()] = ";".join(row[1:]).strip() if len(row) > 2 else row[1].strip()
    return meta


def _read_projects(lines, start, end, extras: PabulibExtras):
    rows = _csv_rows(lines, start, end)
    if not rows:
        raise PabulibError("PROJECTS has no header line", start + 1)
    header = [h.strip() for h in rows[0][1]]
    if "cost" not in header:
        raise PabulibError("PROJECTS header has no cost column", rows[0][0])
    ci = header.index("cost")
    extras.project_columns = header
    ids: list[str] = []
    costs: list = []
    seen: set[str] = set()
    for line_no, row in rows[1:]:
        if len(row) > len(header):
            raise PabulibError(
                f"{len(row)} fields but the PROJECTS header has {len(header)}", line_no)
        pid = row[0].strip()
        if not pid:
            raise PabulibError("empty project id", line_no)
        if pid in seen:
            raise PabulibError(f"duplicate project id {pid!r}", line_no)
        seen.add(pid)
        if ci >= len(row):
            raise PabulibError(f"project {pid!r} has no cost", line_no)
        try:
            cost = exact_number(row[ci])
            if cost < 0:
                raise CountingError("negative")
        except CountingError:
            raise PabulibError(f"bad cost {row[ci].strip()!r} for project {pid!r}",
                               line_no) from None
        ids.append(pid)
        costs.append(cost)
        extras.project_fields[pid] = {header[k]: row[k].strip() for k in range(len(row))}
    return ids, costs


def _read_votes(lines, start, end, ids, vote_type, extras: PabulibExtras):
    hdr_i = start + 1
    while hdr_i < end and not lines[hdr_i].strip():
        hdr_i += 1
    if hdr_i >= end:
        raise PabulibError("VOTES has no header line", start + 1)
    header = [h.strip() for h in next(csv.reader([lines[hdr_i]], delimiter=";"))]
    if "vote" not in header:
        raise PabulibError("VOTES header has no vote column", hdr_i + 1)
    has_points = vote_type in ("cumulative", "scoring")
    if has_points and "points" not in header:
        raise PabulibError(f"{vote_type} votes need a points column", hdr_i + 1)
    extras.voter_columns = header
    body = lines[hdr_i + 1:end]
    line0 = hdr_i + 2  # file line number of body[0]
    vi = header.index("vote")
    pi = header.index("points") if has_points else -1
    fast = _fast_columns(body, header, vi, pi)
    if fast is not None:
        votes, pts_text = fast
        line_of = None
        rows = None

        def lineno(k: int) -> int:
            return line0 + k

        def lazy():
            split = [b.split(";") for b in body]
            return _voter_extras(split, header)

        extras._lazy = lazy
        return _build_ballots(votes, pts_text, ids, has_points, lineno)
    if any('"' in b for b in body):
        rows = [next(csv.reader([b], delimiter=";")) if b.strip() else [""] for b in body]
    else:
        rows = [b.split(";") for b in body]
    keep = [i for i, r in enumerate(rows) if not (len(r) == 1 and not r[0].strip())]
    if len(keep) != len(rows):
        rows = [rows[i] for i in keep]
        line_of = np.array(keep, dtype=np.int64) + line0
    else:
        line_of = None

    def lineno(k: int) -> int:
        return int(line_of[k]) if line_of is not None else line0 + k

    ncols = len(header)
    lens = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    need = max(vi, pi) + 1
    if len(rows):
        bad = np.nonzero((lens > ncols) | (lens < need))[0]
        if len(bad):
            k = int(bad[0])
            raise PabulibError(
                f"{lens[k]} fields but the VOTES header has {ncols}", lineno(k))
    votes = [r[vi].strip() for r in rows]
    pts_text = [r[pi].strip() for r in rows] if has_points else None
    extras._voter_ids, extras._voter_fields = _voter_extras(rows, header)
    return _build_ballots(votes, pts_text, ids, has_points, lineno)


def _fast_columns(body, header, vi, pi):
    """Vote (and points) columns of a plain VOTES section in bulk, or None.

    Every line must have exactly as many fields as the header (checked by counting the ``;`` of
    each line); then one split of the whole section gives all fields and the columns are
    strided slices of it. Anything unusual (quotes, blank lines, a wrong number of fields)
    returns None and the careful path reads the section, naming the offending line.
    """
    ncols = len(header)
    if not body or not all(body):
        return None
    text = "\n".join(body)
    if '"' in text:
        return None
    seps = np.fromiter(map(str.count, body, repeat(";")), dtype=np.int64, count=len(body))
    if (seps != ncols - 1).any():
        return None  # some line has a wrong number of fields: the slow path names it
    fields = text.replace("\n", ";").split(";") if ncols > 1 else body
    strip = " " in text or "\t" in text
    cols = []
    for ci in (vi, pi):
        if ci < 0:
            cols.append(None)
            continue
        col = fields[ci::ncols]
        cols.append([f.strip() for f in col] if strip else col)
    return cols[0], cols[1]


def _voter_extras(rows, header):
    vid = header.index("voter_id") if "voter_id" in header else None
    ids = [r[vid].strip() if vid < len(r) else "" for r in rows] if vid is not None else None
    fields = {}
    for k, col in enumerate(header):
        if col in ("vote", "points", "voter_id"):
            continue
        fields[col] = [r[k].strip() if k < len(r) else "" for r in rows]
    return ids, fields


def _build_ballots(votes, pts_text, ids, has_points, lineno):
    fast = _build_fast(votes, pts_text, ids)
    if fast is not None:
        return fast
    return _build_careful(votes, pts_text, ids, has_points, lineno)


def _build_fast(votes, pts_text, ids):
    """Common case: no empty tokens, no "none", every id known. None if anything is off."""
    text = ",".join(votes)
    if ",," in text or text.startswith(",") or text.endswith(","):
        return None  # empty ballots or empty tokens: take the careful path
    if pts_text is not None and ",".join(pts_text).count(",") != text.count(","):
        return None
    tokens = text.split(",") if text else []
    pindex = {p: i for i, p in enumerate(ids)}
    try:
        idx = np.fromiter(map(pindex.__getitem__, tokens), dtype=np.int64, count=len(tokens))
    except KeyError:
        return None
    counts = np.fromiter(map(str.count, votes, repeat(",")), dtype=np.int64,
                         count=len(votes)) + 1
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    points = None
    if pts_text is not None:
        pcounts = np.fromiter(map(str.count, pts_text, repeat(",")), dtype=np.int64,
                              count=len(pts_text)) + 1
        if not np.array_equal(pcounts, counts):
            return None
        ptoks = ",".join(pts_text).split(",")
        try:
            points = np.array(ptoks, dtype=np.int64)
        except ValueError:
            return None
        if (points < 0).any():
            return None
    return indptr, idx, points


def _build_careful(votes, pts_text, ids, has_points, lineno):
    vlens = np.fromiter((v.count(",") + 1 if v and v.lower() != "none" else 0 for v in votes),
                        dtype=np.int64, count=len(votes))
    tokens = ",".join(v for v in votes if v and v.lower() != "none").split(",") if len(
        votes) else []
    if tokens == [""]:
        tokens = []
    if any(" " in v or "\t" in v for v in votes):
        tokens = [t.strip() for t in tokens]
    pindex = {p: i for i, p in enumerate(ids)}
    idx = np.fromiter((pindex.get(t, -1) for t in tokens), dtype=np.int64, count=len(tokens))
    indptr = np.concatenate(([0], np.cumsum(vlens))).astype(np.int64)
    points = None
    if has_points:
        plens = np.fromiter(
            (p.count(",") + 1 if p and p.lower() != "none" else 0 for p in pts_text),
            dtype=np.int64, count=len(pts_text))
        mismatch = np.nonzero(plens != vlens)[0]
        if len(mismatch):
            k = int(mismatch[0])
            raise PabulibError(
                f"{vlens[k]} projects but {plens[k]} points in the vote", lineno(k))
        ptoks = ",".join(p for p in pts_text if p and p.lower() != "none").split(",") if len(
            pts_text) else []
        if ptoks == [""]:
            ptoks = []
        ptoks = [t.strip() for t in ptoks]
        try:
            points = np.array(ptoks, dtype=np.int64) if ptoks else np.zeros(0, dtype=np.int64)
        except ValueError:
            vals = []
            for pos, t in enumerate(ptoks):
                try:
                    vals.append(exact_number(t))
                except CountingError:
                    k = int(np.searchsorted(indptr, pos, side="right") - 1)
                    raise PabulibError(f"bad points value {t!r}", lineno(k)) from None
            points = np.array(vals, dtype=object)
        if len(points) and (points < 0).any():
            pos = int(np.nonzero(points < 0)[0][0])
            k = int(np.searchsorted(indptr, pos, side="right") - 1)
            raise PabulibError("negative points", lineno(k))
    missing = np.nonzero(idx < 0)[0]
    if len(missing):
        if not has_points:
            # empty tokens ("1,,2") are skipped, as pabutools does
            empty = np.fromiter((t == "" for t in tokens), dtype=bool, count=len(tokens))
            real = missing[~empty[missing]]
        else:
            real = missing
        if len(real):
            pos = int(real[0])
            k = int(np.searchsorted(indptr, pos, side="right") - 1)
            raise PabulibError(f"vote for unknown project {tokens[pos]!r}", lineno(k))
        keep_tok = idx >= 0
        rows_of = np.repeat(np.arange(len(vlens)), vlens)
        idx = idx[keep_tok]
        counts = np.bincount(rows_of[keep_tok], minlength=len(vlens))
        indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    return indptr, idx, points


# -- writing --------------------------------------------------------------------------------


def _fmt(x) -> str:
    if isinstance(x, Fraction):
        if x.denominator == 1:
            return str(x.numerator)
        return repr(float(x)) if Fraction(repr(float(x))) == x else f"{x.numerator}/{x.denominator}"
    return str(x)


def dumps(
    election: Election,
    meta: dict[str, str] | None = None,
    extras: PabulibExtras | None = None,
    selected: list[str] | None = None,
) -> str:
    """The Pabulib text of an election (``selected`` fills the ``selected`` column)."""
    meta = dict(meta or {})
    extras = extras or PabulibExtras()
    meta["num_projects"] = str(election.n_projects)
    meta["num_votes"] = str(election.n_voters)
    meta["budget"] = _fmt(election.budget)
    meta["vote_type"] = election.vote_type
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    w.writerow(["key", "value"])
    for k, v in meta.items():
        w.writerow([k, v])
    out.write("PROJECTS\n")
    pcols = [c for c in extras.project_columns if c not in ("project_id", "cost")]
    if selected is not None and "selected" not in pcols:
        pcols.append("selected")
    w.writerow(["project_id", "cost", *pcols])
    chosen = set(selected or [])
    for pid, cost in zip(election.project_ids, election.costs_exact, strict=True):
        fields = extras.project_fields.get(pid, {})
        row = [pid, _fmt(cost)]
        for c in pcols:
            if c == "selected" and selected is not None:
                row.append("1" if pid in chosen else "0")
            else:
                row.append(fields.get(c, ""))
        w.writerow(row)
    out.write("VOTES\n")
    vcols = [c for c in extras.voter_columns if c not in ("voter_id", "vote", "points")]
    has_points = election.points is not None
    head = ["voter_id", "vote"] + (["points"] if has_points else []) + vcols
    w.writerow(head)
    n = election.n_voters
    ids = election.project_ids
    voter_ids = extras.voter_ids if extras.voter_ids and len(extras.voter_ids) == n else [
        str(v + 1) for v in range(n)]
    ptr = election.indptr.tolist()
    idx = election.indices.tolist()
    pts = [_fmt(p) for p in election.points.tolist()] if has_points else None
    cols = [voter_ids]
    cols.append([",".join(ids[j] for j in idx[ptr[v]:ptr[v + 1]]) for v in range(n)])
    if has_points:
        cols.append([",".join(pts[ptr[v]:ptr[v + 1]]) for v in range(n)])
    for c in vcols:
        vals = extras.voter_fields.get(c)
        cols.append(vals if vals is not None and len(vals) == n else [""] * n)
    rows = zip(*cols, strict=True) if cols else iter(())
    if any(('"' in s or ";" in s or "\n" in s) for col in cols for s in col):
        for row in rows:
            w.writerow(row)
    else:
        out.write("\n".join(";".join(r) for r in rows))
        if n:
            out.write("\n")
    return out.getvalue()


def write(
    path: str | Path,
    election: Election,
    meta: dict[str, str] | None = None,
    extras: PabulibExtras | None = None,
    selected: list[str] | None = None,
) -> None:
    """Write an election to ``path`` in Pabulib format (UTF-8)."""
    Path(path).write_text(dumps(election, meta, extras, selected), encoding="utf-8")
