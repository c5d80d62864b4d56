"""Versions and council review: submitting, commenting, approving or returning, revising."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotAllowed, ServiceError
from core.validation import written

from .. import rules as plan_rules
from .. import selectors
from ..models import (
    CHECK_ERROR,
    Action,
    PlanChange,
    PlanComment,
    PlanStatus,
    PlanVersion,
    ReviewDecision,
    StrategyPlan,
)
from ._common import _locked, _log, _own
from .notices import tell_council_vote_awaited, tell_plan_decided


def ensure_can_submit(*, plan: StrategyPlan, user) -> None:
    if not plan_rules.is_planner(user, plan):
        raise NotAllowed(_("Only the city's planners can submit this plan."))
    if not plan.is_editable:
        raise ServiceError(
            _("Only a draft or a returned plan can be submitted; this one is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )


#: Submitting or approving despite errors in the checks: the person must say so, and why.
OVERRIDE_REQUIRED = {
    "submit": gettext_lazy("The checks found errors (a limit is broken). Fix them, or tick "
                           "“submit despite the checks” and say why."),
    "approve": gettext_lazy("The checks found errors in this version. To approve it anyway, "
                            "tick “approve despite the checks” and say why."),
}
COMMENT_TOO_LONG = gettext_lazy("Keep comments under 4000 characters.")
OVERRIDE_REASON_MISSING = gettext_lazy("Say why the checks are overridden.")


def override_reason_for(*, errors: bool, override: bool, reason: str, what: str) -> str:
    """The reason of an override, checked: required (with `override`) when the checks found
    errors; empty when there is nothing to override."""
    reason = (reason or "").strip()
    if not errors:
        return ""
    if not override:
        raise ServiceError(str(OVERRIDE_REQUIRED[what]), field="override")
    if not reason:
        raise ServiceError(str(OVERRIDE_REASON_MISSING), field="override_reason")
    if len(reason) > 4000:
        raise ServiceError(_("Keep the reason under 4000 characters."), field="override_reason")
    return reason


@transaction.atomic
def plan_submit(*, plan: StrategyPlan, user, note: str = "", override_checks: bool = False,
                override_reason: str = "") -> PlanVersion:
    """Freeze the plan into a new immutable version and send it to the council. When its checks
    find an error (severity "error": a broken envelope, ceiling or period) the planners must
    override them explicitly, with a reason that is kept on the version and shown publicly."""
    locked = _locked(plan)
    ensure_can_submit(plan=locked, user=user)
    if not locked.actions.exists():
        raise ServiceError(_("Add at least one action before submitting the plan."))
    checks = [check.as_dict() for check in selectors.plan_checks(locked)]
    errors = any(check["severity"] == CHECK_ERROR for check in checks)
    reason = override_reason_for(errors=errors, override=override_checks,
                                 reason=override_reason, what="submit")
    number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=locked, number=number, snapshot=selectors.plan_snapshot(plan=locked),
        checks=checks, note=(note or "").strip(), created_by=user,
        checks_overridden=errors, override_reason=reason,
    )
    locked.status = PlanStatus.IN_REVIEW
    locked.save(update_fields=["status", "updated_at"])
    _log(locked, user, PlanChange.Kind.SUBMITTED, f"v{number}", version=number,
         **({"override": reason[:300]} if errors else {}))
    tell_council_vote_awaited(plan=locked, version=version)
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
        raise ServiceError(str(COMMENT_TOO_LONG), field="body")
    _own(locked, action, "action")
    comment = PlanComment.objects.create(
        plan=locked, version=locked.versions.order_by("-number").first(), action=action,
        action_title=action.title if action else "", author=user, body=body,
    )
    _log(locked, user, PlanChange.Kind.COMMENTED, action.title if action else "",
         comment=comment.pk)
    return comment


def ensure_can_review(*, plan: StrategyPlan, user) -> None:
    """Refuse unless `user` may vote on the plan now: a council member of its city who does not
    also plan for it, while a version is in review."""
    if not plan_rules.is_plan_reviewer(user, plan):
        raise NotAllowed(_("Only the council members of the plan's city review it (planners of "
                           "the city do not review their own plan)."))
    if not plan_rules.can_review_plan(user, plan):
        raise ServiceError(
            _("Only a plan in review can be approved or returned; this one is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )


def record_decision(*, plan: StrategyPlan, version: PlanVersion, user, decision: str,
                    reason: str, tally: dict) -> ReviewDecision:
    """Record the council's decision on `version` (called by `plan_vote_cast`, under the plan's
    row lock, once the city's rule says the vote is decided; `user` cast the deciding vote).

    Approving makes that version the one in force (public, monitored); the version approved
    before it is superseded, and so is any other approved plan of the city for an overlapping
    period. Returning sends the plan back to the planners with the reasons of the return
    votes."""
    record = ReviewDecision.objects.create(
        plan=plan, version=version, reviewer=user, decision=decision, reason=reason,
        tally=tally,
    )
    if decision == ReviewDecision.Decision.APPROVE:
        plan.status = PlanStatus.APPROVED
        plan.approved_version = version
        for other in StrategyPlan.objects.select_for_update().filter(
            city_id=plan.city_id, status=PlanStatus.APPROVED,
            start_year__lte=plan.end_year, end_year__gte=plan.start_year,
        ).exclude(pk=plan.pk):
            other.status = PlanStatus.SUPERSEDED
            other.save(update_fields=["status", "updated_at"])
            _log(other, user, PlanChange.Kind.SUPERSEDED, plan.title, by=plan.pk)
        _log(plan, user, PlanChange.Kind.APPROVED, f"v{version.number}",
             version=version.number)
    else:
        plan.status = PlanStatus.RETURNED
        _log(plan, user, PlanChange.Kind.RETURNED, reason[:300], version=version.number)
    plan.save(update_fields=["status", "approved_version", "updated_at"])
    tell_plan_decided(plan=plan, decision=record)
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
