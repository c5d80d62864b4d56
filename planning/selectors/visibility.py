"""Who sees which plan, version and decision — one selector per question, used by the web pages
and the API alike, built on the predicates of `planning.rules`."""
from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from consult.models import CityRole
from consult.selectors import WORKER_ROLES, city_ids_with_roles

from .. import rules as plan_rules
from ..models import CouncilVote, CountJob, CountRun, PlanVersion, ReviewDecision, StrategyPlan

#: The answer to a plan the reader may not see, on the web and in the API alike: a draft of a
#: city one does not work for is not known to exist.
NO_SUCH_PLAN = gettext_lazy("No such plan.")
#: A plan under revision shows its approved version; its live data are the workers' only.
LIVE_PLAN_HIDDEN = gettext_lazy("The plan is being revised: read its approved version.")


def working_city_ids(*, user) -> set[int]:
    """The cities whose plans the user works on: as planner, city admin or council member."""
    return city_ids_with_roles(user=user, roles=WORKER_ROLES)


def count_jobs_visible(*, user) -> QuerySet[CountJob]:
    """The count jobs of the cities the user counts for (`rules.can_draft_plan`: planners and
    city admins); others do not learn that a count was asked for."""
    cities = city_ids_with_roles(user=user, roles=(CityRole.Role.PLANNER, CityRole.Role.ADMIN))
    return (CountJob.objects.filter(consultation__city_id__in=cities)
            .select_related("consultation").order_by("-created_at", "-pk"))


def count_runs_visible(*, user) -> QuerySet[CountRun]:
    """The counts a user may read: those of consultations whose results are published, and
    every count of the cities the user counts for (`rules.can_draft_plan`); before publication
    nobody else learns what a count selects."""
    cities = city_ids_with_roles(user=user, roles=(CityRole.Role.PLANNER, CityRole.Role.ADMIN))
    return CountRun.objects.filter(
        Q(consultation__results_publication__isnull=False) | Q(consultation__city_id__in=cities))


def plans_visible(*, user) -> QuerySet[StrategyPlan]:
    """Every plan the user may see (`rules.can_see_plan`): those with an approved version, and
    all plans of the cities the user works for."""
    return (
        StrategyPlan.objects.filter(
            Q(approved_version__isnull=False) | Q(city_id__in=working_city_ids(user=user))
        )
        .select_related("city", "approved_version")
        .prefetch_related("consultations")
        .order_by("city__name", "-start_year", "pk")
    )


def plan_for_reader(*, user, pk: int) -> StrategyPlan:
    """A plan the user may see; StrategyPlan.DoesNotExist otherwise (a 404: a draft plan of a
    city one does not work for is not known to exist)."""
    plan = StrategyPlan.objects.select_related("city", "count_run", "approved_version").get(pk=pk)
    if not plan_rules.can_see_plan(user, plan):
        raise StrategyPlan.DoesNotExist
    return plan


def plan_versions_readable(*, user, plan: StrategyPlan) -> QuerySet[PlanVersion]:
    """A plan's frozen versions: all of them for the city's workers, the approved ones for
    everybody else."""
    versions = PlanVersion.objects.filter(plan=plan).select_related("decision")
    if not plan_rules.can_view_workspace(user, plan):
        versions = versions.filter(decision__decision=ReviewDecision.Decision.APPROVE)
    return versions.order_by("number")


def plan_decisions_readable(*, user, plan: StrategyPlan) -> QuerySet[ReviewDecision]:
    """Council decisions on a plan: approvals for everybody, returns too for the city's
    workers."""
    decisions = ReviewDecision.objects.filter(plan=plan).select_related("reviewer", "version")
    if not plan_rules.can_view_workspace(user, plan):
        decisions = decisions.filter(decision=ReviewDecision.Decision.APPROVE)
    return decisions.order_by("created_at", "pk")


def plan_votes_readable(*, user, plan: StrategyPlan) -> QuerySet[CouncilVote]:
    """Council members' votes on a plan's versions — public acts: everybody reads the votes on
    approved versions (as they read the decisions, `plan_decisions_readable`); the city's
    workers also read the votes on versions under review or returned."""
    votes = CouncilVote.objects.filter(plan=plan).select_related("member", "version")
    if not plan_rules.can_view_workspace(user, plan):
        votes = votes.filter(version__decision__decision=ReviewDecision.Decision.APPROVE)
    return votes.order_by("version__number", "created_at", "pk")
