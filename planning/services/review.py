"""Versions and council review: submitting, commenting, approving or returning, revising."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.errors import NotAllowed, ServiceError
from core.validation import written

from .. import rules as plan_rules
from .. import selectors
from ..models import (
    Action,
    PlanChange,
    PlanComment,
    PlanStatus,
    PlanVersion,
    ReviewDecision,
    StrategyPlan,
)
from ._common import _locked, _log, _own


def ensure_can_submit(*, plan: StrategyPlan, user) -> None:
    if not plan_rules.is_planner(user, plan):
        raise NotAllowed(_("Only the city's planners can submit this plan."))
    if not plan.is_editable:
        raise ServiceError(
            _("Only a draft or a returned plan can be submitted; this one is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )


@transaction.atomic
def plan_submit(*, plan: StrategyPlan, user, note: str = "") -> PlanVersion:
    """Freeze the plan into a new immutable version and send it to the council."""
    locked = _locked(plan)
    ensure_can_submit(plan=locked, user=user)
    if not locked.actions.exists():
        raise ServiceError(_("Add at least one action before submitting the plan."))
    number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=locked, number=number, snapshot=selectors.plan_snapshot(plan=locked),
        checks=[check.as_dict() for check in selectors.plan_checks(locked)],
        note=(note or "").strip(), created_by=user,
    )
    locked.status = PlanStatus.IN_REVIEW
    locked.save(update_fields=["status", "updated_at"])
    _log(locked, user, PlanChange.Kind.SUBMITTED, f"v{number}", version=number)
    return version


@transaction.atomic
def plan_comment_create(
    *, plan: StrategyPlan, user, body: str, action: Action | None = None
) -> PlanComment:
    """A council member (or a planner answering) remarks on the plan or one of its actions."""
    locked = _locked(plan)
    if not plan_rules.can_comment_plan(user, locked):
        raise NotAllowed(_("Only the city's planners and council members can comment on plans."))
    body = written(body)
    if len(body) > 4000:
        raise ServiceError(_("Keep comments under 4000 characters."), field="body")
    _own(locked, action, "action")
    comment = PlanComment.objects.create(
        plan=locked, version=locked.versions.order_by("-number").first(), action=action,
        action_title=action.title if action else "", author=user, body=body,
    )
    _log(locked, user, PlanChange.Kind.COMMENTED, action.title if action else "",
         comment=comment.pk)
    return comment


def ensure_can_review(*, plan: StrategyPlan, user) -> None:
    if not plan_rules.is_plan_reviewer(user, plan):
        raise NotAllowed(_("Only the council members of the plan's city review it (planners of "
                           "the city do not review their own plan)."))
    if not plan_rules.can_review_plan(user, plan):
        raise ServiceError(
            _("Only a plan in review can be approved or returned; this one is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )


@transaction.atomic
def plan_review_decide(
    *, plan: StrategyPlan, user, decision: str, reason: str = ""
) -> ReviewDecision:
    """A council member of the plan's city approves or returns the version under review.

    Approving makes that version the one in force (public, monitored); the version approved
    before it is superseded, and so is any other approved plan of the city for an overlapping
    period. Returning needs a reason the planners can act on."""
    locked = _locked(plan)
    ensure_can_review(plan=locked, user=user)
    if decision not in ReviewDecision.Decision.values:
        raise ServiceError(_("Choose approve or return."), field="decision")
    reason = (reason or "").strip()
    if decision == ReviewDecision.Decision.RETURN and not reason:
        raise ServiceError(_("Tell the planners why you return the plan."), field="reason")
    version = locked.versions.order_by("-number").first()
    if version is None or hasattr(version, "decision"):
        raise ServiceError(_("There is no version waiting for a decision."))
    record = ReviewDecision.objects.create(
        plan=locked, version=version, reviewer=user, decision=decision, reason=reason
    )
    if decision == ReviewDecision.Decision.APPROVE:
        locked.status = PlanStatus.APPROVED
        locked.approved_version = version
        for other in StrategyPlan.objects.select_for_update().filter(
            city_id=locked.city_id, status=PlanStatus.APPROVED,
            start_year__lte=locked.end_year, end_year__gte=locked.start_year,
        ).exclude(pk=locked.pk):
            other.status = PlanStatus.SUPERSEDED
            other.save(update_fields=["status", "updated_at"])
            _log(other, user, PlanChange.Kind.SUPERSEDED, locked.title, by=locked.pk)
        _log(locked, user, PlanChange.Kind.APPROVED, f"v{version.number}",
             version=version.number)
    else:
        locked.status = PlanStatus.RETURNED
        _log(locked, user, PlanChange.Kind.RETURNED, reason[:300], version=version.number)
    locked.save(update_fields=["status", "approved_version", "updated_at"])
    return record


def ensure_can_revise(*, plan: StrategyPlan, user) -> None:
    if not plan_rules.is_planner(user, plan):
        raise NotAllowed(_("Only the city's planners can revise this plan."))
    if plan.status != PlanStatus.APPROVED:
        raise ServiceError(_("Only an approved plan can be revised."))


@transaction.atomic
def plan_revision_start(*, plan: StrategyPlan, user) -> StrategyPlan:
    """An approved plan never changes: its approved version stays in force (public, monitored)
    while the planners prepare the next version, which goes through review again."""
    locked = _locked(plan)
    ensure_can_revise(plan=locked, user=user)
    locked.status = PlanStatus.DRAFT
    locked.save(update_fields=["status", "updated_at"])
    _log(locked, user, PlanChange.Kind.REVISION_STARTED,
         f"v{locked.approved_version.number}" if locked.approved_version else "")
    return locked
