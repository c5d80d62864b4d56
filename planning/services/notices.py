"""What the plans' events tell people (notifications app), in the event's transaction: a
version awaits the council's votes; the council decided."""
from __future__ import annotations

from django.urls import reverse

from consult.models import CityRole
from notifications.services import notify

from .. import selectors
from ..models import PlanVersion, ReviewDecision, StrategyPlan


def tell_council_vote_awaited(*, plan: StrategyPlan, version: PlanVersion) -> None:
    notify(recipients=selectors.council_member_ids(plan.city), message="council_vote",
           event=f"council_vote:{version.pk}", url=reverse("planning:review", args=[plan.pk]),
           params={"plan": plan.title, "version": version.number})


def tell_plan_decided(*, plan: StrategyPlan, decision: ReviewDecision) -> None:
    planners = CityRole.objects.filter(
        city_id=plan.city_id, role__in=(CityRole.Role.PLANNER, CityRole.Role.ADMIN),
    ).values_list("user_id", flat=True)
    approved = decision.decision == ReviewDecision.Decision.APPROVE
    notify(recipients=planners, message="plan_approved" if approved else "plan_returned",
           event=f"plan_decision:{decision.pk}",
           url=reverse("planning:workspace", args=[plan.pk]), params={"plan": plan.title})
