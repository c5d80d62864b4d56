"""Voting pages for approval, budget and cumulative ballots; receipt; results."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from consult.models import Ballot, BallotChoice, Eligibility, Phase, Proposal, VotingMethod
from tests.factories import ConsultationFactory, ParticipantFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def url(name, consultation):
    return reverse(f"consult:{name}", args=[consultation.city.slug, consultation.slug])


def voter(client, consultation, **kwargs):
    participant = ParticipantFactory(city=consultation.city, **kwargs)
    client.force_login(participant.user)
    return participant


def ballot(consultation, *costs):
    return [ProposalFactory(consultation=consultation, estimated_cost=Decimal(c),
                            title=f"Costs {c}") for c in costs]


@pytest.fixture
def approval():
    return ConsultationFactory(phase=Phase.VOTING, voting_method=VotingMethod.APPROVAL,
                               max_choices=2)


@pytest.fixture
def knapsack():
    return ConsultationFactory(phase=Phase.VOTING, voting_method=VotingMethod.KNAPSACK,
                               budget=Decimal("1000"))


@pytest.fixture
def cumulative():
    return ConsultationFactory(phase=Phase.VOTING, voting_method=VotingMethod.CUMULATIVE,
                               max_choices=None, max_points=10)


def test_approval_vote_receipt_and_change(client, approval):
    a, b, c = ballot(approval, 100, 200, 300)
    me = voter(client, approval)
    page = client.get(url("vote", approval)).content.decode()
    assert "Choices left: 2 of 2" in page and 'type="checkbox"' in page
    response = client.post(url("vote", approval), {"choice": [a.pk, b.pk]})
    assert response.status_code == 302 and response.url == url("vote_receipt", approval)
    code = Ballot.objects.get(participant=me).receipt_code
    receipt = client.get(url("vote_receipt", approval)).content.decode()
    assert code in receipt and a.title in receipt and "Change my ballot" in receipt
    # the form is pre-filled with the current choices
    page = client.get(url("vote", approval)).content.decode()
    assert f'value="{a.pk}" checked' in page and f'value="{c.pk}" checked' not in page
    assert "Choices left: 0 of 2" in page
    client.post(url("vote", approval), {"choice": [c.pk]})
    stored = Ballot.objects.get(participant=me)
    assert stored.receipt_code == code
    assert set(stored.choices.values_list("proposal_id", flat=True)) == {c.pk}


def test_approval_too_many_choices_is_refused_with_a_clear_message(client, approval):
    a, b, c = ballot(approval, 100, 200, 300)
    voter(client, approval)
    response = client.post(url("vote", approval), {"choice": [a.pk, b.pk, c.pk]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "You can choose at most 2 proposals; you chose 3." in page
    assert f'value="{c.pk}" checked' in page  # what was sent stays selected
    assert not Ballot.objects.exists()


def test_knapsack_meter_and_over_budget(client, knapsack):
    small, big, huge = ballot(knapsack, 300, 600, 900)
    voter(client, knapsack)
    page = client.get(url("vote", knapsack)).content.decode()
    assert "<meter" in page and "Money left: 1,000\xa0MXN of 1,000\xa0MXN" in page
    response = client.post(url("vote", knapsack), {"choice": [big.pk, huge.pk]})
    assert response.status_code == 400
    assert "more than the budget" in response.content.decode()
    assert not Ballot.objects.exists()
    assert client.post(url("vote", knapsack), {"choice": [small.pk, big.pk]}).status_code == 302
    page = client.get(url("vote", knapsack)).content.decode()
    assert "Money left: 100\xa0MXN of 1,000\xa0MXN" in page


def test_cumulative_points(client, cumulative):
    a, b = ballot(cumulative, 100, 200)
    me = voter(client, cumulative)
    page = client.get(url("vote", cumulative)).content.decode()
    assert "Points left: 10 of 10" in page and 'type="number"' in page
    over = client.post(url("vote", cumulative), {f"points_{a.pk}": "8", f"points_{b.pk}": "5"})
    assert over.status_code == 400
    assert "at most 10 points; you used 13" in over.content.decode()
    garbage = client.post(url("vote", cumulative), {f"points_{a.pk}": "lots"})
    assert garbage.status_code == 400 and "whole numbers" in garbage.content.decode()
    negative = client.post(url("vote", cumulative), {f"points_{a.pk}": "-3"})
    assert negative.status_code == 400
    ok = client.post(url("vote", cumulative), {f"points_{a.pk}": "7", f"points_{b.pk}": "3"})
    assert ok.status_code == 302
    choices = dict(BallotChoice.objects.filter(ballot__participant=me)
                   .values_list("proposal_id", "points"))
    assert choices == {a.pk: 7, b.pk: 3}
    page = client.get(url("vote", cumulative)).content.decode()
    assert f'name="points_{a.pk}" min="0" max="10" step="1" inputmode="numeric" value="7"' in page


def test_empty_ballot_is_refused(client, approval):
    ballot(approval, 100)
    voter(client, approval)
    response = client.post(url("vote", approval), {})
    assert response.status_code == 400
    assert "Choose at least one proposal." in response.content.decode()


def test_forged_proposal_of_another_consultation_is_refused(client, approval):
    ballot(approval, 100)
    foreign = ProposalFactory()
    voter(client, approval)
    response = client.post(url("vote", approval), {"choice": [foreign.pk]})
    assert response.status_code == 400
    assert "not on the ballot" in response.content.decode()
    malformed = client.post(url("vote", approval), {"choice": ["1; DROP TABLE"]})
    assert malformed.status_code == 400
    assert not Ballot.objects.exists()


def test_withdrawn_proposal_cannot_be_voted(client, approval):
    (a,) = ballot(approval, 100)
    withdrawn = ProposalFactory(consultation=approval, status=Proposal.Status.WITHDRAWN,
                                status_reason="merged")
    voter(client, approval)
    page = client.get(url("vote", approval)).content.decode()
    assert withdrawn.title not in page
    assert client.post(url("vote", approval), {"choice": [withdrawn.pk]}).status_code == 400


@pytest.mark.parametrize("phase", [Phase.REVIEW, Phase.COUNTING, Phase.RESULTS])
def test_vote_outside_voting_is_403_and_changes_nothing(client, phase):
    consultation = ConsultationFactory(phase=phase)
    (a,) = ballot(consultation, 100)
    voter(client, consultation)
    assert client.get(url("vote", consultation)).status_code == 200
    response = client.post(url("vote", consultation), {"choice": [a.pk]})
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_vote_after_the_deadline_keeps_the_ballot_as_it_was(client, approval):
    a, b = ballot(approval, 100, 200)
    me = voter(client, approval)
    client.post(url("vote", approval), {"choice": [a.pk]})
    approval.voting_closes_at = timezone.now() - timedelta(minutes=1)
    approval.save()
    response = client.post(url("vote", approval), {"choice": [b.pk]})
    assert response.status_code == 403
    assert list(BallotChoice.objects.filter(ballot__participant=me)
                .values_list("proposal_id", flat=True)) == [a.pk]


def test_unverified_participant_cannot_vote_where_residents_only(client):
    consultation = ConsultationFactory(phase=Phase.VOTING, eligibility=Eligibility.VERIFIED)
    (a,) = ballot(consultation, 100)
    voter(client, consultation, is_verified=False)
    page = client.get(url("vote", consultation)).content.decode()
    assert "This consultation is for verified residents of" in page
    assert client.post(url("vote", consultation), {"choice": [a.pk]}).status_code == 403


def test_anonymous_sees_the_ballot_and_is_asked_to_log_in(client, approval):
    (a,) = ballot(approval, 100)
    page = client.get(url("vote", approval)).content.decode()
    assert a.title in page and "Log in to vote" in page
    response = client.post(url("vote", approval), {"choice": [a.pk]})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_receipt_without_a_ballot_is_404(client, approval):
    voter(client, approval)
    assert client.get(url("vote_receipt", approval)).status_code == 404


def test_results_show_votes_after_voting_but_no_unpublished_selection(client):
    consultation = ConsultationFactory(phase=Phase.RESULTS)
    a, b = ballot(consultation, 100, 200)
    for _ in range(3):
        b_ballot = Ballot.objects.create(participant=ParticipantFactory(),
                                         consultation=consultation)
        BallotChoice.objects.create(ballot=b_ballot, proposal=b)
    page = client.get(url("results", consultation)).content.decode()
    assert b.title in page and "Votes per proposal" in page
    assert "official count has not been published" in page
    b.status = Proposal.Status.SELECTED
    b.save()
    # Selected but not published (planning's ResultsPublication): the selection does not show;
    # the published case is in tests/planning/test_counting_views.py.
    response = client.get(url("results", consultation))
    assert response.context["selected_ids"] == {b.pk}
    page = response.content.decode()
    assert "proposal was selected" not in page and 'class="selected"' not in page
    assert "official count has not been published" in page


def test_results_before_voting_closes_show_no_votes(client, approval):
    (a,) = ballot(approval, 100)
    Ballot.objects.create(participant=ParticipantFactory(), consultation=approval)
    page = client.get(url("results", approval)).content.decode()
    assert "Votes are shown here once voting closes" in page
    assert "Votes per proposal" not in page


def test_a_consultation_cannot_lack_its_voting_limit():
    """NULL would pass a plain CHECK; the constraint also requires the limit to be set."""
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationFactory(phase=Phase.VOTING, max_choices=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationFactory(phase=Phase.VOTING, voting_method="cumulative", max_points=None)
