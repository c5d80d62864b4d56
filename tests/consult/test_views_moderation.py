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
