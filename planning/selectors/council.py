"""Reads of the council's votes: the city's rule, who its voting members are, the votes cast on
a version and their tally (the arithmetic is planning.council)."""
from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from consult.models import City, CityRole

from ..council import Tally
from ..models import CouncilRule, CouncilVote, PlanVersion, ReviewDecision


def council_rule_of(city: City) -> CouncilRule:
    """The city's rule; an unsaved CouncilRule with the defaults when it has none."""
    rule = CouncilRule.objects.filter(city=city).first()
    return rule if rule is not None else CouncilRule(city=city)


def council_member_ids(city: City) -> set[int]:
    """The users who vote on the city's plans: the council role in the city, and neither the
    planner nor the city administrator role there (`planning.rules.is_plan_reviewer`)."""
    plans_too = CityRole.objects.filter(
        city=city, user_id=OuterRef("user_id"),
        role__in=[CityRole.Role.PLANNER, CityRole.Role.ADMIN],
    )
    return set(
        CityRole.objects.filter(city=city, role=CityRole.Role.COUNCIL)
        .annotate(plans_too=Exists(plans_too)).filter(plans_too=False)
        .values_list("user_id", flat=True)
    )


def version_decision(version: PlanVersion) -> ReviewDecision | None:
    return ReviewDecision.objects.filter(version=version).select_related("reviewer").first()


def version_votes(version: PlanVersion) -> QuerySet[CouncilVote]:
    return CouncilVote.objects.filter(version=version).select_related("member") \
        .order_by("created_at", "pk")


def version_tally(version: PlanVersion, *, members: set[int] | None = None) -> Tally:
    """The votes on a version so far. Members: the city's voting members now, plus anybody who
    already voted on this version (a vote cast stays counted if its author leaves the council)."""
    if members is None:
        members = council_member_ids(version.plan.city)
    counts = CouncilVote.objects.filter(version=version).aggregate(
        approve=Count("pk", filter=Q(vote=CouncilVote.Vote.APPROVE)),
        return_=Count("pk", filter=Q(vote=CouncilVote.Vote.RETURN)),
        abstain=Count("pk", filter=Q(vote=CouncilVote.Vote.ABSTAIN)),
        outside=Count("pk", filter=~Q(member_id__in=members) | Q(member__isnull=True)),
    )
    return Tally(approve=counts["approve"], return_=counts["return_"],
                 abstain=counts["abstain"], members=len(members) + counts["outside"])
