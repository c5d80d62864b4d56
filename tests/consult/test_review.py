"""The review of proposals before the vote: who may assess and assign, when, the limits of an
assessment, and what it changes on the ballot, in the ballot's limits and in counts."""
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from consult import selectors, services
from consult.models import CityRole, Phase, Proposal, ProposalAssessment, VotingMethod
from core.errors import NotAllowed, ServiceError
from planning.services import proposal_year_profile
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FEASIBLE = ProposalAssessment.Verdict.FEASIBLE
NOT_FEASIBLE = ProposalAssessment.Verdict.NOT_FEASIBLE


def staff(city, *roles):
    user = UserFactory()
    for role in roles:
        CityRoleFactory(user=user, city=city, role=role)
    return user


@pytest.fixture
def review():
    """A consultation in its review phase (plan years 2027–2030), a proposal of 100 000 and a
    reviewer of its city."""
    consultation = ConsultationFactory(phase=Phase.REVIEW)
    proposal = ProposalFactory(consultation=consultation)
    reviewer = staff(consultation.city, CityRole.Role.REVIEWER)
    return consultation, proposal, reviewer


def assess(user, proposal, **fields):
    fields.setdefault("verdict", FEASIBLE)
    if fields["verdict"] == FEASIBLE:
        fields.setdefault("validated_cost", proposal.estimated_cost)
    return services.assessment_save(user=user, proposal=proposal, **fields)


# --- who and when ------------------------------------------------------------------------------


def test_a_reviewer_assesses_a_proposal_during_review(review):
    _consultation, proposal, reviewer = review
    assessment = assess(reviewer, proposal, notes="Check the partner's letter.")
    assert assessment.verdict == FEASIBLE and assessment.validated_cost == Decimal("100000")
    assert assessment.assessed_by == reviewer and assessment.assessed_at is not None


def test_planners_and_admins_assess_too_but_not_moderators_or_participants(review):
    consultation, proposal, _reviewer = review
    for role in (CityRole.Role.PLANNER, CityRole.Role.ADMIN):
        assess(staff(consultation.city, role), proposal)
    for user in (staff(consultation.city, CityRole.Role.MODERATOR),
                 staff(consultation.city, CityRole.Role.COUNCIL),
                 ParticipantFactory(city=consultation.city).user):
        with pytest.raises(NotAllowed):
            assess(user, proposal)


def test_reviewer_in_one_city_planner_in_another_assesses_only_there(review):
    consultation, proposal, _reviewer = review
    other = ProposalFactory(consultation=ConsultationFactory(phase=Phase.REVIEW))
    person = staff(consultation.city, CityRole.Role.REVIEWER)
    CityRoleFactory(user=person, city=other.consultation.city, role=CityRole.Role.PLANNER)
    assess(person, proposal)
    assess(person, other)
    third = ProposalFactory(consultation=ConsultationFactory(phase=Phase.REVIEW))
    with pytest.raises(NotAllowed, match="Only the city's reviewers"):
        assess(person, third)


@pytest.mark.parametrize("phase", [Phase.PROPOSALS, Phase.VOTING, Phase.RESULTS])
def test_no_assessment_outside_the_review_phase(phase):
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=phase))
    with pytest.raises(NotAllowed):
        assess(staff(proposal.consultation.city, CityRole.Role.REVIEWER), proposal)
    assert not ProposalAssessment.objects.exists()


def test_assessing_exactly_when_voting_opens_is_refused_a_moment_before_allowed(review):
    consultation, proposal, reviewer = review
    with mock.patch("django.utils.timezone.now",
                    return_value=consultation.voting_opens_at - timedelta(microseconds=1)):
        assess(reviewer, proposal)
    with mock.patch("django.utils.timezone.now", return_value=consultation.voting_opens_at), \
            pytest.raises(NotAllowed, match="the ballot is fixed"):
        assess(reviewer, proposal, verdict=NOT_FEASIBLE, reason="Too late")
    assert ProposalAssessment.objects.get().verdict == FEASIBLE


def test_assessing_exactly_when_proposals_close_is_allowed(review):
    consultation, proposal, reviewer = review
    with mock.patch("django.utils.timezone.now", return_value=consultation.proposals_close_at):
        assess(reviewer, proposal)
    with mock.patch("django.utils.timezone.now",
                    return_value=consultation.proposals_close_at - timedelta(microseconds=1)), \
            pytest.raises(NotAllowed, match="between the close of proposals"):
        assess(reviewer, proposal)


def test_drafts_and_withdrawn_proposals_are_not_assessed(review):
    consultation, _proposal, reviewer = review
    for status in ("draft", "withdrawn"):
        proposal = ProposalFactory(consultation=consultation, status=status,
                                   status_reason="Changed my mind")
        with pytest.raises(NotAllowed):
            assess(reviewer, proposal)


# --- what an assessment must say ---------------------------------------------------------------


def test_not_feasible_needs_a_public_reason(review):
    _consultation, proposal, reviewer = review
    with pytest.raises(ServiceError) as error:
        assess(reviewer, proposal, verdict=NOT_FEASIBLE, reason="  ")
    assert error.value.field == "reason"
    assert not ProposalAssessment.objects.exists()
    assessment = assess(reviewer, proposal, verdict=NOT_FEASIBLE, reason="Not a city power",
                        validated_cost=Decimal("5"))
    assert assessment.validated_cost is None


def test_a_changed_cost_needs_a_reason(review):
    _consultation, proposal, reviewer = review
    with pytest.raises(ServiceError) as error:
        assess(reviewer, proposal, validated_cost=Decimal("120000"))
    assert error.value.field == "cost_reason"
    assess(reviewer, proposal, validated_cost=Decimal("120000"), cost_reason="Venue prices")
    with pytest.raises(ServiceError) as error:
        assess(reviewer, proposal, validated_cost=None)
    assert error.value.field == "validated_cost"


def test_the_split_must_add_up_to_the_cost_exactly(review):
    _consultation, proposal, reviewer = review
    cost = Decimal("120000.00")
    off = {2027: Decimal("60000.00"), 2028: Decimal("59999.99")}
    with pytest.raises(ServiceError, match="add up") as error:
        assess(reviewer, proposal, validated_cost=cost, cost_reason="Prices", year_costs=off)
    assert error.value.field == "year_costs"
    assert not ProposalAssessment.objects.exists()
    exact = {2027: Decimal("60000.00"), 2028: Decimal("60000.00")}
    assessment = assess(reviewer, proposal, validated_cost=cost, cost_reason="Prices",
                        year_costs=exact)
    assert {c.year: c.amount for c in assessment.year_costs.all()} == exact


def test_the_split_stays_within_the_plan_years_and_is_not_negative(review):
    _consultation, proposal, reviewer = review
    for split in ({2031: Decimal("100000")},
                  {2027: Decimal("100001"), 2028: Decimal("-1")}):
        with pytest.raises(ServiceError):
            assess(reviewer, proposal, year_costs=split)


def test_a_second_assessment_row_is_refused_by_the_database(review):
    _consultation, proposal, reviewer = review
    assess(reviewer, proposal)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalAssessment.objects.create(proposal=proposal)


def test_assessing_again_changes_the_one_assessment(review):
    _consultation, proposal, reviewer = review
    assess(reviewer, proposal, year_costs={2027: Decimal("100000")})
    assess(reviewer, proposal, verdict=NOT_FEASIBLE, reason="Not a city power")
    assessment = ProposalAssessment.objects.get()
    assert assessment.verdict == NOT_FEASIBLE and not assessment.year_costs.exists()


def test_the_database_refuses_a_negative_cost_and_a_silent_not_feasible(review):
    _consultation, proposal, _reviewer = review
    for fields in ({"verdict": FEASIBLE, "validated_cost": Decimal("-1")},
                   {"verdict": NOT_FEASIBLE, "reason": ""},
                   {"verdict": FEASIBLE, "validated_cost": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            ProposalAssessment.objects.create(proposal=proposal, assessed_at=timezone.now(),
                                              **fields)


# --- assignment --------------------------------------------------------------------------------


def test_an_admin_assigns_one_or_many_proposals_to_a_reviewer(review):
    consultation, proposal, reviewer = review
    admin = staff(consultation.city, CityRole.Role.ADMIN)
    more = [ProposalFactory(consultation=consultation) for _ in range(3)]
    assert services.assessment_assign(user=admin, consultation=consultation,
                                      proposal_ids=[proposal.pk], reviewer=reviewer) == 1
    assess(reviewer, proposal)  # an assessment keeps its verdict when reassigned
    assert services.assessment_assign(
        user=admin, consultation=consultation, proposal_ids=[proposal.pk] + [p.pk for p in more],
        reviewer=reviewer) == 4
    assert ProposalAssessment.objects.filter(reviewer=reviewer).count() == 4
    assert ProposalAssessment.objects.get(proposal=proposal).verdict == FEASIBLE
    services.assessment_assign(user=admin, consultation=consultation, proposal_ids=[more[0].pk],
                               reviewer=None)
    assert ProposalAssessment.objects.get(proposal=more[0]).reviewer is None


def test_only_admins_assign_only_their_city_s_reviewers_and_proposals(review):
    consultation, proposal, reviewer = review
    admin = staff(consultation.city, CityRole.Role.ADMIN)
    with pytest.raises(NotAllowed):
        services.assessment_assign(user=reviewer, consultation=consultation,
                                   proposal_ids=[proposal.pk], reviewer=reviewer)
    planner = staff(consultation.city, CityRole.Role.PLANNER)
    with pytest.raises(ServiceError) as error:
        services.assessment_assign(user=admin, consultation=consultation,
                                   proposal_ids=[proposal.pk], reviewer=planner)
    assert error.value.field == "reviewer"
    elsewhere = staff(CityFactory(), CityRole.Role.REVIEWER)
    with pytest.raises(ServiceError):
        services.assessment_assign(user=admin, consultation=consultation,
                                   proposal_ids=[proposal.pk], reviewer=elsewhere)
    other = ProposalFactory(consultation=ConsultationFactory(phase=Phase.REVIEW))
    with pytest.raises(ServiceError, match="of this consultation"):
        services.assessment_assign(user=admin, consultation=consultation,
                                   proposal_ids=[proposal.pk, other.pk], reviewer=reviewer)
    assert not ProposalAssessment.objects.exists()


def test_no_assignment_once_voting_opened():
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=Phase.VOTING))
    city = proposal.consultation.city
    with pytest.raises(NotAllowed):
        services.assessment_assign(user=staff(city, CityRole.Role.ADMIN),
                                   consultation=proposal.consultation, proposal_ids=[proposal.pk],
                                   reviewer=staff(city, CityRole.Role.REVIEWER))


def test_assign_queries_do_not_grow_with_the_selection(review, django_assert_max_num_queries):
    consultation, _proposal, reviewer = review
    admin = staff(consultation.city, CityRole.Role.ADMIN)
    few = [ProposalFactory(consultation=consultation).pk for _ in range(2)]
    many = [ProposalFactory(consultation=consultation).pk for _ in range(12)]
    services.assessment_assign(user=admin, consultation=consultation, proposal_ids=few,
                               reviewer=reviewer)
    admin = type(admin).objects.get(pk=admin.pk)  # a fresh role cache
    with django_assert_max_num_queries(8):
        services.assessment_assign(user=admin, consultation=consultation, proposal_ids=many,
                                   reviewer=reviewer)


# --- the ballot and the count -----------------------------------------------------------------


def _assessed_consultation(requires_assessment: bool):
    consultation = ConsultationFactory(phase=Phase.REVIEW, requires_assessment=requires_assessment,
                                       voting_method=VotingMethod.KNAPSACK, max_choices=None,
                                       budget=Decimal("250000"))
    reviewer = staff(consultation.city, CityRole.Role.REVIEWER)
    cheaper = ProposalFactory(consultation=consultation, title="Cheaper")
    dearer = ProposalFactory(consultation=consultation, title="Dearer")
    refused = ProposalFactory(consultation=consultation, title="Refused")
    untouched = ProposalFactory(consultation=consultation, title="Untouched")
    assess(reviewer, cheaper, validated_cost=Decimal("50000"), cost_reason="Shared venue")
    assess(reviewer, dearer, validated_cost=Decimal("200000"), cost_reason="Travel prices",
           year_costs={2027: Decimal("150000"), 2030: Decimal("50000")})
    assess(reviewer, refused, verdict=NOT_FEASIBLE, reason="Not a city power")
    return consultation, cheaper, dearer, refused, untouched


def test_only_feasible_proposals_reach_a_ballot_that_requires_assessment():
    consultation, cheaper, dearer, _refused, _untouched = _assessed_consultation(True)
    on_ballot = {p.pk: p.ballot_cost for p in
                 selectors.proposals_on_ballot(consultation=consultation)}
    assert on_ballot == {cheaper.pk: Decimal("50000"), dearer.pk: Decimal("200000")}


def test_without_the_requirement_only_not_feasible_ones_are_left_off():
    consultation, cheaper, dearer, _refused, untouched = _assessed_consultation(False)
    on_ballot = {p.pk: p.ballot_cost for p in
                 selectors.proposals_on_ballot(consultation=consultation)}
    assert on_ballot == {cheaper.pk: Decimal("50000"), dearer.pk: Decimal("200000"),
                         untouched.pk: Decimal("100000")}


def test_a_consultation_never_assessed_keeps_its_ballot():
    consultation = ConsultationFactory(phase=Phase.VOTING)
    proposals = [ProposalFactory(consultation=consultation) for _ in range(2)]
    on_ballot = {p.pk: p.ballot_cost for p in
                 selectors.proposals_on_ballot(consultation=consultation)}
    assert on_ballot == {p.pk: p.estimated_cost for p in proposals}


def _open_voting(consultation):
    now = timezone.now()
    consultation.voting_opens_at = now - timedelta(days=1)
    consultation.voting_closes_at = now + timedelta(days=5)
    consultation.results_at = now + timedelta(days=6)
    consultation.save()


def test_the_budget_limit_uses_the_validated_costs():
    consultation, cheaper, dearer, refused, untouched = _assessed_consultation(True)
    _open_voting(consultation)
    voter = ParticipantFactory(city=consultation.city)
    # Estimates: 100 000 each (200 000 fits 250 000); validated: 50 000 + 200 000 = 250 000.
    services.ballot_submit(participant=voter, consultation=consultation,
                           choices={cheaper.pk: 1, dearer.pk: 1})
    for left_off in (refused, untouched):
        with pytest.raises(ServiceError, match="not on the ballot"):
            services.ballot_submit(participant=voter, consultation=consultation,
                                   choices={left_off.pk: 1})
    dearer.assessment.validated_cost = Decimal("200000.01")
    dearer.assessment.save()
    with pytest.raises(ServiceError, match="more than the budget"):
        services.ballot_submit(participant=voter, consultation=consultation,
                               choices={cheaper.pk: 1, dearer.pk: 1})


def test_the_count_reads_the_validated_costs():
    consultation, cheaper, dearer, _refused, _untouched = _assessed_consultation(True)
    _open_voting(consultation)
    services.ballot_submit(participant=ParticipantFactory(city=consultation.city),
                           consultation=consultation, choices={cheaper.pk: 1})
    arrays = selectors.ballot_arrays(consultation=consultation)
    assert dict(zip(arrays.proposal_pks.tolist(), arrays.costs, strict=True)) == {
        cheaper.pk: Decimal("50000"), dearer.pk: Decimal("200000")}


def test_proposals_to_assess_per_city(review):
    consultation, proposal, reviewer = review
    mine = ProposalFactory(consultation=consultation)
    admin = staff(consultation.city, CityRole.Role.ADMIN)
    services.assessment_assign(user=admin, consultation=consultation, proposal_ids=[mine.pk],
                               reviewer=reviewer)
    ProposalFactory(consultation=ConsultationFactory(city=consultation.city))  # proposals phase
    assert selectors.proposals_to_assess(user=reviewer) == [
        {"city": consultation.city, "to_assess": 2, "assigned": 1}]
    assess(reviewer, proposal)
    assert selectors.proposals_to_assess(user=reviewer)[0]["to_assess"] == 1
    assert selectors.proposals_to_assess(user=ParticipantFactory().user) == []


def test_a_drafted_plan_reads_the_validated_cost_and_its_split(review):
    consultation, proposal, reviewer = review
    plain = ProposalFactory(consultation=consultation)
    assess(reviewer, proposal, validated_cost=Decimal("90000"), cost_reason="Shared venue",
           year_costs={2028: Decimal("90000")})
    loaded = {p.pk: p for p in Proposal.objects.filter(consultation=consultation)
              .select_related("assessment")
              .prefetch_related("year_costs", "assessment__year_costs")}
    years = [2027, 2028, 2029, 2030]
    assert proposal_year_profile(loaded[proposal.pk], years) == {2028: Decimal("90000")}
    assert sum(proposal_year_profile(loaded[plain.pk], years).values()) == Decimal("100000")
