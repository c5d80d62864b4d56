"""Reads. Counting happens in the database (annotate / aggregate), never in Python loops."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet, Sum

from .models import Ballot, BallotChoice, Consultation, Participant, Proposal

VISIBLE_STATUSES = (
    Proposal.Status.PUBLISHED,
    Proposal.Status.SHORTLISTED,
    Proposal.Status.SELECTED,
    Proposal.Status.REJECTED,
    Proposal.Status.WITHDRAWN,
)


def proposals_public(*, consultation: Consultation) -> QuerySet[Proposal]:
    """Proposals anyone may read, with their support count, ready for a list page."""
    return (
        Proposal.objects.filter(consultation=consultation, status__in=VISIBLE_STATUSES)
        .filter(is_hidden=False)
        .select_related("theme", "organisation", "author__user")
        .annotate(support_count=Count("supports", distinct=True))
    )


def proposals_on_ballot(
    *, consultation: Consultation, ids: Iterable[int] | None = None
) -> QuerySet[Proposal]:
    """Proposals that reach the vote: shortlisted by hand, or published with enough supports."""
    qs = (
        Proposal.objects.filter(consultation=consultation, is_hidden=False)
        .annotate(support_count=Count("supports", distinct=True))
        .filter(
            Q(status__in=(Proposal.Status.SHORTLISTED, Proposal.Status.SELECTED))
            | Q(status=Proposal.Status.PUBLISHED, support_count__gte=consultation.min_supports)
        )
    )
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs


def consultation_counts(*, consultation: Consultation) -> dict[str, int]:
    """Headline numbers of a consultation, in a bounded number of queries."""
    proposals = Proposal.objects.filter(
        consultation=consultation, status__in=VISIBLE_STATUSES, is_hidden=False
    ).aggregate(
        proposals=Count("pk", distinct=True),
        supports=Count("supports", distinct=True),
    )
    ballots = Ballot.objects.filter(consultation=consultation).count()
    participants = (
        Participant.objects.filter(
            Q(supports__proposal__consultation=consultation)
            | Q(ballots__consultation=consultation)
            | Q(proposals__consultation=consultation)
        )
        .distinct()
        .count()
    )
    return {**proposals, "ballots": ballots, "participants": participants}


def vote_totals(*, consultation: Consultation) -> QuerySet[Proposal]:
    """Votes (ballots naming it) and points per proposal on the ballot."""
    return (
        Proposal.objects.filter(consultation=consultation)
        .filter(ballot_choices__isnull=False)
        .annotate(
            votes=Count("ballot_choices", distinct=True),
            points=Sum("ballot_choices__points"),
        )
        .order_by("-points", "pk")
    )


def ballot_choices_of(*, ballot: Ballot) -> dict[int, int]:
    return dict(BallotChoice.objects.filter(ballot=ballot).values_list("proposal_id", "points"))


def participant_data(*, participant: Participant) -> dict:
    """Everything Cabildo holds about a participant, for the 'download my data' right."""
    user = participant.user
    return {
        "account": {
            "username": user.username if user else None,
            "email": user.email if user else None,
            "date_joined": user.date_joined.isoformat() if user else None,
        },
        "profile": {
            "city": participant.city.slug,
            "district": participant.district,
            "age_band": participant.age_band,
            "gender": participant.gender,
            "consent_at": participant.consent_at.isoformat() if participant.consent_at else None,
            "is_verified": participant.is_verified,
        },
        "proposals": list(
            participant.proposals.values("pk", "title", "status", "consultation__slug")
        ),
        "supports": list(participant.supports.values("proposal_id", "created_at")),
        "comments": list(participant.comments.values("pk", "proposal_id", "body", "created_at")),
        "ballots": [
            {
                "consultation": ballot.consultation.slug,
                "receipt_code": ballot.receipt_code,
                "choices": ballot_choices_of(ballot=ballot),
            }
            for ballot in participant.ballots.select_related("consultation")
        ],
    }
