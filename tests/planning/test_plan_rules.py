"""Plan predicates across roles × cities × plan status."""
import pytest
from django.contrib.auth.models import AnonymousUser

from planning import rules as plan_rules
from planning import services
from planning.models import PlanStatus

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "planner", "admin", "council", "other_planner",
         "other_council", "planner_council"]

EXPECTED = {
    # predicate: (roles allowed, status the plan is put in)
    "can_draft_plan": ({"planner", "admin", "planner_council"}, PlanStatus.DRAFT),
    "can_view_workspace": ({"planner", "admin", "council", "planner_council"}, PlanStatus.DRAFT),
    "can_edit_plan": ({"planner", "admin", "planner_council"}, PlanStatus.DRAFT),
    "can_submit_plan": ({"planner", "admin", "planner_council"}, PlanStatus.RETURNED),
    # Separation of duties: whoever plans for the city does not review, council seat or not.
    "can_review_plan": ({"council"}, PlanStatus.IN_REVIEW),
    "can_comment_plan": ({"planner", "admin", "council", "planner_council"},
                         PlanStatus.IN_REVIEW),
    "can_start_revision": ({"planner", "admin", "planner_council"}, PlanStatus.APPROVED),
    "can_monitor_plan": (set(), PlanStatus.APPROVED),  # no approved version yet
    "can_see_plan": ({"planner", "admin", "council", "planner_council"}, PlanStatus.DRAFT),
    "can_see_live_plan": (set(ROLES), PlanStatus.APPROVED),
}


def user_for(roles, name):
    return AnonymousUser() if name == "anonymous" else getattr(roles, name)


@pytest.mark.parametrize("predicate", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_predicates_by_role_and_city(drafted, roles, predicate, role):
    plan, _ = drafted
    allowed, status = EXPECTED[predicate]
    plan.status = status
    assert getattr(plan_rules, predicate)(user_for(roles, role), plan) is (role in allowed)


@pytest.mark.parametrize("status", [PlanStatus.IN_REVIEW, PlanStatus.APPROVED,
                                    PlanStatus.SUPERSEDED])
def test_nobody_edits_a_plan_in_review_or_approved(drafted, roles, status):
    plan, _ = drafted
    plan.status = status
    assert not plan_rules.can_edit_plan(roles.planner, plan)
    assert not plan_rules.can_submit_plan(roles.planner, plan)


@pytest.mark.parametrize("status", [PlanStatus.DRAFT, PlanStatus.RETURNED, PlanStatus.APPROVED])
def test_council_reviews_only_plans_in_review(drafted, roles, status):
    plan, _ = drafted
    plan.status = status
    assert not plan_rules.can_review_plan(roles.council, plan)


def test_monitoring_and_public_reading_follow_the_approved_version(drafted, roles):
    plan, _ = drafted
    assert not plan_rules.can_see_plan(AnonymousUser(), plan)
    assert not plan_rules.can_monitor_plan(roles.planner, plan)
    services.plan_submit(plan=plan, user=roles.planner)
    services.plan_vote_cast(plan=plan, user=roles.council, vote="approve")
    plan.refresh_from_db()
    assert plan_rules.can_see_plan(AnonymousUser(), plan)
    assert plan_rules.can_monitor_plan(roles.planner, plan)
    assert not plan_rules.can_monitor_plan(roles.council, plan)
    assert not plan_rules.can_monitor_plan(roles.other_planner, plan)


def test_a_planner_with_a_council_seat_cannot_approve_the_plan(drafted, roles):
    from core.errors import NotAllowed

    plan, _ = drafted
    services.plan_submit(plan=plan, user=roles.planner)
    with pytest.raises(NotAllowed, match="do not review their own plan"):
        services.plan_vote_cast(plan=plan, user=roles.planner_council, vote="approve")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.IN_REVIEW
    assert not plan.decisions.exists()
