"""Pabulib files in and out of the database.

Import creates a closed consultation with its proposals and ballots (voters become anonymous
participants); export writes a consultation's ballots anonymised, with the `selected` column.
Import then export then tally gives the same outcome as tallying the original file: project ids
survive as `Proposal.reference`, so ties break as in the original election.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

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

from .selectors import count_run_official
from .services import consultation_election

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
        sums = np.add.reduceat(election.points, election.indptr[:-1]) if len(
            election.points) else np.zeros(0)
        sums = np.where(lengths > 0, sums, 0)
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


def consultation_export_pabulib(*, consultation: Consultation) -> str:
    """The consultation's ballots as Pabulib text, voters anonymised (numbered 1..n in the
    order of their random receipt codes), with the `selected` column of the official count."""
    from planning.counting import pabulib
    from planning.counting.pabulib import PabulibExtras

    election, proposal_pks = consultation_election(consultation=consultation)
    proposals = {
        p.pk: p for p in Proposal.objects.filter(pk__in=proposal_pks.tolist()).select_related(
            "theme")
    }
    official = count_run_official(consultation=consultation)
    if official is not None:
        selected = list(official.selected)
    else:
        selected = [proposals[int(pk)].count_id for pk in proposal_pks
                    if proposals[int(pk)].status == Proposal.Status.SELECTED]
    votes = election.supporters()
    extras = PabulibExtras(
        project_columns=["project_id", "cost", "votes", "name", "category", "selected"],
        project_fields={
            pid: {
                "votes": str(int(votes[j])),
                "name": _clean(proposals[int(proposal_pks[j])].title),
                "category": proposals[int(proposal_pks[j])].theme.slug,
            }
            for j, pid in enumerate(election.project_ids)
        },
    )
    # Anonymise: ballots are numbered in the order of their random receipt codes.
    order = list(
        Ballot.objects.filter(consultation=consultation).order_by("pk").values_list(
            "receipt_code", flat=True)
    )
    permutation = sorted(range(len(order)), key=order.__getitem__)
    election = _reorder_voters(election, permutation)
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
    return pabulib.dumps(election, meta, extras, selected=selected)


def _clean(text: str) -> str:
    return re.sub(r"[\r\n;]+", " ", text).strip()


def _reorder_voters(election, permutation: list[int]):
    from planning.counting import Election

    if not permutation:
        return election
    order = np.asarray(permutation, dtype=np.int64)
    starts = election.indptr[:-1][order]
    lengths = np.diff(election.indptr)[order]
    new_starts = np.cumsum(lengths) - lengths
    # Position k of the new ballot v reads old position starts[v] + k, without a loop per voter.
    take = np.repeat(starts - new_starts, lengths) + np.arange(int(lengths.sum()))
    return Election(
        project_ids=election.project_ids,
        costs=election.costs_exact,
        budget=election.budget,
        indptr=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        indices=election.indices[take],
        points=None if election.points is None else election.points[take],
        vote_type=election.vote_type,
    )
