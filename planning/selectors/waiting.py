"""What waits for a member of staff: per role and city, what they should act on next.

One read for the "waiting for you" page and the header's count. It runs only the queries for
the roles the person holds (one for the roles, then one per kind of work), whatever the number
of cities, items or reports.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from consult import selectors as consult_selectors
from consult.models import City, CityRole, Consultation, Proposal, ProposalAssessment

from ..models import CouncilVote, OfficialChoice, PlanStatus, StrategyPlan

#: How far ahead a city administrator is told of phase changes.
PHASE_NOTICE = timedelta(days=7)
#: Items listed per group on the page; the count says how many there are in all.
ITEMS_SHOWN = 20

PLANNING_ROLES = (CityRole.Role.PLANNER, CityRole.Role.ADMIN)
MODERATING_ROLES = (CityRole.Role.MODERATOR, CityRole.Role.ADMIN)


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    detail: str = ""
    when: datetime | None = None


@dataclass
class Group:
    """One kind of work in one city: what it is, how many items, where to act."""

    kind: str
    title: str
    city: City
    count: int
    url: str = ""
    action: str = ""
    note: str = ""
    items: list[Item] = field(default_factory=list)


def staff_cities(*, user) -> dict[str, dict[int, City]]:
    """role → {city id: city} for the roles the user holds (the request's one roles query)."""
    held: dict[str, dict[int, City]] = {}
    for role in consult_selectors.roles_with_cities(user=user):
        held.setdefault(role.role, {})[role.city_id] = role.city
    return held


@dataclass(frozen=True)
class Tool:
    """A staff page of one city, always at hand on the "waiting for you" page."""

    title: str
    city: City
    url: str


def _cities(held: dict[str, dict[int, City]], *roles: str) -> dict[int, City]:
    cities: dict[int, City] = {}
    for role in roles:
        cities.update(held.get(role, {}))
    return dict(sorted(cities.items(), key=lambda pair: pair[1].name))


@dataclass
class Waiting:
    """What waits for one person: the groups, and whether they hold a staff role at all (a
    member of staff with nothing waiting still gets the page and its link)."""

    is_staff: bool
    groups: list[Group] = field(default_factory=list)
    tools: list[Tool] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    def __bool__(self) -> bool:
        return self.is_staff


def waiting_for(*, user, now: datetime | None = None) -> Waiting:
    """Everything that waits for ``user``, grouped by kind of work and city. Groups with nothing
    waiting are left out, except the moderation queue of a city the user moderates."""
    held = staff_cities(user=user)
    if not held:
        return Waiting(is_staff=False)
    now = now or timezone.now()
    groups: list[Group] = []
    groups += _moderation(user=user, held=held)
    groups += _proposals_to_assess(user=user)
    planning_cities = _cities(held, *PLANNING_ROLES)
    if planning_cities:
        groups += _counts_to_make(cities=planning_cities, now=now)
        groups += _results_to_publish(cities=planning_cities)
        groups += _plans_returned(cities=planning_cities)
    council_cities = {pk: city for pk, city in _cities(held, CityRole.Role.COUNCIL).items()
                      if pk not in planning_cities}  # planners do not review their own plans
    if council_cities:
        groups += _plans_to_review(cities=council_cities, user=user)
    admin_cities = _cities(held, CityRole.Role.ADMIN)
    if admin_cities:
        groups += _phases_changing(cities=admin_cities, now=now)
        groups += _consultations_without_reviewers(cities=admin_cities, now=now)
    return Waiting(is_staff=True, groups=groups, tools=_tools(user=user))


def _tools(*, user) -> list[Tool]:
    """The staff pages that are not a queue (the moderation queue is a group of its own)."""
    tools = [Tool(title=_("Set up consultations"), city=city,
                  url=reverse("consult:setup_list", args=[city.slug]))
             for city in consult_selectors.setup_cities(user=user)]
    tools += [Tool(title=_("Proposal review"), city=city,
                   url=reverse("consult:review", args=[city.slug]))
              for city in consult_selectors.review_cities(user=user)]
    return sorted(tools, key=lambda tool: tool.city.name)


def _moderation(*, user, held) -> list[Group]:
    if not _cities(held, *MODERATING_ROLES):
        return []
    return [
        Group(kind="moderation", title=_("Reported content to moderate"), city=entry["city"],
              count=entry["waiting"],
              url=reverse("consult:moderation", args=[entry["city"].slug]),
              action=_("Open the moderation queue"))
        for entry in consult_selectors.moderation_waiting(user=user)
    ]


def _proposals_to_assess(*, user) -> list[Group]:
    """Per city where the user reviews, the proposals of consultations in their review phase
    still without a verdict (how many of them are assigned to the user is in the detail)."""
    groups = []
    for entry in consult_selectors.proposals_to_assess(user=user):
        if not entry["to_assess"]:
            continue
        city = entry["city"]
        groups.append(Group(
            kind="review", title=_("Proposals to assess"), city=city, count=entry["to_assess"],
            url=reverse("consult:review", args=[city.slug]), action=_("Open the review"),
            note=ngettext("%(n)s of them is assigned to you.",
                          "%(n)s of them are assigned to you.", entry["assigned"])
            % {"n": entry["assigned"]} if entry["assigned"] else ""))
    return groups


def _grouped(entries: Iterable[tuple[int, Item]], *, kind: str, title,
             cities: dict[int, City]) -> list[Group]:
    """(city id, item) pairs, in order, into one group per city (in the cities' order)."""
    by_city: dict[int, Group] = {}
    for city_id, item in entries:
        group = by_city.setdefault(city_id, Group(
            kind=kind, title=title, city=cities[city_id], count=0))
        group.count += 1
        if len(group.items) < ITEMS_SHOWN:
            group.items.append(item)
    return [by_city[pk] for pk in cities if pk in by_city]


def _counts_to_make(*, cities, now) -> list[Group]:
    """Consultations whose voting closed and that have no official count yet."""
    rows = (Consultation.objects.filter(city_id__in=cities, voting_closes_at__lte=now)
            .filter(~Exists(OfficialChoice.objects.filter(consultation=OuterRef("pk"))))
            .select_related("city").order_by("voting_closes_at"))
    return _grouped(
        ((c.city_id, Item(title=c.title, when=c.voting_closes_at, detail=_("voting closed"),
                          url=reverse("planning:counting", args=[c.pk]))) for c in rows),
        kind="counts", title=_("Consultations to count"), cities=cities)


def _results_to_publish(*, cities) -> list[Group]:
    """Consultations with an official count whose results are not published yet."""
    rows = (Consultation.objects.filter(city_id__in=cities)
            .filter(Exists(OfficialChoice.objects.filter(consultation=OuterRef("pk"))))
            .filter(results_publication__isnull=True)
            .select_related("city").order_by("results_at"))
    return _grouped(
        ((c.city_id, Item(title=c.title, when=c.results_at, detail=_("results are due"),
                          url=reverse("planning:counting", args=[c.pk]))) for c in rows),
        kind="publish", title=_("Results to publish"), cities=cities)


def _plans_returned(*, cities) -> list[Group]:
    rows = StrategyPlan.objects.filter(
        city_id__in=cities, status=PlanStatus.RETURNED).order_by("updated_at")
    return _grouped(
        ((p.city_id, Item(title=p.title, when=p.updated_at,
                          url=reverse("planning:workspace", args=[p.pk]))) for p in rows),
        kind="returned", title=_("Plans the council returned to you"), cities=cities)


def _plans_to_review(*, cities, user) -> list[Group]:
    """Plans in review whose version under review (the one without a decision) the member has
    not voted on yet."""
    voted = CouncilVote.objects.filter(plan=OuterRef("pk"), member=user,
                                       version__decision__isnull=True)
    rows = (StrategyPlan.objects.filter(city_id__in=cities, status=PlanStatus.IN_REVIEW)
            .filter(~Exists(voted)).order_by("updated_at"))
    return _grouped(
        ((p.city_id, Item(title=p.title, when=p.updated_at,
                          url=reverse("planning:review", args=[p.pk]))) for p in rows),
        kind="council", title=_("Plans awaiting your vote"), cities=cities)


PHASE_DATES = (
    ("proposals_open_at", _("proposals open")),
    ("proposals_close_at", _("proposals close")),
    ("voting_opens_at", _("voting opens")),
    ("voting_closes_at", _("voting closes")),
    ("results_at", _("results are due")),
)


def _phases_changing(*, cities, now) -> list[Group]:
    """Phase changes in the next PHASE_NOTICE, one item per change, soonest first."""
    until = now + PHASE_NOTICE
    soon = Q()
    for name, _label in PHASE_DATES:
        soon |= Q(**{f"{name}__gte": now, f"{name}__lt": until})
    changes = []
    for consultation in (Consultation.objects.filter(city_id__in=cities).filter(soon)
                         .select_related("city")):
        for name, label in PHASE_DATES:
            moment = getattr(consultation, name)
            if now <= moment < until:
                changes.append((moment, consultation, label))
    changes.sort(key=lambda change: (change[0], change[1].pk))
    return _grouped(
        ((c.city_id, Item(title=c.title, detail=label, when=moment,
                          url=reverse("consult:consultation", args=[c.city.slug, c.slug])))
         for moment, c, label in changes),
        kind="phases", title=_("Phases that change in the next 7 days"), cities=cities)


def _consultations_without_reviewers(*, cities, now) -> list[Group]:
    """Consultations whose voting has not opened, whose proposals are to be assessed, and of
    which no proposal is assigned to a reviewer yet."""
    assigned = ProposalAssessment.objects.filter(
        proposal__consultation=OuterRef("pk"), reviewer__isnull=False)
    rows = (Consultation.objects.filter(city_id__in=cities, voting_opens_at__gt=now)
            .filter(Exists(Proposal.objects.filter(
                consultation=OuterRef("pk"),
                status__in=consult_selectors.ASSESSABLE_STATUSES)))
            .filter(~Exists(assigned)).select_related("city").order_by("voting_opens_at"))
    return _grouped(
        ((c.city_id, Item(title=c.title, when=c.voting_opens_at, detail=_("voting opens"),
                          url=reverse("consult:review_consultation", args=[c.city.slug,
                                                                           c.slug])))
         for c in rows),
        kind="reviewers", title=_("Consultations without reviewers"), cities=cities)
