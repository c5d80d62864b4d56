"""Following a proposal (web and API), the record of a ballot opened but not submitted, and the
closing reminder that tells its voter (issue #14, "close the loop")."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consult import services as consult_services
from consult.models import BallotStart, Consultation, Phase, Proposal, ProposalFollow
from notifications.messages import worded
from notifications.models import Kind, Notification
from tests.api.conftest import client_for
from tests.factories import (
    CommentFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
)

pytestmark = pytest.mark.django_db


def url(name, proposal):
    consultation = proposal.consultation
    return reverse(f"consult:{name}", args=[consultation.city.slug, consultation.slug,
                                            proposal.pk])


def api_url(proposal):
    return f"/api/v1/proposals/{proposal.pk}/follow/"


@pytest.fixture
def proposal():
    return ProposalFactory(consultation=ConsultationFactory(phase=Phase.REVIEW),
                           title="Bike lanes")


# --- following on the web ----------------------------------------------------------------------


def test_follow_and_stop_following_on_the_proposal_page(client, proposal):
    me = ParticipantFactory(city=proposal.consultation.city)
    client.force_login(me.user)
    page = client.get(url("proposal", proposal)).content.decode()
    assert "Follow this proposal" in page
    for _twice in range(2):  # following twice changes nothing
        response = client.post(url("proposal_follow", proposal))
        assert response.status_code == 302 and response.url == url("proposal", proposal)
    assert ProposalFollow.objects.filter(participant=me, proposal=proposal).count() == 1
    page = client.get(url("proposal", proposal)).content.decode()
    assert "Stop following" in page and "Follow this proposal" not in page
    for _twice in range(2):  # and so does stopping twice
        assert client.post(url("proposal_unfollow", proposal)).status_code == 302
    assert not ProposalFollow.objects.exists()


def test_the_author_is_not_offered_to_follow_and_visitors_see_no_button(client, proposal):
    assert "Follow this proposal" not in client.get(url("proposal", proposal)).content.decode()
    client.force_login(proposal.author.user)
    assert "Follow this proposal" not in client.get(url("proposal", proposal)).content.decode()


def test_following_needs_a_login_post_and_csrf(proposal):
    anonymous = Client()
    response = anonymous.post(url("proposal_follow", proposal))
    assert response.status_code == 302 and reverse("login") in response.url
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ParticipantFactory(city=proposal.consultation.city).user)
    assert strict.get(url("proposal_follow", proposal)).status_code == 405
    assert strict.post(url("proposal_follow", proposal)).status_code == 403
    assert not ProposalFollow.objects.exists()


def test_hidden_draft_or_withdrawn_proposals_cannot_be_followed(client, proposal):
    me = ParticipantFactory(city=proposal.consultation.city)
    client.force_login(me.user)
    Proposal.objects.filter(pk=proposal.pk).update(is_hidden=True)
    assert client.post(url("proposal_follow", proposal)).status_code == 403
    draft = ProposalFactory(consultation=proposal.consultation, status=Proposal.Status.DRAFT,
                            published_at=None)
    assert client.post(url("proposal_follow", draft)).status_code == 404  # not known to exist
    withdrawn = ProposalFactory(consultation=proposal.consultation,
                                status=Proposal.Status.WITHDRAWN, status_reason="Done.")
    assert client.post(url("proposal_follow", withdrawn)).status_code == 403
    assert not ProposalFollow.objects.exists()


def test_staff_without_a_participant_profile_cannot_follow(proposal):
    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory())
    assert client.post(url("proposal_follow", proposal)).status_code == 403


def test_deleting_the_account_forgets_what_it_followed(proposal):
    from consult.selectors import participant_data

    me = ParticipantFactory(city=proposal.consultation.city)
    consult_services.proposal_follow(user=me.user, proposal=proposal)
    assert [row["proposal_id"] for row in participant_data(participant=me)["follows"]] == [
        proposal.pk]  # in the downloaded data
    consult_services.participant_erase(participant=me)
    assert not ProposalFollow.objects.exists()


# --- following through the API -----------------------------------------------------------------


def test_follow_through_the_api(proposal):
    me = ParticipantFactory(city=proposal.consultation.city)
    api = client_for(me.user)
    assert api.get(api_url(proposal)).json() == {"proposal": proposal.pk, "following": False}
    for _twice in range(2):
        response = api.post(api_url(proposal))
        assert response.status_code == 200
        assert response.json() == {"proposal": proposal.pk, "following": True}
    assert ProposalFollow.objects.count() == 1
    for _twice in range(2):
        assert api.delete(api_url(proposal)).json()["following"] is False
    assert not ProposalFollow.objects.exists()
    assert client_for(None).post(api_url(proposal)).status_code == 401


def test_the_api_refuses_hidden_and_draft_proposals_as_the_support_endpoint_does(proposal):
    me = ParticipantFactory(city=proposal.consultation.city)
    api = client_for(me.user)
    Proposal.objects.filter(pk=proposal.pk).update(is_hidden=True)
    assert api.post(api_url(proposal)).status_code == 404  # hidden: not readable by others
    own_draft = ProposalFactory(consultation=proposal.consultation, author=me,
                                status=Proposal.Status.DRAFT, published_at=None)
    response = api.post(api_url(own_draft))
    assert response.status_code == 403
    assert client_for(ParticipantFactory().user).post(api_url(own_draft)).status_code == 404
    assert not ProposalFollow.objects.exists()


# --- ballots started but not submitted ---------------------------------------------------------


@pytest.fixture
def voting():
    consultation = ConsultationFactory(phase=Phase.VOTING, max_choices=2)
    ProposalFactory(consultation=consultation)
    return consultation


def vote_url(consultation):
    return reverse("consult:vote", args=[consultation.city.slug, consultation.slug])


def test_opening_the_ballot_records_a_start_with_one_query(client, voting):
    me = ParticipantFactory(city=voting.city)
    client.force_login(me.user)
    for _twice in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(vote_url(voting)).status_code == 200
        inserts = [q["sql"] for q in queries.captured_queries if "ballotstart" in q["sql"]]
        assert len(inserts) == 1
    assert BallotStart.objects.filter(participant=me, consultation=voting).count() == 1
    from consult.selectors import participant_data

    assert participant_data(participant=me)["ballots_started"][0]["consultation__slug"] == (
        voting.slug)


def test_no_start_without_a_right_to_vote_or_with_a_ballot(client, voting):
    client.get(vote_url(voting))  # a visitor
    verified_only = ConsultationFactory(city=voting.city, phase=Phase.VOTING,
                                        eligibility="verified")
    client.force_login(ParticipantFactory(city=voting.city, is_verified=False).user)
    client.get(vote_url(verified_only))
    voter = ParticipantFactory(city=voting.city)
    consult_services.ballot_submit(participant=voter, consultation=voting,
                                   choices={voting.proposals.get().pk: 1})
    client.force_login(voter.user)
    client.get(vote_url(voting))
    assert not BallotStart.objects.exists()
    review = ConsultationFactory(city=voting.city, phase=Phase.REVIEW)
    client.get(vote_url(review))  # voting not open
    assert not BallotStart.objects.exists()


def closing_in(consultation: Consultation, hours: float) -> None:
    now = timezone.now()
    Consultation.objects.filter(pk=consultation.pk).update(
        voting_closes_at=now + timedelta(hours=hours), results_at=now + timedelta(days=5))


def test_who_started_a_ballot_hears_it_was_not_submitted_instead_of_the_generic_reminder(
        client, voting):
    proposal = voting.proposals.get()
    started = ParticipantFactory(city=voting.city)  # commented too: would get voting_closes
    CommentFactory(proposal=proposal, author=started)
    started_then_voted = ParticipantFactory(city=voting.city)
    took_part = ParticipantFactory(city=voting.city)
    CommentFactory(proposal=proposal, author=took_part)
    for person in (started, started_then_voted):
        client.force_login(person.user)
        client.get(vote_url(voting))
    consult_services.ballot_submit(participant=started_then_voted, consultation=voting,
                                   choices={proposal.pk: 1})
    assert BallotStart.objects.count() == 2

    closing_in(voting, 49)  # outside the 48 hours: nobody yet
    assert consult_services.voting_reminders_send() == 0
    closing_in(voting, 47)
    consult_services.voting_reminders_send()
    assert consult_services.voting_reminders_send() == 0  # once per consultation and person
    told = {(n.recipient_id, n.message) for n in Notification.objects.all()}
    assert told == {(started.user_id, "ballot_unfinished"), (took_part.user_id, "voting_closes"),
                    (proposal.author.user_id, "voting_closes")}
    note = Notification.objects.get(recipient=started.user)
    assert note.kind == Kind.VOTING_REMINDER
    assert note.url == reverse("consult:consultation", args=[voting.city.slug, voting.slug])
    voting.refresh_from_db()
    assert note.event == f"ballot_unfinished:{voting.pk}:{voting.voting_closes_at:%Y%m%d%H%M}"
    sentence = worded(note, language="en")
    assert sentence.startswith(f"You started a ballot in “{voting.title}” but did not submit "
                               "it. Voting closes on ")
