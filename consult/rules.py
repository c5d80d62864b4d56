"""Who may do what, as named predicates: role × city × phase.

Services test these predicates directly (`can_vote(user, consultation)`), so phase rules hold
for superusers too; `rules.add_perm` exposes them to templates and DRF as permissions.
"""
from __future__ import annotations

import rules
from django.core.exceptions import ObjectDoesNotExist

from .models import City, CityRole, Comment, Consultation, Phase, Proposal


def city_of(obj: object) -> City | None:
    if isinstance(obj, City):
        return obj
    if isinstance(obj, Consultation):
        return obj.city
    if isinstance(obj, Proposal):
        return obj.consultation.city
    if isinstance(obj, Comment):
        return obj.proposal.consultation.city
    city = getattr(obj, "city", None)
    return city if isinstance(city, City) else None


def consultation_of(obj: object) -> Consultation | None:
    if isinstance(obj, Consultation):
        return obj
    if isinstance(obj, Proposal):
        return obj.consultation
    if isinstance(obj, Comment):
        return obj.proposal.consultation
    return None


def roles_in(user, city: City) -> set[str]:
    """The roles a user holds in a city, cached on the user object for the request."""
    if not user.is_authenticated or city is None:
        return set()
    cache = user.__dict__.setdefault("_city_roles_cache", {})
    if city.pk not in cache:
        cache[city.pk] = set(
            CityRole.objects.filter(user=user, city=city).values_list("role", flat=True)
        )
    return cache[city.pk]


def remember_roles(user, roles) -> None:
    """Answer `roles_in` from roles already loaded (all the user's roles, with their cities:
    `selectors.roles_with_cities`), so that the header asks nothing more."""
    cache = user.__dict__.setdefault("_city_roles_cache", {})
    loaded: dict[int, set[str]] = {}
    for role in roles:
        loaded.setdefault(role.city_id, set()).add(role.role)
    cache.update(loaded)


def _has_role(*wanted: str):
    @rules.predicate(name=f"has_role_{'_or_'.join(wanted)}")
    def predicate(user, obj) -> bool:
        city = city_of(obj)
        return bool(city and roles_in(user, city) & set(wanted))

    return predicate


is_city_admin = _has_role(CityRole.Role.ADMIN)
is_moderator = _has_role(CityRole.Role.MODERATOR, CityRole.Role.ADMIN)
is_planner = _has_role(CityRole.Role.PLANNER, CityRole.Role.ADMIN)
is_council_member = _has_role(CityRole.Role.COUNCIL)
#: The city's reviewers; planners and administrators review too (`can_assess_proposal`).
is_reviewer = _has_role(CityRole.Role.REVIEWER)
#: Who works on the review of a city's proposals: reviewers, planners, administrators.
is_review_staff = _has_role(CityRole.Role.REVIEWER, CityRole.Role.PLANNER, CityRole.Role.ADMIN)


def participant_of(user):
    if not user.is_authenticated:
        return None
    try:
        return user.participant
    except ObjectDoesNotExist:
        return None


def _may(action: str):
    """The person may ``action`` in the object's consultation (consult.eligibility decides)."""

    @rules.predicate(name=f"may_{action}")
    def predicate(user, obj) -> bool:
        from . import eligibility

        consultation = consultation_of(obj)
        return consultation is not None and eligibility.may(
            user=user, consultation=consultation, action=action)

    return predicate


may_propose = _may("propose")
may_support = _may("support")
may_vote = _may("vote")


def _in_phase(*phases: Phase):
    @rules.predicate(name=f"in_phase_{'_or_'.join(phases)}")
    def predicate(user, obj) -> bool:
        consultation = consultation_of(obj)
        return consultation is not None and consultation.phase in phases

    return predicate


is_proposals_phase = _in_phase(Phase.PROPOSALS)
is_voting_phase = _in_phase(Phase.VOTING)
is_discussion_open = _in_phase(Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING)
is_before_voting = _in_phase(Phase.UPCOMING, Phase.PROPOSALS, Phase.REVIEW)
#: From proposals close (included) until voting opens (excluded).
is_review_phase = _in_phase(Phase.REVIEW)


@rules.predicate
def is_author(user, proposal) -> bool:
    participant = participant_of(user)
    return participant is not None and isinstance(proposal, Proposal) and (
        proposal.author_id == participant.pk
    )


@rules.predicate
def is_open_proposal(user, proposal) -> bool:
    return isinstance(proposal, Proposal) and proposal.status in (
        Proposal.Status.DRAFT,
        Proposal.Status.PUBLISHED,
    )


@rules.predicate
def is_supportable(user, proposal) -> bool:
    return (
        isinstance(proposal, Proposal)
        and proposal.status == Proposal.Status.PUBLISHED
        and not proposal.is_hidden
    )


@rules.predicate
def is_draft(user, proposal) -> bool:
    return isinstance(proposal, Proposal) and proposal.status == Proposal.Status.DRAFT


@rules.predicate
def is_hidden(user, obj) -> bool:
    return bool(getattr(obj, "is_hidden", False))


@rules.predicate
def is_participant(user, obj) -> bool:
    return participant_of(user) is not None


@rules.predicate
def is_followable(user, proposal) -> bool:
    """A public proposal whose fate is to come or under way: published, shortlisted or
    selected, and not hidden."""
    return (
        isinstance(proposal, Proposal)
        and proposal.status in (Proposal.Status.PUBLISHED, Proposal.Status.SHORTLISTED,
                                Proposal.Status.SELECTED)
        and not proposal.is_hidden
    )


#: Who may open a proposal at all: everybody, except drafts, which only their author sees.
can_see_proposal = ~is_draft | is_author
#: Who may read what a proposal says: hidden ones only their author and the city's moderators
#: (the web shows everybody else a notice that it is hidden; the API a 404).
can_read_proposal = can_see_proposal & (~is_hidden | is_author | is_moderator)

can_submit_proposal = rules.is_authenticated & may_propose & is_proposals_phase
can_edit_proposal = is_author & is_open_proposal & is_proposals_phase
can_withdraw_proposal = is_author & is_before_voting & (
    is_open_proposal | rules.predicate(lambda u, p: p.status == Proposal.Status.SHORTLISTED)
)
can_support = rules.is_authenticated & may_support & is_proposals_phase & is_supportable
#: Follow a proposal (be told what becomes of it): any participant, in any phase.
can_follow_proposal = rules.is_authenticated & is_participant & is_followable
#: The discussion (comments, reports of abuse) is open to those who may propose.
can_comment = rules.is_authenticated & may_propose & is_discussion_open
can_flag = rules.is_authenticated & may_propose
can_vote = rules.is_authenticated & may_vote & is_voting_phase
can_moderate = is_moderator
can_reject_proposal = is_moderator | is_planner
#: A proposal that can still be rejected: public (published or shortlisted) and voting not open.
is_rejectable = is_before_voting & rules.predicate(
    lambda u, p: isinstance(p, Proposal)
    and p.status in (Proposal.Status.PUBLISHED, Proposal.Status.SHORTLISTED))
can_manage_consultation = is_city_admin


@rules.predicate
def city_lets_planners_set_up(user, obj) -> bool:
    city = city_of(obj)
    return bool(city and city.planners_may_set_up)


#: Who may create a city's consultations: its administrators, and its planners where the city
#: allows it (`City.planners_may_set_up`). Roles never cross cities.
can_set_up_consultations = is_city_admin | (
    _has_role(CityRole.Role.PLANNER) & city_lets_planners_set_up)
#: Who may edit a consultation (its texts, themes and dates; its voting rules until voting
#: opens, which the service enforces): the same people, in the consultation's city.
can_edit_consultation = rules.predicate(
    lambda user, consultation: isinstance(consultation, Consultation)
    and can_set_up_consultations(user, consultation.city),
    name="can_edit_consultation")


@rules.predicate
def is_assessable(user, proposal) -> bool:
    """A proposal that can be assessed: public (published or shortlisted)."""
    return isinstance(proposal, Proposal) and proposal.status in (
        Proposal.Status.PUBLISHED, Proposal.Status.SHORTLISTED)


#: The review dashboard of a city (or of one of its consultations).
can_open_review = is_review_staff
#: Assess a proposal (verdict, validated cost): the city's reviewers, planners and
#: administrators, while the consultation is in its review phase.
can_assess_proposal = is_review_staff & is_review_phase & is_assessable
#: Assign a consultation's proposals to reviewers: its city's administrators, before voting
#: opens (on a consultation: may the dashboard offer it; on a proposal: may this one be).
can_assign_reviewers = is_city_admin & is_before_voting
can_assign_reviewer = can_assign_reviewers & is_assessable
#: Read an assessment's notes for the planners (never public).
can_read_assessment_notes = is_review_staff | is_council_member

rules.add_perm("consult.submit_proposal", can_submit_proposal)
rules.add_perm("consult.change_own_proposal", can_edit_proposal)
rules.add_perm("consult.withdraw_proposal", can_withdraw_proposal)
rules.add_perm("consult.support_proposal", can_support)
rules.add_perm("consult.follow_proposal", can_follow_proposal)
rules.add_perm("consult.comment_proposal", can_comment)
rules.add_perm("consult.flag_content", can_flag)
rules.add_perm("consult.vote_consultation", can_vote)
rules.add_perm("consult.moderate", can_moderate)
rules.add_perm("consult.reject_proposal", can_reject_proposal)
rules.add_perm("consult.manage_consultation", can_manage_consultation)
rules.add_perm("consult.set_up_consultations", can_set_up_consultations)
rules.add_perm("consult.edit_consultation", can_edit_consultation)
rules.add_perm("consult.open_review", can_open_review)
rules.add_perm("consult.assess_proposal", can_assess_proposal)
rules.add_perm("consult.assign_reviewer", can_assign_reviewer)
rules.add_perm("consult.read_assessment_notes", can_read_assessment_notes)


# --- paper ballots (docs/eligibility.md, "Paper ballots") --------------------------------------

#: The city's ballot clerks; its administrators enter paper ballots too.
is_clerk = _has_role(CityRole.Role.CLERK, CityRole.Role.ADMIN)


@rules.predicate
def is_paper_entry_window(user, obj) -> bool:
    """From the opening of voting until the results are published: the consultation's results
    date, or the publication itself if it came first. (The publication is planning's record;
    consult only asks whether the consultation has one, by its relation name.)"""
    consultation = consultation_of(obj)
    if consultation is None or consultation.phase not in (Phase.VOTING, Phase.COUNTING):
        return False
    return not Consultation.objects.filter(
        pk=consultation.pk, results_publication__isnull=False).exists()


#: Enter paper ballots (one clerk's entry, typed or imported): the city's clerks and
#: administrators, from the opening of voting until the results are published.
can_enter_paper_ballots = is_clerk & is_paper_entry_window

rules.add_perm("consult.enter_paper_ballots", can_enter_paper_ballots)
