"""Pabulib files in and out of the database.

Import creates a closed consultation with its proposals and ballots (voters become anonymous
participants); export writes a consultation's ballots anonymised, with the `selected` column.
Import then export then tally gives the same outcome as tallying the original file: project ids
survive as `Proposal.reference`, so ties break as in the original election.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import islice
from pathlib import Path

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Collate
from django.utils import timezone
from django.utils.text import slugify

from consult import selectors as consult_selectors
from consult import services as consult_services
from consult.models import (
    Ballot,
    BallotChoice,
    City,
    Consultation,
    CountingRule,
    Participant,
    Proposal,
    Theme,
    VotingMethod,
    new_receipt_code,
)
from core.errors import ServiceError

from .counting.pabulib import _fmt as pabulib_number
from .selectors import count_run_official
from .services.count_runs import VOTE_TYPES

Progress = Callable[[str, int], None]

# Pabulib's `rule` META values and the counting rule that reproduces them.
PABULIB_RULES = {
    "greedy": CountingRule.GREEDY,
    "greedy-no-skip": CountingRule.GREEDY,
    "equalshares": CountingRule.MES,
    "equalshares/add1": CountingRule.MES_ADD1,
    "equalshares-add1": CountingRule.MES_ADD1,
    "equalshares/greedy": CountingRule.MES_GREEDY,
    "phragmen": CountingRule.PHRAGMEN,
}
RULE_TO_PABULIB = {
    CountingRule.GREEDY: "greedy",
    CountingRule.MES: "equalshares",
    CountingRule.MES_ADD1: "equalshares/add1",
    CountingRule.MES_GREEDY: "equalshares/greedy",
    CountingRule.PHRAGMEN: "phragmen",
}
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y")


def _to_decimal(value, what: str) -> Decimal:
    if isinstance(value, Fraction):
        result = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        try:
            result = Decimal(str(value))
        except InvalidOperation as error:
            raise ServiceError(f"{what} is not a number: {value!r}") from error
    if result != result.quantize(Decimal("0.01")):
        raise ServiceError(f"{what} has more than two decimals: {value}")
    return result


def _parse_date(text: str | None) -> datetime | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime((text or "").strip(), fmt)
        except ValueError:
            continue
    return None


def _unique_slug(city: City, base: str) -> str:
    base = slugify(base)[:100] or "pabulib"
    slug, n = base, 1
    while Consultation.objects.filter(city=city, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _dates(meta: dict[str, str], city: City) -> dict[str, datetime]:
    """Phase dates in the past: the voting period from META when known, else recent days."""
    begin, end = _parse_date(meta.get("date_begin")), _parse_date(meta.get("date_end"))
    tz = city.tzinfo
    if begin and end and end >= begin:
        voting_open = datetime.combine(begin.date(), time(0, 0), tz)
        voting_close = datetime.combine(end.date(), time(23, 59), tz)
    else:
        voting_close = timezone.now() - timedelta(days=1)
        voting_open = voting_close - timedelta(days=14)
    voting_close = min(voting_close, timezone.now() - timedelta(minutes=1))
    voting_open = min(voting_open, voting_close - timedelta(hours=1))
    return {
        "proposals_open_at": voting_open - timedelta(days=60),
        "proposals_close_at": voting_open - timedelta(days=30),
        "voting_opens_at": voting_open,
        "voting_closes_at": voting_close,
        "results_at": voting_close,
    }


@transaction.atomic
def consultation_import_pabulib(
    *, path: str | Path, city: City, progress: Progress | None = None
) -> Consultation:
    """Create a closed consultation from a Pabulib file, with its proposals and ballots."""
    from planning.counting import CountingError, pabulib

    try:
        meta, election, extras = pabulib.read(path)
    except CountingError as error:
        raise ServiceError(str(error)) from error
    vote_type = election.vote_type
    if vote_type == "scoring":
        raise ServiceError("Scoring ballots have no voting method in Cabildo; not imported.")
    lengths = np.diff(election.indptr)
    if vote_type == "cumulative":
        method = {"voting_method": VotingMethod.CUMULATIVE, "max_choices": None}
        # Points per ballot from running sums (reduceat fails when the last ballots are empty).
        running = np.concatenate(([0], np.cumsum(election.points)))
        sums = running[election.indptr[1:]] - running[election.indptr[:-1]]
        method["max_points"] = int(meta.get("max_sum_points") or max(1, int(sums.max(initial=1))))
    else:
        limit = 1 if vote_type == "choose-1" else int(
            meta.get("max_length") or max(1, int(lengths.max(initial=1))))
        method = {"voting_method": VotingMethod.APPROVAL, "max_choices": max(limit, 1)}
    dates = _dates(meta, city)
    voting_year = dates["voting_closes_at"].year
    title = meta.get("description") or meta.get("instance") or Path(path).stem
    consultation = consult_services.consultation_create(
        city=city,
        title=title[:200],
        slug=_unique_slug(city, Path(path).stem),
        themes=False,
        description=f"Imported from the Pabulib file {Path(path).name}.",
        plan_start_year=voting_year + 1,
        plan_end_year=voting_year + 1,
        budget=_to_decimal(election.budget, "The budget"),
        currency=(meta.get("currency") or city.currency)[:3].upper(),
        counting_rule=PABULIB_RULES.get(meta.get("rule", "").strip().lower(), CountingRule.GREEDY),
        **method,
        **dates,
    )
    official = set(extras.official_selected() or [])
    fields = extras.project_fields
    categories = sorted({
        (fields.get(pid, {}).get("category") or "").split(",")[0].strip() or "general"
        for pid in election.project_ids
    })
    themes = {
        name: Theme.objects.create(consultation=consultation, name=name[:120],
                                   slug=slugify(name)[:80] or f"theme-{i}", position=i)
        for i, name in enumerate(categories)
    }
    author = Participant.objects.create(city=city)  # the file's anonymous submitter
    proposals = Proposal.objects.bulk_create(
        Proposal(
            consultation=consultation,
            author=author,
            theme=themes[(fields.get(pid, {}).get("category") or "").split(",")[0].strip()
                         or "general"],
            reference=pid,
            title=(fields.get(pid, {}).get("name") or f"Project {pid}")[:200],
            summary=(fields.get(pid, {}).get("description") or fields.get(pid, {}).get("name")
                     or f"Project {pid}")[:500],
            estimated_cost=_to_decimal(cost, f"The cost of project {pid}"),
            status=Proposal.Status.SELECTED if pid in official else Proposal.Status.SHORTLISTED,
            published_at=dates["proposals_open_at"],
            created_at=dates["proposals_open_at"],
        )
        for pid, cost in zip(election.project_ids, election.costs_exact, strict=True)
    )
    n = election.n_voters
    if progress:
        progress("voters", n)
    voters = Participant.objects.bulk_create(
        (Participant(city=city) for _ in range(n)), batch_size=5000
    )
    if progress:
        progress("ballots", n)
    cast = dates["voting_closes_at"]
    codes: set[str] = set()
    while len(codes) < n:
        codes.add(new_receipt_code())
    ballots = Ballot.objects.bulk_create(
        (
            Ballot(participant=voter, consultation=consultation, receipt_code=code,
                   created_at=cast, updated_at=cast)
            for voter, code in zip(voters, codes, strict=True)
        ),
        batch_size=5000,
    )
    if progress:
        progress("choices", len(election.indices))
    ballot_of_choice = np.repeat(np.arange(n), np.diff(election.indptr))
    points = election.points if election.points is not None else np.ones(
        len(election.indices), dtype=np.int64)
    BallotChoice.objects.bulk_create(
        (
            BallotChoice(ballot_id=ballots[v].pk, proposal_id=proposals[j].pk, points=int(p))
            for v, j, p in zip(ballot_of_choice.tolist(), election.indices.tolist(),
                               points.tolist(), strict=True)
            if p > 0
        ),
        batch_size=5000,
    )
    return consultation


#: Ballots per database round trip of the export (their choices come in one query per chunk).
EXPORT_CHUNK = 5000


def consultation_export_pabulib(*, consultation: Consultation) -> str:
    """The consultation's ballots as Pabulib text (see :func:`consultation_export_pabulib_stream`;
    this joins its pieces, so it holds the whole file: for large consultations stream instead)."""
    return "".join(consultation_export_pabulib_stream(consultation=consultation))


def consultation_export_pabulib_stream(
    *, consultation: Consultation, chunk_size: int = EXPORT_CHUNK
) -> Iterator[str]:
    """The consultation's ballots as Pabulib text, piece by piece, voters anonymised (numbered
    1..n in the order of their random receipt codes), with the `selected` column of the
    official count.

    META and PROJECTS are prepared when this is called (so errors surface before anything is
    written); the returned iterator then yields them and the VOTES section, reading the ballots
    ``chunk_size`` at a time in receipt-code order, so memory does not grow with the number of
    ballots. The text equals what ``pabulib.dumps`` writes for the consultation's election.
    """
    from planning.counting import Election

    on_ballot = consult_selectors.proposals_on_ballot(consultation=consultation).values_list(
        "pk", flat=True)
    # The projects of `consult.selectors.ballot_arrays`: on the ballot, or chosen by somebody.
    proposals = list(
        Proposal.objects.filter(consultation=consultation)
        .filter(Q(pk__in=on_ballot) | Exists(BallotChoice.objects.filter(proposal=OuterRef("pk"))))
        .order_by("pk")
        .select_related("theme")
        .annotate(ballot_cost=consult_selectors.ballot_cost())
    )
    vote_type = VOTE_TYPES[consultation.voting_method]
    has_points = vote_type == "cumulative"
    # An election without voters checks the ids, costs and budget as the count would.
    projects = Election(
        project_ids=[p.count_id for p in proposals],
        costs=[p.ballot_cost for p in proposals],
        budget=consultation.budget,
        indptr=[0],
        indices=[],
        points=[] if has_points else None,
        vote_type=vote_type,
    )
    ids = projects.project_ids
    choices = BallotChoice.objects.filter(ballot__consultation=consultation)
    # Supporters: every choice counts (choices hold at least one point).
    votes = dict(choices.order_by().values_list("proposal_id").annotate(n=Count("pk")))
    official = count_run_official(consultation=consultation)
    if official is not None:
        selected = list(official.selected)
    else:
        selected = [p.count_id for p in proposals if p.status == Proposal.Status.SELECTED]
    n_voters = Ballot.objects.filter(consultation=consultation).count()
    close = consultation.local(consultation.voting_closes_at)
    open_ = consultation.local(consultation.voting_opens_at)
    meta = {
        "description": _clean(consultation.title),
        "country": consultation.city.country,
        "unit": _clean(consultation.city.name),
        "instance": consultation.slug,
        "currency": consultation.currency,
        "date_begin": open_.strftime("%Y-%m-%d"),
        "date_end": close.strftime("%Y-%m-%d"),
        "rule": RULE_TO_PABULIB[consultation.counting_rule],
    }
    if consultation.voting_method == VotingMethod.CUMULATIVE:
        meta["max_sum_points"] = str(consultation.max_points)
    elif consultation.max_choices:
        meta["max_length"] = str(consultation.max_choices)
    meta["num_projects"] = str(len(ids))
    meta["num_votes"] = str(n_voters)
    meta["budget"] = pabulib_number(projects.budget)
    meta["vote_type"] = vote_type
    out = io.StringIO()
    w = csv.writer(out, delimiter=";", lineterminator="\n")
    out.write("META\n")
    w.writerow(["key", "value"])
    for k, v in meta.items():
        w.writerow([k, v])
    out.write("PROJECTS\n")
    w.writerow(["project_id", "cost", "votes", "name", "category", "selected"])
    chosen = set(selected)
    for p, pid, cost in zip(proposals, ids, projects.costs_exact, strict=True):
        w.writerow([pid, pabulib_number(cost), str(votes.get(p.pk, 0)), _clean(p.title),
                    p.theme.slug, "1" if pid in chosen else "0"])
    out.write("VOTES\n")
    w.writerow(["voter_id", "vote", "points"] if has_points else ["voter_id", "vote"])
    # Like `pabulib.dumps`, quote the VOTES rows through the csv writer only when some ballot
    # holds a project whose id needs quoting; otherwise join the fields as they are.
    awkward = [p.pk for p, pid in zip(proposals, ids, strict=True)
               if any(c in pid for c in '";\n')]
    quoted = bool(awkward) and choices.filter(proposal_id__in=awkward).exists()
    id_of = {p.pk: pid for p, pid in zip(proposals, ids, strict=True)}
    return _export_pieces(out.getvalue(), consultation=consultation, id_of=id_of,
                          has_points=has_points, quoted=quoted, chunk_size=chunk_size)


def _export_pieces(head: str, *, consultation: Consultation, id_of: dict[int, str],
                   has_points: bool, quoted: bool, chunk_size: int) -> Iterator[str]:
    yield head
    code = "receipt_code"
    if connection.vendor == "postgresql":
        code = Collate("receipt_code", "C")  # code-point order, as Python sorts the codes
    ballot_pks = (
        Ballot.objects.filter(consultation=consultation)
        .order_by(code, "pk")
        .values_list("pk", flat=True)
        .iterator(chunk_size=chunk_size)
    )
    voter = 0
    while chunk := list(islice(ballot_pks, chunk_size)):
        ballots: dict[int, tuple[list[str], list[str]]] = {pk: ([], []) for pk in chunk}
        rows = (
            BallotChoice.objects.filter(ballot_id__in=chunk)
            .order_by("ballot_id", "proposal_id")
            .values_list("ballot_id", "proposal_id", "points")
        )
        for ballot_id, proposal_id, points in rows:
            vote, pts = ballots[ballot_id]
            vote.append(id_of[proposal_id])
            pts.append(str(points))
        lines = []
        for pk in chunk:
            voter += 1
            vote, pts = ballots[pk]
            if has_points:
                lines.append((str(voter), ",".join(vote), ",".join(pts)))
            else:
                lines.append((str(voter), ",".join(vote)))
        if quoted:
            out = io.StringIO()
            csv.writer(out, delimiter=";", lineterminator="\n").writerows(lines)
            yield out.getvalue()
        else:
            yield "".join(";".join(line) + "\n" for line in lines)


def _clean(text: str) -> str:
    return re.sub(r"[\r\n;]+", " ", text).strip()
