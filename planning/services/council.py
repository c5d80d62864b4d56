"""The council's recorded votes on a version under review, and the city's council rule.

A council member votes approve, return (with a reason the planners can act on) or abstain, once
per version. After every vote, in the same transaction and under the plan's row lock, the city's
rule (planning.council) says whether the vote is decided; when it is, the ReviewDecision is
recorded with the tally and the plan becomes approved or returned (`review.record_decision`).
"""
from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consult.models import City
from core.errors import Conflict, NotAllowed, ServiceError
from core.validation import validated

from .. import council, selectors
from .. import rules as plan_rules
from ..models import CouncilRule, CouncilVote, PlanChange, ReviewDecision, StrategyPlan
from ._common import _locked, _log
from .review import COMMENT_TOO_LONG, ensure_can_review, override_reason_for, record_decision

ALREADY_VOTED = gettext_lazy("You have already voted on this version; a vote cannot be changed.")
NO_VERSION_WAITING = gettext_lazy("There is no version waiting for a decision.")


def _clean_vote(vote: str, comment: str) -> tuple[str, str]:
    if vote not in CouncilVote.Vote.values:
        raise ServiceError(_("Choose approve, return or abstain."), field="vote")
    comment = (comment or "").strip()
    if vote == CouncilVote.Vote.RETURN and not comment:
        raise ServiceError(_("Tell the planners why you return the plan."), field="comment")
    if len(comment) > 4000:
        raise ServiceError(str(COMMENT_TOO_LONG), field="comment")
    return vote, comment


def _decision_reason(decision: str, votes: list[CouncilVote], tally: council.Tally) -> str:
    wanted = CouncilVote.Vote.RETURN if decision == council.RETURN else CouncilVote.Vote.APPROVE
    reasons = [vote.comment for vote in votes if vote.vote == wanted and vote.comment]
    if reasons or decision == council.APPROVE:
        return "\n\n".join(reasons)
    return _("No majority approved the plan (%(approve)s approve, %(return)s return, "
             "%(abstain)s abstain).") % tally.as_dict()


@transaction.atomic
def plan_vote_cast(*, plan: StrategyPlan, user, vote: str, comment: str = "",
                   override_checks: bool = False, override_reason: str = "") -> CouncilVote:
    """Record `user`'s vote on the version under review, then apply the city's council rule:
    when the outcome is decided, record the council's decision (the plan is approved or
    returned). Approving a version whose checks found errors needs `override_checks` and a
    reason. A second vote by the same member is a Conflict (409)."""
    locked = _locked(plan)
    ensure_can_review(plan=locked, user=user)
    vote, comment = _clean_vote(vote, comment)
    version = locked.versions.order_by("-number").first()
    if version is None or hasattr(version, "decision"):
        raise ServiceError(str(NO_VERSION_WAITING))
    if CouncilVote.objects.filter(version=version, member=user).exists():
        raise Conflict(str(ALREADY_VOTED))
    approving = vote == CouncilVote.Vote.APPROVE
    reason = override_reason_for(errors=approving and version.has_check_errors,
                                 override=override_checks, reason=override_reason,
                                 what="approve")
    try:
        with transaction.atomic():
            record = CouncilVote.objects.create(
                plan=locked, version=version, member=user, vote=vote, comment=comment,
                overrides_checks=bool(reason), override_reason=reason,
            )
    except IntegrityError as error:  # the same member, at the same moment, elsewhere
        raise Conflict(str(ALREADY_VOTED)) from error
    _log(locked, user, PlanChange.Kind.VOTED, f"v{version.number}: {vote}",
         version=version.number, vote=vote)
    rule = selectors.council_rule_of(locked.city)
    tally = selectors.version_tally(version)
    decided = council.outcome(
        tally, quorum=rule.quorum, majority=rule.majority, quorum_count=rule.quorum_count,
        quorum_percent=rule.quorum_percent, single_member_decides=rule.single_member_decides)
    if decided is not None:
        votes = list(selectors.version_votes(version))
        record_decision(
            plan=locked, version=version, user=user,
            decision=ReviewDecision.Decision(decided),
            reason=_decision_reason(decided, votes, tally),
            tally={**tally.as_dict(), "rule": rule.as_dict(),
                   "votes": [{"id": v.pk, "member_id": v.member_id, "vote": v.vote}
                             for v in votes]},
        )
    return record


def ensure_can_edit_council_rule(*, city: City, user) -> None:
    if not plan_rules.can_edit_council_rule(user, city):
        raise NotAllowed(_("Only the city's administrators can change its council rule."))


@transaction.atomic
def council_rule_update(*, city: City, user, quorum: str, majority: str,
                        quorum_count: int | None = None, quorum_percent: int | None = None,
                        single_member_decides: bool = False) -> CouncilRule:
    """The city's administrators set how its council decides. It applies from the next vote
    on; decisions already recorded keep the rule they were taken under (in their tally)."""
    ensure_can_edit_council_rule(city=city, user=user)
    rule = CouncilRule.objects.select_for_update().filter(city=city).first() \
        or CouncilRule(city=city)
    rule.quorum, rule.majority = quorum, majority
    rule.quorum_count = quorum_count if quorum == CouncilRule.Quorum.COUNT else None
    rule.quorum_percent = quorum_percent if quorum == CouncilRule.Quorum.PERCENT else None
    rule.single_member_decides = bool(single_member_decides)
    rule.updated_by = user if getattr(user, "is_authenticated", False) else None
    validated(rule)
    rule.save()
    return rule
