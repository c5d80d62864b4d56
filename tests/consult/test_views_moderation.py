"""Moderation queue and decisions, per role and city."""
import pytest
from django.urls import reverse

from consult.models import CityRole, Flag, ModerationDecision
from tests.factories import (
    CityFactory,
    CityRoleFactory,
    CommentFactory,
    ConsultationFactory,
    ParticipantFactory,
    ProposalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged():
    city = CityFactory(slug="lima", name="Lima")
    proposal = ProposalFactory(consultation=ConsultationFactory(city=city))
    comment = CommentFactory(proposal=proposal, body="Rude words here",
                             author=ParticipantFactory(city=city))
    Flag.objects.create(reporter=ParticipantFactory(city=city), comment=comment,
                        reason=Flag.Reason.OFFENSIVE)
    return comment


def user_with(role, city):
    user = UserFactory()
    ParticipantFactory(user=user, city=city)
    if role:
        CityRoleFactory(user=user, city=city, role=role)
    return user


def test_moderator_sees_the_queue_and_hides_with_a_reason(client, flagged):
    city = flagged.proposal.consultation.city
    client.force_login(user_with(CityRole.Role.MODERATOR, city))
    page = client.get(reverse("consult:moderation", args=[city.slug])).content.decode()
    assert "Rude words here" in page and "Offensive or hateful" in page
    decide = reverse("consult:moderate", args=[city.slug, "comment", flagged.pk])
    assert client.get(decide).status_code == 200
    missing = client.post(decide, {"action": "hide", "reason": ""})
    assert missing.status_code == 400
    response = client.post(decide, {"action": "hide", "reason": "Insults another participant"})
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.is_hidden
    assert Flag.objects.get().resolved_at is not None
    page = client.get(reverse("consult:moderation", args=[city.slug])).content.decode()
    assert "Nothing to review." in page and "Insults another participant" in page


def test_the_author_reads_the_reason(client, flagged):
    ModerationDecision.objects.create(comment=flagged, action="hide", reason="Insults")
    flagged.is_hidden = True
    flagged.save()
    proposal = flagged.proposal
    page_url = reverse("consult:proposal", args=[proposal.consultation.city.slug,
                                                 proposal.consultation.slug, proposal.pk])
    client.force_login(flagged.author.user)
    page = client.get(page_url).content.decode()
    assert "Moderators' reason: Insults" in page
    mine = client.get(reverse("consult:my_participation")).content.decode()
    assert "Insults" in mine
    client.force_login(UserFactory())
    assert "Insults" not in client.get(page_url).content.decode()


def test_moderator_restores_a_proposal(client):
    city = CityFactory()
    proposal = ProposalFactory(consultation=ConsultationFactory(city=city), is_hidden=True)
    client.force_login(user_with(CityRole.Role.MODERATOR, city))
    decide = reverse("consult:moderate", args=[city.slug, "proposal", proposal.pk])
    client.post(decide, {"action": "restore", "reason": "Reports were unfounded"})
    proposal.refresh_from_db()
    assert not proposal.is_hidden


@pytest.mark.parametrize("role", [None, CityRole.Role.PLANNER, CityRole.Role.COUNCIL])
def test_others_get_403(client, flagged, role):
    city = flagged.proposal.consultation.city
    client.force_login(user_with(role, city))
    assert client.get(reverse("consult:moderation", args=[city.slug])).status_code == 403
    decide = reverse("consult:moderate", args=[city.slug, "comment", flagged.pk])
    response = client.post(decide, {"action": "hide", "reason": "x"})
    assert response.status_code == 403
    flagged.refresh_from_db()
    assert not flagged.is_hidden


def test_moderator_of_another_city_gets_403_or_404(client, flagged):
    city = flagged.proposal.consultation.city
    elsewhere = CityFactory()
    client.force_login(user_with(CityRole.Role.MODERATOR, elsewhere))
    assert client.get(reverse("consult:moderation", args=[city.slug])).status_code == 403
    # their own city's queue cannot reach this comment
    response = client.post(
        reverse("consult:moderate", args=[elsewhere.slug, "comment", flagged.pk]),
        {"action": "hide", "reason": "x"})
    assert response.status_code == 404
    flagged.refresh_from_db()
    assert not flagged.is_hidden


def test_anonymous_goes_to_login_and_unknown_kind_is_404(client, flagged):
    city = flagged.proposal.consultation.city
    response = client.get(reverse("consult:moderation", args=[city.slug]))
    assert response.status_code == 302
    client.force_login(user_with(CityRole.Role.MODERATOR, city))
    assert client.get(reverse("consult:moderate", args=[city.slug, "user", 1])).status_code == 404


def flag(target, *, minutes_ago: int = 0, resolved: bool = False):
    from datetime import timedelta

    from django.utils import timezone
    city = (target.consultation if hasattr(target, "consultation")
            else target.proposal.consultation).city
    kind = "proposal" if hasattr(target, "consultation") else "comment"
    return Flag.objects.create(
        reporter=ParticipantFactory(city=city), reason=Flag.Reason.OFFENSIVE, **{kind: target},
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        resolved_at=timezone.now() if resolved else None)


def test_the_queue_lists_only_reported_content_most_reported_then_oldest_first(client):
    city = CityFactory(slug="quito", name="Quito")
    consultation = ConsultationFactory(city=city)
    quiet = ProposalFactory(consultation=consultation, title="Never reported")
    settled = ProposalFactory(consultation=consultation, title="Report resolved")
    flag(settled, resolved=True)
    once_recent = ProposalFactory(consultation=consultation, title="Reported once recently")
    flag(once_recent, minutes_ago=5)
    once_old = ProposalFactory(consultation=consultation, title="Reported once long ago")
    flag(once_old, minutes_ago=300)
    twice = ProposalFactory(consultation=consultation, title="Reported twice")
    flag(twice, minutes_ago=1)
    flag(twice, minutes_ago=2)
    flag(twice, resolved=True)  # a resolved report does not count
    client.force_login(user_with(CityRole.Role.MODERATOR, city))
    response = client.get(reverse("consult:moderation", args=[city.slug]))
    listed = [p.title for p in response.context["proposals"]]
    assert listed == ["Reported twice", "Reported once long ago", "Reported once recently"]
    assert [p.open_flags for p in response.context["proposals"]] == [2, 1, 1]
    page = response.content.decode()
    assert quiet.title not in page and settled.title not in page
    assert list(response.context["comments"]) == []
    assert "Nothing to review." in page


def test_moderators_see_how_many_items_wait_in_the_header_and_per_city_on_their_page(
        client, flagged):
    lima = flagged.proposal.consultation.city
    quito = CityFactory(slug="quito", name="Quito")
    flag(ProposalFactory(consultation=ConsultationFactory(city=lima)))
    moderator = user_with(CityRole.Role.MODERATOR, lima)
    CityRoleFactory(user=moderator, city=quito, role=CityRole.Role.ADMIN)  # two roles, two cities
    client.force_login(moderator)
    page = client.get(reverse("consult:home")).content.decode()
    waiting = reverse("waiting")
    assert f'<a href="{waiting}">Waiting for you <span class="badge badge--count">2' in page
    page = client.get(waiting).content.decode()
    lima_link = reverse("consult:moderation", args=["lima"])
    quito_link = reverse("consult:moderation", args=["quito"])
    assert "Reported content to moderate · Lima <span class=\"badge badge--count\">2" in page
    assert "Reported content to moderate · Quito <span class=\"badge badge--count\">0" in page
    assert lima_link in page and quito_link in page
    # A participant and an anonymous visitor see no staff link; a planner has nothing to
    # moderate.
    client.force_login(user_with(None, lima))
    assert waiting not in client.get(reverse("consult:home")).content.decode()
    client.force_login(user_with(CityRole.Role.PLANNER, lima))
    assert lima_link not in client.get(waiting).content.decode()
    client.logout()
    assert waiting not in client.get(reverse("consult:home")).content.decode()


def test_the_header_count_costs_the_same_queries_for_one_or_many_reports(client, flagged):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    lima = flagged.proposal.consultation.city
    client.force_login(user_with(CityRole.Role.MODERATOR, lima))
    url = reverse("consult:home")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(12):
        flag(ProposalFactory(consultation=flagged.proposal.consultation))
    with CaptureQueriesContext(connection) as many:
        assert "13" in client.get(url).content.decode()
    assert len(many) == len(few)


@pytest.mark.parametrize("role", [CityRole.Role.MODERATOR, CityRole.Role.PLANNER])
def test_a_moderator_or_planner_rejects_a_proposal_from_the_web_and_the_author_reads_why(
        client, role):
    from consult.models import Phase, Proposal
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=Phase.PROPOSALS))
    consultation = proposal.consultation
    args = [consultation.city.slug, consultation.slug, proposal.pk]
    client.force_login(user_with(role, consultation.city))
    detail = client.get(reverse("consult:proposal", args=args)).content.decode()
    assert reverse("consult:proposal_reject", args=args) in detail
    empty = client.post(reverse("consult:proposal_reject", args=args), {"reason": " "})
    assert empty.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PUBLISHED
    done = client.post(reverse("consult:proposal_reject", args=args),
                       {"reason": "Outside the city's competences."})
    assert done.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.REJECTED
    client.force_login(proposal.author.user)
    page = client.get(reverse("consult:proposal", args=args)).content.decode()
    assert "Rejected" in page and "Outside the city&#x27;s competences." in page
    # Rejected once: the page says it cannot be rejected again and offers no form.
    client.force_login(user_with(role, consultation.city))
    again = client.get(reverse("consult:proposal_reject", args=args)).content.decode()
    assert "already rejected" in again and "<textarea" not in again
    refused = client.post(reverse("consult:proposal_reject", args=args), {"reason": "Twice"})
    assert refused.status_code == 400
    proposal.refresh_from_db()
    assert proposal.status_reason == "Outside the city's competences."


def test_rejecting_is_refused_to_others_to_other_cities_and_once_voting_opened(client):
    from consult.models import Phase
    proposal = ProposalFactory(consultation=ConsultationFactory(phase=Phase.PROPOSALS))
    consultation = proposal.consultation
    args = [consultation.city.slug, consultation.slug, proposal.pk]
    url = reverse("consult:proposal_reject", args=args)
    for user in (user_with(None, consultation.city), user_with(CityRole.Role.COUNCIL,
                 consultation.city), user_with(CityRole.Role.MODERATOR, CityFactory())):
        client.force_login(user)
        assert client.post(url, {"reason": "No"}).status_code == 403
        assert url not in client.get(reverse("consult:proposal", args=args)).content.decode()
    voting = ProposalFactory(consultation=ConsultationFactory(phase=Phase.VOTING))
    voting_args = [voting.consultation.city.slug, voting.consultation.slug, voting.pk]
    client.force_login(user_with(CityRole.Role.MODERATOR, voting.consultation.city))
    page = client.get(reverse("consult:proposal_reject", args=voting_args)).content.decode()
    assert "Voting has opened" in page
    assert client.post(reverse("consult:proposal_reject", args=voting_args),
                       {"reason": "Late"}).status_code == 400
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
