"""Who may do what with a plan: predicates composed from consult's role predicates (per city)
and the plan's status. Every caller — services, web views, the API, templates — uses these.

Planners (and city admins) draft and edit, council members review (each casts a recorded vote;
the city's CouncilRule decides), everybody reads approved plans. A council member who is also a
planner or administrator of the city does not review nor vote, and does not count as a member
for the council rule (separation of duties). City administrators set the council rule.
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


#: Drafting a plan from a consultation's count: the planners of its city (object: a city or a
#: consultation).
can_draft_plan = is_planner
#: Who reviews: the city's council members, unless they also plan for the city.
is_plan_reviewer = is_council_member & ~is_planner

#: Changing how the city's council decides (planning.CouncilRule; object: a city or a plan).
can_edit_council_rule = consult_rules.is_city_admin

can_view_workspace = is_planner | is_council_member
can_edit_plan = is_planner & is_editable
can_submit_plan = is_planner & is_editable
#: Voting on the version under review (a recorded CouncilVote; the city's CouncilRule decides).
can_review_plan = is_plan_reviewer & is_in_review
can_comment_plan = is_planner | is_council_member
can_start_revision = is_planner & is_approved
can_monitor_plan = is_planner & has_approved_version
#: Everybody sees a plan that has an approved version; the city's workers see every plan.
can_see_plan = has_approved_version | can_view_workspace
#: The live objectives, actions, lines and indicators: the workers, and everybody once the plan
#: is approved (then the live plan is the approved version, plus monitoring figures).
can_see_live_plan = is_approved | can_view_workspace

rules.add_perm("planning.draft_plan", can_draft_plan)
rules.add_perm("planning.view_workspace", can_view_workspace)
rules.add_perm("planning.edit_plan", can_edit_plan)
rules.add_perm("planning.submit_plan", can_submit_plan)
rules.add_perm("planning.review_plan", can_review_plan)
rules.add_perm("planning.comment_plan", can_comment_plan)
rules.add_perm("planning.start_revision", can_start_revision)
rules.add_perm("planning.monitor_plan", can_monitor_plan)
rules.add_perm("planning.see_plan", can_see_plan)
rules.add_perm("planning.see_live_plan", can_see_live_plan)
rules.add_perm("planning.edit_council_rule", can_edit_council_rule)
