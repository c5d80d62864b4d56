"""Services: ballots within the rules, phases enforced on the server, nothing half-written."""
from datetime import timedelta
from decimal import Decimal

import pytest

from consult import selectors, services
from consult.errors import BallotError
from consult.models import (
    Ballot,
    BallotChoice,
    CityRole,
    Comment,
    Consultation,
    ModerationDecision,
    Phase,
    Proposal,
    Support,
    Theme,
    VotingMethod,
)
from core.errors import NotAllowed, ServiceError
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    ConsultationFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProposalFactory,
    phase_dates,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting():
    return ConsultationFactory(phase=Phase.VOTING, budget=Decimal("1000"), max_choices=2)


def on_ballot(consultation, *costs):
    return [ProposalFactory(consultation=consultation, estimated_cost=Decimal(c)) for c in costs]


def voter(consultation):
    return ParticipantFactory(city=consultation.city)


# --- ballots -----------------------------------------------------------------------------------


def test_approval_ballot_stored_and_replaced_whole(voting):
    a, b, c = on_ballot(voting, 100, 200, 300)
    person = voter(voting)
    first = services.ballot_submit(participant=person, consultation=voting,
                                   choices={a.pk: 1, b.pk: 1})
    second = services.ballot_submit(participant=person, consultation=voting, choices={c.pk: 1})
    assert first.pk == second.pk and first.receipt_code == second.receipt_code
    assert selectors.ballot_choices_of(ballot=second) == {c.pk: 1}
    assert Ballot.objects.count() == 1


def test_approval_over_max_choices_refused_and_previous_ballot_kept(voting):
    a, b, c = on_ballot(voting, 100, 200, 300)
    person = voter(voting)
    services.ballot_submit(participant=person, consultation=voting, choices={a.pk: 1})
    with pytest.raises(BallotError, match="at most 2 proposals; you chose 3"):
        services.ballot_submit(participant=person, consultation=voting,
                               choices={a.pk: 1, b.pk: 1, c.pk: 1})
    assert list(BallotChoice.objects.values_list("proposal_id", flat=True)) == [a.pk]


def test_knapsack_over_budget_refused(voting):
    Consultation.objects.filter(pk=voting.pk).update(voting_method=VotingMethod.KNAPSACK)
    voting.refresh_from_db()
    a, b, c = on_ballot(voting, 400, 500, 200)
    person = voter(voting)
    services.ballot_submit(participant=person, consultation=voting, choices={a.pk: 1, b.pk: 1})
    with pytest.raises(BallotError, match="more than the budget"):
        services.ballot_submit(participant=person, consultation=voting,
                               choices={a.pk: 1, b.pk: 1, c.pk: 1})
    assert BallotChoice.objects.count() == 2


def test_knapsack_ballot_costing_exactly_the_budget_is_accepted(voting):
    Consultation.objects.filter(pk=voting.pk).update(voting_method=VotingMethod.KNAPSACK,
                                                     max_choices=None)
    voting.refresh_from_db()
    a, b, cent = on_ballot(voting, "600", "400", "0.01")
    person = voter(voting)
    ballot = services.ballot_submit(participant=person, consultation=voting,
                                    choices={a.pk: 1, b.pk: 1})
    assert selectors.ballot_choices_of(ballot=ballot) == {a.pk: 1, b.pk: 1}
    with pytest.raises(BallotError, match="more than the budget"):
        services.ballot_submit(participant=person, consultation=voting,
                               choices={a.pk: 1, b.pk: 1, cent.pk: 1})
    assert selectors.ballot_choices_of(ballot=ballot) == {a.pk: 1, b.pk: 1}


def test_cumulative_points_limit():
    consultation = ConsultationFactory(phase=Phase.VOTING, voting_method=VotingMethod.CUMULATIVE,
                                       max_choices=None, max_points=10)
    a, b = on_ballot(consultation, 100, 200)
    person = voter(consultation)
    ballot = services.ballot_submit(participant=person, consultation=consultation,
                                    choices={a.pk: 7, b.pk: 3})
    assert selectors.ballot_choices_of(ballot=ballot) == {a.pk: 7, b.pk: 3}
    with pytest.raises(BallotError, match="at most 10 points; you used 11"):
        services.ballot_submit(participant=person, consultation=consultation,
                               choices={a.pk: 8, b.pk: 3})


def test_points_on_an_approval_ballot_refused(voting):
    (a,) = on_ballot(voting, 100)
    with pytest.raises(BallotError, match="not points"):
        services.ballot_submit(participant=voter(voting), consultation=voting, choices={a.pk: 3})


def test_empty_ballot_and_foreign_proposal_refused(voting):
    person = voter(voting)
    with pytest.raises(BallotError, match="at least one"):
        services.ballot_submit(participant=person, consultation=voting, choices={})
    elsewhere = ProposalFactory(consultation=ConsultationFactory(phase=Phase.VOTING))
    with pytest.raises(BallotError, match="not on the ballot"):
        services.ballot_submit(participant=person, consultation=voting, choices={elsewhere.pk: 1})
    assert not Ballot.objects.exists()


def test_proposals_below_min_supports_are_not_on_the_ballot(voting):
    Consultation.objects.filter(pk=voting.pk).update(min_supports=2)
    voting.refresh_from_db()
    popular, unpopular = on_ballot(voting, 100, 100)
    for _ in range(2):
        Support.objects.create(participant=voter(voting), proposal=popular)
    Support.objects.create(participant=voter(voting), proposal=unpopular)
    on = set(selectors.proposals_on_ballot(consultation=voting).values_list("pk", flat=True))
    assert on == {popular.pk}
    with pytest.raises(BallotError, match="not on the ballot"):
        services.ballot_submit(participant=voter(voting), consultation=voting,
                               choices={unpopular.pk: 1})


@pytest.mark.parametrize("phase", [Phase.PROPOSALS, Phase.REVIEW, Phase.COUNTING, Phase.RESULTS])
def test_vote_outside_voting_phase_refused(phase):
    consultation = ConsultationFactory(phase=phase)
    (a,) = on_ballot(consultation, 100)
    with pytest.raises(NotAllowed, match="Voting is not open"):
        services.ballot_submit(participant=voter(consultation), consultation=consultation,
                               choices={a.pk: 1})
    assert not Ballot.objects.exists()


# --- supports and proposals --------------------------------------------------------------------


def test_support_is_idempotent_and_removable():
    proposal = ProposalFactory()
    person = voter(proposal.consultation)
    services.support_add(participant=person, proposal=proposal)
    services.support_add(participant=person, proposal=proposal)
    assert Support.objects.count() == 1
    assert services.support_remove(participant=person, proposal=proposal)
    assert not Support.objects.exists()


def test_support_on_own_withdrawn_proposal_refused():
    proposal = ProposalFactory()
    services.proposal_withdraw(proposal=proposal, user=proposal.author.user,
                               reason="Merged with another proposal.")
    proposal.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.support_add(participant=proposal.author, proposal=proposal)
    assert not Support.objects.exists()


def test_support_outside_proposals_phase_refused():
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=Phase.VOTING))
    with pytest.raises(NotAllowed):
        services.support_add(participant=voter(proposal.consultation), proposal=proposal)


def test_proposal_create_with_costs_per_year():
    consultation = services.consultation_create(
        city=CityFactory(), title="Estrategia", plan_start_year=2027, plan_end_year=2030,
        budget=Decimal("1000000"), max_choices=3, **phase_dates(Phase.PROPOSALS),
    )
    assert list(consultation.themes.values_list("slug", flat=True)) == [
        "urban-sustainability", "inclusive-cities", "attractive-cities"]
    author = voter(consultation)
    proposal = services.proposal_create(
        author=author, consultation=consultation, theme=consultation.themes.first(),
        title="Techos verdes", summary="Con Montevideo", estimated_cost=Decimal("300"),
        action_kind="cooperation", year_costs={2027: Decimal("100"), 2028: Decimal("200")},
    )
    assert proposal.status == Proposal.Status.PUBLISHED
    assert list(proposal.year_costs.values_list("year", "amount")) == [
        (2027, Decimal("100")), (2028, Decimal("200"))]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"estimated_cost": Decimal("-5")}, "negative|greater than or equal"),
        ({"year_costs": {2031: Decimal("100")}}, "outside the plan period"),
        ({"year_costs": {2027: Decimal("50")}}, "add up"),
    ],
)
def test_bad_proposals_refused_and_nothing_written(changes, message):
    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    theme = Theme.objects.create(consultation=consultation, name="T", slug="t")
    fields = {"title": "X", "summary": "Y", "estimated_cost": Decimal("100"),
              "action_kind": "advocacy", **changes}
    with pytest.raises(ServiceError, match=message):
        services.proposal_create(author=voter(consultation), consultation=consultation,
                                 theme=theme, **fields)
    assert not Proposal.objects.exists()


def test_proposal_on_behalf_of_an_organisation_needs_membership():
    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    theme = Theme.objects.create(consultation=consultation, name="T", slug="t")
    organisation = OrganisationFactory(city=consultation.city)
    author = voter(consultation)
    fields = {"consultation": consultation, "theme": theme, "title": "X", "summary": "Y",
              "estimated_cost": Decimal("1"), "action_kind": "advocacy",
              "organisation": organisation}
    with pytest.raises(NotAllowed, match="organisation you belong to"):
        services.proposal_create(author=author, **fields)
    organisation.members.add(author.user)
    assert services.proposal_create(author=author, **fields).organisation == organisation


def test_consultation_phase_end_before_start_refused():
    dates = phase_dates(Phase.PROPOSALS)
    dates["proposals_close_at"] = dates["proposals_open_at"] - timedelta(hours=1)
    with pytest.raises(ServiceError, match="Phases must follow each other"):
        services.consultation_create(city=CityFactory(), title="X", plan_start_year=2027,
                                     plan_end_year=2030, budget=Decimal("10"), max_choices=1,
                                     **dates)
    assert not Consultation.objects.exists()


def test_voting_rules_frozen_once_voting_opens():
    before = ConsultationFactory(phase=Phase.REVIEW)
    services.consultation_update(consultation=before, max_choices=5, title="New title")
    during = ConsultationFactory(phase=Phase.VOTING)
    with pytest.raises(ServiceError, match="can no longer change"):
        services.consultation_update(consultation=during, max_choices=5)
    with pytest.raises(ServiceError, match="can no longer change"):
        services.consultation_update(consultation=during, budget=Decimal("5"))
    services.consultation_update(consultation=during, title="Typo fixed")
    during.refresh_from_db()
    assert during.max_choices == 3 and during.title == "Typo fixed"


# --- discussion and moderation -----------------------------------------------------------------


def test_replies_stay_one_level_deep():
    proposal = ProposalFactory()
    person = voter(proposal.consultation)
    top = services.comment_create(author=person, proposal=proposal, body="Top")
    reply = services.comment_create(author=person, proposal=proposal, body="Reply",
                                    parent_id=top.pk)
    deeper = services.comment_create(author=person, proposal=proposal, body="Deep",
                                     parent_id=reply.pk)
    assert reply.parent == top and deeper.parent == top
    with pytest.raises(ServiceError):
        services.comment_create(author=person, proposal=proposal, body="   ")
    assert Comment.objects.count() == 3


def test_a_reply_names_a_comment_of_the_same_proposal():
    proposal = ProposalFactory()
    other = ProposalFactory(consultation=proposal.consultation)
    person = voter(proposal.consultation)
    elsewhere = services.comment_create(author=person, proposal=other, body="Elsewhere")
    for parent_id in (elsewhere.pk, elsewhere.pk + 1000):
        with pytest.raises(ServiceError) as refused:
            services.comment_create(author=person, proposal=proposal, body="Reply",
                                    parent_id=parent_id)
        assert refused.value.field == "parent"
    assert not Comment.objects.filter(proposal=proposal).exists()


def test_flags_hide_content_at_threshold_and_moderator_restores_with_reason():
    proposal = ProposalFactory()
    comment = services.comment_create(author=voter(proposal.consultation), proposal=proposal,
                                      body="Buy cheap watches")
    for _ in range(proposal.consultation.flags_to_hide - 1):
        services.flag_create(reporter=voter(proposal.consultation), reason="spam", comment=comment)
    comment.refresh_from_db()
    assert not comment.is_hidden
    services.flag_create(reporter=voter(proposal.consultation), reason="spam", comment=comment)
    comment.refresh_from_db()
    assert comment.is_hidden

    outsider = ParticipantFactory()
    CityRoleFactory(user=outsider.user, role=CityRole.Role.MODERATOR)  # another city
    with pytest.raises(NotAllowed):
        services.moderation_decide(moderator=outsider.user, action="restore", reason="ok",
                                   comment=comment)
    moderator = ParticipantFactory(city=proposal.consultation.city).user
    CityRoleFactory(user=moderator, city=proposal.consultation.city,
                    role=CityRole.Role.MODERATOR)
    with pytest.raises(ServiceError, match="reason"):
        services.moderation_decide(moderator=moderator, action="restore", reason=" ",
                                   comment=comment)
    decision = services.moderation_decide(moderator=moderator, action="restore",
                                          reason="Not spam: a real partner link.",
                                          comment=comment)
    comment.refresh_from_db()
    assert not comment.is_hidden
    assert decision.reason == "Not spam: a real partner link."
    assert ModerationDecision.objects.count() == 1
    assert not comment.flags.filter(resolved_at__isnull=True).exists()


def test_erasing_a_participant_keeps_totals():
    consultation = ConsultationFactory(phase=Phase.PROPOSALS)
    proposal = ProposalFactory(consultation=consultation)
    person = voter(consultation)
    services.support_add(participant=person, proposal=proposal)
    services.comment_create(author=person, proposal=proposal, body="Yes")
    before = selectors.consultation_counts(consultation=consultation)
    data = selectors.participant_data(participant=person)
    assert data["supports"][0]["proposal_id"] == proposal.pk
    user_pk = person.user.pk
    services.participant_erase(participant=person)
    person.refresh_from_db()
    assert person.is_anonymised and person.district == ""
    from django.contrib.auth import get_user_model
    assert not get_user_model().objects.filter(pk=user_pk).exists()
    assert selectors.consultation_counts(consultation=consultation) == before
