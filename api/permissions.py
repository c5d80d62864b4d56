"""DRF permission classes. They only decide who may *try*: authentication for writes and for
personal resources. Whether a write is allowed here, now (role × city × phase) is decided by the
services, which check the same predicates as the web (consult.rules, planning.rules); their
NotAllowed becomes a 403."""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from planning import rules as plan_rules


class ReadOrAuthenticated(BasePermission):
    """Anyone reads; writes need an authenticated user (401 otherwise)."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )


def can_see_workspace(user, plan) -> bool:
    """Planners, city admins and council members of the plan's city see its live working copy."""
    return bool(user and user.is_authenticated and plan_rules.can_view_workspace(user, plan))


def can_see_plan(user, plan) -> bool:
    """Everybody sees a plan that has an approved version; the city's workers see every plan."""
    return plan.approved_version_id is not None or can_see_workspace(user, plan)


def can_see_live_plan(user, plan) -> bool:
    """The live objectives, actions, lines and indicators: the workers, and everybody once the
    plan is approved (then the live plan is the approved version, plus monitoring figures)."""
    from planning.models import PlanStatus

    return plan.status == PlanStatus.APPROVED or can_see_workspace(user, plan)
