"""Who may do what with a plan: predicates composed from consult's role predicates (per city)
and the plan's status. Services check them; views and templates read them.

Planners (and city admins) edit, council members review, everybody reads approved plans. A
council member who is also a planner of the city does not review (separation of duties).
"""
from __future__ import annotations

import rules

from consult import rules as consult_rules

from .models import PlanStatus, StrategyPlan


def _status_in(*statuses: str):
    @rules.predicate(name=f"plan_status_{'_or_'.join(statuses)}")
    def predicate(user, plan) -> bool:
        return isinstance(plan, StrategyPlan) and plan.status in statuses

    return predicate


is_planner = consult_rules.is_planner  # planners and city admins of the plan's city
is_council_member = consult_rules.is_council_member
is_editable = _status_in(PlanStatus.DRAFT, PlanStatus.RETURNED)
is_in_review = _status_in(PlanStatus.IN_REVIEW)
is_approved = _status_in(PlanStatus.APPROVED)


@rules.predicate
def has_approved_version(user, plan) -> bool:
    return isinstance(plan, StrategyPlan) and plan.approved_version_id is not None


can_view_workspace = is_planner | is_council_member
can_edit_plan = is_planner & is_editable
can_submit_plan = is_planner & is_editable
can_review_plan = is_council_member & ~is_planner & is_in_review
can_comment_plan = is_planner | is_council_member
can_start_revision = is_planner & is_approved
can_monitor_plan = is_planner & has_approved_version
can_read_public_plan = has_approved_version

rules.add_perm("planning.view_workspace", can_view_workspace)
rules.add_perm("planning.edit_plan", can_edit_plan)
rules.add_perm("planning.submit_plan", can_submit_plan)
rules.add_perm("planning.review_plan", can_review_plan)
rules.add_perm("planning.comment_plan", can_comment_plan)
rules.add_perm("planning.start_revision", can_start_revision)
rules.add_perm("planning.monitor_plan", can_monitor_plan)
