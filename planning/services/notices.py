"""What the plans' events tell people (notifications app), in the event's transaction: a
version awaits the council's votes; the council decided; an approved plan's action reported
progress."""
from __future__ import annotations

from django.urls import reverse

from consult import selectors as consult_selectors
from consult.models import CityRole
from notifications.services import notify

from .. import selectors
from ..models import Action, PlanChange, PlanVersion, ReviewDecision, StrategyPlan


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


def tell_action_progress(*, action: Action, change: PlanChange) -> int:
    """The authors and followers of the proposals an action was born from hear that it reported
    progress (spending, an indicator's actual): once per recorded change and person, worded
    with the first of the action's proposals that concerns them."""
    proposal_ids = list(action.proposals.values_list("pk", flat=True))
    if not proposal_ids:
        return 0
    audience = consult_selectors.proposal_audience(proposal_ids=proposal_ids,
                                                   supporters=False, voters=False)
    url = reverse("planning:public", args=[action.plan_id])
    return sum(
        notify(recipients=told["users"], message="plan_action_progress",
               event=f"plan_action:{change.pk}", url=url,
               params={"action": action.title, "proposal": told["title"]})
        for _pk, told in sorted(audience.items()))
