"""Writes of the consultation domain. Keyword-only, typed, atomic; they raise ServiceError
subclasses with messages meant for the person who acted. Views, the API, admin and commands all
call these: one rule, one place."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import login_limits
from core.errors import NotAllowed, ServiceError
from core.formatting import format_money
from core.i18n import apply_translations
from core.validation import in_period, validated, written

from .. import eligibility, selectors
from .. import rules as perms
from ..models import (
    Ballot,
    BallotChoice,
    BallotStart,
    City,
    Comment,
    Consultation,
    ConsultationTally,
    Flag,
    ModerationDecision,
    Organisation,
    Participant,
    Proposal,
    ProposalFollow,
    ProposalTally,
    ProposalYearCost,
    Support,
    Theme,
    Verification,
)
from ..voting import ballot_check
from .census import (  # noqa: F401 (re-exported: the census and verified residents)
    CensusRefused,
    ImportReport,
    TooManyAttempts,
    census_import,
    ensure_can_verify,
    verify_residence,
)
from .identities import online_identities
from .notices import (  # noqa: F401 (re-exported: the events that tell people)
    tell_moderation,
    tell_proposal_fates,
    tell_rejection,
    tell_reply,
    voting_reminders_send,
)
from .paper import (  # noqa: F401 (re-exported: paper ballots, entered twice)
    IMPORT_MAX_BYTES,
    PaperImport,
    PaperOutcome,
    ensure_can_enter_paper_ballots,
    ensure_can_review_paper_ballots,
    paper_choices,
    paper_entry_record,
    paper_import,
)
from .review import (  # noqa: F401 (re-exported: callers use consult.services.<name>)
    ASSESSMENT_BALLOT_FIXED,
    ASSESSMENT_CLOSED,
    NOT_A_REVIEWER,
    ONLY_ADMINS_ASSIGN,
    ONLY_REVIEW_STAFF,
    assessment_assign,
    assessment_save,
    ensure_can_assess,
    ensure_can_assign,
)
from .setup import (  # noqa: F401  (re-exported: the consultations' set-up)
    DEFAULT_THEMES,
    SETUP_NOT_ALLOWED,
    THEME_HAS_PROPOSALS,
    consultation_check,
    consultation_create,
    consultation_edit,
    consultation_set_up,
    consultation_update,
    default_themes,
    ensure_can_edit_consultation,
    ensure_can_set_up,
    frozen_rules_message,
)

# --- who may act: the checks every caller shares -----------------------------------------------
# Each raises NotAllowed (a 403) with the reason, in the person's words. The services call them
# inside their transaction; a page calls them before it shows a form, so that refusing early and
# refusing on submit say the same thing.


def ensure_participant(*, user: AbstractBaseUser) -> Participant:
    """The user's participant profile; taking part needs one."""
    participant = perms.participant_of(user)
    if participant is None:
        raise NotAllowed(str(eligibility.PROFILE_NEEDED))
    return participant


def ensure_eligible(*, user: AbstractBaseUser, consultation: Consultation, action: str) -> None:
    """A 403 that says what the person lacks ("verify your residence", …) when the
    consultation's eligibility blocks them (consult.eligibility)."""
    need = eligibility.requirement(user=user, consultation=consultation, action=action)
    if need is not None and need.blocking:
        raise NotAllowed(need.message)


def ensure_can_submit_proposal(*, user: AbstractBaseUser, consultation: Consultation) -> None:
    ensure_eligible(user=user, consultation=consultation, action=eligibility.PROPOSE)
    if not perms.can_submit_proposal(user, consultation):
        raise NotAllowed(_("Proposals cannot be submitted in this consultation now."))


def ensure_can_edit_proposal(*, user: AbstractBaseUser, proposal: Proposal) -> None:
    if not perms.can_edit_proposal(user, proposal):
        raise NotAllowed(_("This proposal can no longer be edited, or it is not yours."))


def ensure_can_withdraw_proposal(*, user: AbstractBaseUser, proposal: Proposal) -> None:
    if not perms.can_withdraw_proposal(user, proposal):
        raise NotAllowed(_("This proposal cannot be withdrawn now, or it is not yours."))


def ensure_can_reject_proposal(*, user: AbstractBaseUser, proposal: Proposal) -> None:
    if not perms.can_reject_proposal(user, proposal):
        raise NotAllowed(_("Only the city's moderators and planners can reject proposals."))


def ensure_can_vote(*, user: AbstractBaseUser, consultation: Consultation) -> None:
    ensure_eligible(user=user, consultation=consultation, action=eligibility.VOTE)
    if not perms.can_vote(user, consultation):
        raise NotAllowed(_("Voting is not open for you in this consultation."))


def ensure_can_flag(*, user: AbstractBaseUser, target: Proposal | Comment) -> None:
    if not perms.can_flag(user, target):
        raise NotAllowed(_("You cannot report content in this consultation."))


def ensure_can_moderate(*, user: AbstractBaseUser, target: Proposal | Comment) -> None:
    if not perms.can_moderate(user, target):
        raise NotAllowed(_("Only the city's moderators can decide on content."))


# --- proposals ---------------------------------------------------------------------------------


def _year_costs_check(
    *, consultation: Consultation, estimated_cost: Decimal, year_costs: Mapping[int, Decimal]
) -> None:
    for year, amount in year_costs.items():
        in_period(year, start=consultation.plan_start_year, end=consultation.plan_end_year,
                  field="year_costs")
        if amount < 0:
            raise ServiceError(_("A yearly cost cannot be negative."), field="year_costs")
    if year_costs and sum(year_costs.values(), Decimal("0")) != estimated_cost:
        raise ServiceError(_(
            "The years add up to %(years)s, not the estimated %(estimated)s.") % {
            "years": format_money(sum(year_costs.values(), Decimal("0")), consultation.currency),
            "estimated": format_money(estimated_cost, consultation.currency),
        }, field="year_costs")


def _theme_check(*, consultation: Consultation, theme: Theme | None) -> None:
    if theme is None or theme.consultation_id != consultation.pk:
        raise ServiceError(_("Choose a theme of this consultation."), field="theme")


def _organisation_check(*, author: Participant, organisation: Organisation | None) -> None:
    if organisation is not None and not organisation.members.filter(pk=author.user_id).exists():
        raise NotAllowed(_("You can only propose on behalf of an organisation you belong to."))


@transaction.atomic
def proposal_create(
    *,
    author: Participant,
    consultation: Consultation,
    theme: Theme,
    title: str,
    summary: str,
    estimated_cost: Decimal,
    action_kind: str,
    body: str = "",
    partners: str = "",
    district: str = "",
    organisation: Organisation | None = None,
    year_costs: Mapping[int, Decimal] | None = None,
    publish: bool = True,
    translations: Mapping[str, Mapping[str, str]] | None = None,
) -> Proposal:
    """Submit a proposal (or save it as a draft) during the proposals phase."""
    ensure_can_submit_proposal(user=author.user, consultation=consultation)
    _theme_check(consultation=consultation, theme=theme)
    _organisation_check(author=author, organisation=organisation)
    year_costs = dict(year_costs or {})
    _year_costs_check(
        consultation=consultation, estimated_cost=estimated_cost, year_costs=year_costs
    )
    now = timezone.now()
    proposal = Proposal(
        consultation=consultation,
        author=author,
        organisation=organisation,
        theme=theme,
        title=title,
        summary=summary,
        body=body,
        estimated_cost=estimated_cost,
        action_kind=action_kind,
        partners=partners,
        district=district,
        status=Proposal.Status.PUBLISHED if publish else Proposal.Status.DRAFT,
        published_at=now if publish else None,
    )
    apply_translations(proposal, translations)
    validated(proposal)
    proposal.save()
    ProposalYearCost.objects.bulk_create(
        ProposalYearCost(proposal=proposal, year=year, amount=amount)
        for year, amount in sorted(year_costs.items())
    )
    return proposal


@transaction.atomic
def proposal_update(
    *,
    proposal: Proposal,
    user: AbstractBaseUser,
    year_costs: Mapping[int, Decimal] | None = None,
    publish: bool = False,
    translations: Mapping[str, Mapping[str, str]] | None = None,
    **changes: Any,
) -> Proposal:
    """The author edits a draft or published proposal while proposals are open."""
    locked = Proposal.objects.select_for_update().select_related("consultation__city").get(
        pk=proposal.pk
    )
    ensure_can_edit_proposal(user=user, proposal=locked)
    editable = {
        "theme", "title", "summary", "body", "estimated_cost", "action_kind", "partners",
        "district", "organisation",
    }
    unknown = set(changes) - editable
    if unknown:
        raise ServiceError(_("These fields cannot be edited: %s") % ", ".join(sorted(unknown)))
    if "theme" in changes:
        _theme_check(consultation=locked.consultation, theme=changes["theme"])
    if "organisation" in changes:
        _organisation_check(author=locked.author, organisation=changes["organisation"])
    for name, value in changes.items():
        setattr(locked, name, value)
    apply_translations(locked, translations)
    if year_costs is not None:
        _year_costs_check(
            consultation=locked.consultation,
            estimated_cost=locked.estimated_cost,
            year_costs=year_costs,
        )
        locked.year_costs.all().delete()
        ProposalYearCost.objects.bulk_create(
            ProposalYearCost(proposal=locked, year=year, amount=amount)
            for year, amount in sorted(year_costs.items())
        )
    if publish and locked.status == Proposal.Status.DRAFT:
        locked.status = Proposal.Status.PUBLISHED
        locked.published_at = timezone.now()
    validated(locked)
    locked.save()
    return locked


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, user: AbstractBaseUser, reason: str) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    ensure_can_withdraw_proposal(user=user, proposal=locked)
    if not reason.strip():
        raise ServiceError(_("Tell participants why you withdraw the proposal."), field="reason")
    locked.status = Proposal.Status.WITHDRAWN
    locked.status_reason = reason.strip()
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    return locked


BALLOT_FIXED = gettext_lazy("Voting has opened: the ballot can no longer change.")
PROPOSAL_NOT_REJECTABLE = gettext_lazy(
    "Only a published or shortlisted proposal can be rejected: this one is a draft, withdrawn "
    "or already rejected.")


@transaction.atomic
def proposal_reject(*, proposal: Proposal, user: AbstractBaseUser, reason: str) -> Proposal:
    """A moderator or planner rejects a proposal (e.g. not feasible), with a public reason."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    ensure_can_reject_proposal(user=user, proposal=locked)
    if locked.consultation.voting_has_opened():
        raise ServiceError(BALLOT_FIXED)
    if not perms.is_rejectable(user, locked):
        raise ServiceError(PROPOSAL_NOT_REJECTABLE)
    if not reason.strip():
        raise ServiceError(_("A rejection needs a public reason."), field="reason")
    locked.status = Proposal.Status.REJECTED
    locked.status_reason = reason.strip()
    locked.save(update_fields=["status", "status_reason", "updated_at"])
    tell_rejection(proposal=locked)
    return locked


# --- supports ----------------------------------------------------------------------------------


@transaction.atomic
def support_add(*, participant: Participant, proposal: Proposal) -> Support:
    """Support a proposal; supporting twice changes nothing."""
    ensure_eligible(user=participant.user, consultation=proposal.consultation,
                    action=eligibility.SUPPORT)
    if not perms.can_support(participant.user, proposal):
        raise NotAllowed(_("This proposal cannot be supported now."))
    support, _created = Support.objects.get_or_create(participant=participant, proposal=proposal)
    return support


@transaction.atomic
def support_remove(*, participant: Participant, proposal: Proposal) -> bool:
    if not perms.is_proposals_phase(participant.user, proposal):
        raise NotAllowed(_("Supports can only change while proposals are open."))
    support = Support.objects.filter(participant=participant, proposal=proposal).first()
    if support is None:
        return False
    support.delete()  # the counter follows (consult.signals)
    return True


def support_counts_reconcile(*, city: City | None = None, fix: bool = False) -> list[dict]:
    """The proposals whose support counter differs from their supports (pk, stored, counted);
    with `fix`, one UPDATE sets each of them to the count at that moment."""
    with transaction.atomic():
        drift = list(selectors.support_count_drift(city=city)
                     .values("pk", "support_count", "counted"))
        if fix and drift:
            Proposal.objects.filter(pk__in=[row["pk"] for row in drift]).update(
                support_count=selectors.supports_counted())
    return drift


# --- following ---------------------------------------------------------------------------------

#: The refusal to follow a proposal, on the web and in the API.
NOT_FOLLOWABLE = gettext_lazy(
    "Only a published proposal can be followed: this one is a draft, hidden, withdrawn or "
    "rejected.")


def ensure_can_follow(*, user: AbstractBaseUser, proposal: Proposal) -> Participant:
    participant = ensure_participant(user=user)
    if not perms.can_follow_proposal(user, proposal):
        raise NotAllowed(NOT_FOLLOWABLE)
    return participant


@transaction.atomic
def proposal_follow(*, user: AbstractBaseUser, proposal: Proposal) -> bool:
    """Follow a proposal: be told what becomes of it. Following twice changes nothing; returns
    whether the follow is new."""
    participant = ensure_can_follow(user=user, proposal=proposal)
    _follow, created = ProposalFollow.objects.get_or_create(participant=participant,
                                                            proposal=proposal)
    return created


@transaction.atomic
def proposal_unfollow(*, user: AbstractBaseUser, proposal: Proposal) -> bool:
    """Stop following a proposal (whatever its state now); returns whether there was a follow."""
    participant = ensure_participant(user=user)
    deleted, _rows = ProposalFollow.objects.filter(participant=participant,
                                                   proposal=proposal).delete()
    return bool(deleted)


# --- ballots -----------------------------------------------------------------------------------


@transaction.atomic
def ballot_submit(
    *, participant: Participant, consultation: Consultation, choices: Mapping[int, int],
    voting_code: str = "",
) -> Ballot:
    """Store or replace the participant's ballot; raise BallotError with a user-facing message.

    The limits are checked inside this transaction, with the participant's ballot row locked,
    so two submissions of the same participant are serialised and the last one wins whole.
    Who cast it is recorded with it (`identities.online_identities`: a verified voter's census
    identifier, the voting code where the consultation takes them): an identity that already
    voted, online or on paper, refuses the ballot and nothing is saved.
    """
    ensure_can_vote(user=participant.user, consultation=consultation)
    choices = {int(pid): int(points) for pid, points in choices.items()}
    proposals = {
        proposal.pk: proposal
        for proposal in selectors.proposals_on_ballot(consultation=consultation, ids=choices)
    }
    ballot_check(consultation=consultation, choices=choices, proposals=proposals)
    ballot, created = Ballot.objects.select_for_update().get_or_create(
        participant=participant, consultation=consultation
    )
    online_identities(ballot=ballot, participant=participant, consultation=consultation,
                      code=voting_code)
    if not created:
        ballot.choices.all().delete()
        ballot.updated_at = timezone.now()
        ballot.save(update_fields=["updated_at"])
    BallotChoice.objects.bulk_create(
        BallotChoice(ballot=ballot, proposal_id=pid, points=points)
        for pid, points in sorted(choices.items())
    )
    return ballot


def ballot_start_record(*, participant: Participant, consultation: Consultation) -> None:
    """Remember that the participant opened the ballot (the vote page, during voting, without a
    ballot): one INSERT that a second opening leaves as it was, so that the closing reminder can
    tell them they did not submit it. The caller checks that they may vote."""
    BallotStart.objects.bulk_create(
        [BallotStart(participant=participant, consultation=consultation)], ignore_conflicts=True)


# --- tallies ----------------------------------------------------------------------------------


@transaction.atomic
def tally_compute(*, consultation: Consultation, now: datetime | None = None) -> ConsultationTally:
    """Compute and store the totals of a consultation whose voting has closed, once: the
    consultation row is locked, so two workers asked at once store one tally; a current tally
    is returned as it is. A worker runs this (`consult.tasks.tally_consultation`)."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if (now or timezone.now()) < locked.voting_closes_at:
        raise ServiceError(_("Totals are stored once voting has closed."))
    current = selectors.current_tally(consultation=locked)
    if current is not None:
        return current
    ConsultationTally.objects.filter(consultation=locked).delete()  # for an older closing time
    tally = ConsultationTally.objects.create(
        consultation=locked, voting_closes_at=locked.voting_closes_at,
        **selectors.live_counts(consultation=locked),
    )
    ProposalTally.objects.bulk_create(
        ProposalTally(tally=tally, proposal_id=proposal_id, votes=votes, points=points)
        for proposal_id, (votes, points) in sorted(
            selectors.live_vote_totals(consultation=locked).items())
    )
    return tally


# --- discussion and moderation ----------------------------------------------------------------


@transaction.atomic
def comment_create(
    *, author: Participant, proposal: Proposal, body: str, parent_id: int | None = None
) -> Comment:
    """Comment on a proposal, or reply to comment `parent_id` of the same proposal."""
    if not perms.can_comment(author.user, proposal) or proposal.is_hidden:
        raise NotAllowed(_("Comments are closed for this proposal."))
    body = written(body)
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(pk=parent_id, proposal=proposal).first()
        if parent is None:
            raise ServiceError(_("You can only reply to a comment on this proposal."),
                               field="parent")
        if parent.parent_id is not None:
            parent = parent.parent  # replies stay one level deep
    comment = Comment(proposal=proposal, author=author, parent=parent, body=body)
    validated(comment)
    comment.save()
    if parent is not None:
        tell_reply(reply=comment)
    return comment


@transaction.atomic
def flag_create(
    *,
    reporter: Participant,
    reason: str,
    proposal: Proposal | None = None,
    comment: Comment | None = None,
    detail: str = "",
) -> Flag:
    """Report content; once a consultation's flag threshold is reached it is hidden for review."""
    if (proposal is None) == (comment is None):
        raise ServiceError(_("Report either a proposal or a comment."))
    target = proposal or comment
    ensure_can_flag(user=reporter.user, target=target)
    if reason not in Flag.Reason.values:
        raise ServiceError(_("Choose a reason."), field="reason")
    model = Proposal if proposal is not None else Comment
    locked = model.objects.select_for_update().get(pk=target.pk)
    flag, created = Flag.objects.get_or_create(
        reporter=reporter,
        proposal=proposal,
        comment=comment,
        defaults={"reason": reason, "detail": detail},
    )
    if created and not locked.is_hidden:
        consultation = perms.consultation_of(locked)
        open_flags = Flag.objects.filter(
            Q(proposal=proposal) if proposal is not None else Q(comment=comment),
            resolved_at__isnull=True,
        ).count()
        if open_flags >= consultation.flags_to_hide:
            locked.is_hidden = True
            locked.save(update_fields=["is_hidden"])
    return flag


@transaction.atomic
def moderation_decide(
    *,
    moderator: AbstractBaseUser,
    action: str,
    reason: str,
    proposal: Proposal | None = None,
    comment: Comment | None = None,
) -> ModerationDecision:
    """Hide or restore content with a reason its author can read; resolves open flags."""
    if (proposal is None) == (comment is None):
        raise ServiceError(_("Decide on either a proposal or a comment."))
    target = proposal or comment
    ensure_can_moderate(user=moderator, target=target)
    if action not in ModerationDecision.Action.values:
        raise ServiceError(_("Choose hide or restore."), field="action")
    if not reason.strip():
        raise ServiceError(_("Give a reason the author can read."), field="reason")
    model = Proposal if proposal is not None else Comment
    locked = model.objects.select_for_update().get(pk=target.pk)
    locked.is_hidden = action == ModerationDecision.Action.HIDE
    locked.save(update_fields=["is_hidden"])
    now = timezone.now()
    Flag.objects.filter(
        Q(proposal=proposal) if proposal is not None else Q(comment=comment),
        resolved_at__isnull=True,
    ).update(resolved_at=now)
    decision = ModerationDecision.objects.create(
        moderator=moderator,
        proposal=proposal,
        comment=comment,
        action=action,
        reason=reason.strip(),
        created_at=now,
    )
    tell_moderation(decision=decision)
    return decision


# --- participants ------------------------------------------------------------------------------


@transaction.atomic
def participant_register(
    *, user: AbstractBaseUser, city: City, district: str = "", age_band: str = "",
    gender: str = "", consent: bool = True, public_name: str = "",
) -> Participant:
    participant = Participant(
        user=user,
        city=city,
        public_name=public_name.strip(),
        district=district,
        age_band=age_band,
        gender=gender,
        consent_at=timezone.now() if consent else None,
    )
    validated(participant)
    try:
        with transaction.atomic():
            participant.save()
    except IntegrityError as error:
        raise ServiceError(_("This account already has a participant profile.")) from error
    return participant


@transaction.atomic
def participant_update(
    *, participant: Participant, district: str = "", age_band: str = "", gender: str = "",
    public_name: str | None = None,
) -> Participant:
    """Change the optional profile answers and the public name (the city is chosen at
    sign-up); ``public_name`` None keeps it."""
    locked = Participant.objects.select_for_update().get(pk=participant.pk)
    if locked.is_anonymised:
        raise NotAllowed(_("This account was deleted."))
    locked.district = district.strip()
    locked.age_band = age_band
    locked.gender = gender
    if public_name is not None:
        locked.public_name = public_name.strip()
    validated(locked)
    locked.save(update_fields=["district", "age_band", "gender", "public_name"])
    return locked


@transaction.atomic
def account_delete(*, user: AbstractBaseUser, password: str) -> None:
    """The person deletes their own account, confirming with their password; their
    contributions stay, anonymised (`participant_erase`)."""
    wait = login_limits.retry_after(username=user.get_username(), address="")
    if wait:  # the password is not checked while the account is locked out
        raise ServiceError(login_limits.locked_message(wait), field="password")
    if not user.check_password(password):
        login_limits.record_failure(username=user.get_username(), address="")
        raise ServiceError(_("This is not your password."), field="password")
    participant = perms.participant_of(user)
    if participant is not None:
        participant_erase(participant=participant)
    else:
        user.delete()


@transaction.atomic
def participant_erase(*, participant: Participant) -> Participant:
    """Delete the account and personal answers; contributions stay, anonymised, so totals hold."""
    user = participant.user
    participant.user = None
    participant.public_name = ""
    participant.district = ""
    participant.age_band = ""
    participant.gender = ""
    participant.consent_at = None
    participant.save()
    # Nobody is left to tell: what the person followed or started goes.
    ProposalFollow.objects.filter(participant=participant).delete()
    BallotStart.objects.filter(participant=participant).delete()
    # The census entry is freed for the person's next account (a vote already cast stays bound
    # to the identity, not to this row); the birth date it kept goes with it.
    Verification.objects.filter(participant=participant).delete()
    if user is not None:
        user.delete()
    return participant


@transaction.atomic
def proposals_mark_selected(*, consultation: Consultation, proposal_ids: list[int]) -> int:
    """Apply an official count: selected proposals become SELECTED, formerly selected ones that
    are no longer in the set go back to SHORTLISTED. Returns the number selected."""
    proposals = Proposal.objects.select_for_update().filter(consultation=consultation)
    proposals.filter(status=Proposal.Status.SELECTED).exclude(pk__in=proposal_ids).update(
        status=Proposal.Status.SHORTLISTED
    )
    selected = proposals.filter(pk__in=proposal_ids).update(status=Proposal.Status.SELECTED)
    # A queryset update sends no signal: the list's cached figures (per status) start anew.
    transaction.on_commit(lambda: selectors.proposal_list_changed(
        consultation_id=consultation.pk))
    return selected
